"""Nodule placement in the lungs: intraparenchymal, juxtavascular, juxtapleural and perifissural
positions clear of each other, of the vessels and of the fissures."""
import numpy as np

from anatomy import seg_dist
from util import unit


class Placer:
    def __init__(self, pt, builder, rng, zlim=None):
        self.pt, self.b, self.R = pt, builder, rng
        self.zlim = zlim
        ter = builder.territory
        self.pts = {1: ter[1], 2: ter[2]}
        segA, segB, segr = [], [], []
        self.nodes = []
        for (pts, rr, br) in builder.art_branches + builder.vein_branches:
            segA.append(pts[:-1])
            segB.append(pts[1:])
            segr.append(0.5 * (rr[:-1] + rr[1:]))
        self.vA = np.vstack(segA)
        self.vB = np.vstack(segB)
        self.vr = np.concatenate(segr)
        big = self.vr >= 1.2
        self.bA, self.bB, self.br = self.vA[big], self.vB[big], self.vr[big]
        hil = np.array([builder.hila["R"][0], builder.hila["L"][0]])
        dh = np.minimum(np.linalg.norm(self.vA - hil[0], axis=1), np.linalg.norm(self.vA - hil[1], axis=1))
        self.jv = np.nonzero((self.vr >= 1.0) & (self.vr <= 3.5) & (dh > 30))[0]
        self.branches = [(p, r, b) for (p, r, b) in builder.art_branches + builder.vein_branches]
        aA, aB, ar = [], [], []
        for (pts, rr, br) in builder.airway_branches:
            aA.append(pts[:-1])
            aB.append(pts[1:])
            ar.append(0.5 * (rr[:-1] + rr[1:]) * 1.4)
        self.aA = np.vstack(aA) if aA else np.zeros((0, 3))
        self.aB = np.vstack(aB) if aB else np.zeros((0, 3))
        self.ar = np.concatenate(ar) if ar else np.zeros(0)
        self.placed = []

    def in_z(self, c, r):
        if self.zlim is None:
            return True
        return self.zlim[0] + r + 3 <= c[2] <= self.zlim[1] - r - 3

    def free(self, c, r):
        for (c2, r2) in self.placed:
            if np.linalg.norm(c - c2) < r + r2 + 3:
                return False
        if len(self.ar):
            d = seg_dist(np.asarray(c, float)[None], self.aA, self.aB)[0] - self.ar
            if d.min() < r + 0.5:
                return False
        return True

    def ball_in_lung(self, c, r, n=64, frac=1.0):
        u = unit(self.R.normal(size=(n, 3)))
        P = np.vstack([c[None], c + u * r])
        ok = self.pt.lung_label(P) > 0
        return ok.mean() >= frac

    def vessel_clear(self, c, r):
        d = seg_dist(c[None], self.bA, self.bB)[0] - self.br
        return d.min() > r + 0.5

    def fissure_clear(self, c, r):
        pt = self.pt
        for k in ("OR", "OL", "H"):
            zf = pt.fissure_z(k, c[0], c[1])
            if abs(c[2] - zf) * 0.6 < r + 1.5:
                return False
        return True

    def random_lung_point(self):
        side = 1 if self.R.random() < 0.55 else 2
        X = self.pts[side]
        return X[self.R.integers(0, len(X))].copy()

    def place(self, nod):
        R, pt = self.R, self.pt
        r = nod.r
        for attempt in range(400):
            loc = nod.loc
            if loc == "intraparenchymal" or attempt > 300:
                c = self.random_lung_point()
                if not self.in_z(c, r) or not self.free(c, r):
                    continue
                if not self.ball_in_lung(c, r + 2.5):
                    continue
                if not self.vessel_clear(c, r) or not self.fissure_clear(c, r):
                    continue
                nod.c = c
                nod.loc = "intraparenchymal"
                break
            if loc == "juxtavascular":
                if R.random() < 0.33:
                    br = self.branches[R.integers(0, len(self.branches))]
                    p, rr, b = br
                    if not (1.0 <= rr[-1] <= 3.5) or len(b.children) < 2:
                        continue
                    node = p[-1]
                    kids = [b.tree[ch].drawn for ch in b.children[:2]]
                    if any(k is None for k in kids):
                        continue
                    dirs = [unit(k[0][min(1, len(k[0]) - 1)] - k[0][0]) for k in kids]
                    bis = unit(dirs[0] + dirs[1])
                    c = node + bis * (rr[-1] + r * R.uniform(0.4, 0.9))
                    nod.site = "bifurcation"
                else:
                    if not len(self.jv):
                        continue
                    i = self.jv[R.integers(0, len(self.jv))]
                    a, bb, rv = self.vA[i], self.vB[i], self.vr[i]
                    d = unit(bb - a)
                    e = unit(np.cross(d, R.normal(size=3)))
                    c = a + (bb - a) * R.uniform(0, 1) + e * (rv + r * R.uniform(0.3, 0.9))
                    nod.site = "vessel"
                if not self.in_z(c, r) or not self.free(c, r):
                    continue
                if not self.ball_in_lung(c, r + 1.0, frac=0.97):
                    continue
                nod.c = c
                break
            if loc == "juxtapleural":
                res = self.pleural_point(nod)
                if res is None:
                    continue
                ps, n, kind = res
                c = ps + n * r * R.uniform(0.2, 0.6)
                if not self.in_z(c, r) or not self.free(c, r):
                    continue
                nod.c = c
                nod.clip = (ps, n)
                nod.surface = kind
                # the part inside the lung must really be in the lung
                P = c + unit(R.normal(size=(150, 3))) * r * R.uniform(0, 1, (150, 1)) ** (1 / 3)
                P = P[((P - ps) @ n) >= 0.8]
                if len(P) < 10 or (pt.lung_label(P) > 0).mean() < 0.9:
                    nod.c = None
                    nod.clip = None
                    continue
                break
            if loc == "perifissural":
                key = str(R.choice(["OR", "OL", "H"], p=[0.4, 0.35, 0.25]))
                side = 2 if key == "OL" else 1
                X = self.pts[side]
                p = X[R.integers(0, len(X))].copy()
                p[2] = pt.fissure_z(key, p[0], p[1])
                if key == "H" and pt.fissure_z("OR", p[0], p[1]) >= p[2]:
                    continue
                if not pt.fissure_present(key, p[0], p[1]):
                    continue
                e = 0.5
                gx = (pt.fissure_z(key, p[0] + e, p[1]) - pt.fissure_z(key, p[0] - e, p[1])) / (2 * e)
                gy = (pt.fissure_z(key, p[0], p[1] + e) - pt.fissure_z(key, p[0], p[1] - e)) / (2 * e)
                n = unit(np.array([-gx, -gy, 1.0]))
                c = p + n * R.uniform(-0.5, 0.5)
                if not self.in_z(c, r) or not self.free(c, r):
                    continue
                if not self.ball_in_lung(c, r + 2.0):
                    continue
                nod.c = c
                nod.flat = n
                nod.fh = r / R.uniform(1.8, 3.0)
                nod.fissure = key
                break
        if nod.c is None:
            return False
        self.placed.append((nod.c, nod.extent()))
        return True

    def pleural_point(self, nod):
        R, pt = self.R, self.pt
        kind = str(R.choice(["costal", "mediastinal", "diaphragmatic"], p=[0.6, 0.25, 0.15]))
        q = self.random_lung_point()
        if kind == "costal":
            v = np.array([q[0] - pt.xc, q[1] - pt.yc, 0.0])
            v = unit(v + R.normal(0, 0.3, 3) * np.linalg.norm(v) * np.array([1, 1, 0.3]))
        elif kind == "mediastinal":
            v = unit(np.array([float(pt.x_mid(q[2])) - q[0], R.normal(0, 0.3) * abs(q[0] - pt.xc), R.normal(0, 0.2) * 50]))
        else:
            v = unit(np.array([R.normal(0, 0.2), R.normal(0, 0.2), -1.0]))
        t_in, t_out = 0.0, None
        for t in np.arange(2, 160, 2.0):
            if pt.lung_label((q + v * t)[None])[0] == 0:
                t_out = t
                break
            t_in = t
        if t_out is None:
            return None
        for _ in range(12):
            tm = 0.5 * (t_in + t_out)
            if pt.lung_label((q + v * tm)[None])[0] == 0:
                t_out = tm
            else:
                t_in = tm
        ps = q + v * t_in
        # which boundary?
        x, y, z = ps + v * 1.0
        fl = pt.floor(x, y)
        if kind == "diaphragmatic" and not (z <= fl + 0.5):
            return None
        if kind == "costal":
            th = np.arctan2(y - pt.yc, x - pt.xc)
            if np.hypot(x - pt.xc, y - pt.yc) < pt.tab(pt.rcav, z, th) - 0.5:
                return None
        if kind == "mediastinal" and z <= fl + 0.5:
            return None
        B = ps + unit(R.normal(size=(300, 3))) * 6.0 * R.uniform(0, 1, (300, 1)) ** (1 / 3)
        lab = pt.lung_label(B) > 0
        if lab.all() or not lab.any():
            return None
        n = unit(B[lab].mean(0) - B[~lab].mean(0))
        return ps, n, kind
