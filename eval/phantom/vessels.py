"""Pulmonary vessel and airway trees grown by recursive territory splitting.

A tree starts at a root point with a set of territory points (uniform samples of the lobes it
supplies).  Each branch heads for the centroid of its territory and stops part of the way; its
territory is then split in two by a plane through the centroid, perpendicular to the territory's
main axis across the branch direction.  Radii follow Murray's law: r^gamma is proportional to the
number of territory points.  The first split at the root is by lobe, so trees do not cross fissures.
"""
import math

import numpy as np

from util import unit


class Branch:
    __slots__ = ("pts", "r0", "r1", "gen", "parent", "children", "terminal", "lobe", "tree", "drawn")

    def __init__(self, pts, r0, r1, gen, parent, lobe):
        self.pts = pts
        self.r0, self.r1 = r0, r1
        self.gen = gen
        self.parent = parent
        self.children = []
        self.terminal = False
        self.lobe = lobe
        self.tree = None
        self.drawn = None


def _curve(p0, p1, dprev, rnd, bend, r):
    """Gently curved polyline from p0 to p1 leaving p0 close to direction dprev (scalar maths)."""
    x0, y0, z0 = float(p0[0]), float(p0[1]), float(p0[2])
    vx, vy, vz = float(p1[0]) - x0, float(p1[1]) - y0, float(p1[2]) - z0
    L = math.sqrt(vx * vx + vy * vy + vz * vz)
    il = 1.0 / max(L, 1e-9)
    dx, dy, dz = vx * il, vy * il, vz * il
    sx, sy, sz = float(rnd[0]) - 0.5, float(rnd[1]) - 0.5, float(rnd[2]) - 0.5
    p = sx * dx + sy * dy + sz * dz
    sx, sy, sz = sx - p * dx, sy - p * dy, sz - p * dz
    sn = 1.0 / max(math.sqrt(sx * sx + sy * sy + sz * sz), 1e-9)
    k = (float(rnd[3]) - 0.5) * 3.4 * bend * L * sn
    cx, cy, cz = x0 + 0.5 * vx + sx * k, y0 + 0.5 * vy + sy * k, z0 + 0.5 * vz + sz * k
    if dprev is not None:
        h = 0.5 * L
        cx = 0.6 * cx + 0.4 * (x0 + float(dprev[0]) * h)
        cy = 0.6 * cy + 0.4 * (y0 + float(dprev[1]) * h)
        cz = 0.6 * cz + 0.4 * (z0 + float(dprev[2]) * h)
    nseg = min(max(int(math.ceil(L / max(3.0, 4 * r))), 1), 6)
    if L > 8 and nseg < 2:
        nseg = 2
    A, B, C = _TSW[nseg]
    return A * np.array((x0, y0, z0)) + B * np.array((cx, cy, cz)) + C * np.array((x0 + vx, y0 + vy, z0 + vz))


_TS = {k: np.linspace(0, 1, k + 1)[:, None] for k in range(1, 7)}
_TSW = {k: ((1 - t) ** 2, 2 * (1 - t) * t, t * t) for k, t in _TS.items()}


def grow_tree(root, root_dir, X, lobes, r_root, rng, gamma=2.8, r_term=0.45, n_min=5,
              lam=(0.35, 0.6), bend=0.12, trunk_len=12.0, max_gen=40):
    """Grow one tree.  X: (n,3) territory points, lobes: (n,) lobe label of each point."""
    N = len(X)
    branches = []
    root = np.asarray(root, float)
    d0 = unit(np.asarray(root_dir, float))
    trunk_end = root + d0 * trunk_len
    RND = rng.random((4 * N + 64, 6))
    ri = [0]

    def rnd():
        ri[0] += 1
        return RND[ri[0] % len(RND)]

    trunk = Branch(_curve(root, trunk_end, None, rnd(), 0.02, r_root), r_root * 1.05, r_root, 1, None, -1)
    branches.append(trunk)
    inv_g = 1.0 / gamma

    stack = []
    for lb in np.unique(lobes):
        idx = np.nonzero(lobes == lb)[0]
        if len(idx) >= n_min:
            stack.append((trunk_end, d0, idx, r_root * (len(idx) / N) ** inv_g, 2, 0, int(lb)))
    while stack:
        P, dprev, idx, r, gen, parent, lobe = stack.pop()
        u = rnd()
        pts = X[idx]
        n = len(idx)
        c = pts.sum(0) * (1.0 / n)
        v = c - P
        dist = float(np.sqrt(v.dot(v)))
        d = v / max(dist, 1e-9)
        terminal = n < 2 * n_min or r < r_term * 1.25 or gen >= max_gen
        if terminal:
            if n > 2:
                pr = (pts - c) @ d
                ext = float(pr.max()) * 0.6
            else:
                ext = 2.0
            end = c + d * max(ext, 1.0)
            w = end - P
            if float(w.dot(w)) < 0.25:
                continue
            pl = _curve(P, end, dprev, u, bend, r)
            b = Branch(pl, r, max(r * 0.65, r_term * 0.6), gen, parent, lobe)
            b.terminal = True
            branches[parent].children.append(len(branches))
            branches.append(b)
            continue
        L = dist * (lam[0] + (lam[1] - lam[0]) * u[4])
        L = max(L, 2.5 * r)
        end = P + d * L
        pl = _curve(P, end, dprev, u, bend, r)
        b = Branch(pl, r, r * 0.96, gen, parent, lobe)
        me = len(branches)
        branches[parent].children.append(me)
        branches.append(b)
        de = pl[-1] - pl[-2]
        dend = de / float(np.sqrt(de.dot(de)))
        q = pts - c
        q = q - np.outer(q @ dend, dend)
        w, vecs = np.linalg.eigh(q.T @ q)
        proj = q @ vecs[:, -1]
        # asymmetric (monopodial-like) splits are common: minor share 0.12..0.5
        fm = 0.12 + 0.38 * (2 * abs(float(u[5]) - 0.5)) ** 1.5
        frac = fm if u[5] < 0.5 else 1 - fm
        k = min(max(int(frac * n), 1), n - 1)
        thr = np.partition(proj, k)[k]
        m = proj >= thr
        for sub in (idx[m], idx[~m]):
            if len(sub) < 2:
                continue
            stack.append((end, dend, sub, r_root * (len(sub) / N) ** inv_g, gen + 1, me, lobe))
    for b in branches:
        b.tree = branches
    return branches


def tree_segments(branches, offset_dir=None, offset_fn=None):
    """Yield (points, radii, branch) with optional per-branch lateral offset (for artery/bronchus pairs)."""
    out = []
    for b in branches:
        n = len(b.pts)
        radii = np.linspace(b.r0, b.r1, n)
        out.append((b.pts, radii, b))
    return out


def bundle_offsets(branches, root_offset):
    """Propagate a unit offset direction perpendicular to each branch (parallel transport)."""
    offs = [None] * len(branches)
    for i, b in enumerate(branches):
        d = b.pts[-1] - b.pts[0]
        d = d / math.sqrt(float(d.dot(d)) + 1e-18)
        ref = root_offset if b.parent is None else offs[b.parent]
        o = ref - float(ref.dot(d)) * d
        n = math.sqrt(float(o.dot(o)))
        if n < 1e-6:
            o = np.cross(d, [0, 0, 1.0])
            n = math.sqrt(float(o.dot(o))) + 1e-12
        offs[i] = o / n
    return offs
