"""Nodules: drawing, fine-grid voxelisation and truth measurement (placement: placement.py)."""
import numpy as np

from util import unit, rot_matrix

TYPES = ["solid", "part-solid", "ground-glass", "calcified"]
TYPE_P = [0.55, 0.15, 0.15, 0.15]
SHAPES = ["sphere", "ellipsoid", "lobulated", "spiculated", "irregular"]
SHAPE_P = [0.25, 0.25, 0.2, 0.15, 0.15]
LOCS = ["intraparenchymal", "juxtavascular", "juxtapleural", "perifissural"]
LOC_P = [0.45, 0.2, 0.25, 0.1]
LOBES = {1: "RUL", 2: "RML", 3: "RLL", 4: "LUL", 5: "LLL"}


def draw_specs(rng):
    R = rng
    if R.random() < 0.15:
        return []
    n = int(R.choice([1, 2, 3, 4, 5, 6], p=[0.30, 0.25, 0.18, 0.12, 0.08, 0.07]))
    out = []
    for _ in range(n):
        D = float(np.clip(np.exp(R.normal(np.log(7.0), 0.5)), 3.0, 30.0))
        typ = str(R.choice(TYPES, p=TYPE_P))
        loc = str(R.choice(LOCS, p=LOC_P))
        if typ == "calcified":
            shape = str(R.choice(["sphere", "ellipsoid", "lobulated"], p=[0.45, 0.35, 0.2]))
        else:
            shape = str(R.choice(SHAPES, p=SHAPE_P))
        if loc == "perifissural":
            D = min(D, 12.0)
            shape = "lentiform" if R.random() < 0.65 else "triangular"
        out.append({"D": D, "type": typ, "loc": loc, "shape": shape})
    return out


class Nodule:
    def __init__(self, spec, rng):
        R = rng
        self.spec = spec
        self.D = spec["D"]
        self.r = self.D / 2
        self.type = spec["type"]
        self.shape = spec["shape"]
        self.loc = spec["loc"]
        self.Rm = rot_matrix(R)
        r = self.r
        self.axes = np.array([r, r, r])
        if self.shape == "ellipsoid":
            asp = R.uniform(1.1, 1.6)
            self.axes = r * np.array([asp ** (2 / 3), asp ** (-1 / 3) * R.uniform(0.9, 1.0), asp ** (-1 / 3)])
        self.lobes = []
        if self.shape == "lobulated":
            k = int(R.integers(2, 6))
            for i in range(k):
                rr = r * (R.uniform(0.55, 0.8) if i else R.uniform(0.75, 0.9))
                off = unit(R.normal(size=3)) * (r - rr) * (R.uniform(0.5, 1.0) if i else 0.2)
                self.lobes.append((off, rr))
        self.pert = []
        if self.shape in ("irregular", "spiculated"):
            amp = R.uniform(0.08, 0.18) if self.shape == "irregular" else R.uniform(0.03, 0.08)
            for _ in range(6):
                self.pert.append((unit(R.normal(size=3)), R.uniform(2, 5), R.uniform(0, 6.3), amp * R.uniform(0.4, 1.0)))
        self.spic = []
        if self.shape == "spiculated":
            for _ in range(int(R.integers(5, 21))):
                v = unit(R.normal(size=3))
                self.spic.append((v, R.uniform(2, 10), R.uniform(0.5, 1.1)))
        self.clip = None  # (point, normal) for juxtapleural
        self.flat = None  # fissure normal for perifissural
        self.hu = {}
        if self.type == "solid":
            self.hu["solid"] = R.uniform(0, 60)
        elif self.type == "ground-glass":
            self.hu["ggo"] = R.uniform(-750, -400)
        elif self.type == "part-solid":
            self.hu["ggo"] = R.uniform(-650, -350)
            self.hu["solid"] = R.uniform(0, 60)
            dc = float(np.clip(R.uniform(2, 12), 2, 0.7 * self.D))
            self.core_r = dc / 2
            self.core_off = unit(R.normal(size=3)) * (r - self.core_r) * R.uniform(0, 0.5)
        else:
            self.calc = str(R.choice(["whole", "central", "popcorn", "laminated", "core"], p=[0.4, 0.15, 0.15, 0.15, 0.15]))
            self.hu["calc"] = R.uniform(150, 800)
            self.hu["solid"] = R.uniform(20, 60)
            if self.calc == "popcorn":
                self.pop = [(unit(R.normal(size=3)) * r * R.uniform(0, 0.6), r * R.uniform(0.15, 0.3)) for _ in range(int(R.integers(3, 9)))]
            self.lam = R.uniform(2.5, 4.5)
        self.ggo_edge = R.uniform(0.8, 2.0)
        self.tex = [(unit(R.normal(size=3)) * R.uniform(0.3, 0.9), R.uniform(0, 6.3)) for _ in range(4)]
        self.c = None

    def extent(self):
        e = float(self.axes.max())
        if self.lobes:
            e = max(e, max(np.linalg.norm(o) + rr for o, rr in self.lobes))
        if self.pert:
            e *= 1 + sum(p[3] for p in self.pert)
        if self.spic:
            e += max(s[1] for s in self.spic)
        if self.flat is not None:
            e = max(e, self.r)
        return e + 1.0

    # --------------------------------------------------------------- implicit shape
    # Points are given as three separate float32 arrays (x, y, z) relative to the centre.

    def q(self, x, y, z):
        """Normalised radial coordinate (1 on the surface) of the main body at relative coords."""
        if self.shape in ("lentiform", "triangular"):
            n = self.flat
            h = self.fh
            dn = x * n[0] + y * n[1] + z * n[2]
            dt = np.sqrt(np.maximum(x * x + y * y + z * z - dn * dn, 0))
            if self.shape == "lentiform":
                return np.sqrt((dt / self.r) ** 2 + (dn / h) ** 2)
            return dt / self.r + np.abs(dn) / h
        if self.lobes:
            q = None
            for off, rr in self.lobes:
                v = np.sqrt((x - off[0]) ** 2 + (y - off[1]) ** 2 + (z - off[2]) ** 2) / rr
                q = v if q is None else np.minimum(q, v)
        else:
            R = self.Rm
            q = 0
            for c in range(3):
                lc = x * R[0, c] + y * R[1, c] + z * R[2, c]
                q = q + (lc / self.axes[c]) ** 2
            q = np.sqrt(q)
        if self.pert:
            nrm = np.sqrt(x * x + y * y + z * z) + 1e-6
            f = 1.0
            for v, w, ph, a in self.pert:
                f = f + a * np.cos(w * (x * v[0] + y * v[1] + z * v[2]) / nrm + ph)
            q = q / f
        return q

    def fields(self, x, y, z, X0):
        """Component fractions at relative coords (x,y,z) (X0 = absolute centre, for clipping)."""
        q = self.q(x, y, z)
        out = {}
        inside = q <= 1.0
        keep = None
        if self.clip is not None:
            p0, n = self.clip
            d0 = X0 - p0
            keep = ((x + d0[0]) * n[0] + (y + d0[1]) * n[1] + (z + d0[2]) * n[2]) >= 0
            inside &= keep
        tex = 0
        for v, ph in self.tex:
            tex = tex + np.cos(x * v[0] + y * v[1] + z * v[2] + ph)
        tex = tex * 0.5
        if self.type in ("ground-glass", "part-solid"):
            w = self.ggo_edge / self.r
            g = np.clip((1 + w - q) / (2 * w), 0, 1)
            g = g * g * (3 - 2 * g)
            if keep is not None:
                g = g * keep
            out["ggo"] = np.clip(g * (1 + 0.18 * tex), 0, 1)
            out["whole"] = g >= 0.5
        else:
            out["whole"] = inside
        if self.type == "solid":
            out["solid"] = inside.astype(np.float32)
        if self.type == "part-solid":
            o = self.core_off
            core = ((x - o[0]) ** 2 + (y - o[1]) ** 2 + (z - o[2]) ** 2) <= self.core_r ** 2
            if keep is not None:
                core &= keep
            out["solid"] = core.astype(np.float32)
            out["core"] = core
        if self.type == "calcified":
            sub = self.calc
            if sub == "whole":
                out["calc"] = inside.astype(np.float32)
            else:
                out["solid"] = inside.astype(np.float32)
                if sub in ("central", "core"):
                    fr = 0.45 if sub == "central" else 0.3
                    cm = (x * x + y * y + z * z) <= (fr * self.r) ** 2
                elif sub == "popcorn":
                    cm = np.zeros(q.shape, bool)
                    for off, rr in self.pop:
                        cm |= ((x - off[0]) ** 2 + (y - off[1]) ** 2 + (z - off[2]) ** 2) <= rr * rr
                else:
                    cm = ((q * self.r * 2 / self.lam) % 1.0 < 0.45) | (q < 0.3)
                out["calc"] = (cm & inside).astype(np.float32)
        if self.spic and self.type in ("solid", "part-solid"):
            sp = np.zeros(q.shape, bool)
            rr = self.r
            for v, L, r0 in self.spic:
                a = v * rr * 0.85
                dx, dy, dz = x - a[0], y - a[1], z - a[2]
                along = dx * v[0] + dy * v[1] + dz * v[2]
                Lt = L + 0.15 * rr
                m = (along >= 0) & (along <= Lt)
                if not m.any():
                    continue
                t = along / Lt
                d2 = dx * dx + dy * dy + dz * dz - along * along
                rad = r0 * (1 - t) + 0.05
                sp |= m & (d2 <= rad * rad)
            if keep is not None:
                sp &= keep
            if self.type == "solid":
                out["solid"] = np.maximum(out["solid"], sp)
            else:
                out["ggo"] = np.maximum(out["ggo"], sp * 0.8)
        return out


# ------------------------------------------------------------------- voxelisation and truth

def voxelize(nod, grid, ssp, T):
    """Render a nodule on a fine grid; return per-slice component fractions and the truth."""
    px = grid.px
    e = nod.extent()
    c = nod.c
    j0, j1 = (int(v) for v in grid.col_range(c[0] - e, c[0] + e))
    i0, i1 = (int(v) for v in grid.row_range(c[1] - e, c[1] + e))
    s = 3 if nod.D <= 12 else 2
    dz = min(0.2 if nod.D <= 12 else 0.25, T / 5)
    zf = np.arange(c[2] - e, c[2] + e + dz, dz)
    offs = ((np.arange(s) + 0.5) / s - 0.5) * px
    xs = (grid.xc[j0:j1][:, None] + grid.sx * offs[None, :]).ravel()
    ys = (grid.yr[i0:i1][:, None] + grid.sy * offs[None, :]).ravel()
    H, W = i1 - i0, j1 - j0
    zo = ssp.z
    hb = ssp.hb.max() + ssp.smax
    k0 = int(np.searchsorted(zo, zf[0] - hb))
    k1 = int(np.searchsorted(zo, zf[-1] + hb, side="right"))
    K = k1 - k0
    wmat = np.zeros((max(K, 0), len(zf)), np.float32)
    for kk in range(K):
        wmat[kk] = ssp.weights(k0 + kk, zf, dz)
    comps = {}
    whole_area = []
    whole_pts = []
    core_area = []
    core_pts = []
    vol = 0
    cen = np.zeros(3)
    X, Y = np.meshgrid(xs, ys)
    xr = (X - c[0]).astype(np.float32)[None]
    yr = (Y - c[1]).astype(np.float32)[None]
    for zi0 in range(0, len(zf), 24):
        zz = zf[zi0:zi0 + 24]
        zr = (zz - c[2]).astype(np.float32)[:, None, None]
        shp = (len(zz),) + X.shape
        f = nod.fields(np.broadcast_to(xr, shp), np.broadcast_to(yr, shp), np.broadcast_to(zr, shp), c)
        for key in ("ggo", "solid", "calc"):
            if key not in f:
                continue
            a = f[key].astype(np.float32).reshape(len(zz), H, s, W, s).mean((2, 4))
            part = np.tensordot(wmat[:, zi0:zi0 + 24], a, axes=(1, 0)) if K > 0 else None
            comps[key] = part if key not in comps else comps[key] + part
        wm = f["whole"]
        cnt = wm.sum((1, 2))
        for q, zq in enumerate(zz):
            whole_area.append(cnt[q])
            if cnt[q]:
                whole_pts.append((zq, wm[q]))
        vol += wm.sum()
        if wm.any():
            idx = np.nonzero(wm)
            cen += np.array([X[idx[1], idx[2]].sum(), Y[idx[1], idx[2]].sum(), zz[idx[0]].sum()])
        if "core" in f:
            cm = f["core"]
            cc = cm.sum((1, 2))
            for q, zq in enumerate(zz):
                core_area.append(cc[q])
                if cc[q]:
                    core_pts.append((zq, cm[q]))
    dxy = px / s
    truth = {}
    if vol == 0:
        return None
    cen /= vol
    truth["center"] = cen
    truth["volume"] = float(vol * dxy * dxy * dz)
    la, sa, zbest = _measure(whole_pts, X, Y, dxy)
    truth["long"], truth["short"] = la, sa
    truth["diam"] = 0.5 * (la + sa)
    if core_pts:
        lc, sc_, _ = _measure(core_pts, X, Y, dxy)
        truth["core"] = 0.5 * (lc + sc_)
    zs = [z for z, _ in whole_pts]
    truth["zrange"] = (min(zs), max(zs))
    return {"k0": k0, "K": K, "i0": i0, "j0": j0, "H": H, "W": W, "comps": comps, "truth": truth}


_ANG = np.linspace(0, np.pi, 360, endpoint=False)
_U = np.stack([np.cos(_ANG), np.sin(_ANG)], 1)


def _measure(planes, X, Y, d):
    """Long axis (max Feret) and longest perpendicular chord on the plane of largest area."""
    best = max(planes, key=lambda t: t[1].sum())
    zq, m = best
    P = np.stack([X[m], Y[m]], 1)
    pr = P @ _U.T
    ext = pr.max(0) - pr.min(0) + d
    a = int(np.argmax(ext))
    long_ = float(ext[a])
    u = _U[a]
    v = np.array([-u[1], u[0]])
    au = P @ u
    av = P @ v
    bins = np.floor((au - au.min()) / d).astype(int)
    nb = bins.max() + 1
    mx = np.full(nb, -np.inf)
    mn = np.full(nb, np.inf)
    np.maximum.at(mx, bins, av)
    np.minimum.at(mn, bins, av)
    ok = np.isfinite(mx)
    short = float((mx[ok] - mn[ok]).max() + d) if ok.any() else d
    return long_, min(short, long_), zq
