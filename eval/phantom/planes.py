"""Plane-by-plane rendering of the large smooth structures (table, body layers, breasts, arms,
thoracic cavity with lung parenchyma, diaphragm, upper-abdominal organs, effusion)."""
import numpy as np

from anatomy import NTH, smoothstep
from util import ramp


def _interp_matrix(n_out, n_in):
    """Linear interpolation matrix (n_out, n_in) mapping a coarse grid onto a fine one."""
    x = np.linspace(0, n_in - 1, n_out)
    i0 = np.clip(np.floor(x).astype(int), 0, n_in - 2)
    w = x - i0
    M = np.zeros((n_out, n_in), np.float32)
    M[np.arange(n_out), i0] = 1 - w
    M[np.arange(n_out), i0 + 1] += w
    return M


class Table:
    def __init__(self, rng):
        R = rng
        self.kappa = R.uniform(0.0, 0.0006)
        self.t1 = R.uniform(2, 4)
        self.core = R.uniform(20, 45)
        self.t2 = R.uniform(2, 4)
        self.width = R.uniform(420, 520)
        self.shell = R.uniform(-100, 200)
        self.foam = R.uniform(-950, -800)
        self.mattress = R.uniform(15, 45) if R.random() < 0.35 else 0.0
        self.mat_hu = R.uniform(-800, -500)
        self.V_surface = R.uniform(95, 150)  # table top below the gantry axis (mm)

    def plane(self, grid, air, cy, sx):
        V = (cy * grid.yr)[:, None]
        Hh = (sx * grid.xc)[None, :]
        px = grid.px
        top = self.V_surface - self.kappa * Hh ** 2
        half = self.width / 2
        fw = ramp((half - np.abs(Hh)) / px)
        P = np.full((grid.n, grid.n), air, np.float32)
        if self.mattress:
            f = ramp((V - (top - self.mattress)) / px) * ramp((top - V) / px) * ramp((half - 20 - np.abs(Hh)) / px)
            P += f * (self.mat_hu - P)
        f_out = ramp((V - top) / px) * ramp((top + self.t1 + self.core + self.t2 - V) / px) * fw
        P += f_out * (self.shell - P)
        f_in = ramp((V - top - self.t1) / px) * ramp((top + self.t1 + self.core - V) / px) * \
            ramp((half - 4 - np.abs(Hh)) / px)
        P += f_in * (self.foam - P)
        return P.astype(np.float32)


class PlaneRenderer:
    def __init__(self, pt, grid, table, cy, sx, rng):
        self.pt, self.grid = pt, grid
        px = grid.px
        self.px = px
        hu = pt.hu
        self.base = table.plane(grid, hu["air"], cy, sx)
        self.table_only = self.base.copy()
        rmax = pt.rbody.max() + 8
        xlo, xhi = pt.xc - rmax, pt.xc + rmax
        if pt.arm:
            for (xa, ya, aa, ba, fat) in pt.arm:
                xlo = min(xlo, xa - aa - 5)
                xhi = max(xhi, xa + aa + 5)
        self.r0, self.r1 = (int(v) for v in grid.row_range(pt.yc - rmax, pt.yc + rmax))
        self.c0, self.c1 = (int(v) for v in grid.col_range(xlo, xhi))
        X = grid.xc[self.c0:self.c1][None, :].astype(np.float64)
        Y = grid.yr[self.r0:self.r1][:, None].astype(np.float64)
        self.X, self.Y = X, Y
        th = np.arctan2(Y - pt.yc, X - pt.xc)
        self.ti = (np.floor((th + np.pi) / (2 * np.pi) * NTH + 0.5).astype(np.int32)) % NTH
        self.rho = np.hypot(X - pt.xc, Y - pt.yc).astype(np.float32)
        self.sin = np.sin(th).astype(np.float32)
        self.cos = np.cos(th).astype(np.float32)
        zd = pt.floor(X + 0 * Y, Y + 0 * X)
        gy, gx = np.gradient(zd, px)
        self.zd = zd.astype(np.float32)
        self.inv_d = (1.0 / np.maximum(np.hypot(gx, gy) * px, 1e-3)).astype(np.float32)
        self.zd_max = float(zd.max())
        self.zd_rowmax = zd.max(1)
        self.zd_colmax = zd.max(0)
        self.wcache = {}
        zt = pt.ceiling(X + 0 * Y, Y + 0 * X)
        gy, gx = np.gradient(zt, px)
        self.zt = zt.astype(np.float32)
        self.inv_t = (1.0 / np.maximum(np.hypot(gx, gy) * px, 1e-3)).astype(np.float32)
        self.zt_min = float(zt.min())
        self.V = (pt.gs * Y).astype(np.float32)  # dependent coordinate
        R = rng
        # arms (constant along z)
        self.arm_maps = []
        if pt.arm:
            for (xa, ya, aa, ba, fat) in pt.arm:
                q = np.sqrt(((X - xa) / aa) ** 2 + ((Y - ya) / ba) ** 2)
                f_out = ramp((1 - q) * min(aa, ba) / px)
                qi = np.sqrt(((X - xa) / (aa - fat)) ** 2 + ((Y - ya) / (ba - fat)) ** 2)
                f_in = ramp((1 - qi) * (min(aa, ba) - fat) / px)
                self.arm_maps.append((f_out.astype(np.float32), f_in.astype(np.float32)))
        # intermuscular fat planes and extrapleural fat
        Sb = self.base[self.r0:self.r1, self.c0:self.c1]
        for (fo, fi) in self.arm_maps:
            Sb += fo * (hu["fat"] - Sb)
            Sb += fi * (hu["muscle"] - Sb)
        self.pec_depth = R.uniform(0.35, 0.6)
        self.pec_w = R.uniform(1.0, 3.0)
        self.ep_w = R.uniform(0.3, 1.5) if pt.F > 20 and R.random() < 0.6 else 0.0
        self.pec_sector = (np.maximum(-self.sin, 0) ** 2 * (np.abs(self.cos) > 0.25)).astype(np.float32)
        # intermuscular fat planes: posterior (trapezius/latissimus over the paraspinal muscles) and lateral
        th = np.arctan2(self.sin, self.cos)
        post = np.exp(-((np.abs(th - np.pi / 2) - R.uniform(0.3, 0.6)) / 0.35) ** 2).astype(np.float32)
        lat = (self.cos ** 2 * (np.abs(self.cos) > 0.5)).astype(np.float32)
        self.fat_planes = [(R.uniform(0.35, 0.6), R.uniform(1.0, 2.5) + pt.F / 25, post, -0.3, 1.2),
                           (R.uniform(0.3, 0.6), R.uniform(0.8, 2.0) + pt.F / 30, lat, 0.2, 1.2)]
        # effusion
        self.eff = None
        if R.random() < 0.1:
            sides = [(-1,), (1,), (-1, 1)][R.integers(0, 3)]
            self.eff = (sides, R.uniform(8, 30), R.uniform(40, 90))
        # mosaic attenuation
        self.mosaic = None
        if R.random() < 0.1:
            k = R.normal(size=(6, 3))
            k /= np.linalg.norm(k, axis=1, keepdims=True)
            k *= R.uniform(1 / 60, 1 / 25, (6, 1)) * 2 * np.pi
            self.mosaic = (k, R.uniform(0, 2 * np.pi, 6), R.uniform(-0.3, 0.5), R.uniform(40, 80) * R.choice([-1, 1]))
            self.nc = 48
            cx = np.linspace(grid.xc[self.c0], grid.xc[self.c1 - 1], self.nc)
            cyy = np.linspace(grid.yr[self.r0], grid.yr[self.r1 - 1], self.nc)
            self.mgrid = (cx[None, :], cyy[:, None])
            self.Mr = _interp_matrix(self.r1 - self.r0, self.nc)
            self.Mc = _interp_matrix(self.c1 - self.c0, self.nc).T.copy()
        # abdomen organs
        xm0 = pt.xc
        self.stomach = (xm0 + pt.a_c0 * R.uniform(0.3, 0.5), pt.yc - pt.b_c0 * R.uniform(0.05, 0.35),
                        pt.z_domeL - R.uniform(35, 55), R.uniform(35, 55), R.uniform(30, 45), R.uniform(45, 70),
                        R.uniform(0.15, 0.6))
        self.spleen = (xm0 + pt.a_c0 * R.uniform(0.55, 0.7), pt.yc + pt.b_c0 * R.uniform(0.3, 0.55),
                       pt.z_domeL - R.uniform(40, 70), R.uniform(22, 32), R.uniform(40, 60), R.uniform(45, 65))
        self.liver_edge = (R.uniform(30, 60), R.uniform(-30, 0))
        self.t_dia = R.uniform(3, 5)
        self.gland = R.uniform(0.3, 0.8)

    def _rows(self, table, z):
        pt = self.pt
        f = np.clip((z - pt.ztab[0]) / 2.0, 0, len(pt.ztab) - 1.001)
        i = int(f)
        w = f - i
        return (table[i] * (1 - w) + table[i + 1] * w).astype(np.float32)

    def _wall(self, i):
        """Body wall layers (skin, fat, breast, muscle, fat planes) and cavity fraction at table row i."""
        if i in self.wcache:
            return self.wcache[i]
        pt, px = self.pt, self.px
        hu = pt.hu
        inv = 1.0 / px
        z = float(pt.ztab[i])
        S = self.base[self.r0:self.r1, self.c0:self.c1].copy()
        rho, ti = self.rho, self.ti
        rb = pt.rbody[i].astype(np.float32)[ti]
        rf = pt.rfi[i].astype(np.float32)[ti]
        rc = pt.rcav[i].astype(np.float32)[ti]
        db = rb - rho
        db *= inv
        f = ramp(db)
        S += f * (hu["skin"] - S)
        db -= pt.skin * inv
        f = ramp(db)
        S += f * (hu["fat"] - S)
        if pt.breast is not None:
            tb, sz = pt.breast
            wz = np.exp(-((z - (pt.zb + tb * pt.H)) / sz) ** 2)
            if wz > 0.05:
                band = ramp((rb - 6 - rho) * inv) * ramp((rho - rf - 4) * inv)
                sect = np.maximum(-self.sin, 0) ** 2
                tex = 0.5 + 0.5 * np.cos(9 * np.arctan2(self.sin, self.cos) + 0.12 * rho + z * 0.05)
                g = band * sect * tex * (self.gland * wz)
                S += g * (30.0 - S)
        dm = rf - rho
        dm *= inv
        f = ramp(dm)
        S += f * (hu["muscle"] - S)
        tz = (z - pt.zb) / pt.H
        wpec = float(smoothstep(0.4, 0.6, tz) * (1 - smoothstep(0.95, 1.1, tz)))
        if wpec > 0.01:
            d1 = (rf - rc) * self.pec_depth
            f = (ramp((rf - d1 - rho) * inv) - ramp((rf - d1 - self.pec_w - rho) * inv)) * self.pec_sector * wpec
            S += f * (hu["fat"] - S)
        for (depth, width, sector, z0, z1) in self.fat_planes:
            if z0 <= tz <= z1:
                d1 = (rf - rc) * depth
                f = (ramp((rf - d1 - rho) * inv) - ramp((rf - d1 - width - rho) * inv)) * sector
                S += f * (hu["fat"] - S)
        if self.ep_w > 0:
            f = ramp((rc + self.ep_w - rho) * inv)
            S += f * (hu["fat"] - S)
        dc = rc - rho
        dc *= inv
        fc = ramp(dc)
        self.wcache[i] = (S, fc)
        for k in [k for k in self.wcache if k < i - 2]:
            del self.wcache[k]
        return S, fc

    def render(self, z):
        """Returns full plane (HU) and bbox maps: lung fraction, thorax fraction, effusion fraction."""
        pt, px = self.pt, self.px
        hu = pt.hu
        inv = 1.0 / px
        f = np.clip((z - pt.ztab[0]) / 2.0, 0, len(pt.ztab) - 1.001)
        i = int(f)
        w = np.float32(f - i)
        S0, fc0 = self._wall(i)
        S1, fc1 = self._wall(i + 1)
        P = self.base.copy()
        S = P[self.r0:self.r1, self.c0:self.c1]
        S[...] = S0
        S += w * (S1 - S0)
        fc = fc0 + w * (fc1 - fc0)
        # lung value: dependent gradient (depends on the row only)
        iz = (pt.gs * np.pi / 2)
        r_dep = float(np.interp(z, pt.ztab, pt.rcav[:, int((iz + np.pi) / (2 * np.pi) * NTH) % NTH]))
        r_non = float(np.interp(z, pt.ztab, pt.rcav[:, int((-iz + np.pi) / (2 * np.pi) * NTH) % NTH]))
        v1 = pt.gs * pt.yc + r_dep
        v0 = pt.gs * pt.yc - r_non
        dep = np.clip((self.V - v0) / max(v1 - v0, 1), 0, 1) ** hu["lung_gexp"]
        hl = (hu["lung"] + hu["lung_grad"] * dep).astype(np.float32)
        val = np.broadcast_to(hl, fc.shape).copy()
        if self.mosaic is not None:
            k, ph, thr, amp = self.mosaic
            cx, cyy = self.mgrid
            n = 0
            for q in range(len(k)):
                n = n + np.cos(k[q, 0] * cx + k[q, 1] * cyy + k[q, 2] * z + ph[q])
            m = np.clip((n / np.sqrt(len(k) / 2) - thr) * 3, 0, 1).astype(np.float32)
            val += amp * (self.Mr @ m @ self.Mc)
        lungf = fc.copy()
        thor = fc.copy()
        if z < self.zd_max + 2:
            # diaphragm and abdomen, restricted to the box where the dome is above z - 3 mm
            rows = np.nonzero(self.zd_rowmax > z - 3)[0]
            cols = np.nonzero(self.zd_colmax > z - 3)[0]
            if len(rows) and len(cols):
                br = slice(rows[0], rows[-1] + 1)
                bc = slice(cols[0], cols[-1] + 1)
                zd, invd = self.zd[br, bc], self.inv_d[br, bc]
                fa = ramp((z - zd) * invd)
                habd = self.abdomen(z, br, bc)
                fdia = ramp((z - (zd - self.t_dia)) * invd)
                habd = fdia * hu["muscle"] + (1 - fdia) * habd
                vb = val[br, bc]
                vb += (1 - fa) * (habd - vb)
                lungf[br, bc] *= fa
                thor[br, bc] *= fa
        if z > self.zt_min - 2:
            fbl = ramp((self.zt - z) * self.inv_t)
            val += (1 - fbl) * (hu["inlet"] - val)
            lungf *= fbl
        S += fc * (val - S)
        eff = None
        if self.eff is not None:
            sides, d0, he = self.eff
            d = d0 * max(1 - (z - pt.zb) / he, 0)
            if d > 0.3:
                rc = self._rows(pt.rcav, z)[self.ti]
                wgt = np.maximum(pt.gs * self.sin, 0) ** 0.7
                sm = np.zeros_like(self.rho)
                for sd in sides:
                    sm += ramp((sd * (self.X - float(pt.x_mid(z)))) * inv)
                eff = ramp((d * wgt - (rc - self.rho)) * inv) * np.minimum(sm, 1)
        return P, lungf, thor, eff

    def abdomen(self, z, br, bc):
        pt, px = self.pt, self.px
        hu = pt.hu
        inv = 1 / px
        X, Y = self.X[:, bc], self.Y[br, :]
        V = self.V[br, :]
        xm = float(pt.x_mid(z))
        # default: fat with bowel
        h = np.full(np.broadcast_shapes(X.shape, Y.shape), hu["fat"] * 0.6 + 10, np.float32)
        a0, a1 = self.liver_edge
        ya, yp = float(pt.y_ant(z)), float(pt.y_post(z))
        u = np.clip((Y - ya) / max(yp - ya, 1), 0, 1)
        edge = a0 + (a1 - a0) * u
        fl = ramp((edge - (X - xm)) * inv)
        h += fl * (hu["liver"] - h)
        cx, cy, cz, ax, ay, az = self.spleen
        s2 = 1 - ((z - cz) / az) ** 2
        if s2 > 0:
            s = np.sqrt(s2)
            q = np.sqrt(((X - cx) / (ax * s)) ** 2 + ((Y - cy) / (ay * s)) ** 2)
            f = ramp((1 - q) * ax * s * inv)
            h += f * (hu["spleen"] - h)
        cx, cy, cz, ax, ay, az, lvl = self.stomach
        s2 = 1 - ((z - cz) / az) ** 2
        if s2 > 0:
            s = np.sqrt(s2)
            q = np.sqrt(((X - cx) / (ax * s)) ** 2 + ((Y - cy) / (ay * s)) ** 2)
            r = min(ax, ay) * s
            f = ramp((1 - q) * r * inv)
            h += f * (hu["muscle"] - h)
            fi = ramp((1 - q) * r * inv - 3.5 * inv)
            vlev = pt.gs * cy - ay * s + 2 * ay * s * lvl
            gas = ramp((vlev - V) * inv)
            h += fi * (hu["stomach"] + gas * (hu["air"] - hu["stomach"]) - h)
        return h
