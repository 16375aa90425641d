"""Analytic rendering of tubes (mitred cylinder segments) and ellipsoids into slice buffers.

For every pixel the vertical line through the pixel centre is intersected with the primitive
(a quadratic for the cylinder/ellipsoid, two half-spaces for the segment's end planes), which gives
an exact z-interval; the slice value is the integral of the slice sensitivity profile over that
interval (difference of its cumulative function).  In-plane partial volume: the interval is taken
for the radius grown/shrunk by +-0.35 pixel and averaged (a box filter across the edge), with a
mass correction so that thin vessels keep their true cross-sectional mass.
"""
import numpy as np

DELTAS = (-0.3, 0.3)
BUDGET = 900_000  # elements per batch and delta


class Grid:
    """Axis-aligned pixel grid in patient coordinates: x(col j) = x0 + sx*px*j, y(row i) = y0 + sy*px*i."""

    def __init__(self, n, px, x0, y0, sx, sy):
        self.n, self.px, self.x0, self.y0, self.sx, self.sy = n, px, x0, y0, sx, sy
        self.xc = x0 + sx * px * np.arange(n)
        self.yr = y0 + sy * px * np.arange(n)

    def col_range(self, lo, hi):
        a = (lo - self.x0) / (self.sx * self.px)
        b = (hi - self.x0) / (self.sx * self.px)
        j0 = np.floor(np.minimum(a, b)).astype(int)
        j1 = np.ceil(np.maximum(a, b)).astype(int) + 1
        return np.clip(j0, 0, self.n), np.clip(j1, 0, self.n)

    def row_range(self, lo, hi):
        a = (lo - self.y0) / (self.sy * self.px)
        b = (hi - self.y0) / (self.sy * self.px)
        i0 = np.floor(np.minimum(a, b)).astype(int)
        i1 = np.ceil(np.maximum(a, b)).astype(int) + 1
        return np.clip(i0, 0, self.n), np.clip(i1, 0, self.n)


class Prims:
    """Collection of primitives, each assigned to a named material group (stored in array batches)."""

    def __init__(self):
        self.seg = []  # list of (a, b, r, na, nb, w, g) arrays
        self.ell = []  # list of (c, M, reff, w, g)
        self.groups = []
        self.final = None

    def gid(self, name):
        if name not in self.groups:
            self.groups.append(name)
        return self.groups.index(name)

    def add_segment(self, a, b, r, group, na=None, nb=None, w=1.0):
        a = np.asarray(a, float)[None]
        b = np.asarray(b, float)[None]
        d = b - a
        L = np.linalg.norm(d)
        if L < 1e-6 or r <= 0:
            return
        d = d / L
        self.seg.append((a, b, np.array([float(r)]), d if na is None else np.asarray(na, float)[None],
                         d if nb is None else np.asarray(nb, float)[None], np.array([float(w)]),
                         np.array([self.gid(group)])))

    def add_polyline(self, pts, radii, group, w=1.0, cap=None):
        """Chain of mitred segments through pts (n,3) with per-point radii (segment uses the mean)."""
        pts = np.asarray(pts, float)
        if len(pts) < 2:
            return
        radii = np.broadcast_to(np.asarray(radii, float), (len(pts),))
        dirs = np.diff(pts, axis=0)
        ln = np.sqrt((dirs * dirs).sum(1))
        keep = ln > 1e-6
        if not keep.all():
            idx = np.concatenate([[0], np.nonzero(keep)[0] + 1])
            pts, radii = pts[idx], radii[idx]
            if len(pts) < 2:
                return
            dirs = np.diff(pts, axis=0)
            ln = np.sqrt((dirs * dirs).sum(1))
        dirs = dirs / ln[:, None]
        n = len(dirs)
        na = dirs.copy()
        nb = dirs.copy()
        if n > 1:
            mit = dirs[:-1] + dirs[1:]
            mn = np.sqrt((mit * mit).sum(1))
            ok = mn > 1e-6
            mit[ok] /= mn[ok, None]
            mit[~ok] = dirs[1:][~ok]
            na[1:] = mit
            nb[:-1] = mit
        r = 0.5 * (radii[:-1] + radii[1:])
        good = r > 0
        if not good.all():
            pts_a, pts_b = pts[:-1][good], pts[1:][good]
            na, nb, r = na[good], nb[good], r[good]
        else:
            pts_a, pts_b = pts[:-1], pts[1:]
        m = len(r)
        if m:
            self.seg.append((pts_a, pts_b, r, na, nb, np.full(m, float(w)), np.full(m, self.gid(group))))
        if cap is not None:
            self.add_sphere(pts[0], radii[0], cap, w)
            self.add_sphere(pts[-1], radii[-1], cap, w)

    def add_polylines(self, plist, rlist, group, w=1.0):
        """Many polylines at once (each a list entry of (n_i,3) points and (n_i,) radii)."""
        if not plist:
            return
        lens = np.array([len(p) for p in plist])
        pts = np.vstack(plist)
        rad = np.concatenate(rlist)
        ends = np.cumsum(lens)
        starts = ends - lens
        same = np.ones(len(pts) - 1, bool)
        same[ends[:-1] - 1] = False  # segment from last point of one line to first of next
        dirs = np.diff(pts, axis=0)
        ln = np.sqrt((dirs * dirs).sum(1))
        good = same & (ln > 1e-6)
        dirs = dirs / np.maximum(ln, 1e-9)[:, None]
        na = dirs.copy()
        nb = dirs.copy()
        inner = same[:-1] & same[1:] & good[:-1] & good[1:]
        mit = dirs[:-1] + dirs[1:]
        mn = np.sqrt((mit * mit).sum(1))
        inner &= mn > 1e-6
        mit = mit / np.maximum(mn, 1e-9)[:, None]
        na[1:][inner] = mit[inner]
        nb[:-1][inner] = mit[inner]
        r = 0.5 * (rad[:-1] + rad[1:])
        good &= r > 0
        m = int(good.sum())
        if m:
            self.seg.append((pts[:-1][good], pts[1:][good], r[good], na[good], nb[good],
                             np.full(m, float(w)), np.full(m, self.gid(group))))

    def add_spheres(self, C, r, group, w=1.0):
        C = np.asarray(C, float).reshape(-1, 3)
        r = np.broadcast_to(np.asarray(r, float), (len(C),))
        ok = r > 0
        C, r = C[ok], r[ok]
        if not len(r):
            return
        M = np.eye(3)[None] / (r * r)[:, None, None]
        self.ell.append((C, M, r.copy(), np.full(len(r), float(w)), np.full(len(r), self.gid(group))))

    def add_ellipsoid(self, c, axes, R, group, w=1.0):
        axes = np.asarray(axes, float)
        R = np.asarray(R, float)
        M = R @ np.diag(1.0 / axes ** 2) @ R.T
        self.ell.append((np.asarray(c, float)[None], M[None], np.array([float(np.prod(axes) ** (1 / 3))]),
                         np.array([float(w)]), np.array([self.gid(group)])))

    def add_sphere(self, c, r, group, w=1.0):
        if r <= 0:
            return
        M = np.eye(3) / (r * r)
        self.ell.append((np.asarray(c, float)[None], M[None], np.array([float(r)]),
                         np.array([float(w)]), np.array([self.gid(group)])))

    def finalize(self):
        keys = ("a", "b", "r", "na", "nb", "w", "g")
        if self.seg:
            s = {k: np.concatenate([x[i] for x in self.seg]) for i, k in enumerate(keys)}
            r = s["r"]
            s["zmin"] = np.minimum(s["a"][:, 2], s["b"][:, 2]) - 2.5 * r
            s["zmax"] = np.maximum(s["a"][:, 2], s["b"][:, 2]) + 2.5 * r
        else:
            s = {k: np.zeros(0) for k in keys}
        keys = ("c", "M", "reff", "w", "g")
        if self.ell:
            e = {k: np.concatenate([x[i] for x in self.ell]) for i, k in enumerate(keys)}
            Minv = np.linalg.inv(e["M"])
            e["ext"] = np.sqrt(np.stack([Minv[:, 0, 0], Minv[:, 1, 1], Minv[:, 2, 2]], axis=1))
            e["zmin"] = e["c"][:, 2] - e["ext"][:, 2]
            e["zmax"] = e["c"][:, 2] + e["ext"][:, 2]
        else:
            e = {k: np.zeros(0) for k in keys}
        self.final = (s, e)
        return self

    def count(self):
        return sum(len(x[2]) for x in self.seg), len(self.ell)


def _unit(v):
    n = np.linalg.norm(v)
    return v / n if n > 1e-12 else v


class Raster:
    """Sparse per-pixel z-intervals of all primitives (computed once per case)."""

    def __init__(self, n):
        self.n = n
        self.parts = []

    def add(self, i, j, g, w, zl, zh):
        self.parts.append((i, j, g, w, zl, zh))

    def finish(self):
        if not self.parts:
            self.i = np.zeros(0, np.int32)
            self.j = self.i
            self.g = np.zeros(0, np.int16)
            self.w = np.zeros(0, np.float32)
            self.zl = np.zeros((0, 3), np.float32)
            self.zh = self.zl
            self.zlo = np.zeros(0, np.float32)
            self.zhi = self.zlo
            return self
        i, j, g, w, zl, zh = (np.concatenate(x) for x in zip(*self.parts))
        self.parts = []
        valid = zh > zl
        big = np.float32(1e30)
        zlo = np.where(valid, zl, big).min(1)
        zhi = np.where(valid, zh, -big).max(1)
        o = np.lexsort((zlo, g))
        self.i, self.j, self.g, self.w = i[o], j[o], g[o], w[o]
        self.zl, self.zh, self.zlo, self.zhi = zl[o], zh[o], zlo[o], zhi[o]
        b = np.nonzero(np.diff(self.g))[0] + 1
        st, en = np.r_[0, b], np.r_[b, len(o)]
        self.gblocks = {int(self.g[a]): (int(a), int(e)) for a, e in zip(st, en)}
        return self


def _batches(H, W, budget=BUDGET // 2):
    order = np.argsort(H * W)
    batches, cur, mh, mw = [], [], 0, 0
    for n in order:
        nh, nw = max(mh, H[n]), max(mw, W[n])
        if cur and (len(cur) + 1) * nh * nw > budget:
            batches.append((np.array(cur), mh, mw))
            cur, nh, nw = [], H[n], W[n]
        cur.append(n)
        mh, mw = nh, nw
    if cur:
        batches.append((np.array(cur), mh, mw))
    return batches


def _emit(raster, idx, i0, j0, BH, BW, g, w, zls, zhs):
    zl = np.stack(zls, -1)  # (N,H,W,3)
    zh = np.stack(zhs, -1)
    anyv = (zh > zl).any(-1)
    nn, hh, ww = np.nonzero(anyv)
    if not len(nn):
        return
    raster.add((i0[idx][nn] + hh).astype(np.int32), (j0[idx][nn] + ww).astype(np.int32),
               g[idx][nn].astype(np.int16), w[idx][nn].astype(np.float32),
               zl[nn, hh, ww].astype(np.float32), zh[nn, hh, ww].astype(np.float32))


def rasterize(prims, grid, raster=None):
    """Compute the per-pixel z-intervals of every primitive."""
    s, e = prims.final
    px = grid.px
    raster = raster or Raster(grid.n)
    if len(s["a"]):
        _rast_segments(s, grid, px, raster)
    if len(e["c"]):
        _rast_ellipsoids(e, grid, px, raster)
    return raster


def _rast_segments(s, grid, px, raster):
    a, b, r = s["a"], s["b"], s["r"]
    d = b - a
    d = d / np.linalg.norm(d, axis=1, keepdims=True)
    rm = r + DELTAS[-1] * px
    # mitred ends may stick out by up to ~0.6 r along the axis
    ex = rm * (np.sqrt(np.maximum(1 - d[:, 0] ** 2, 0)) + 0.6) + 0.5 * px
    ey = rm * (np.sqrt(np.maximum(1 - d[:, 1] ** 2, 0)) + 0.6) + 0.5 * px
    j0, j1 = grid.col_range(np.minimum(a[:, 0], b[:, 0]) - ex, np.maximum(a[:, 0], b[:, 0]) + ex)
    i0, i1 = grid.row_range(np.minimum(a[:, 1], b[:, 1]) - ey, np.maximum(a[:, 1], b[:, 1]) + ey)
    H, W = i1 - i0, j1 - j0
    ok = np.nonzero((H > 0) & (W > 0))[0]
    if not len(ok):
        return
    na, nb, g = s["na"], s["nb"], s["g"]
    wd = np.zeros_like(r)
    for dl in DELTAS:
        wd += np.maximum(r + dl * px, 0) ** 2
    wmass = s["w"] * r * r / (wd / len(DELTAS)) / len(DELTAS)
    for bidx, BH, BW in _batches(H[ok], W[ok]):
        idx = ok[bidx]
        xs = grid.xc[np.minimum(j0[idx, None] + np.arange(BW), grid.n - 1)]
        ys = grid.yr[np.minimum(i0[idx, None] + np.arange(BH), grid.n - 1)]
        A = a[idx]
        dx = (xs - A[:, 0:1])[:, None, :]
        dy = (ys - A[:, 1:2])[:, :, None]
        ux, uy, uz = (d[idx, c, None, None] for c in range(3))
        proj = dx * ux + dy * uy
        Q = dx * dx + dy * dy - proj * proj
        Aq = np.maximum(1 - uz * uz, 1e-9)
        Bh = -uz * proj
        nax, nay, naz = (na[idx, c, None, None] for c in range(3))
        nbx, nby, nbz = (nb[idx, c, None, None] for c in range(3))
        naz = np.where(np.abs(naz) < 1e-6, np.where(naz < 0, -1e-6, 1e-6), naz)
        nbz = np.where(np.abs(nbz) < 1e-6, np.where(nbz < 0, -1e-6, 1e-6), nbz)
        ta = -(nax * dx + nay * dy) / naz
        Lb = ((b[idx] - A) * nb[idx]).sum(1)[:, None, None]
        tb = (Lb - nbx * dx - nby * dy) / nbz
        plo = np.maximum(np.where(naz > 0, ta, -1e9), np.where(nbz > 0, -1e9, tb))
        phi = np.minimum(np.where(naz > 0, 1e9, ta), np.where(nbz > 0, tb, 1e9))
        az = A[:, 2, None, None]
        rr = r[idx, None, None]
        zls, zhs = [], []
        for dl in DELTAS:
            rd = np.maximum(rr + dl * px, 0)
            disc = Bh * Bh - Aq * (Q - rd * rd)
            sq = np.sqrt(np.maximum(disc, 0))
            lo_ = np.maximum((-Bh - sq) / Aq, plo)
            hi_ = np.minimum((-Bh + sq) / Aq, phi)
            valid = (disc > 0) & (hi_ > lo_)
            zls.append(np.where(valid, az + lo_, 0.0))
            zhs.append(np.where(valid, az + hi_, 0.0))
        _emit(raster, idx, i0, j0, BH, BW, g, wmass, zls, zhs)


def _rast_ellipsoids(e, grid, px, raster):
    c, M, reff, g = e["c"], e["M"], e["reff"], e["g"]
    grow = 1 + DELTAS[-1] * px / reff
    ex = e["ext"] * grow[:, None] + 0.5 * px
    j0, j1 = grid.col_range(c[:, 0] - ex[:, 0], c[:, 0] + ex[:, 0])
    i0, i1 = grid.row_range(c[:, 1] - ex[:, 1], c[:, 1] + ex[:, 1])
    H, W = i1 - i0, j1 - j0
    ok = np.nonzero((H > 0) & (W > 0))[0]
    if not len(ok):
        return
    fs = [np.maximum(1 + dl * px / reff, 0) for dl in DELTAS]
    wmass = e["w"] / (sum(f ** 3 for f in fs) / len(DELTAS)) / len(DELTAS)
    for bidx, BH, BW in _batches(H[ok], W[ok]):
        idx = ok[bidx]
        xs = grid.xc[np.minimum(j0[idx, None] + np.arange(BW), grid.n - 1)]
        ys = grid.yr[np.minimum(i0[idx, None] + np.arange(BH), grid.n - 1)]
        C = c[idx]
        dx = (xs - C[:, 0:1])[:, None, :]
        dy = (ys - C[:, 1:2])[:, :, None]
        m = M[idx]
        m11, m12, m13 = (m[:, 0, j, None, None] for j in range(3))
        m22, m23, m33 = m[:, 1, 1, None, None], m[:, 1, 2, None, None], m[:, 2, 2, None, None]
        bq = m13 * dx + m23 * dy
        c0 = m11 * dx * dx + 2 * m12 * dx * dy + m22 * dy * dy
        cz = C[:, 2, None, None]
        zls, zhs = [], []
        for f in fs:
            ff = f[idx, None, None]
            disc = bq * bq - m33 * (c0 - ff * ff)
            sq = np.sqrt(np.maximum(disc, 0))
            valid = disc > 0
            zls.append(np.where(valid, cz + (-bq - sq) / m33, 0.0))
            zhs.append(np.where(valid, cz + (-bq + sq) / m33, 0.0))
        _emit(raster, idx, i0, j0, BH, BW, g, wmass, zls, zhs)


class Expanded:
    """The raster's intervals integrated over the slice profiles of slices [klo,khi), by group."""

    def __init__(self, raster, ssp, klo, khi):
        self.raster, self.ssp, self.klo, self.khi = raster, ssp, klo, khi
        self.n = raster.n
        self.cache = {}

    def entries(self, gi):
        if gi in self.cache:
            return self.cache[gi]
        rs, ssp, klo, khi, n = self.raster, self.ssp, self.klo, self.khi, self.n
        out = None
        if gi in rs.gblocks:
            a, e_ = rs.gblocks[gi]
            zo = ssp.zobj[klo:khi]
            zn = ssp.z[klo:khi]
            hbm = float(ssp.hb[klo:khi].max()) + ssp.smax
            z0, z1 = zn[0] - hbm, zn[-1] + hbm
            end = a + np.searchsorted(rs.zlo[a:e_], z1, side="right")
            sel = a + np.nonzero(rs.zhi[a:end] >= z0)[0]
            if len(sel):
                k0 = np.searchsorted(zn, rs.zlo[sel] - hbm)
                k1 = np.searchsorted(zn, rs.zhi[sel] + hbm, side="right")
                cnt = k1 - k0
                m = cnt > 0
                sel, k0, cnt = sel[m], k0[m], cnt[m]
                tot = int(cnt.sum())
                if tot:
                    rep = np.repeat(np.arange(len(sel)), cnt)
                    start = np.cumsum(cnt) - cnt
                    kk = k0[rep] + (np.arange(tot) - start[rep])
                    e = sel[rep]
                    z = zo[kk].astype(np.float32)
                    if ssp.uniform:
                        ha, hb = np.float32(ssp.ha[0]), np.float32(ssp.hb[0])
                    else:
                        ha = ssp.ha[klo:khi][kk].astype(np.float32)
                        hb = ssp.hb[klo:khi][kk].astype(np.float32)
                    val = np.zeros(tot, np.float32)
                    zl, zh = rs.zl[e], rs.zh[e]
                    for q in range(zl.shape[1]):
                        val += ssp.cdf(zh[:, q] - z, ha, hb) - ssp.cdf(zl[:, q] - z, ha, hb)
                    val *= rs.w[e]
                    flat = (kk.astype(np.int64) * n + rs.i[e]) * n + rs.j[e]
                    out = (flat, val)
        self.cache[gi] = out
        return out


def _sparse(self, gi, mode="sum"):
    """(indices, fractions clipped to 1) for group gi: a slice over a dense range when the group
    covers it densely, else sorted unique flat indices."""
    ent = self.entries(gi)
    if ent is None:
        return None
    f, v = ent
    del self.cache[gi]
    lo, hi = int(f.min()), int(f.max()) + 1
    if len(f) * 30 > hi - lo and mode == "sum":
        out = np.bincount(f - lo, weights=v, minlength=hi - lo).astype(np.float32)
        np.minimum(out, 1, out=out)
        return slice(lo, hi), out
    u, inv = np.unique(f, return_inverse=True)
    if mode == "max":
        out = np.zeros(len(u), np.float32)
        np.maximum.at(out, inv, v)
    else:
        out = np.bincount(inv, weights=v, minlength=len(u)).astype(np.float32)
    np.minimum(out, 1, out=out)
    return u, out


Expanded.sparse = _sparse


def rasterize_filter(prims, zlo, zhi):
    """Drop primitives entirely outside [zlo, zhi] before rasterising."""
    s, e = prims.final
    if len(s.get("a", [])):
        keep = (s["zmax"] >= zlo) & (s["zmin"] <= zhi)
        for k in list(s.keys()):
            s[k] = s[k][keep]
    if len(e.get("c", [])):
        keep = (e["zmax"] >= zlo) & (e["zmin"] <= zhi)
        for k in list(e.keys()):
            e[k] = e[k][keep]
