"""Structures inside the lungs: pulmonary arterial and venous trees with their airways (vessels.py)
and the distractors (emphysema, scars, atelectasis, plaques, granulomas, muscle slips).

A mixin of structures.Builder (uses its tube/ell helpers and self.pt, self.R, self.pr).
"""
import numpy as np

from anatomy import spline
from util import unit
import vessels as V

_LIN = {k: np.linspace(0, 1, k) for k in range(1, 12)}


class LungMixin:
    # -------------------------------------------------------------- lungs
    def sample_lung(self, n, rng):
        """Uniform random points inside the lungs: returns dict side -> (n,3)."""
        pt = self.pt
        lo = np.array([pt.xc - pt.a_c0 * 1.1, pt.yc - pt.b_c0 * 1.1 - 40, pt.zb - 5])
        hi = np.array([pt.xc + pt.a_c0 * 1.1, pt.yc + pt.b_c0 * 1.1 + 40, pt.za + 15])
        out = {1: [], 2: []}
        cnt = {1: 0, 2: 0}
        while min(cnt.values()) < n:
            P = lo + (hi - lo) * rng.random((60000, 3))
            lab = pt.lung_label(P)
            for s in (1, 2):
                q = P[lab == s]
                if cnt[s] < n:
                    out[s].append(q)
                    cnt[s] += len(q)
        return {s: np.vstack(out[s])[:n] for s in (1, 2)}

    def lung_trees(self, rng, npts=12000):
        pt, pr = self.pt, self.pr
        pts_a = self.sample_lung(npts, rng)
        pts_v = self.sample_lung(npts, rng)
        self.territory = pts_a
        gam = rng.uniform(2.7, 3.0)
        r_term = rng.uniform(0.5, 0.7)
        gens = int(rng.integers(6, 9))
        wall_f = rng.uniform(0.15, 0.2) * (rng.uniform(1.5, 2.0) if rng.random() < 0.2 else 1.0)
        bx_lobe = int(rng.integers(1, 6)) if rng.random() < 0.12 else -1
        mucus_p = 0.03 if rng.random() < 0.15 else 0.0
        self.art_branches = []
        self.vein_branches = []
        self.airway_branches = []
        L = {k: ([], []) for k in ("pa_lung", "aw_wall", "aw_lumen", "mucus", "pv_lung")}
        S = {k: ([], []) for k in ("pa_lung_n", "aw_wall_n", "aw_lumen_n", "pv_lung_n")}
        for side, name in ((1, "R"), (2, "L")):
            X = pts_a[side]
            lobes = pt.lobe(X)
            center, rdir, odir, ra_root = self.hila[name]
            br = V.grow_tree(center, rdir, X, lobes, ra_root, rng, gamma=gam, r_term=r_term,
                             n_min=max(3, int(npts * (r_term / ra_root) ** gam)), trunk_len=10.0)
            offs = V.bundle_offsets(br, odir)
            for i, b in enumerate(br):
                n = len(b.pts)
                ra = b.r0 + (b.r1 - b.r0) * _LIN[n]
                rb = 0.75 * ra
                s = 0.5 * (ra + rb * (1 + 2 * wall_f)) + 0.3
                o = np.repeat(offs[i][None], n, 0)
                if b.parent is not None:
                    o[0] = offs[b.parent]
                ap = b.pts + o * s[:, None]
                L["pa_lung"][0].append(ap)
                L["pa_lung"][1].append(ra)
                if b.children:
                    S["pa_lung_n"][0].append(ap[-1])
                    S["pa_lung_n"][1].append(ra[-1])
                b.drawn = (ap, ra)
                self.art_branches.append((ap, ra, b))
                if b.gen <= gens and b.r0 * 0.75 >= 0.7:
                    bpp = b.pts - o * s[:, None]
                    lum = rb * (rng.uniform(1.5, 2.5) if b.lobe == bx_lobe and b.gen >= 3 else 1.0)
                    wall = lum * (1 + 2 * wall_f)
                    L["aw_wall"][0].append(bpp)
                    L["aw_wall"][1].append(wall)
                    grp = "mucus" if (b.gen >= 4 and rng.random() < mucus_p) else "aw_lumen"
                    L[grp][0].append(bpp)
                    L[grp][1].append(lum)
                    if b.children:
                        S["aw_wall_n"][0].append(bpp[-1])
                        S["aw_wall_n"][1].append(wall[-1])
                        S["aw_lumen_n"][0].append(bpp[-1])
                        S["aw_lumen_n"][1].append(lum[-1])
                    self.airway_branches.append((bpp, lum, b))
            # veins
            Xv = pts_v[side]
            lv = pt.lobe(Xv)
            groups = (("sup", (1, 2, 4)), ("inf", (3, 5)))
            for key, lobeset in groups:
                m = np.isin(lv, lobeset)
                if m.sum() < 20:
                    continue
                root, d, rv = self.vein_roots[name + key]
                vb = V.grow_tree(root, d, Xv[m], lv[m], rv, rng, gamma=gam, r_term=r_term,
                                 n_min=max(3, int(m.sum() * (r_term / rv) ** gam)), trunk_len=6.0)
                for b in vb:
                    rr = b.r0 + (b.r1 - b.r0) * _LIN[len(b.pts)]
                    L["pv_lung"][0].append(b.pts)
                    L["pv_lung"][1].append(rr)
                    if b.children:
                        S["pv_lung_n"][0].append(b.pts[-1])
                        S["pv_lung_n"][1].append(rr[-1])
                    b.drawn = (b.pts, rr)
                    self.vein_branches.append((b.pts, rr, b))
        for k, (pl, rl) in L.items():
            pr.add_polylines(pl, rl, k)
        for k, (cl, rl) in S.items():
            if cl:
                pr.add_spheres(np.array(cl), np.array(rl), k)

    # -------------------------------------------------------------- distractors
    def distractors(self, rng):
        pt, pr = self.pt, self.pr
        R = rng
        info = {"emphysema": None, "scars": 0, "atelectasis": 0, "plaques": 0, "granulomas": [], "slips": 0}
        allp = np.vstack([self.territory[1], self.territory[2]])
        t = pt.t(allp[:, 2])
        u = R.random()
        if u < 0.25:
            sev = R.uniform(0.2, 1.0)
            n = int(60 + 1400 * sev ** 2)
            w = np.clip(t - 0.3, 0.02, 1) ** 2
            w /= w.sum()
            parents = allp[R.choice(len(allp), size=max(n // 15, 3), p=w)]
            C = parents[R.integers(0, len(parents), n)] + R.normal(0, 8, (n, 3))
            ok = pt.lung_label(C) > 0
            C = C[ok]
            rr = np.exp(R.uniform(np.log(0.8), np.log(2 + 2.5 * sev), len(C)))
            for c, r in zip(C, rr):
                pr.add_sphere(c, r, "emph")
            info["emphysema"] = {"kind": "centrilobular", "holes": int(len(C))}
        elif u < 0.35:
            n = int(R.integers(5, 40))
            cand = allp[t > 0.72]
            cnt = 0
            for c in cand[R.permutation(len(cand))[:n * 6]]:
                th = np.arctan2(c[1] - pt.yc, c[0] - pt.xc)
                r = R.uniform(2.5, 9)
                b = pt.cav_point(th, c[2])
                rad = np.array([np.cos(th), np.sin(th), 0])
                cc = b - rad * (r + R.uniform(0.2, 1.0))
                if pt.lung_label(cc[None])[0] == 0:
                    continue
                pr.add_sphere(cc, r, "emph")
                cnt += 1
                if cnt >= n:
                    break
            info["emphysema"] = {"kind": "paraseptal", "bullae": cnt}
        if R.random() < 0.2:
            for _ in range(R.integers(1, 4)):
                p = allp[R.integers(0, len(allp))]
                v = np.array([p[0] - pt.xc, p[1] - pt.yc, 0.0])
                v = unit(v / max(np.linalg.norm(v), 1) + R.normal(0, 0.5, 3))
                L = R.uniform(8, 25)
                k = 5
                pts = p + np.outer(np.linspace(0, L, k), v) + np.cumsum(R.normal(0, 1.2, (k, 3)), 0)
                pr.add_polyline(spline(pts, 2.0), R.uniform(0.4, 0.9), "scar")
                info["scars"] += 1
        if R.random() < 0.2:
            low = allp[t < 0.35]
            for _ in range(R.integers(1, 4)):
                c = low[R.integers(0, len(low))]
                n = unit(np.array([R.normal(0, 0.4), R.normal(0, 0.4), 1.0]))
                e1 = unit(np.cross(n, R.normal(size=3)))
                e2 = np.cross(n, e1)
                pr.add_ellipsoid(c, (R.uniform(12, 25), R.uniform(5, 12), R.uniform(0.8, 1.5)), np.stack([e1, e2, n], 1), "scar")
                info["atelectasis"] += 1
        if R.random() < 0.08 + 0.15 * pt.old:
            for _ in range(R.integers(2, 9)):
                th = R.uniform(-0.2, 1.2) * np.pi if R.random() < 0.5 else R.uniform(0.0, np.pi)
                th = float(np.arctan2(np.sin(th), np.cos(th)))
                z = pt.zb + pt.H * R.uniform(0.05, 0.6)
                ps = pt.cav_point(th, z)
                n = np.array([-np.cos(th), -np.sin(th), 0.0])
                e2 = np.array([0, 0, 1.0])
                e1 = np.cross(n, e2)
                th_ = R.uniform(1.0, 2.5)
                Rm = np.stack([e1, e2, n], 1)
                pr.add_ellipsoid(ps - n * 0.3, (R.uniform(8, 25), R.uniform(6, 15), th_), Rm, "plaque")
                if R.random() < 0.5:
                    pr.add_ellipsoid(ps - n * 0.1, (R.uniform(5, 18), R.uniform(4, 10), th_ * 0.4), Rm, "plaque_calc")
                info["plaques"] += 1
        if R.random() < 0.3:
            for _ in range(R.integers(1, 5)):
                c = allp[R.integers(0, len(allp))]
                r = R.uniform(0.6, 1.4)
                pr.add_sphere(c, r, "granuloma")
                info["granulomas"].append({"centerMm": [round(float(v), 2) for v in c], "diameterMm": round(2 * r, 2)})
        if R.random() < 0.25:
            for _ in range(R.integers(1, 5)):
                side = R.choice([-1, 1])
                x = pt.xc + side * pt.a_c0 * R.uniform(0.4, 0.85)
                y = pt.yc + pt.b_c0 * R.uniform(-0.2, 0.8)
                z = float(pt.floor(x, y)) + R.uniform(0.5, 2)
                c = np.array([x, y, z])
                if pt.lung_label((c + np.array([0, 0, 3]))[None], env=False)[0] == 0:
                    continue
                d = unit(np.array([x - pt.xc, y - pt.yc, 0]))
                e2 = np.array([0, 0, 1.0])
                pr.add_ellipsoid(c, (R.uniform(12, 25), R.uniform(3, 5), R.uniform(3, 5)), np.stack([d, np.cross(e2, d), e2], 1), "slip")
                info["slips"] += 1
        return info
