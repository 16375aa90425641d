"""Bones built as tubes and ellipsoids: spine, ribs, sternum, clavicles, scapulae and arm bones.

A mixin of structures.Builder (uses its tube/ell/bone_tube helpers and self.pt, self.R, self.pr).
"""
import numpy as np

from util import P3


class BonesMixin:
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
