"""Tubular and ellipsoidal anatomy (mediastinum, bones, airways, pulmonary vessels, distractors).

All structures are added to a render.Prims collection in named material groups; COMPOSITE lists
the order in which the groups are painted and the tissue value of each.
"""
import numpy as np

from anatomy import spline, seg_dist, smoothstep
from util import unit, perp_basis, rot_matrix
import vessels as V

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
_LIN = {k: np.linspace(0, 1, k) for k in range(1, 12)}


def P3(x, y, z):
    return np.array([x, y, z], float)


class Builder:
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

    # -------------------------------------------------------------- spine
    def spine(self):
        pt, R, pr = self.pt, self.R, self.pr
        zs = np.arange(self.zbot - 30, self.ztop + 30, 8.0)
        xm = pt.x_mid(zs)
        yv = pt.yvb(zs)
        rl, ra = pt.vb_radii(zs)
        # envelope (paravertebral tissue) around the vertebral bodies
        for sgn in (-1, 1):
            pts = np.stack([xm + sgn * (rl - ra), yv, zs], 1)
            re = ra + R.uniform(3, 6)
            pr.add_polyline(pts, re, "medfat")
            self.env_A.extend(pts[:-1])
            self.env_B.extend(pts[1:])
            self.env_r.extend(np.full(len(pts) - 1, 0.5 * (re[:-1] + re[1:]).mean() if np.ndim(re) else re))
        rcan = R.uniform(7, 9)
        ycan = yv + ra + 2 + rcan
        pr.add_polyline(np.stack([xm, ycan, zs], 1), rcan, "canal")
        self.ycan = (zs, ycan, rcan)
        hv = pt.hv
        for zv in pt.vlevels:
            if zv < self.zbot - 40 or zv > self.ztop + 40:
                continue
            x0 = float(pt.x_mid(zv))
            y0 = float(pt.yvb(zv))
            rl0, ra0 = (float(v) for v in pt.vb_radii(zv))
            hb = 0.8 * hv
            zt, zb_ = zv + hb / 2, zv - hb / 2
            for sgn in (-1, 1):
                xx = x0 + sgn * (rl0 - ra0)
                pr.add_segment(P3(xx, y0, zb_), P3(xx, y0, zt), ra0, "cort")
                pr.add_segment(P3(xx, y0, zb_ + 1.0), P3(xx, y0, zt - 1.0), ra0 - 1.3, "marrow")
                pr.add_segment(P3(xx, y0, zb_ - (hv - hb)), P3(xx, y0, zb_), ra0 * 0.97, "disc")
            yc_ = y0 + ra0 + 2 + rcan
            for sgn in (-1, 1):
                a = P3(x0 + sgn * 0.55 * rl0, y0 + 0.55 * ra0, zv + 2)
                b = P3(x0 + sgn * (rcan + 3.5), yc_, zv + 2)
                self.bone_tube([a, b], 3.6, smooth=False)
                c = P3(x0 + sgn * 2.0, yc_ + rcan + 3.5, zv - 3)
                self.bone_tube([b, c], 3.0, smooth=False)
                tp = P3(x0 + sgn * (rcan + R.uniform(24, 30)), yc_ + R.uniform(4, 10), zv + 4)
                self.bone_tube([b, tp], 4.2, smooth=False)
            sp0 = P3(x0, yc_ + rcan + 3.5, zv - 3)
            sp1 = P3(x0 + R.normal(0, 1.5), yc_ + rcan + R.uniform(25, 38), zv - R.uniform(15, 28))
            self.bone_tube([sp0, sp1], 3.4, smooth=False)

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

    # -------------------------------------------------------------- ribs
    def ribs(self):
        pt, R, pr = self.pt, self.R, self.pr
        hscale = pt.H / 250
        self.rib_info = []
        for k in range(1, 13):
            zv = pt.vlevels[k + 1] + 0.3 * pt.hv
            for side in (-1, 1):
                a_s = R.uniform(0.38, 0.46)
                if k <= 7:
                    a_e = np.pi - R.uniform(0.55, 0.75) - 0.03 * (7 - k)
                    D = (R.uniform(20, 32) if k == 1 else R.uniform(95, 135) * hscale)
                elif k <= 10:
                    a_e = np.pi - R.uniform(0.75, 1.0) - 0.12 * (k - 8)
                    D = R.uniform(65, 95) * hscale
                else:
                    a_e = R.uniform(1.5, 1.9) if k == 11 else R.uniform(1.1, 1.45)
                    D = R.uniform(30, 45) * hscale
                alpha = np.linspace(a_s, a_e, max(int((a_e - a_s) * 130 / 10), 4))
                u = (alpha - a_s) / (a_e - a_s)
                z = zv - D * (0.2 * u + 0.8 * u * u * (3 - 2 * u)) + 3 * np.sin(np.pi * np.minimum(u * 4, 1)) * (k > 1)
                th = np.pi / 2 - side * alpha
                rr = (4.3 if k > 1 else 5.0) - 1.0 * u
                Rr = pt.tab(pt.rcav, z, th) + 0.8 + rr
                pts = np.stack([pt.xc + Rr * np.cos(th), pt.yc + Rr * np.sin(th), z], 1)
                # head: from the side of the vertebral body
                x0 = float(pt.x_mid(zv))
                rl, ra = (float(v) for v in pt.vb_radii(zv))
                head = P3(x0 + side * (rl + 3), float(pt.yvb(zv)) + ra * 0.4, zv + 2)
                pts = np.vstack([head[None], pts])
                rr = np.r_[rr[0], rr]
                for dz in (-1, 1):
                    off = np.zeros(3)
                    off[2] = dz * 0.45 * rr.mean()
                    pr.add_polyline(pts + off, 0.72 * rr, "cort")
                    pr.add_polyline(pts + off, np.maximum(0.72 * rr - 1.1, 0.4), "marrow")
                self.rib_info.append((k, side, pts))
                # costal cartilage
                if k <= 10:
                    if k <= 7:
                        zs_ = pt.z_mt - 8 - (pt.z_mt - pt.z_xi - 12) * (k - 1) / 6
                        a_end = np.pi - R.uniform(0.12, 0.18)
                    else:
                        zs_ = z[-1] + R.uniform(25, 45)
                        a_end = a_e + R.uniform(0.35, 0.55)
                    aa = np.linspace(a_e, a_end, 8)
                    zz = np.linspace(z[-1], zs_, 8)
                    th2 = np.pi / 2 - side * aa
                    rc = R.uniform(3.5, 4.5)
                    R2 = pt.tab(pt.rcav, zz, th2) + 0.8 + rc
                    cp = np.stack([pt.xc + R2 * np.cos(th2), pt.yc + R2 * np.sin(th2), zz], 1)
                    pr.add_polyline(cp, rc, "cart")
                    if pt.old > 0.2 and R.random() < 0.5 * pt.old + 0.2:
                        for _ in range(R.integers(1, 4)):
                            i = R.integers(0, len(cp) - 1)
                            pr.add_polyline(cp[i:i + 2] + R.normal(0, 1, 3), R.uniform(0.8, 2.0), "cart_calc")

    def sternum_clavicles(self):
        pt, R, pr = self.pt, self.R, self.pr
        zt, zx = pt.z_mt, pt.z_xi
        zang = pt.z_car + R.uniform(5, 20)
        zs = np.arange(zx, zt + 0.1, (zt - zx) / 12)
        w = np.where(zs > zang, R.uniform(45, 55), R.uniform(26, 32))
        w = np.convolve(np.r_[w[0], w, w[-1]], [0.25, 0.5, 0.25], "valid")
        th = np.where(zs > zang, R.uniform(12, 14), R.uniform(9, 12))
        xm = pt.x_mid(zs)
        ys = pt.y_ant(zs) - th / 2 - 1.5
        for f in np.linspace(-0.5, 0.5, 9):
            sc = np.sqrt(max(1 - (2 * f) ** 4 * 0.6, 0.2))
            rr = th / 2 * sc
            off = (w / 2 - th / 2 * 0.6) * 2 * f
            pts = np.stack([xm + off, ys, zs], 1)
            pr.add_polyline(pts, rr, "cort")
            pr.add_polyline(pts, np.maximum(rr - 1.2, 0.5), "marrow")
        # clavicles
        up = 30 if pt.arms_up else 0
        for side in (-1, 1):
            x0 = float(pt.x_mid(zt))
            y0 = float(pt.y_ant(zt))
            ctrl = [P3(x0 + side * 22, y0 - 6, zt + 6), P3(x0 + side * 60, y0 - 12, zt + 12),
                    P3(x0 + side * 105, y0 + 10, zt + 18 + up * 0.5), P3(x0 + side * 140, pt.yc + 0.1 * pt.b_c0, zt + 24 + up)]
            self.bone_tube(ctrl, R.uniform(5.5, 7), cortex=1.6)

    def scapulae(self):
        pt, R, pr = self.pt, self.R, self.pr
        z_sup = pt.za + R.uniform(0, 25)
        z_inf = z_sup - R.uniform(135, 165) * pt.H / 250
        rot = 0.25 if pt.arms_up else 0.0
        for side in (-1, 1):
            aM = R.uniform(0.45, 0.6) + rot * 0.5
            aL = R.uniform(1.05, 1.25) + rot * 0.3
            off = R.uniform(14, 22)

            def point(a, z, extra=0.0):
                th = np.pi / 2 - side * a
                rr = pt.tab(pt.rcav, z, th) + off + extra + 6 * np.sin(np.pi * np.clip((a - aM) / (aL - aM), 0, 1))
                return np.stack([pt.xc + rr * np.cos(th), pt.yc + rr * np.sin(th), np.broadcast_to(z, np.shape(a))], -1)

            n = int((aL - aM) * 150 / 2.6)
            for a in np.linspace(aM, aL, n):
                zi = z_inf + (z_sup - z_inf) * ((a - aM) / (aL - aM)) ** (1 / 0.6)
                zz = np.linspace(zi, z_sup - 8 * ((a - aM) / (aL - aM)), max(int((z_sup - zi) / 15), 2))
                pts = point(np.full_like(zz, a), zz)
                pr.add_polyline(pts, R.uniform(1.2, 1.5), "cort")
            zz = np.linspace(z_inf, z_sup - 8, 12)
            aa = aM + (aL - aM) * ((zz - z_inf) / (z_sup - z_inf)) ** 0.6
            self.bone_tube(point(aa, zz), 3.8, cortex=1.4, smooth=False)
            zsp = z_sup - R.uniform(15, 30)
            aa = np.linspace(aM + 0.05, aL - 0.05, 8)
            pts = point(aa, np.full_like(aa, zsp), extra=np.linspace(3, 14, 8))
            self.bone_tube(pts, 3.3, cortex=1.3, smooth=False)

    def arms(self):
        pt, R, pr = self.pt, self.R, self.pr
        pt.arm = None
        if pt.arms_up:
            return
        arms = []
        iz = np.argmin(np.abs(pt.t(pt.ztab) - 0.5))
        for side in (-1, 1):
            th = 0.0 if side > 0 else np.pi
            it = int((th + np.pi) / (2 * np.pi) * len(pt.th)) % len(pt.th)
            rbody = pt.rbody[iz, it]
            aa, ba = R.uniform(38, 52), R.uniform(45, 58)
            gap = R.uniform(-5, 25)
            xa = pt.xc + side * (rbody + gap + aa)
            ya = pt.gs * (pt.V_top - ba - R.uniform(0, 12))
            fat = R.uniform(4, 6) + pt.F * 0.3
            arms.append((xa, ya, aa, ba, fat))
            zt = pt.za + 40
            ze = pt.za - R.uniform(250, 300)
            hx = xa + side * R.uniform(-5, 5)
            self.bone_tube([P3(hx, ya, zt), P3(hx, ya, ze)], R.uniform(10, 12.5), cortex=3.5, smooth=False, marrow="ymarrow")
            for dx in (-8, 8):
                pr.add_polyline(np.array([P3(hx + dx, ya + R.normal(0, 4), ze - 20), P3(hx + dx * 1.5, ya, self.zbot - 50)]), 6.0, "cort")
            if R.random() < 0.7:
                hh = P3(hx - side * 5, ya - 5, pt.za + R.uniform(15, 40))
                pr.add_sphere(hh, R.uniform(20, 24), "cort")
                pr.add_sphere(hh, R.uniform(18, 19.5), "marrow")
        pt.arm = arms

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
