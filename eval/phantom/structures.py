"""Tubular and ellipsoidal anatomy (mediastinum, bones, airways, pulmonary vessels, distractors).

All structures are added to a render.Prims collection in named material groups; COMPOSITE lists
the order in which the groups are painted and the tissue value of each. Builder holds the helpers and
the mediastinum; the bones are in bones.py and the lung trees and distractors in lungstructures.py
(mixins of Builder).
"""
import numpy as np

from anatomy import spline, seg_dist, smoothstep
from bones import BonesMixin
from lungstructures import LungMixin
from util import unit, perp_basis, rot_matrix, P3

# group, tissue key, mask ('lung' / 'thorax' / None), node group painted with max (or None)
COMPOSITE = [
    ("emph", "emph", "lung", None),
    ("medfat", "medfat", "thorax", None),
    ("lnode", "node", None, None),
    ("thyroid", "thyroid", None, None),
    ("myo", "myo", None, None),
    ("epifat", "medfat", None, None),
    ("ch_r", "chamber_r", None, None),
    ("ch_l", "chamber_l", None, None),
    ("sysv", "sysv", None, "sysv_n"),
    ("sysa", "sysa", None, "sysa_n"),
    ("pa", "pa", None, "pa_n"),
    ("pv", "pv", None, "pv_n"),
    ("pa_lung", "pa", "thorax", "pa_lung_n"),
    ("pv_lung", "pv", "thorax", "pv_lung_n"),
    ("oes", "soft", None, None),
    ("oes_air", "air", None, None),
    ("aw_wall", "soft", None, "aw_wall_n"),
    ("aw_lumen", "air", None, "aw_lumen_n"),
    ("mucus", "soft", None, None),
    ("aw_calc", "calc", None, None),
    ("cart", "cart", None, None),
    ("cart_calc", "calc", None, None),
    ("canal", "canal", None, None),
    ("disc", "disc", None, None),
    ("cort", "cort", None, None),
    ("marrow", "marrow", None, None),
    ("ymarrow", "ymarrow", None, None),
    ("fissure", "fissure", "lung", None),
    ("scar", "soft", "lung", None),
    ("slip", "muscle", "thorax", None),
    ("plaque", "soft", None, None),
    ("plaque_calc", "calc", None, None),
    ("granuloma", "gran", None, None),
    ("acalc", "calc", None, None),
    ("ccalc", "calc", None, None),
]
NODE_GROUPS = {c[3] for c in COMPOSITE if c[3]}


class Builder(BonesMixin, LungMixin):
    def __init__(self, pt, prims, rng):
        self.pt = pt
        self.pr = prims
        self.R = rng
        self.env_A, self.env_B, self.env_r = [], [], []
        self.env_ell = []
        self.info = {}

    # -------------------------------------------------------------- helpers
    def tube(self, pts, r, group, env=None, step=6.0, smooth=True, cap_group=None):
        pts = np.asarray(pts, float)
        if smooth and len(pts) > 2:
            pts = spline(pts, step)
        r = np.broadcast_to(np.asarray(r, float), (len(pts),)) if np.ndim(r) == 0 else np.interp(
            np.linspace(0, 1, len(pts)), np.linspace(0, 1, len(r)), r)
        self.pr.add_polyline(pts, r, group, cap=cap_group)
        if env is not None:
            re = r + env
            self.pr.add_polyline(pts, re, "medfat")
            self.env_A.extend(pts[:-1])
            self.env_B.extend(pts[1:])
            self.env_r.extend(0.5 * (re[:-1] + re[1:]))
        return pts, r

    def ell(self, c, axes, Rm, group, env=None):
        self.pr.add_ellipsoid(c, axes, Rm, group)
        if env is not None:
            ax2 = np.asarray(axes) + env
            self.pr.add_ellipsoid(c, ax2, Rm, "medfat")
            M = Rm @ np.diag(1 / ax2 ** 2) @ Rm.T
            self.env_ell.append((np.asarray(c, float), M))

    def bone_tube(self, pts, r, cortex=1.2, smooth=True, step=6.0, marrow="marrow"):
        pts, rr = self.tube(pts, r, "cort", smooth=smooth, step=step)
        self.pr.add_polyline(pts, np.maximum(rr - cortex, 0.3), marrow)

    def finish_env(self):
        pt = self.pt
        pt.env_A = np.array(self.env_A)
        pt.env_B = np.array(self.env_B)
        pt.env_r = np.array(self.env_r)
        pt.env_ell = self.env_ell

    # -------------------------------------------------------------- build all
    def build(self, ztop, zbot):
        self.ztop, self.zbot = ztop, zbot
        self.spine()
        self.mediastinum()
        self.finish_env()
        self.ribs()
        self.sternum_clavicles()
        self.scapulae()
        self.arms()

    # -------------------------------------------------------------- mediastinum
    def mediastinum(self):
        pt, R, pr = self.pt, self.R, self.pr
        zc = pt.z_car
        xm = lambda z: float(pt.x_mid(z))
        rl_c, ra_c = (float(v) for v in pt.vb_radii(zc))
        # oesophagus between trachea and spine
        r_oes = R.uniform(6.5, 8.5)

        def y_oes(z):
            rl, ra = pt.vb_radii(z)
            return float(pt.yvb(z) - ra - 2 - r_oes)

        r_tr = R.uniform(8, 11)
        wall_tr = R.uniform(1.6, 2.5)

        def y_tr(z):
            return y_oes(z) - r_oes - 2 - r_tr - wall_tr

        dxt = R.uniform(-4, 3)
        C = P3(xm(zc) + dxt, y_tr(zc) - 2, zc)
        self.carina = C
        top = self.ztop + 40
        # heart
        hc, hu_, L = pt.h_c, pt.h_u, pt.h_axes[0]
        self.ell(hc, pt.h_axes, pt.h_R, "myo", env=R.uniform(3, 7))
        lv, lp, an = pt.heart_local(0.12 * L, 0.2 * pt.h_axes[1], -0.05 * pt.h_axes[2])
        self.pr.add_ellipsoid(lv, (0.58 * L, 0.5 * pt.h_axes[1], 0.5 * pt.h_axes[2]), pt.h_R, "ch_l")
        rv, _, _ = pt.heart_local(-0.05 * L, -0.3 * pt.h_axes[1], 0.42 * pt.h_axes[2])
        self.pr.add_ellipsoid(rv, (0.6 * L, 0.32 * pt.h_axes[1], 0.36 * pt.h_axes[2]), pt.h_R, "ch_r")
        ra, _, _ = pt.heart_local(-0.62 * L, -0.45 * pt.h_axes[1], 0.1 * pt.h_axes[2])
        self.pr.add_ellipsoid(ra, (0.35 * L, 0.36 * pt.h_axes[1], 0.42 * pt.h_axes[2]), pt.h_R, "ch_r")
        # left atrium: posterior, just in front of the oesophagus
        zla = hc[2] + pt.h_ext[2] * 0.45
        la = P3(xm(zla) + R.uniform(0, 10), y_oes(zla) - r_oes - 3 - 22, zla)
        la_ax = np.array([R.uniform(30, 38), R.uniform(18, 24), R.uniform(18, 24)])
        self.ell(la, la_ax + 2.5, np.eye(3), "myo", env=3.0)
        self.pr.add_ellipsoid(la, la_ax, np.eye(3), "ch_l")
        self.la = la
        # pericardial fat pads at the cardiophrenic angles
        ap, _, _ = pt.heart_local(0.9 * L, 0, 0)
        self.ell(ap + P3(0, -5, -8), (R.uniform(18, 30), R.uniform(12, 20), R.uniform(10, 18)), rot_matrix(R), "medfat", env=0.0)
        rc_, _, _ = pt.heart_local(-0.1 * L, -0.9 * pt.h_axes[1], 0.3 * pt.h_axes[2])
        self.ell(rc_ + P3(-5, 0, -20), (R.uniform(12, 22), R.uniform(10, 18), R.uniform(8, 15)), rot_matrix(R), "medfat", env=0.0)
        # coronary arteries in fat grooves
        self.coronaries()
        # aorta
        root, _, _ = pt.heart_local(-0.75 * L, -0.05 * pt.h_axes[1], 0.2 * pt.h_axes[2])
        z_at = zc + R.uniform(25, 40)
        ra_asc = R.uniform(14, 17) + 3 * pt.old * R.random()
        ra_desc = R.uniform(10, 12.5) + 2 * pt.old * R.random()
        ya = float(pt.y_ant(zc))
        asc_top = P3(xm(zc) - R.uniform(12, 22), ya + ra_asc + R.uniform(15, 30), zc + R.uniform(0, 10))
        arch1 = P3(xm(z_at) - 4, 0.5 * (asc_top[1] + y_tr(z_at)), z_at)
        arch2 = P3(xm(z_at) + 16, y_tr(z_at) + 12, z_at - 6)
        d0z = zc - 5
        desc0 = P3(xm(d0z) + rl_c + R.uniform(4, 10), float(pt.yvb(d0z)) - 4, d0z)
        zs = np.arange(d0z - 30, self.zbot - 40, -25.0)
        desc = [P3(xm(z) + float(pt.vb_radii(z)[0]) * 0.7 + R.uniform(2, 6) - 12 * smoothstep(pt.zb + 40, pt.zb - 40, z),
                   float(pt.yvb(z)) - float(pt.vb_radii(z)[1]) * 0.8 - 4 * smoothstep(pt.zb + 40, pt.zb - 40, z), z) for z in zs]
        ctrl = [root, root + P3(-3, -6, 18), asc_top, arch1, arch2, desc0] + desc
        rads = [ra_asc + 1, ra_asc, ra_asc * 0.95, ra_asc * 0.85, ra_desc * 1.05, ra_desc] + [ra_desc * 0.95] * len(desc)
        self.aorta = self.tube(ctrl, rads, "sysa", env=R.uniform(2.5, 5), step=6.0)
        # arch branches and brachiocephalic veins
        for dx, rr, dd in ((-14, R.uniform(6, 7), -0.35), (3, R.uniform(3.5, 4.5), 0.05), (17, R.uniform(4.5, 5.5), 0.35)):
            p0 = P3(xm(z_at) + dx, arch1[1] + (arch2[1] - arch1[1]) * (dx + 14) / 31, z_at + 4)
            p1 = p0 + P3(dd * 40 + R.normal(0, 3), R.normal(0, 4), 45)
            p2 = p1 + P3(dd * 40, R.normal(0, 4), top - p1[2])
            self.tube([p0, p1, p2], rr, "sysa", env=3.0)
        svc_r = R.uniform(9, 11)
        ra_top = ra + P3(0, 0, 0.3 * L)
        svc_top = P3(xm(z_at) - R.uniform(26, 36), arch1[1] + R.uniform(-5, 8), z_at + 25)
        svc_mid = P3(asc_top[0] - ra_asc - svc_r + 2, asc_top[1] + R.uniform(2, 10), zc)
        self.svc = self.tube([P3(svc_top[0] - 5, svc_top[1], top), svc_top, svc_mid, ra_top], svc_r, "sysv", env=3.0)
        lbcv = [P3(xm(z_at) + R.uniform(40, 60), arch1[1] + R.uniform(-15, -5), top),
                P3(xm(z_at) + 35, arch1[1] - 12, z_at + 40), P3(xm(z_at), arch1[1] - 14, z_at + 28), svc_top]
        self.tube(lbcv, R.uniform(5, 7), "sysv", env=3.0)
        ivc_bot = P3(xm(pt.zb) - R.uniform(14, 22), float(pt.yvb(pt.zb)) - R.uniform(25, 35), self.zbot - 40)
        ra_bot = ra - P3(0, 0, 0.3 * L)
        self.tube([ivc_bot, 0.5 * (ivc_bot + ra_bot) + P3(-5, 0, 0), ra_bot], R.uniform(11, 14), "sysv", env=2.0)
        # azygos
        az_r = R.uniform(3.5, 5.5)
        zs = np.arange(self.zbot - 40, zc + 10, 30.0)
        azp = [P3(xm(z) - float(pt.vb_radii(z)[0]) * 0.6, float(pt.yvb(z)) - float(pt.vb_radii(z)[1]) * 0.7, z) for z in zs]
        azp += [P3(xm(zc) - 22, y_tr(zc) + 4, zc + 12), svc_mid + P3(2, 6, 14)]
        self.tube(azp, az_r, "sysv", env=2.0)
        # oesophagus
        zs = np.arange(top, self.zbot - 40, -25.0)
        oes = []
        for z in zs:
            x = xm(z) + 3 + 10 * smoothstep(zc, pt.zb + 40, z) + 15 * smoothstep(pt.z_domeL, pt.z_domeL - 40, z)
            y = y_oes(z) - 15 * smoothstep(pt.z_domeL + 20, pt.z_domeL - 40, z)
            oes.append(P3(x, y, z))
        oes = spline(oes, 8.0)
        for sgn in (-1, 1):
            self.tube(oes + P3(sgn * r_oes * 0.45, 0, 0), r_oes * 0.75, "oes", env=R.uniform(3, 6), smooth=False)
        if R.random() < 0.4:
            i0 = R.integers(0, len(oes) - 6)
            i1 = i0 + R.integers(3, 12)
            self.tube(oes[i0:i1], R.uniform(1.5, 4), "oes_air", smooth=False)
        # trachea and main bronchi
        ztr = np.arange(top, zc, -20.0)
        trp = [P3(xm(z) + dxt - 4 * np.exp(-((z - z_at) / 25) ** 2), y_tr(z), z) for z in ztr] + [C]
        trp = spline(trp, 6.0)
        self.tube(trp, r_tr + wall_tr, "aw_wall", env=R.uniform(5, 10), smooth=False)
        self.tube(trp, r_tr, "aw_lumen", smooth=False)
        if pt.age > 60 and R.random() < 0.5:
            self.cartilage_rings(trp, r_tr + wall_tr * 0.5)
        # thyroid (lower poles at the top of the field)
        for sgn in (-1, 1):
            self.pr.add_ellipsoid(P3(xm(top) + dxt + sgn * (r_tr + 12), y_tr(top) - 2, pt.za + R.uniform(25, 45)),
                                  (R.uniform(8, 12), R.uniform(10, 15), R.uniform(18, 25)), np.eye(3), "thyroid")
        # superior mediastinal fat between the great vessels; anterior junction / thymic fat
        zs = np.arange(top, hc[2], -20.0)
        fill = [P3(xm(z) - 4, 0.5 * (y_tr(min(z, zc)) + float(pt.y_ant(z))) + 5, z) for z in zs]
        rr = [R.uniform(16, 22) * (0.8 + 0.3 * smoothstep(pt.za, zc, z)) for z in zs]
        self.tube(fill, np.array(rr), "medfat", env=0.0)
        ant = [P3(xm(z), float(pt.y_ant(z)) + 4, z) for z in np.arange(pt.za - 30, hc[2], -20.0)]
        self.tube(ant, R.uniform(5, 10), "medfat", env=0.0)
        # hila: bundle roots, main bronchi, pulmonary arteries and veins
        rpa = R.uniform(10, 12)
        pa_root, _, _ = pt.heart_local(-0.55 * L, 0.1 * pt.h_axes[1], 0.55 * pt.h_axes[2])
        bif = P3(xm(zc) + R.uniform(8, 18), y_tr(zc) - R.uniform(8, 16), zc - R.uniform(12, 22))
        self.tube([pa_root, 0.5 * (pa_root + bif) + P3(5, -3, 5), bif], [R.uniform(13, 15), 13.5], "pa", env=4.0)
        pt.hilum_xy = {}
        self.hila = {}
        r_bundle = {}
        for side in (-1, 1):
            name = "R" if side < 0 else "L"
            if side < 0:
                broot = C + P3(-R.uniform(26, 33), R.uniform(6, 12), -R.uniform(30, 38))
                odir = unit(P3(-0.5, -1.0, 0.2))
                rdir = unit(P3(-1, 0.15, -0.7))
            else:
                broot = C + P3(R.uniform(36, 44), R.uniform(10, 16), -R.uniform(30, 38))
                odir = unit(P3(0.2, 0.5, 1.0))
                rdir = unit(P3(1, 0.25, -0.6))
            odir = unit(odir - odir.dot(rdir) * rdir)
            ra_root = R.uniform(7.0, 8.5)
            rb_lumen = 0.75 * ra_root
            s0 = 0.5 * (ra_root + rb_lumen * 1.36) + 0.5
            center = broot + s0 * odir
            art_root = center + s0 * odir
            r_bundle[name] = ra_root
            self.hila[name] = (center, rdir, odir, ra_root)
            pt.hilum_xy[name] = center[:2]
            # main bronchus
            b1 = C + (broot - C) * 0.45 + P3(0, 0, 4)
            bp = spline([C, b1, broot], 4.0)
            rmb = np.linspace(0.72 * r_tr, rb_lumen, len(bp))
            self.pr.add_polyline(bp, rmb * 1.3, "aw_wall")
            self.pr.add_polyline(bp, rmb, "aw_lumen")
            self.env_A.extend(bp[:-1])
            self.env_B.extend(bp[1:])
            self.env_r.extend(0.5 * (rmb[:-1] + rmb[1:]) * 1.3 + 2)
            self.pr.add_polyline(bp, rmb * 1.3 + 2.5, "medfat")
            # pulmonary artery to the bundle root
            if side < 0:
                ctrl = [bif, P3(xm(zc) - 8, bif[1] + 8, bif[2] - 3), P3(broot[0] + 15, art_root[1] - 4, art_root[2] + 4), art_root]
            else:
                ctrl = [bif, P3(bif[0] + 12, bif[1] + 14, bif[2] + 12), P3(art_root[0] - 10, art_root[1] + 4, art_root[2] + 12), art_root]
            self.tube(ctrl, [rpa, rpa, ra_root * 1.05, ra_root], "pa", env=2.5)
        self.r_bundle = r_bundle
        # pulmonary veins to the left atrium: roots in the hila
        self.vein_roots = {}
        for side in (-1, 1):
            name = "R" if side < 0 else "L"
            center = self.hila[name][0]
            sup = center + P3(side * R.uniform(0, 8), -R.uniform(14, 22), -R.uniform(15, 25))
            inf = center + P3(side * R.uniform(-5, 5), R.uniform(0, 10), -R.uniform(40, 55))
            for key, p in (("sup", sup), ("inf", inf)):
                ost = la + P3(side * la_ax[0] * 0.8, 0, (8 if key == "sup" else -8))
                rv_ = R.uniform(6, 8)
                self.tube([ost, 0.5 * (ost + p) + P3(0, R.normal(0, 4), 0), p], rv_, "pv", env=2.0)
                self.vein_roots[name + key] = (p, unit(p - ost), rv_)
        # lymph nodes
        sites = [P3(C[0] - r_tr - 12, C[1] - 2, zc + R.uniform(10, 40)), P3(C[0], C[1] - r_tr - 10, zc + R.uniform(5, 25)),
                 P3(C[0] + 2, C[1] + 12, zc - R.uniform(15, 25)), P3(C[0] + 22, C[1] - 6, zc + R.uniform(-2, 8)),
                 self.hila["R"][0] + P3(-4, -12, -12), self.hila["L"][0] + P3(4, -10, -10),
                 P3(C[0] + 14, C[1] + 18, zc - R.uniform(40, 70))]
        k = R.integers(3, 8)
        for i in R.choice(len(sites), size=min(k, len(sites)), replace=False):
            ax = np.array([R.uniform(2.5, 5), R.uniform(3, 6), R.uniform(4, 9)])
            self.pr.add_ellipsoid(sites[i] + R.normal(0, 3, 3), ax, rot_matrix(R), "lnode")
        # aortic wall calcification
        if pt.old > 0.3 and R.random() < 0.6:
            pts, rr = self.aorta
            for _ in range(R.integers(3, 25)):
                i = R.integers(len(pts) // 4, len(pts) - 1)
                d = unit(pts[i + 1] - pts[i])
                e1, e2 = perp_basis(d)
                a = R.uniform(0, 2 * np.pi)
                n = np.cos(a) * e1[0] + np.sin(a) * e2[0]
                self.pr.add_ellipsoid(pts[i] + n * (rr[i] - 0.5), (R.uniform(0.7, 1.5), R.uniform(1.5, 4), R.uniform(1.5, 4)),
                                      np.stack([n, np.cross(n, d), d], 1), "acalc")

    def coronaries(self):
        pt, R = self.pt, self.R
        L, r1, r2 = pt.h_axes
        ang = np.linspace(0, 2 * np.pi, 40)
        a0 = -0.42 * L
        rad = np.sqrt(max(1 - (a0 / L) ** 2, 0.1))
        ring = []
        for t in ang:
            p, _, _ = pt.heart_local(a0, rad * r1 * np.cos(t), rad * r2 * np.sin(t))
            ring.append(p)
        ring = np.array(ring)
        lad = []
        for a in np.linspace(-0.4 * L, 0.85 * L, 14):
            rr = np.sqrt(max(1 - (a / L) ** 2, 0.02))
            p, _, _ = pt.heart_local(a, -0.25 * rr * r1, 0.97 * rr * r2)
            lad.append(p)
        lad = np.array(lad)
        for path in (ring, lad):
            self.pr.add_polyline(path, R.uniform(3.0, 4.5), "epifat")
            self.pr.add_polyline(path, R.uniform(1.2, 2.0), "sysa")
        if pt.old > 0.35 and R.random() < 0.5:
            for _ in range(R.integers(1, 10)):
                path = ring if R.random() < 0.6 else lad
                p = path[R.integers(0, len(path))]
                self.pr.add_sphere(p + R.normal(0, 0.8, 3), R.uniform(0.8, 2.5), "ccalc")

    def cartilage_rings(self, trp, r):
        R = self.R
        L = np.cumsum(np.r_[0, np.linalg.norm(np.diff(trp, axis=0), axis=1)])
        for s in np.arange(5, L[-1] - 5, R.uniform(3.5, 4.5)):
            if R.random() < 0.4:
                continue
            i = np.searchsorted(L, s) - 1
            c = trp[i] + (trp[i + 1] - trp[i]) * (s - L[i]) / max(L[i + 1] - L[i], 1e-6)
            a = np.linspace(-0.6 * np.pi, 0.6 * np.pi, 12) - np.pi / 2  # open posteriorly (+y)
            pts = np.stack([c[0] + r * np.cos(a), c[1] + r * np.sin(a), np.full_like(a, c[2])], 1)
            self.pr.add_polyline(pts, R.uniform(0.5, 1.0), "aw_calc")
