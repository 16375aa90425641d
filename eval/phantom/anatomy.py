"""Patient anatomy: body, chest wall, lungs, mediastinum, bones, abdomen, vessel trees.

Everything is built in DICOM patient coordinates (LPS, mm): +x left, +y posterior, +z head.
Large smooth structures (body layers, thoracic cavity, diaphragm, abdominal organs, arms) are
evaluated plane by plane (render_plane); tubular and ellipsoidal structures are added to a
render.Prims collection and rendered analytically.
"""
import numpy as np

from util import unit, ramp, perp_basis
import vessels as V

NTH = 2048


def smoothstep(e0, e1, x):
    t = np.clip((np.asarray(x, float) - e0) / (e1 - e0), 0, 1)
    return t * t * (3 - 2 * t)


def spline(ctrl, step=5.0):
    """Catmull-Rom spline through control points, resampled roughly every `step` mm."""
    P = np.asarray(ctrl, float)
    P = np.vstack([2 * P[0] - P[1], P, 2 * P[-1] - P[-2]])
    out = []
    for i in range(1, len(P) - 2):
        p0, p1, p2, p3 = P[i - 1], P[i], P[i + 1], P[i + 2]
        L = np.linalg.norm(p2 - p1)
        n = max(int(np.ceil(L / step)), 1)
        t = np.linspace(0, 1, n, endpoint=False)[:, None]
        out.append(0.5 * ((2 * p1) + (-p0 + p2) * t + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t ** 2
                          + (-p0 + 3 * p1 - 3 * p2 + p3) * t ** 3))
    out.append(P[-2][None])
    return np.vstack(out)


def seg_dist(P, A, B):
    """Distances from points P (n,3) to segments A,B (m,3) -> (n,m)."""
    d = B - A
    L2 = np.maximum((d * d).sum(1), 1e-12)
    t = np.clip(((P[:, None, :] - A[None]) * d[None]).sum(2) / L2, 0, 1)
    C = A[None] + t[..., None] * d[None]
    return np.sqrt(((P[:, None, :] - C) ** 2).sum(2))


class Patient:
    def __init__(self, rng, gs, arms_up=None):
        self.rng = rng
        self.gs = gs  # +1: gravity/table towards +y (supine), -1: prone
        R = rng
        self.sex = "F" if R.random() < 0.5 else "M"
        self.age = int(R.integers(40, 86))
        old = (self.age - 40) / 45.0
        W = R.uniform(280, 460)
        D = float(np.clip(W * R.uniform(0.6, 0.74) + R.normal(0, 10), 190, 320))
        F = float(np.clip(5 + (W - 280) / 180 * 28 + R.normal(0, 5), 5, 40))
        H = float(np.clip(205 + (W - 280) / 180 * 45 + R.normal(0, 16) + (10 if self.sex == "M" else -5), 200, 300))
        self.W, self.D, self.F, self.H = W, D, F, H
        self.zb = R.uniform(-380, -200)
        self.za = self.zb + H
        self.wall_lat = R.uniform(10, 16)
        self.wall_post = R.uniform(35, 52)
        self.wall_ant = R.uniform(10, 20)
        self.skin = R.uniform(1.5, 2.5)
        self.a_c0 = max(W / 2 - self.wall_lat - F * 1.15, 105.0)
        self.b_c0 = max((D - self.wall_ant - self.wall_post - F * 2.1) / 2, 62.0)
        self.p_c = R.uniform(2.1, 2.7)
        self.xc = R.uniform(-30, 30)
        self.arms_up = (R.random() < 0.6) if arms_up is None else arms_up
        # tissue values
        self.hu = hu = {}
        hu["air"] = -1000 + R.normal(0, 3)
        hu["fat"] = R.uniform(-120, -80)
        hu["medfat"] = hu["fat"] + R.uniform(-5, 20)
        hu["muscle"] = R.uniform(30, 60)
        hu["skin"] = R.uniform(10, 60)
        hu["lung"] = R.uniform(-900, -780)
        hu["lung_grad"] = R.uniform(30, 120)
        hu["lung_gexp"] = R.uniform(1.8, 3.2)
        self.contrast = R.random() < 0.25
        if self.contrast:
            pa = R.uniform(150, 350)
            hu["pa"] = pa
            hu["sysa"] = float(np.clip(pa + R.uniform(-100, 60), 150, 350))
            hu["pv"] = float(np.clip(pa - R.uniform(0, 80), 150, 350))
            hu["sysv"] = float(np.clip(pa + R.uniform(-60, 120), 150, 350))
            hu["chamber_r"] = hu["pa"]
            hu["chamber_l"] = hu["sysa"]
            hu["myo"] = R.uniform(90, 140)
            hu["liver"] = R.uniform(90, 130)
            hu["spleen"] = R.uniform(100, 150)
            hu["thyroid"] = R.uniform(150, 250)
        else:
            b = R.uniform(30, 50)
            for k in ("pa", "sysa", "pv", "sysv", "chamber_r", "chamber_l"):
                hu[k] = b + R.normal(0, 1.5)
            hu["myo"] = b + R.uniform(0, 12)
            hu["liver"] = R.uniform(50, 70)
            hu["spleen"] = R.uniform(40, 55)
            hu["thyroid"] = R.uniform(70, 120)
        hu["cort"] = R.uniform(600, 1200) - 250 * old * R.random()
        hu["marrow"] = R.uniform(150, 300) - 120 * old * R.random()
        hu["ymarrow"] = R.uniform(-60, 20)
        hu["disc"] = R.uniform(70, 100)
        hu["canal"] = R.uniform(10, 30)
        hu["cart"] = R.uniform(80, 140)
        hu["calc"] = R.uniform(250, 700)
        hu["fissure"] = R.uniform(-350, -150)
        hu["effusion"] = R.uniform(0, 20)
        hu["emph"] = R.uniform(-990, -965)
        hu["gran"] = R.uniform(400, 1000)
        hu["node"] = R.uniform(20, 50)
        hu["stomach"] = R.uniform(0, 25)
        hu["soft"] = R.uniform(25, 45)
        hu["inlet"] = R.uniform(0, 30)
        self.old = old
        self._geometry()

    # ------------------------------------------------------------------ profiles
    def t(self, z):
        return (np.asarray(z, float) - self.zb) / self.H

    def cw(self, t):
        t = np.asarray(t, float)
        up = np.sqrt(np.maximum(1 - ((t - 0.2) / 1.0) ** 2, 0.1))
        return np.where(t > 0.2, up, 1 + 0.03 * np.clip(0.2 - t, 0, 1))

    def cd(self, t):
        t = np.asarray(t, float)
        return np.where(t > 0.5, 1 - 0.28 * np.clip((t - 0.5) / 0.5, 0, 1.4) ** 1.5, 1.0)

    def _geometry(self):
        R = self.rng
        gs = self.gs
        # ---- polar tables around a fixed centre
        self.ztab = np.arange(self.zb - 140, self.za + 90, 2.0)
        tt = self.t(self.ztab)
        th = np.linspace(-np.pi, np.pi, NTH, endpoint=False)
        self.th = th
        a = self.a_c0 * self.cw(tt)
        b = self.b_c0 * self.cd(tt)
        # the table side of the body stays flat along z: shift the cavity towards the table
        dyc = gs * (self.b_c0 - b)
        self.dyc = dyc
        c, s = np.cos(th)[None], np.sin(th)[None]
        lo = np.zeros((len(tt), NTH))
        hi = np.full((len(tt), NTH), 600.0)
        p = self.p_c
        for _ in range(34):
            mid = 0.5 * (lo + hi)
            f = np.abs(mid * c / a[:, None]) ** p + np.abs((mid * s - dyc[:, None]) / b[:, None]) ** p
            inside = f < 1
            lo = np.where(inside, mid, lo)
            hi = np.where(inside, hi, mid)
        rc = 0.5 * (lo + hi)
        # low-order asymmetry, slowly varying with z
        pert = np.zeros_like(rc)
        for m in range(2, 6):
            e0 = R.normal(0, 0.012)
            e1 = R.normal(0, 0.01)
            ph = R.uniform(0, 2 * np.pi)
            lam = R.uniform(150, 400)
            pert += (e0 + e1 * np.sin(2 * np.pi * self.ztab / lam + ph))[:, None] * np.cos(m * th[None] + R.uniform(0, 2 * np.pi))
        rc *= 1 + pert
        # paravertebral gutters: the cavity reaches further back beside the spine
        pv = R.uniform(6, 14)
        post = np.pi / 2
        for sgn in (-1, 1):
            rc += pv * np.exp(-((th[None] - (post + sgn * 0.45)) / 0.28) ** 2)
        self.rcav = rc
        # chest wall thickness
        sth = np.sin(th)[None]
        cth = np.cos(th)[None]
        T = tt[:, None]
        wl = self.wall_lat + 18 * smoothstep(0.6, 1.05, T)
        wa = self.wall_ant * (0.6 + 0.7 * smoothstep(0.3, 0.75, T))
        wp = self.wall_post + 12 * smoothstep(0.55, 1.0, T)
        tw = wl + (wp - wl) * np.maximum(sth, 0) ** 2 + (wa - wl) * np.maximum(-sth, 0) ** 2
        scap = 16 * smoothstep(0.35, 0.6, T) * (1 - smoothstep(1.0, 1.2, T))
        tw = tw + scap * np.exp(-((np.abs(th[None] - post) - 0.8) / 0.35) ** 2)
        tw = tw + 10 * (1 - smoothstep(-0.05, 0.15, T)) * np.maximum(-sth, 0)  # abdominal wall
        F = self.F
        tf = F * (1.0 + 0.25 * np.maximum(sth, 0) + 0.25 * cth ** 2 - 0.15 * np.maximum(-sth, 0))
        tf = tf * (1 + 0.35 * (1 - smoothstep(-0.15, 0.25, T))) * (1 - 0.25 * smoothstep(0.8, 1.2, T))
        rfi = rc + tw
        rb = rfi + tf
        if self.sex == "F":
            hb = self.rng.uniform(15, 35) + (self.W - 280) / 180 * 40
            tb = self.rng.uniform(0.35, 0.5)
            sz = self.rng.uniform(35, 60)
            for sgn in (-1, 1):
                thb = -np.pi / 2 + sgn * self.rng.uniform(0.5, 0.75)
                bump = hb * np.exp(-((th[None] - thb) / self.rng.uniform(0.3, 0.42)) ** 2) * \
                    np.exp(-((self.ztab[:, None] - (self.zb + tb * self.H)) / sz) ** 2)
                rb = rb + bump
            self.breast = (tb, sz)
        else:
            self.breast = None
        # reference down-side extent (mid chest) so the back/front lies on the table
        iref = np.argmin(np.abs(tt - 0.35))
        idown = np.argmin(np.abs(th - gs * np.pi / 2))
        down = rb[iref, idown]
        self.down_ext = down
        self.yc = 0.0  # set by place_on_table
        self.rfi_raw = rfi
        self.rb_raw = rb
        self.rng_shape = R.uniform(0, 1)

    def place_on_table(self, V_top):
        """Put the body on the table top (scanner vertical coordinate V = gs*y)."""
        gs = self.gs
        self.V_top = V_top
        gap = self.rng.uniform(0.0, 4.0)
        E0 = V_top - gap
        self.yc = gs * (E0 - self.down_ext + self.rng.uniform(2, 8))
        th = self.th
        s = gs * np.sin(th)
        rhp = np.where(s > 1e-3, (E0 - gs * self.yc) / np.maximum(s, 1e-3), 1e4)[None, :]
        k = 4.0
        rb = self.rb_raw
        m = np.minimum(rb, rhp)
        rb = m - k * np.log(np.exp(-(rb - m) / k) + np.exp(-(rhp - m) / k))
        self.rbody = rb
        self.rfi = np.minimum(self.rfi_raw, rb - np.maximum(2.5, 0.25 * self.F))
        self._structures()

    # ------------------------------------------------------------------ table lookups
    def tab(self, table, z, th):
        """Bilinear lookup of a polar table at (z, theta) arrays."""
        fz = np.clip((np.asarray(z) - self.ztab[0]) / 2.0, 0, len(self.ztab) - 1.001)
        iz = np.floor(fz).astype(int)
        wz = fz - iz
        ft = (np.asarray(th) + np.pi) / (2 * np.pi) * NTH
        it = np.floor(ft).astype(int) % NTH
        wt = ft - np.floor(ft)
        it1 = (it + 1) % NTH
        v0 = table[iz, it] * (1 - wt) + table[iz, it1] * wt
        v1 = table[iz + 1, it] * (1 - wt) + table[iz + 1, it1] * wt
        return v0 * (1 - wz) + v1 * wz

    def cav_point(self, th, z, off=0.0):
        r = self.tab(self.rcav, z, th) + off
        return np.stack([self.xc + r * np.cos(th), self.yc + r * np.sin(th), np.broadcast_to(z, np.shape(th))], -1)

    def y_post(self, z):
        return self.yc + self.tab(self.rcav, z, np.full(np.shape(z), np.pi / 2))

    def y_ant(self, z):
        return self.yc - self.tab(self.rcav, z, np.full(np.shape(z), -np.pi / 2))

    def x_mid(self, z):
        z = np.asarray(z, float)
        return self.xc + self.scol0 + self.scol1 * np.sin((z - self.zb) / self.H * np.pi * self.scolf)

    # ------------------------------------------------------------------ structures
    def _structures(self):
        R = self.rng
        hu = self.hu
        self.scol0 = R.normal(0, 4)
        self.scol1 = R.normal(0, 4)
        self.scolf = R.uniform(0.5, 1.5)
        zb, za, H = self.zb, self.za, self.H
        self.z_car = zb + H * R.uniform(0.6, 0.68)
        self.z_domeR = zb + H * R.uniform(0.22, 0.34)
        self.z_domeL = self.z_domeR - R.uniform(10, 30)
        # vertebrae: levels from C6 to L2
        span = H + R.uniform(40, 70)
        self.z_T1 = za + R.uniform(5, 20)
        hv = span / 12
        self.vlevels = self.z_T1 - hv * (np.arange(-2, 15) + 0.5)  # level centres (C6..L2)
        self.hv = hv
        self.r_vb = (R.uniform(17, 21), R.uniform(13, 16))  # lateral, AP (at T6)

        def yvb(z):
            return self.y_post(z) - 2 - self.r_vb[1] * (0.8 + 0.3 * (1 - self.t(z)))

        self.yvb = yvb
        self.z_mt = za - R.uniform(35, 55)
        self.z_xi = self.z_domeR - R.uniform(0, 20)
        self.h_c = None
        self._heart()
        self._diaphragm()
        self._apex()
        self._fissures()

    def vb_radii(self, z):
        f = 0.8 + 0.35 * (1 - np.clip(self.t(z), -0.2, 1.1))
        return self.r_vb[0] * f, self.r_vb[1] * f

    def _heart(self):
        R = self.rng
        u = unit(np.array([R.uniform(0.6, 0.8), -R.uniform(0.45, 0.65), -R.uniform(0.3, 0.5)]))
        big = (1 + 0.08 * self.old * R.random() + (0.12 if R.random() < 0.08 else 0)) * (0.9 + 0.2 * (self.W - 280) / 180)
        L = R.uniform(52, 62) * big
        r1 = R.uniform(38, 45) * big
        r2 = R.uniform(31, 37) * big
        lp = unit(np.array([0.7, 0.7, 0.0]) - np.array([0.7, 0.7, 0.0]).dot(u) * u)
        an = np.cross(u, lp)
        if an[1] > 0:
            an = -an
        Rm = np.stack([u, lp, an], 1)
        axes = np.array([L, r1, r2])
        M = Rm @ np.diag(1 / axes ** 2) @ Rm.T
        ext = np.sqrt(np.diag(np.linalg.inv(M)))
        xh = self.xc + R.uniform(12, 32)
        zh = self.z_domeL + ext[2] * R.uniform(0.6, 0.75)
        yh = self.y_ant(zh) + ext[1] + R.uniform(2, 12)
        self.h_c = np.array([xh, yh, zh])
        self.h_u, self.h_R, self.h_axes, self.h_ext = u, Rm, axes, ext

    def heart_local(self, a, b, c):
        """Point in heart frame: a along long axis (base->apex), b towards left-post, c anterior-ish."""
        u = self.h_u
        lp = unit(np.array([0.7, 0.7, 0.0]) - np.array([0.7, 0.7, 0.0]).dot(u) * u)
        an = np.cross(u, lp)
        if an[1] > 0:
            an = -an
        return self.h_c + a * u + b * lp + c * an, lp, an

    def _diaphragm(self):
        R = self.rng
        xm = self.xc
        a, b = self.a_c0, self.b_c0
        self.dome = []
        for side, zt in ((-1, self.z_domeR), (1, self.z_domeL)):
            xd = xm + side * a * R.uniform(0.35, 0.5)
            yd = self.yc - b * R.uniform(0.05, 0.3)
            sx = a * R.uniform(0.55, 0.7)
            sy = b * R.uniform(0.75, 0.95)
            gam = R.uniform(1.8, 2.4)
            # scale so the posterolateral recess reaches zb (lowest lung point)
            px_, py_ = xm + side * a * 0.72, self.yc + b * 0.8
            q = np.sqrt(((px_ - xd) / sx) ** 2 + ((py_ - yd) / sy) ** 2)
            zlow = self.zb + (0 if side < 0 else R.uniform(-8, 8))
            h = (zt - zlow) / q ** gam
            self.dome.append((xd, yd, sx, sy, gam, zt, h))

    def floor(self, x, y):
        """Diaphragm surface height z_d(x,y)."""
        out = []
        for (xd, yd, sx, sy, gam, zt, h) in self.dome:
            q = np.sqrt(((x - xd) / sx) ** 2 + ((y - yd) / sy) ** 2)
            out.append(zt - h * q ** gam)
        w = 1 / (1 + np.exp(-(x - self.xc - 10) / 12.0))
        return out[0] * (1 - w) + out[1] * w

    def _apex(self):
        R = self.rng
        self.apices = []
        tt = 0.86
        ac = self.a_c0 * float(self.cw(tt))
        for side in (-1, 1):
            xa = self.xc + side * ac * R.uniform(0.4, 0.55)
            ya = self.yc + self.b_c0 * R.uniform(0.15, 0.4) + self.dyc_at(self.za)
            zt = self.za - (0 if side < 0 else R.uniform(-10, 10))
            c = R.uniform(45, 60) / R.uniform(45, 58) ** 2
            self.apices.append((xa, ya, zt, c, R.uniform(0.6, 0.8)))

    def dyc_at(self, z):
        return float(np.interp(z, self.ztab, self.dyc))

    def ceiling(self, x, y):
        out = None
        for (xa, ya, zt, c, ky) in self.apices:
            v = zt - c * ((x - xa) ** 2 + ((y - ya) * ky) ** 2)
            out = v if out is None else np.maximum(out, v)
        return out

    def _fissures(self):
        R = self.rng
        self.fis = {}
        for side, name in ((-1, "R"), (1, "L")):
            zP = self.z_car - R.uniform(0, 25) + (R.uniform(5, 20) if side > 0 else 0)
            yP = self.y_post(zP) + 10
            zA = (self.z_domeR if side < 0 else self.z_domeL) - R.uniform(0, 15)
            yA = self.y_ant(zA) + R.uniform(35, 70)
            s = (zP - zA) / (yP - yA)
            waves = [(R.normal(0, 2.5), R.uniform(0.03, 0.09), R.uniform(0.03, 0.09), R.uniform(0, 6.3)) for _ in range(4)]
            self.fis["O" + name] = (zP, yP, s, R.normal(0, 0.0015), R.uniform(-0.12, 0.12), waves)
        zH = self.z_car - R.uniform(25, 50)
        waves = [(R.normal(0, 2.0), R.uniform(0.03, 0.09), R.uniform(0.03, 0.09), R.uniform(0, 6.3)) for _ in range(3)]
        self.fis["H"] = (zH, R.uniform(-0.15, 0.05), R.uniform(-0.05, 0.15), waves)
        self.fis_gap = {k: (R.uniform(0, 0.35), R.uniform(15, 45), [(R.uniform(0.02, 0.06), R.uniform(0.02, 0.06), R.uniform(0, 6.3)) for _ in range(3)])
                        for k in ("OR", "OL", "H")}

    def fissure_z(self, key, x, y):
        if key == "H":
            zH, ty, tx, waves = self.fis["H"]
            z = zH + ty * (y - self.yc) + tx * (self.xc - x)
        else:
            zP, yP, s, c2, kx, waves = self.fis[key]
            xm = self.xc
            z = zP + s * (y - yP) + c2 * (y - yP) ** 2 + kx * np.abs(x - xm) * 0.3
        for (amp, kx_, ky_, ph) in waves:
            z = z + amp * np.sin(kx_ * x + ky_ * y + ph)
        return z

    def fissure_present(self, key, x, y):
        frac, rinc, waves = self.fis_gap[key]
        hx = self.hilum_xy["R" if key != "OL" else "L"]
        d = np.hypot(x - hx[0], y - hx[1])
        v = 0
        for (kx, ky, ph) in waves:
            v = v + np.sin(kx * x + ky * y + ph)
        v = v / 3
        thr = np.quantile(np.linspace(-1, 1, 101), frac) if frac > 0 else -9
        return (d > rinc) & (v > thr * 0.8)

    # ------------------------------------------------------------------ point queries
    def lung_label(self, P, margin=0.0, env=True):
        """0 outside lungs, 1 right lung, 2 left lung."""
        P = np.asarray(P, float)
        x, y, z = P[..., 0], P[..., 1], P[..., 2]
        th = np.arctan2(y - self.yc, x - self.xc)
        rho = np.hypot(x - self.xc, y - self.yc)
        ok = rho < self.tab(self.rcav, z, th) - margin
        ok &= z > self.floor(x, y) + margin
        ok &= z < self.ceiling(x, y) - margin
        if env and ok.any():
            idx = np.nonzero(ok.ravel())[0]
            Q = P.reshape(-1, 3)[idx]
            bad = self.in_envelope(Q, margin)
            okf = ok.ravel().copy()
            okf[idx[bad]] = False
            ok = okf.reshape(ok.shape)
        side = np.where(x < self.x_mid(z), 1, 2)
        return np.where(ok, side, 0)

    def in_envelope(self, Q, margin=0.0):
        """Points inside the mediastinal envelope (tubes and ellipsoids), binned in z for speed."""
        if not hasattr(self, "_envz"):
            A, B, r = self.env_A, self.env_B, self.env_r
            self._envz = (np.minimum(A[:, 2], B[:, 2]) - r, np.maximum(A[:, 2], B[:, 2]) + r)
        zlo, zhi = self._envz
        bad = np.zeros(len(Q), bool)
        if not len(Q):
            return bad
        step = 15.0
        zb = np.floor(Q[:, 2] / step).astype(int)
        for b in np.unique(zb):
            sel = np.nonzero(zb == b)[0]
            z0, z1 = b * step - margin, (b + 1) * step + margin
            segs = np.nonzero((zhi >= z0) & (zlo <= z1))[0]
            if len(segs):
                A, B, r = self.env_A[segs], self.env_B[segs], self.env_r[segs]
                lo = np.minimum(A, B).min(0) - r.max() - margin
                hi = np.maximum(A, B).max(0) + r.max() + margin
                q = Q[sel]
                near = np.all((q >= lo) & (q <= hi), axis=1)
                sel = sel[near]
            q = Q[sel]
            if len(segs) and len(sel):
                for ch in range(0, len(q), 3000):
                    qq = q[ch:ch + 3000]
                    d = seg_dist(qq, self.env_A[segs], self.env_B[segs]) - self.env_r[segs][None]
                    bad[sel[ch:ch + 3000]] |= (d < margin).any(1)
        for (c, M) in self.env_ell:
            v = Q - c
            bad |= np.einsum("ni,ij,nj->n", v, M, v) < 1
        return bad

    def lobe(self, P):
        """Lobe code: 1 RUL, 2 RML, 3 RLL, 4 LUL, 5 LLL (for points in the lungs)."""
        P = np.asarray(P, float)
        x, y, z = P[..., 0], P[..., 1], P[..., 2]
        right = x < self.x_mid(z)
        zr = self.fissure_z("OR", x, y)
        zl = self.fissure_z("OL", x, y)
        zh = self.fissure_z("H", x, y)
        rl = np.where(z < zr, 3, np.where(z < zh, 2, 1))
        ll = np.where(z < zl, 5, 4)
        return np.where(right, rl, ll)
