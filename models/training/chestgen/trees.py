"""Bronchovascular and venous trees grown by recursive space partition (in the spirit of Kitaoka's
airway-filling model): a branch runs from its start toward the centroid of the lung region it serves; the
region is then split by a plane containing the branch, turned about 90 degrees from the parent's plane,
and each half grows a child. Diameters follow the served volume (d ~ n^gamma, Murray-like). Airways share
the bronchoarterial tree down to about 2 mm; the artery runs beside the bronchus (a node offset
perpendicular to the branch); veins grow independently from the four pulmonary vein ostia.

Output: capsules (tubes between two points with linearly varying radius) in patient coordinates, one
table per material, plus branch lists used to place lesions.
"""
import math

import numpy as np

from .geom import cross3, rotate_about, unit

F_ART, F_VEIN, F_AWALL, F_ALUMEN, F_BONE, F_MARROW, F_CART, F_SOFT, F_EMPH, F_METAL = range(10)
N_FIELDS = 10
INNER = {F_AWALL: F_ALUMEN, F_BONE: F_MARROW}


_F7 = np.linspace(0, 1.0, 7)
_F8 = np.linspace(0.1, 1.0, 8)
_E3 = np.eye(3)


class Capsules:
    """Rows: ax ay az bx by bz ra rb ia ib field (patient mm)."""

    def __init__(self):
        self.rows = []

    def add(self, a, b, ra, rb, field, ia=0.0, ib=0.0):
        self.rows.append((a[0], a[1], a[2], b[0], b[1], b[2], ra, rb, ia, ib, field))

    def add_path(self, pts, radii, field, inner=None):
        pts = np.asarray(pts, dtype=np.float64)
        radii = np.broadcast_to(np.asarray(radii, dtype=np.float64), (len(pts),))
        inner = np.zeros(len(pts)) if inner is None else np.broadcast_to(np.asarray(inner, dtype=np.float64), (len(pts),))
        for k in range(len(pts) - 1):
            self.add(pts[k], pts[k + 1], radii[k], radii[k + 1], field, inner[k], inner[k + 1])

    def array(self):
        if not self.rows:
            return np.zeros((0, 11))
        return np.array(self.rows, dtype=np.float64)


class Branch:
    __slots__ = ("s", "e", "ds", "de", "n", "gen", "lobe", "airway", "ow_s", "ow_e", "parent")

    def __init__(self, s, e, ds, de, n, gen, lobe, parent):
        self.s, self.e, self.ds, self.de, self.n, self.gen, self.lobe, self.parent = s, e, ds, de, n, gen, lobe, parent
        self.airway = 0.0
        self.ow_s = self.ow_e = None


class TreeGrower:
    def __init__(self, rng, inside_sdf, density, n_term, gamma, d_root, n_root, d_tip):
        self.rng = rng
        self.sdf = inside_sdf  # callable: body-frame points [n, 3] -> signed distance (mm)
        self.density = density
        self.n_term = n_term
        self.gamma = gamma
        self.d_root = d_root
        self.n_root = n_root
        self.d_tip = d_tip
        self.branches = []

    def diam(self, n):
        return self.d_root * (max(n, 1) / self.n_root) ** self.gamma

    def _clip(self, s, e, margin, start_frac=0.3):
        """Shorten s->e so that its part beyond start_frac stays `margin` mm inside the lung."""
        f = start_frac + (1.0 - start_frac) * _F7
        pts = s[None] + f[:, None] * (e - s)[None]
        d = self.sdf(pts)
        bad = np.nonzero(d > -margin)[0]
        if len(bad) == 0:
            return e
        k = bad[0]
        if k == 0:
            return s + start_frac * (e - s)
        return pts[k - 1]

    def _steer(self, s, dirv, L, free):
        """Turn a branch away from non-lung tissue (heart, mediastinum) it would cross beyond `free` mm."""
        f = _F8 * L
        for _ in range(3):
            pts = s[None] + f[:, None] * dirv[None]
            d = self.sdf(pts)
            bad = np.nonzero((d > 1.0) & (f > free))[0]
            if len(bad) == 0:
                return dirv
            p = pts[bad[0]]
            h = 1.5
            q = self.sdf(np.concatenate([p[None] + _E3 * h, p[None] - _E3 * h]))
            g = (q[:3] - q[3:]) / (2 * h)
            n = g / (np.linalg.norm(g) + 1e-9)
            dirv = unit(dirv - 1.6 * max(np.dot(dirv, n), 0.25) * n)
        return dirv

    def grow(self, start, din, pts, lobe, groups=None, nrm=None, gen=0, parent=None, first_len=None):
        """Grow the subtree serving `pts` from `start`; `groups` forces the first splits by lobe labels."""
        rng = self.rng
        stack = [(start, din, pts, groups, nrm, gen, parent, first_len)]
        while stack:
            start, din, pts, groups, nrm, gen, parent, first_len = stack.pop()
            n = len(pts)
            if n == 0:
                continue
            xyz = pts[:, :3]
            C = xyz.mean(0)
            vec = C - start
            dist = float(np.linalg.norm(vec))
            dirv = vec / dist if dist > 1e-6 else din
            cosang = min(1.0, max(-1.0, float(dirv @ din)))
            ang = math.acos(cosang)
            max_ang = math.radians(75 if gen > 1 else 90)
            if ang > max_ang:
                axis = cross3(din, dirv)
                if np.linalg.norm(axis) > 1e-6:
                    dirv = rotate_about(din, axis, max_ang)
            d = self.diam(n)
            terminal = (groups is None) and (n < 2 * self.n_term or gen > 24 or dist < 2.0)
            if terminal:
                dirv = self._steer(start, dirv, max(dist, 5.0), 3.0)
                proj = (xyz - start) @ dirv
                L = max(float(np.quantile(proj, 0.88)), 3.0)
                end = self._clip(start, start + dirv * L, 2.0, 0.15)
                br = Branch(start, end, d, self.d_tip, n, gen, lobe, parent)
                self.branches.append(br)
                continue
            if first_len is not None:
                L = first_len
            else:
                lo = 1.3 * d + 2.0
                L = min(max(rng.uniform(0.35, 0.62) * dist, lo), max(dist, lo))
                dirv = self._steer(start, dirv, L, 12.0 if gen <= 2 else 3.0)
            end = self._clip(start, start + dirv * L, 1.5, 0.3 if gen > 0 else 0.6)
            br = Branch(start, end, d, d, n, gen, lobe, parent)
            self.branches.append(br)
            # split
            if groups is not None:
                labs = pts[:, 3].astype(int)
                m0 = np.isin(labs, _labels(groups[0]))
                ga = groups[0] if isinstance(groups[0], tuple) else None
                gb = groups[1] if isinstance(groups[1], tuple) else None
                stack.append((end, dirv, pts[~m0], gb, nrm, gen + 1, br, None))
                stack.append((end, dirv, pts[m0], ga, nrm, gen + 1, br, None))
                continue
            if nrm is None:
                nrm = cross3(dirv, (0, 0, 1.0))
            nrm = nrm - (nrm @ dirv) * dirv
            if nrm @ nrm < 1e-12:
                nrm = cross3(dirv, (1.0, 0, 0))
            nrm = unit(nrm)
            nrm = rotate_about(nrm, dirv, math.pi / 2 + rng.uniform(-0.45, 0.45))
            s = (xyz - C) @ nrm
            thr = np.quantile(s, rng.uniform(0.3, 0.7))
            m = s < thr
            stack.append((end, dirv, pts[m], None, nrm, gen + 1, br, None))
            stack.append((end, dirv, pts[~m], None, nrm, gen + 1, br, None))
        return self.branches


def _labels(spec):
    return list(spec) if isinstance(spec, list) else _labels(spec[0]) + _labels(spec[1])


def curved_path(rng, s, e, n_per_mm=1 / 7.0, bend=0.09):
    L = float(np.linalg.norm(e - s))
    k = int(np.clip(round(L * n_per_mm), 1, 5))
    if k == 1 or L < 4:
        return np.stack([s, e])
    d = (e - s) / L
    p = unit(cross3(d, rng.normal(size=3)))
    q = (s + e) / 2 + p * rng.uniform(-bend, bend) * L
    t = np.linspace(0, 1, k + 1)[:, None]
    return (1 - t) ** 2 * s + 2 * t * (1 - t) * q + t * t * e


def build_trees(rng, anat, sample_sdf, lung_pts, lobes, density, small=False):
    """Grow airways, arteries and veins. `sample_sdf(body_pts)` gives the coarse lung SDF. Returns
    (capsules in body frame, dict of branch lists)."""
    caps = Capsules()
    info = {"art": [], "vein": [], "air": []}
    vol_term = rng.uniform(0.7, 1.2) * 1000.0 * (2.0 if small else 1.0)  # mm^3 per terminal region
    n_term = max(6, int(vol_term * density))
    gamma = rng.uniform(0.32, 0.36)
    d_tip = rng.uniform(0.75, 1.0)
    aw_ratio = rng.uniform(0.85, 1.05)
    aw_min = rng.uniform(2.0, 2.6)
    wall_f = rng.uniform(0.15, 0.2) * (rng.uniform(1.35, 1.8) if rng.random() < 0.15 else 1.0)
    info["wall_thick"] = wall_f > 0.22
    pts_all = np.concatenate([lung_pts, lobes[:, None].astype(np.float64)], axis=1)
    # Airway roots: trachea and main bronchi
    top = anat.zof(-0.45)
    tz = np.linspace(top, anat.carina[2], 12)
    tze = anat.zeta(tz)
    tr_path = np.stack([np.full(12, anat.u_tr), anat.v_tr_f(tze), tz], axis=1)
    tr_path[-1] = anat.carina
    r_tr = anat.r_tr
    caps.add_path(tr_path, r_tr, F_AWALL, r_tr - anat.tr_wall)
    for side, hil, dia in (("R", anat.hil_R, rng.uniform(13, 16)), ("L", anat.hil_L, rng.uniform(11, 14))):
        path = np.stack([anat.carina, (anat.carina + hil) / 2 + [0, 0, 2], hil])
        r_o = dia / 2
        caps.add_path(path, r_o, F_AWALL, r_o - max(1.2, 0.12 * dia))
    # Pulmonary trunk and main arteries
    caps.add_path(anat.pt, anat.r_pt, F_ART)
    rpa_r = np.linspace(anat.r_rpa * 1.05, anat.r_rpa * 0.9, len(anat.rpa))
    lpa_r = np.linspace(anat.r_lpa * 1.05, anat.r_lpa * 0.9, len(anat.lpa))
    caps.add_path(anat.rpa, rpa_r, F_ART)
    caps.add_path(anat.lpa, lpa_r, F_ART)
    # Bronchoarterial trees, one per lung
    for side, hil, hub, lobeset in (("R", anat.hil_R, anat.hub_R, [0, 1, 2]), ("L", anat.hil_L, anat.hub_L, [3, 4])):
        sel = np.isin(lobes, lobeset)
        pts = pts_all[sel]
        if len(pts) < 20:
            continue
        n_side = len(pts)
        d_root = rng.uniform(15, 18)
        gr = TreeGrower(rng, sample_sdf, density, n_term, gamma, d_root, n_side, d_tip)
        din = unit(hil - anat.carina)
        if side == "R":
            # upper lobe first, then the intermediate bronchus to middle and lower
            gr.grow(hil, din, pts, side, groups=([0], ([1], [2])), first_len=4.0)
        else:
            gr.grow(hil, din, pts, side, groups=([3], [4]), first_len=4.0)
        brs = gr.branches
        # node offsets for the arteries
        offset = {}
        root_off = hub - hil
        for br in brs:
            o_s = root_off if br.parent is None else br.parent.ow_e
            br.ow_s = o_s
            dirv = br.e - br.s
            Ld = np.linalg.norm(dirv)
            dirv = dirv / Ld if Ld > 1e-6 else np.array([0, 0, -1.0])
            o = o_s - np.dot(o_s, dirv) * dirv
            if np.linalg.norm(o) < 1e-6:
                o = np.cross(dirv, [0, 0, 1.0])
            o = rotate_about(unit(o), dirv, rng.uniform(-0.3, 0.3))
            d_aw = aw_ratio * br.de
            br.airway = d_aw if d_aw >= aw_min else 0.0
            mag = br.de / 2 + (d_aw / 2 if br.airway else 0.0) + 0.4
            if br.parent is None:
                mag = max(mag, 0.6 * np.linalg.norm(root_off))
            br.ow_e = o * mag
        for br in brs:
            a_s, a_e = br.s + br.ow_s, br.e + br.ow_e
            path = curved_path(rng, a_s, a_e, bend=0.08)
            rad = np.linspace(br.ds / 2, br.de / 2, len(path))
            caps.add_path(path, rad, F_ART)
            info["art"].append((a_s, a_e, br.ds / 2, br.de / 2, br.lobe))
            d_aw_s = aw_ratio * br.ds
            if br.airway and d_aw_s >= aw_min:
                ro_s, ro_e = d_aw_s / 2, br.airway / 2
                w_s = np.clip(wall_f * d_aw_s, 0.45, 2.5)
                w_e = np.clip(wall_f * br.airway, 0.45, 2.5)
                bpath = curved_path(rng, br.s, br.e, bend=0.05)
                caps.add_path(bpath, np.linspace(ro_s, ro_e, len(bpath)), F_AWALL, np.linspace(ro_s - w_s, ro_e - w_e, len(bpath)))
                info["air"].append((bpath, ro_s, ro_e, ro_s - w_s, ro_e - w_e, br.gen, br))
    # Veins: four trees from the left atrium
    for key, lobeset in (("Rsup", [0, 1]), ("Rinf", [2]), ("Lsup", [3]), ("Linf", [4])):
        ost, hubp = anat.pv[key]
        sel = np.isin(lobes, lobeset)
        side_sel = np.isin(lobes, [0, 1, 2] if key[0] == "R" else [3, 4])
        pts = pts_all[sel]
        if len(pts) < 20:
            continue
        n_side = int(side_sel.sum())
        d_root = rng.uniform(15, 19)
        gr = TreeGrower(rng, sample_sdf, density, n_term, gamma, d_root, n_side, d_tip)
        d0 = gr.diam(len(pts))
        caps.add_path(np.stack([ost, hubp]), d0 / 2 * 1.05, F_VEIN)
        gr.grow(hubp, unit(hubp - ost), pts, key[0], groups=None)
        for br in gr.branches:
            path = curved_path(rng, br.s, br.e, bend=0.1)
            rad = np.linspace(br.ds / 2, br.de / 2, len(path))
            caps.add_path(path, rad, F_VEIN)
            info["vein"].append((br.s, br.e, br.ds / 2, br.de / 2, br.lobe))
    return caps, info
