"""The patient: body outline, chest wall layers, thoracic cavity, mediastinum, spine, abdomen, lungs and
fissures, drawn per case and evaluated on a coarse grid (about twice the output pixel spacing, ~2 mm in z).

Coordinates: patient LPS in mm (x to the patient's left, y posterior, z toward the head). The anatomy is
described in a body frame (u, v, z): the patient's own left and posterior axes, rotated by a small angle psi
about z from (x, y) and centred on the body centre (bx, by). zeta = (z_apex - z) / H runs from 0 at the
lung apices to 1 at the deepest costophrenic recess.

The coarse fields built here: `tissue` (HU of everything that is not lung, air and table outside the body),
`lung_hu` (parenchyma HU, defined everywhere), `lung_sdf` (signed distance to the lung surface, negative in
the lungs, mm) and a few helpers (heart distance, which surface bounds the lung where).
"""
import math

import numpy as np
import torch

from .geom import Grid3, catmull_rom, lowres_noise, resample_polyline, smax, smin, smoothstep, tsmooth, unit, upsample

NB = 2048  # angular table resolution

# Which surface bounds the lung (lung_label)
COSTAL, APEX, DIAPHRAGM, MEDIASTINAL, JUNCTION, EFFUSION = range(6)


def U(rng, a, b):
    return float(rng.uniform(a, b))


class Anatomy:
    def __init__(self, rng, sex, arms_down, prone, contrast, small=False):
        self.rng = rng
        self.sex = sex
        self.arms_down = arms_down
        self.prone = prone
        self.g = -1.0 if prone else 1.0  # dependent direction along y
        self.contrast = contrast
        r = rng
        # --- body size: thoracic cavity first, then the wall around it (obesity does not shrink the lungs)
        big = r.normal(0, 1)
        self.Ac = float(np.clip(131 + 10 * big + r.normal(0, 5) - (7 if sex == "F" else 0), 105, 155))
        self.Bc = self.Ac * U(r, 0.55, 0.7)
        self.fat0 = float(np.clip(math.exp(r.normal(math.log(14), 0.55)), 4, 45))
        self.pect = U(r, 6, 22) * (0.75 if sex == "F" else 1.0)
        self.lat_mus = U(r, 5, 11)
        self.post_mus = U(r, 6, 14)
        self.rz = U(r, 9, 12.5)
        self.skin = U(r, 1.2, 2.0)
        W = 2 * (self.Ac + self.rz + 3 + self.lat_mus + 1.05 * self.fat0 + self.skin)
        if W > 420:
            self.fat0 = max(4.0, self.fat0 - (W - 420) / 2.1)
        elif W < 260:
            self.fat0 += (260 - W) / 2.1
        self.W = float(np.clip(2 * (self.Ac + self.rz + 3 + self.lat_mus + 1.05 * self.fat0 + self.skin), 260, 420))
        ap = 2 * self.Bc + 2 * self.rz + 0.6 * self.pect + 0.5 * self.post_mus + 6 + 1.6 * self.fat0 + 2 * self.skin
        self.AP = float(np.clip(ap, 170, 300))
        self.A = self.W / 2
        self.B = self.AP / 2
        self.H = float(np.clip(248 + 22 * r.normal() + 0.22 * (self.W - 330) - (10 if sex == "F" else 0), 200, 320))
        self.psi = math.radians(U(r, -5, 5))
        self.p_se = U(r, 2.2, 3.0)
        self.asym = U(r, -0.035, 0.035)
        self.beta = U(r, -0.04, 0.1)
        self.harm = [(m, U(r, 0, 0.022), U(r, 0, 2 * math.pi)) for m in (2, 3, 4)]
        self.wprof = np.array([0.74, 0.8, 0.86, 0.92, 0.98, 1.0, 0.98, 0.96]) + r.normal(0, 0.015, 8)
        self.wz = np.array([-0.35, -0.12, 0.08, 0.3, 0.6, 0.85, 1.1, 1.4])
        self.dprof = np.array([0.66, 0.74, 0.86, 0.95, 1.0, 1.0, 0.99]) + r.normal(0, 0.015, 7)
        self.dz = np.array([-0.35, -0.12, 0.2, 0.5, 0.8, 1.1, 1.4])
        # Chest wall
        self.fat_phase = U(r, 0, 2 * math.pi)
        self.fat_h1 = U(r, 0.1, 0.35)
        self.parasp = U(r, 30, 52)
        self.top_narrow = U(r, 0.18, 0.3)
        self.apex_cap = U(r, 90, 120)
        # Densities
        self.hu_fat = U(r, -120, -80)
        self.hu_mus = U(r, 30, 60)
        self.hu_skin = U(r, 20, 60)
        self.hu_air = U(r, -1005, -990)
        self.hu_cortex = U(r, 700, 1400)
        self.hu_cancel = U(r, 150, 350)
        self.hu_cart = U(r, 80, 200)
        self.hu_lung = U(r, -880, -800)
        self.lung_grad = U(r, 40, 120)
        self.lung_tex = U(r, 8, 20)
        # Table
        self.table_curved = r.random() < 0.6
        self.pad = U(r, 15, 50) if r.random() < 0.55 else 0.0
        self.hu_pad = U(r, -900, -700) if r.random() < 0.8 else U(r, -150, -60)
        self.hu_shell = U(r, 200, 600)
        self.hu_foam = U(r, -900, -600)
        self.table_core = U(r, 22, 50)
        self.table_half = U(r, 210, 265)
        self.table_curv = U(r, 0.0002, 0.0007) if self.table_curved else 0.0
        # Spine
        self.r_vb0 = U(r, 14, 18)
        self.vh = U(r, 22, 28) * (self.H / 250) ** 0.5
        self.disc = U(r, 4, 7)
        self.disc_phase = U(r, 0, self.vh)
        self.scol = U(r, 0, 6) * (1 if r.random() < 0.5 else -1)
        self.scol_ph = U(r, 0, 2 * math.pi)
        # Key levels (zeta)
        self.zeta_car = U(r, 0.24, 0.31)
        self.zeta_dR = U(r, 0.6, 0.72)
        self.dome_diff = U(r, 10, 30)
        self.dome_sharp = U(r, 1.6, 2.4)
        self.recess_ant = U(r, 0.35, 0.6)
        # Effusion, arms, breasts
        self.effusion = None
        if r.random() < 0.1:
            self.effusion = [(side, U(r, 8, 35)) for side in (-1, 1) if r.random() < 0.6] or [(-1, U(r, 8, 30))]
        self.breasts = sex == "F" and r.random() < 0.85
        self.small = small
        self.rng_state = r.integers(0, 2**31 - 1, 8)

    # ------------------------------------------------------------------------------------------------
    # Frames
    def set_position(self, z_apex, bx, by):
        self.z_apex = float(z_apex)
        self.z_base = self.z_apex - self.H
        self.bx, self.by = float(bx), float(by)
        self.cpsi, self.spsi = math.cos(self.psi), math.sin(self.psi)
        self._landmarks()

    def to_patient(self, p):
        p = np.asarray(p, dtype=np.float64)
        u, v = p[..., 0], p[..., 1]
        x = self.bx + self.cpsi * u - self.spsi * v
        y = self.by + self.spsi * u + self.cpsi * v
        return np.stack([x, y, p[..., 2]], axis=-1)

    def to_body(self, p):
        p = np.asarray(p, dtype=np.float64)
        dx, dy = p[..., 0] - self.bx, p[..., 1] - self.by
        u = self.cpsi * dx + self.spsi * dy
        v = -self.spsi * dx + self.cpsi * dy
        return np.stack([u, v, p[..., 2]], axis=-1)

    def zeta(self, z):
        return (self.z_apex - np.asarray(z, dtype=np.float64)) / self.H

    def zof(self, zeta):
        return self.z_apex - zeta * self.H

    # ------------------------------------------------------------------------------------------------
    # Radial description of the torso: radii as functions of the angle theta (atan2(v, u)) and zeta
    def r_skin(self, th, ze):
        th, ze = np.broadcast_arrays(np.asarray(th, dtype=np.float64), np.asarray(ze, dtype=np.float64))
        a = self.A * np.interp(ze, self.wz, self.wprof)
        d = self.B * np.interp(ze, self.dz, self.dprof)
        c, s = np.cos(th), np.sin(th)
        ax = np.where(c > 0, a * (1 + self.asym), a * (1 - self.asym))
        by = np.where(s > 0, d * (1 + self.beta), d * (1 - self.beta))
        p = self.p_se
        R = (np.abs(c / ax) ** p + np.abs(s / by) ** p) ** (-1 / p)
        for m, amp, ph in self.harm:
            R = R * (1 + amp * np.cos(m * th + ph))
        return R

    def t_fat(self, th, ze):
        th, ze = np.broadcast_arrays(np.asarray(th, dtype=np.float64), np.asarray(ze, dtype=np.float64))
        g = 1 + self.fat_h1 * np.cos(2 * th + self.fat_phase) + 0.12 * np.cos(th - self.fat_phase)
        ant = np.exp(-((np.angle(np.exp(1j * (th + math.pi / 2)))) ** 2) / 0.05)
        g = g - 0.45 * ant
        return self.fat0 * g * (0.8 + 0.3 * np.clip(ze, 0, 1.3))

    def t_mus(self, th, ze):
        th, ze = np.broadcast_arrays(np.asarray(th, dtype=np.float64), np.asarray(ze, dtype=np.float64))

        def bump(center, width):
            d = np.angle(np.exp(1j * (th - center)))
            return np.exp(-(d**2) / (2 * width**2))

        upper = 1 - smoothstep(0.4, 0.75, ze)
        m = 3.0 + self.pect * (bump(-math.pi / 2 + 0.6, 0.33) + bump(-math.pi / 2 - 0.6, 0.33)) * upper
        m = m + self.lat_mus * (bump(0, 0.5) + bump(math.pi, 0.5)) * (0.6 + 0.4 * upper)
        m = m + self.post_mus * (bump(math.pi / 2 + 0.9, 0.45) + bump(math.pi / 2 - 0.9, 0.45))
        m = m + self.parasp * bump(math.pi / 2, 0.17)
        # Shoulder girdle muscles narrow the thoracic inlet
        top = 1 - smoothstep(-0.05, 0.28, ze)
        m = m + self.top_narrow * self.A * top * (0.6 + 0.4 * np.abs(np.cos(th)))
        return m

    def r_muscle_out(self, th, ze):
        return self.r_skin(th, ze) - self.skin - self.t_fat(th, ze)

    def r_cav(self, th, ze):
        R = self.r_muscle_out(th, ze) - self.t_mus(th, ze) - self.rz
        return np.maximum(R, 15.0)

    def cav_point(self, th, ze, extra=0.0):
        """Body-frame (u, v) of the cavity boundary (plus `extra` mm outward) at angle th, level zeta."""
        R = self.r_cav(th, ze) + extra
        return R * np.cos(th), R * np.sin(th)

    # ------------------------------------------------------------------------------------------------
    def r_vb(self, ze):
        return self.r_vb0 * (0.85 + 0.3 * np.clip(ze, -0.2, 1.3))

    def spine_u(self, ze):
        return self.scol * np.sin(2 * math.pi * np.asarray(ze) / 1.4 + self.scol_ph)

    def v_vb(self, ze):
        return self.r_cav(math.pi / 2, ze) - 0.5 * self.r_vb(ze)

    def v_front(self, ze):
        return -self.r_cav(-math.pi / 2, ze)

    def _landmarks(self):
        r = np.random.default_rng(self.rng_state[0])
        H = self.H
        zc = self.zof(self.zeta_car)
        self.z_car = zc
        ze_c = self.zeta_car
        self.r_oe = U(r, 7, 10)
        self.u_oe = U(r, 3, 9)
        self.r_tr = U(r, 8.5, 12)
        self.tr_wall = U(r, 1.5, 2.0)
        self.u_tr = U(r, -5, 1)

        def v_oe(ze):
            return self.v_vb(ze) - self.r_vb(ze) - self.r_oe - 1

        def v_tr(ze):
            return v_oe(ze) - self.r_oe - self.r_tr - 1

        self.v_oe_f = v_oe
        self.v_tr_f = v_tr
        vc = v_tr(ze_c)
        self.vc = vc
        # mediastinal vessels are placed in proportion to the sternum-trachea distance
        q = float(np.clip((vc - self.v_front(ze_c)) / 85.0, 0.55, 1.2))
        self.q_med = q
        self.carina = np.array([self.u_tr + 1, vc + 4, zc])
        self.hil_R = self.carina + np.array([-U(r, 30, 40), U(r, 4, 12), -U(r, 16, 26)])
        self.hil_L = self.carina + np.array([U(r, 40, 52), U(r, 8, 16), -U(r, 26, 38)])
        # Heart and domes
        self.z_dR = self.zof(self.zeta_dR)
        self.z_dL = self.z_dR - self.dome_diff
        hs = float(np.clip(self.r_cav(0.0, 0.6) / 135.0, 0.72, 1.15))
        a_h, b_h, c_h = U(r, 58, 74) * hs, U(r, 44, 54) * hs, U(r, 40, 50) * hs
        d_long = unit([U(r, 0.55, 0.8), -U(r, 0.35, 0.55), -U(r, 0.45, 0.65)])
        e2 = unit(np.cross(d_long, [0, 0, 1.0]))
        e3 = np.cross(d_long, e2)
        self.heart_axes = np.stack([d_long, e2, e3], axis=1)  # columns
        self.heart_abc = np.array([a_h, b_h, c_h])
        ze_h = self.zeta(self.z_dL + 40)
        M = self.heart_axes * self.heart_abc

        def support(n):
            return float(np.linalg.norm(M.T @ np.asarray(n, dtype=np.float64)))

        zh = self.z_dL + support([0, 0, -1]) - U(r, 6, 16)
        ze_h = self.zeta(zh)
        vfront = self.v_front(ze_h)
        # fit the heart between the sternum and the oesophagus
        room = (v_oe(ze_h) - self.r_oe - 2) - (vfront + 3)
        need = support([0, -1, 0]) + support([0, 1, 0])
        if need > room:
            self.heart_abc *= max(0.6, room / need)
            M = self.heart_axes * self.heart_abc
            zh = self.z_dL + support([0, 0, -1]) - U(r, 6, 16)
            ze_h = self.zeta(zh)
            vfront = self.v_front(ze_h)
        uh = U(r, 14, 30) * hs
        vh = vfront + support([0, -1, 0]) + U(r, 2, 6)
        self.heart_c = np.array([uh, vh, zh])
        self.pericard_fat = U(r, 2, 7)
        # Left atrium
        ze_la = self.zeta(zc - U(r, 38, 50))
        la_abc = np.array([U(r, 30, 38), U(r, 17, 23), U(r, 19, 25)])
        la_c = np.array([U(r, 2, 8), v_oe(ze_la) - self.r_oe - la_abc[1] - 2, self.zof(ze_la)])
        self.la_c, self.la_abc = la_c, la_abc
        # Aorta
        self.r_aa = U(r, 12.5, 17)
        self.r_ad = U(r, 10, 13.5)
        z_arch = zc + U(r, 18, 30)
        self.z_arch = z_arch
        ze_a = self.zeta(z_arch)
        rvb_a = self.r_vb(ze_a)
        u_desc = rvb_a + self.r_ad + 3
        v_desc = self.v_vb(ze_a) - 0.3 * rvb_a
        ze_d = self.zeta(self.z_dL)
        pts = [
            [U(r, -4, 4), la_c[1] - la_abc[1] - 12, zc - U(r, 45, 55)],
            [-U(r, 16, 24), vc - q * U(r, 36, 44), zc - 18],
            [-U(r, 10, 15), vc - q * 30, z_arch - 14],
            [U(r, -2, 5), vc - q * 13, z_arch],
            [U(r, 15, 20), vc + 4, z_arch - 6],
            [u_desc, v_desc, z_arch - 30],
            [0.75 * (self.r_vb(ze_d) + self.r_ad + 2), self.v_vb(ze_d) - self.r_vb(ze_d) - 2, self.z_dL],
            [3.0, self.v_vb(1.15) - self.r_vb(1.15) - self.r_ad * 0.7, self.zof(1.35)],
        ]
        path = catmull_rom(np.array(pts), 10)
        rad = np.interp(np.linspace(0, 1, len(path)), [0, 0.3, 0.55, 1], [self.r_aa, self.r_aa * 0.95, self.r_ad, self.r_ad * 0.9])
        self.aorta = (path, rad)
        top = self.zof(-0.35)
        # Supra-aortic branches, SVC, brachiocephalic veins, azygos
        self.branches = [
            (catmull_rom(np.array([[-4, vc - q * 16, z_arch], [-U(r, 14, 20), vc - q * 18, z_arch + 40], [-U(r, 18, 26), vc - q * 14, top]]), 8), U(r, 5, 7)),
            (catmull_rom(np.array([[3, vc - q * 10, z_arch + 2], [U(r, 8, 12), vc - q * 12, z_arch + 40], [U(r, 12, 18), vc - q * 10, top]]), 8), U(r, 3.5, 4.5)),
            (catmull_rom(np.array([[12, vc - q * 1, z_arch - 2], [U(r, 22, 28), vc + 2, z_arch + 35], [U(r, 30, 40), vc + 4, top]]), 8), U(r, 4, 6)),
        ]
        svc_u = -U(r, 27, 36)
        svc_top = z_arch + U(r, 6, 14)
        self.r_svc = U(r, 8, 11)
        self.svc = catmull_rom(np.array([[svc_u - 4, vc - q * 26, svc_top], [svc_u, vc - q * 27, zc], [svc_u + 2, vc - q * 25, zc - 40]]), 8)
        self.bcv = [
            (catmull_rom(np.array([[U(r, 45, 60), vc - q * 18, z_arch + 36], [U(r, 10, 20), vc - q * 36, z_arch + 22], [svc_u, vc - q * 28, svc_top]]), 8), U(r, 4, 6)),
            (catmull_rom(np.array([[-U(r, 40, 50), vc - q * 14, top], [svc_u - 8, vc - q * 24, svc_top + 20], [svc_u - 4, vc - q * 26, svc_top]]), 8), U(r, 5, 7)),
        ]
        ze_b = self.zeta(self.z_dL)
        self.azygos = catmull_rom(
            np.array(
                [
                    [-0.8 * self.r_vb(ze_b) - 2, self.v_vb(ze_b) - 0.3 * self.r_vb(ze_b), self.z_dL],
                    [-0.9 * self.r_vb(ze_c) - 3, self.v_vb(ze_c) - 0.4 * self.r_vb(ze_c), zc + 4],
                    [svc_u + 10, vc - q * 5, zc + 12],
                    [svc_u + 3, vc - q * 22, zc + 6],
                ]
            ),
            8,
        )
        # Pulmonary trunk and arteries (rendered as fine tubes; the trunk also carves the mediastinum)
        rv_out = np.array([uh + U(r, -8, 2), vfront + U(r, 18, 28), zc - U(r, 48, 58)])
        bif = np.array([U(r, 10, 18), vc - q * U(r, 14, 20), zc - U(r, 14, 22)])
        self.r_pt = U(r, 12, 15)
        self.pt = catmull_rom(np.array([rv_out, (rv_out + bif) / 2 + [4, 6, 4], bif]), 8)
        self.hub_R = self.hil_R + np.array([U(r, -2, 4), -U(r, 11, 16), U(r, -3, 4)])
        self.hub_L = self.hil_L + np.array([U(r, 0, 6), U(r, -2, 6), U(r, 11, 16)])
        self.rpa = catmull_rom(np.array([bif, [U(r, -12, -4), vc - q * U(r, 20, 26), bif[2] - 3], self.hub_R]), 8)
        self.lpa = catmull_rom(np.array([bif, [U(r, 24, 32), vc - q * 6, bif[2] + 6], self.hub_L]), 8)
        self.r_rpa = U(r, 8, 10)
        self.r_lpa = U(r, 7.5, 9.5)
        # Pulmonary veins: ostia on the left atrium and a hub 2-3 cm out
        au = la_abc[0] * 0.85
        self.pv = {}
        for side, s in (("R", -1), ("L", 1)):
            sup_o = la_c + [s * au, -4, 9]
            inf_o = la_c + [s * au, 6, -9]
            self.pv[side + "sup"] = (sup_o, sup_o + [s * U(r, 22, 32), -U(r, 4, 12), U(r, 10, 20)])
            self.pv[side + "inf"] = (inf_o, inf_o + [s * U(r, 20, 30), U(r, 2, 10), -U(r, 8, 18)])
        # Oesophagus air, lymph nodes
        self.oe_air = U(r, 2, 6) if r.random() < 0.4 else 0.0
        self.nodes = []
        sites = [
            [self.u_tr - self.r_tr - 8, vc, zc + U(r, 10, 30)],
            [2, vc + 12, zc - U(r, 12, 20)],
            [U(r, 12, 20), vc - q * 4, zc + U(r, 0, 10)],
            [U(r, 0, 10), self.v_front(ze_a) + 18, z_arch + U(r, -5, 10)],
            list(self.hil_R + [U(r, -4, 4), U(r, 4, 12), U(r, -15, 0)]),
            list(self.hil_L + [U(r, -4, 4), U(r, 4, 12), U(r, -15, 0)]),
            [-U(r, 12, 18), vc - q * 18, zc + U(r, 20, 40)],
        ]
        for site in sites:
            if r.random() < 0.55:
                d = U(r, 5, 12)
                calc = r.random() < 0.18
                self.nodes.append((np.array(site, dtype=np.float64), np.array([d / 2, d / 2 * U(r, 0.7, 1.0), d / 2 * U(r, 0.8, 1.3)]), calc))
        # Diaphragm dome centres
        cav_half = self.r_cav(0.0, self.zeta_dR)
        self.dome_R = np.array([-0.45 * cav_half, U(r, -10, 10)])
        self.dome_L = np.array([0.45 * cav_half, U(r, -10, 10)])
        # Stomach, spleen, liver edge
        self.stomach = (np.array([0.45 * cav_half, -0.15 * self.B, self.z_dL - U(r, 35, 45)]), np.array([U(r, 38, 52), U(r, 32, 44), U(r, 40, 55)]))
        self.stomach_air = U(r, 0.15, 0.6)
        self.spleen = (np.array([0.72 * cav_half, 0.45 * self.B, self.z_dL - U(r, 40, 55)]), np.array([U(r, 26, 34), U(r, 45, 60), U(r, 45, 60)]))
        self.liver_edge = U(r, 20, 60)
        # Sternum
        self.z_clav = self.z_apex - U(r, 15, 30)
        self.st_w = U(r, 26, 36)
        self.st_th = U(r, 9, 14)
        self.z_xiph = self.zof(U(r, 0.72, 0.85))
        self.z_sternal_angle = zc + U(r, -5, 10)
        # Breasts
        self.breast = []
        if self.breasts:
            ze_b = U(r, 0.45, 0.62)
            rad = U(r, 40, 75)
            proj = U(r, 20, 70) * (1.25 if self.prone else 1.0)
            for s in (-1, 1):
                th = -math.pi / 2 + s * U(r, 0.45, 0.7)
                R = self.r_skin(th, ze_b)
                c = np.array([R * math.cos(th) + s * (0 if self.prone else U(r, 5, 20)), R * math.sin(th), self.zof(ze_b)])
                self.breast.append((c, np.array([rad * (0.85 if self.prone else 1.05), proj, rad * 0.9])))
            self.gland = U(r, 0.2, 0.8)
        # Arms down: elliptic cylinders beside the torso
        self.arm = None
        if self.arms_down:
            self.arm = dict(ru=U(r, 38, 52), rv=U(r, 45, 60), gap=U(r, 2, 25), v=U(r, -10, 25), fat=U(r, 4, 14), rh=U(r, 10, 13), head=U(r, 21, 25))

    # ------------------------------------------------------------------------------------------------
    # Fissures: height fields z = f(u, v) (oblique both sides, horizontal right), evaluated in the body frame
    def draw_fissures(self):
        r = np.random.default_rng(self.rng_state[1])
        self.fis = {}
        for side, hil in (("R", self.hil_R), ("L", self.hil_L)):
            k = math.tan(math.radians(U(r, 42, 60)))
            self.fis["O" + side] = dict(
                kind="obl",
                side=-1 if side == "R" else 1,
                z0=hil[2] + U(r, -5, 10),
                u0=hil[0],
                v0=hil[1],
                k=k,
                c1=U(r, -0.002, 0.004),
                c2=U(r, -0.003, 0.003),
                c3=U(r, 0.25, 0.7),
                waves=[(U(r, 0.5, 2.5), U(r, 0.04, 0.12), U(r, 0, 2 * math.pi), U(r, 0, 2 * math.pi)) for _ in range(3)],
                complete=U(r, 0.3, 1.0) if r.random() < 0.6 else 1.0,
                thick=U(r, 0.25, 0.5),
            )
        self.fis["H"] = dict(
            kind="hor",
            side=-1,
            z0=self.hil_R[2] + U(r, 2, 22),
            u0=self.hil_R[0],
            v0=self.hil_R[1],
            a=U(r, -0.12, 0.12),
            b=U(r, -0.18, 0.1),
            c2=U(r, -0.0015, 0.0015),
            waves=[(U(r, 0.5, 2.0), U(r, 0.04, 0.1), U(r, 0, 2 * math.pi), U(r, 0, 2 * math.pi)) for _ in range(2)],
            complete=U(r, 0.2, 1.0) if r.random() < 0.7 else 1.0,
            thick=U(r, 0.25, 0.45),
            absent=r.random() < 0.12,
        )
        self.acc_fissure = None
        if r.random() < 0.12:
            side = -1 if r.random() < 0.6 else 1
            self.acc_fissure = dict(
                side=side,
                u0=side * U(r, 25, 55),
                a=U(r, -0.4, 0.4),
                b=U(r, -0.3, 0.3),
                z_lo=self.zof(U(r, 0.0, 0.6)),
                z_hi=0.0,
                thick=U(r, 0.2, 0.4),
            )
            self.acc_fissure["z_hi"] = self.acc_fissure["z_lo"] + U(r, 40, 90)
        self.fis_noise = {key: (r.normal(size=(6,)), r.normal(size=(6,))) for key in ("OR", "OL", "H")}

    def fissure_height(self, key, u, v, xp=np):
        f = self.fis[key]
        du, dv = u - f["u0"], v - f["v0"]
        if f["kind"] == "obl":
            lat = f["side"] * du  # lateral distance from the hilum
            z = f["z0"] + f["k"] * dv + f["c1"] * dv * dv + f["c2"] * du * du + f["c3"] * lat
        else:
            z = f["z0"] + f["a"] * du + f["b"] * dv + f["c2"] * (du * du + dv * dv)
        for amp, fr, p1, p2 in f["waves"]:
            z = z + amp * xp.sin(fr * du + p1) * xp.cos(fr * 0.8 * dv + p2)
        return z

    def fissure_presence(self, key, u, v, xp=np):
        """In [0, 1]: where the fissure is present (complete fissures are 1 everywhere but near the hilum)."""
        f = self.fis[key]
        a, b = self.fis_noise[key]
        n = 0
        for i in range(3):
            n = n + a[i] * xp.sin(0.05 * (i + 1) * u + b[i]) * xp.cos(0.045 * (i + 1) * v + b[i + 3])
        n = n / 2.0
        thr = (1 - f["complete"]) * 2.2 - 1.2
        hil = self.hil_R if f["side"] < 0 else self.hil_L
        dist = xp.sqrt((u - hil[0]) ** 2 + (v - hil[1]) ** 2)
        near = (dist - 12) / 14
        if xp is np:
            p = np.clip((n - thr) / 0.4 + 0.5, 0, 1) * np.clip(near, 0, 1)
        else:
            p = torch.clamp((n - thr) / 0.4 + 0.5, 0, 1) * torch.clamp(near, 0, 1)
        if f.get("absent"):
            p = p * 0
        return p

    def lobe_of(self, pts):
        """Lobe labels for body-frame points: 0 RUL, 1 RML, 2 RLL, 3 LUL, 4 LLL."""
        p = np.asarray(pts)
        u, v, z = p[:, 0], p[:, 1], p[:, 2]
        lab = np.zeros(len(p), dtype=np.int64)
        right = u < self.mid_u(v, z)
        zo_r = self.fissure_height("OR", u, v)
        zo_l = self.fissure_height("OL", u, v)
        zh = self.fissure_height("H", u, v)
        lab[right & (z < zo_r)] = 2
        lab[right & (z >= zo_r) & (z < zh)] = 1
        lab[right & (z >= zo_r) & (z >= zh)] = 0
        if self.fis["H"].get("absent"):
            lab[right & (z >= zo_r)] = 0
        lab[~right & (z < zo_l)] = 4
        lab[~right & (z >= zo_l)] = 3
        return lab

    def mid_u(self, v, z):
        return 3.0 + 0.0 * v

    # ------------------------------------------------------------------------------------------------
    # Coarse grid construction
    def body_bounds(self, margin=8.0):
        """Patient-space (xmin, xmax, ymin, ymax) of the body (torso, breasts, arms), with a margin."""
        th = np.linspace(-math.pi, math.pi, 361)
        pts = []
        for ze in np.linspace(-0.5, 1.45, 40):
            R = self.r_skin(th, ze)
            pts.append(np.stack([R * np.cos(th), R * np.sin(th), np.zeros_like(th)], axis=1))
        for c, ab in getattr(self, "breast", []):
            for sx in (-1, 1):
                for sy in (-1, 1):
                    pts.append(np.array([[c[0] + sx * ab[0], c[1] + sy * ab[1], 0]]))
        if self.arm is not None:
            for s in (-1, 1):
                for ze in (-0.5, 0.0, 0.3, 1.4):
                    cu, cv = self.arm_centre(s, ze)
                    for sx in (-1, 1):
                        for sy in (-1, 1):
                            pts.append(np.array([[cu + sx * self.arm["ru"], cv + sy * self.arm["rv"], 0]]))
        p = self.to_patient(np.vstack(pts))
        return p[:, 0].min() - margin, p[:, 0].max() + margin, p[:, 1].min() - margin, p[:, 1].max() + margin

    def build(self, grid: Grid3):
        self.grid = grid
        t = torch
        xs = t.tensor(grid.xs, dtype=t.float32)
        ys = t.tensor(grid.ys, dtype=t.float32)
        zs = grid.zs
        X, Y = xs[None, :].expand(grid.ny, grid.nx), ys[:, None].expand(grid.ny, grid.nx)
        dx, dy = X - self.bx, Y - self.by
        Ub = self.cpsi * dx + self.spsi * dy
        Vb = -self.spsi * dx + self.cpsi * dy
        self.U2, self.V2, self.Y2, self.X2 = Ub, Vb, Y, X
        R2 = t.sqrt(Ub * Ub + Vb * Vb)
        TH = t.atan2(Vb, Ub)
        self.R2, self.TH = R2, TH
        bins = ((TH + math.pi) / (2 * math.pi) * NB).long().clamp(0, NB - 1).reshape(-1)
        self.bins = bins
        th_tab = -math.pi + (np.arange(NB) + 0.5) * 2 * math.pi / NB
        self.th_tab = th_tab
        ze = self.zeta(zs)
        self.ze = ze
        self.Z3 = t.tensor(zs, dtype=t.float32)[:, None, None]
        self.ZE3 = t.tensor(ze, dtype=t.float32)[:, None, None]
        nz, ny, nx = grid.nz, grid.ny, grid.nx
        self.full_box = (0, nz, 0, ny, 0, nx)

        def radial(fn):
            tab = fn(th_tab[None, :], ze[:, None])  # [nz, NB]
            dR = np.gradient(tab, th_tab[1] - th_tab[0], axis=1)
            cosa = 1 / np.sqrt(1 + (dR / np.maximum(tab, 1)) ** 2)
            T = t.tensor(tab, dtype=t.float32)
            C = t.tensor(cosa, dtype=t.float32)
            return (R2[None] - T[:, bins].reshape(nz, ny, nx)) * C[:, bins].reshape(nz, ny, nx)

        cw = grid.dx
        self.cw = cw
        d_skin = radial(self.r_skin)
        d_musout = radial(self.r_muscle_out)
        d_musin = radial(lambda th, z: self.r_muscle_out(th, z) - self.t_mus(th, z))
        d_cav = radial(self.r_cav)
        self.d_cav = d_cav
        d_body = d_skin
        for c, ab in getattr(self, "breast", []):
            box = self._ebox(c, ab, np.eye(3), 14)
            if box is not None:
                sl = self._sl(box)
                d_body[sl] = smin(d_body[sl], self._ell(c, ab, np.eye(3), box), 10.0)
        if self.arm is not None:
            for s in (-1, 1):
                box = self._arm_box(s)
                if box is not None:
                    sl = self._sl(box)
                    d_body[sl] = smin(d_body[sl], self._arm_sdf(s, box), 6.0)
        ext = self._body_extent_y(ze)
        if self.prone:
            y_touch = ext[0] + 0.05 * self.B
            d_body = t.maximum(d_body, (y_touch - Y)[None])
            self.y_pad_edge = y_touch
            self.y_table = y_touch - self.pad
        else:
            y_touch = ext[1] - 0.05 * self.B
            d_body = t.maximum(d_body, (Y - y_touch)[None])
            self.y_pad_edge = y_touch
            self.y_table = y_touch + self.pad
        self.table_xc = self.bx + U(np.random.default_rng(self.rng_state[2]), -25, 25)
        self.d_body = d_body
        # --- tissue: table, body layers ----------------------------------------------------------
        tis = self.table_image(X, Y)[None].repeat(nz, 1, 1)
        body = t.clamp(0.5 - d_body / cw, 0, 1)
        tis += body * (self.hu_fat - tis)
        tis += body * t.clamp(0.5 + (d_body + self.skin) / cw, 0, 1) * (self.hu_skin - tis)
        mus = t.clamp(0.5 - d_musout / cw, 0, 1)
        tis += mus * (self.hu_mus - tis)
        tm = d_musin - d_musout
        plane = t.clamp(1 - t.abs(d_musout + 0.45 * tm), 0, 1) * (tm > 10).float() * mus
        tis += 0.7 * plane * (self.hu_fat - tis)
        cav = t.clamp(0.5 - d_cav / cw, 0, 1)
        tis += cav * (30.0 - tis)
        self.tissue = tis
        if self.arm is not None:
            self._paint_arms(tis)
        if self.breast:
            self._paint_breasts(tis)
        # --- mediastinum, abdomen, bones ---------------------------------------------------------------
        d_med = self._mediastinum(tis)
        d_dia = self._diaphragm_sdf()
        self._paint_abdomen(tis, d_dia)
        self._paint_spine(tis)
        self._paint_sternum(tis)
        self._paint_scapulae(tis)
        # --- lungs --------------------------------------------------------------------------------
        d_top = self._apex_sdf()
        sep = (0.7 - t.abs(Ub - self.mid_u(0, 0)))[None]
        lung = t.maximum(d_cav, d_top)
        label = t.where(d_top > d_cav, APEX, COSTAL).to(t.uint8)
        for term, lab in ((d_dia, DIAPHRAGM), (-d_med, MEDIASTINAL), (sep.expand(nz, ny, nx), JUNCTION)):
            label = t.where(term > lung, t.tensor(lab, dtype=t.uint8), label)
            lung = t.maximum(lung, term)
        if self.effusion:
            d_eff = self._effusion_sdf()
            label = t.where(-d_eff > lung, t.tensor(EFFUSION, dtype=t.uint8), label)
            lung = t.maximum(lung, -d_eff)
            eff = t.clamp(0.5 - d_eff / cw, 0, 1) * cav
            tis += eff * (U(np.random.default_rng(self.rng_state[5] + 3), 0, 20) - tis)
        self.lung_sdf = lung.contiguous()
        self.lung_label = label
        self.lung_hu = self._lung_hu()

    # ------------------------------------------------------------------------------------------------
    def _body_extent_y(self, ze):
        """(min y, max y) of the torso outline over the covered levels (patient y)."""
        th = np.linspace(-math.pi, math.pi, 361)
        zz = np.linspace(max(-0.3, ze.min()), min(1.4, ze.max()), 30)
        R = self.r_skin(th[None, :], zz[:, None])
        u, v = R * np.cos(th), R * np.sin(th)
        y = self.by + self.spsi * u + self.cpsi * v
        return float(np.quantile(y.min(1), 0.2)), float(np.quantile(y.max(1), 0.8))

    def table_image(self, X, Y):
        """HU of air, table and pad on a 2-D patient (X, Y) grid (the same at every z)."""
        t = torch
        g = self.g
        xc = self.table_xc
        curv = self.table_curv * (X - xc) ** 2
        depth = (Y - self.y_table) * g + curv  # > 0 beyond the table top, away from the patient
        inside_x = t.clamp((self.table_half - t.abs(X - xc)) / 2 + 0.5, 0, 1)
        shell = 2.5
        total = self.table_core + 2 * shell
        top = t.clamp(depth + 0.5, 0, 1) * t.clamp(total - depth + 0.5, 0, 1) * inside_x
        core = t.clamp(depth - shell + 0.5, 0, 1) * t.clamp(total - shell - depth + 0.5, 0, 1) * inside_x
        tab = self.hu_air + top * (self.hu_shell - self.hu_air)
        tab = tab + core * (self.hu_foam - tab)
        if self.pad > 0:
            pd = (Y - self.y_pad_edge) * g + curv
            pad = t.clamp(pd + 0.5, 0, 1) * t.clamp(self.pad - pd + 0.5, 0, 1) * t.clamp((self.table_half - 30 - t.abs(X - xc)) / 3, 0, 1)
            tab = tab + pad * (self.hu_pad - tab)
        return tab.float()

    # ------------------------------------------------------------------------------------------------
    # Region helpers: boxes are absolute coarse index ranges (k0, k1, j0, j1, i0, i1)
    def _box(self, pts_body, margin):
        p = np.asarray(pts_body, dtype=np.float64).reshape(-1, 3)
        lo, hi = p.min(0) - margin, p.max(0) + margin
        return self.box_uvz(lo[0], hi[0], lo[1], hi[1], lo[2], hi[2])

    def box_uvz(self, u0, u1, v0, v1, z0, z1):
        corners = np.array([[a, b, 0] for a in (u0, u1) for b in (v0, v1)])
        pc = self.to_patient(corners)
        g = self.grid
        i0 = int(max(0, math.floor((pc[:, 0].min() - g.x0) / g.dx)))
        i1 = int(min(g.nx, math.ceil((pc[:, 0].max() - g.x0) / g.dx) + 1))
        j0 = int(max(0, math.floor((pc[:, 1].min() - g.y0) / g.dy)))
        j1 = int(min(g.ny, math.ceil((pc[:, 1].max() - g.y0) / g.dy) + 1))
        k0 = int(max(0, math.floor((z0 - g.z0) / g.dz)))
        k1 = int(min(g.nz, math.ceil((z1 - g.z0) / g.dz) + 1))
        if i1 <= i0 or j1 <= j0 or k1 <= k0:
            return None
        return k0, k1, j0, j1, i0, i1

    @staticmethod
    def _inter(a, b):
        if a is None or b is None:
            return None
        r = (max(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), min(a[3], b[3]), max(a[4], b[4]), min(a[5], b[5]))
        if r[1] <= r[0] or r[3] <= r[2] or r[5] <= r[4]:
            return None
        return r

    @staticmethod
    def _sl(box, origin=None):
        k0, k1, j0, j1, i0, i1 = box
        if origin is not None:
            k0, k1, j0, j1, i0, i1 = k0 - origin[0], k1 - origin[0], j0 - origin[2], j1 - origin[2], i0 - origin[4], i1 - origin[4]
        return slice(k0, k1), slice(j0, j1), slice(i0, i1)

    def _uvz(self, box):
        k0, k1, j0, j1, i0, i1 = box
        return self.U2[j0:j1, i0:i1][None], self.V2[j0:j1, i0:i1][None], self.Z3[k0:k1]

    def _zeta_t(self, box):
        return self.ZE3[box[0] : box[1]]

    def _shape(self, box):
        return (box[1] - box[0], box[3] - box[2], box[5] - box[4])

    def _tube_sdf(self, path, radius, dist, region, margin=12.0):
        """min(dist, tube distance) where dist covers `region` (a box)."""
        path = resample_polyline(path, 5.0)
        if np.ndim(radius) == 0:
            rad = np.full(len(path), float(radius))
        else:
            rad = np.interp(np.linspace(0, 1, len(path)), np.linspace(0, 1, len(radius)), radius)
        for a, b, ra, rb in zip(path[:-1], path[1:], rad[:-1], rad[1:]):
            box = self._inter(self._box(np.stack([a, b]), max(ra, rb) + margin), region)
            if box is None:
                continue
            u, v, z = self._uvz(box)
            ab = b - a
            L2 = max(float(ab @ ab), 1e-6)
            du, dv, dz = u - a[0], v - a[1], z - a[2]
            tt = torch.clamp((du * ab[0] + dv * ab[1] + dz * ab[2]) / L2, 0, 1)
            qx, qy, qz = du - tt * ab[0], dv - tt * ab[1], dz - tt * ab[2]
            d = torch.sqrt(qx * qx + qy * qy + qz * qz) - (ra + tt * (rb - ra))
            sl = self._sl(box, region)
            dist[sl] = torch.minimum(dist[sl], d)
        return dist

    def _ebox(self, c, abc, Rm, margin):
        ext = np.abs(Rm * abc).sum(1) + margin
        return self._box(np.stack([c - ext, c + ext]), 0)

    def _ell(self, c, abc, Rm, box):
        u, v, z = self._uvz(box)
        t = torch
        du, dv, dz = u - float(c[0]), v - float(c[1]), z - float(c[2])
        q0 = du * Rm[0, 0] + dv * Rm[1, 0] + dz * Rm[2, 0]
        q1 = du * Rm[0, 1] + dv * Rm[1, 1] + dz * Rm[2, 1]
        q2 = du * Rm[0, 2] + dv * Rm[1, 2] + dz * Rm[2, 2]
        k0 = t.sqrt((q0 / abc[0]) ** 2 + (q1 / abc[1]) ** 2 + (q2 / abc[2]) ** 2)
        k1 = t.sqrt((q0 / abc[0] ** 2) ** 2 + (q1 / abc[1] ** 2) ** 2 + (q2 / abc[2] ** 2) ** 2).clamp(min=1e-6)
        return k0 * (k0 - 1) / k1

    def _paint_ell(self, tis, c, abc, Rm, hu, grow=0.0, dist=None, region=None, k=0.0, margin=4.0):
        box = self._ebox(c, np.asarray(abc) + grow, Rm, margin + k)
        if region is not None:
            box = self._inter(box, region)
        if box is None:
            return None
        d = self._ell(c, np.asarray(abc, dtype=np.float64), Rm, box) - grow
        if hu is not None:
            m = torch.clamp(0.5 - d / self.cw, 0, 1)
            sl = self._sl(box)
            tis[sl] += m * (hu - tis[sl])
        if dist is not None:
            sl = self._sl(box, region)
            dist[sl] = smin(dist[sl], d, k) if k > 0 else torch.minimum(dist[sl], d)
        return box, d

    # ------------------------------------------------------------------------------------------------
    def _arm_box(self, s):
        a = self.arm
        cu0, cv = self.arm_centre(s, -0.5)
        cu1, _ = self.arm_centre(s, 0.5)
        lo_u = min(cu0, cu1) - a["ru"] - 12
        hi_u = max(cu0, cu1) + a["ru"] + 12
        return self.box_uvz(lo_u, hi_u, cv - a["rv"] - 12, cv + a["rv"] + 12, -1e9, 1e9)

    def _arm_sdf(self, s, box):
        a = self.arm
        u, v, z = self._uvz(box)
        ze = self.ze[box[0] : box[1]]
        cu, cv = self.arm_centre(s, ze)
        cu = torch.tensor(cu, dtype=torch.float32)[:, None, None]
        du = (u - cu) / a["ru"]
        dv = (v - cv) / a["rv"]
        k0 = torch.sqrt(du * du + dv * dv)
        k1 = torch.sqrt((du / a["ru"]) ** 2 + (dv / a["rv"]) ** 2).clamp(min=1e-6)
        return k0 * (k0 - 1) / k1

    def arm_centre(self, s, ze):
        a = self.arm
        half = self.A * np.interp(ze, self.wz, self.wprof)
        gap = a["gap"] * smoothstep(-0.05, 0.3, ze) - 10 * (1 - smoothstep(-0.2, 0.1, ze))
        return s * (half + gap + a["ru"]), a["v"]

    def _paint_arms(self, tis):
        a = self.arm
        r = np.random.default_rng(self.rng_state[6] + 5)
        marrow_hu = U(r, -60, 20)
        cw = self.cw
        for s in (-1, 1):
            box = self._arm_box(s)
            if box is None:
                continue
            sl = self._sl(box)
            d = self._arm_sdf(s, box)
            m = torch.clamp(0.5 - (d + a["fat"]) / cw, 0, 1)
            tis[sl] += m * (self.hu_mus - tis[sl])
            u, v, z = self._uvz(box)
            ze = self.ze[box[0] : box[1]]
            cu, cv = self.arm_centre(s, ze)
            cu = torch.tensor(cu - s * a["ru"] * 0.2, dtype=torch.float32)[:, None, None]
            rr = torch.sqrt((u - cu) ** 2 + (v - (cv + 5)) ** 2)
            head = 1 - tsmooth(-0.02, 0.1, self._zeta_t(box))
            rad = a["rh"] + head * (a["head"] - a["rh"])
            bone = torch.clamp(0.5 - (rr - rad) / cw, 0, 1)
            marrow = torch.clamp(0.5 - (rr - rad + 3.0 - 2.0 * head) / cw, 0, 1)
            tis[sl] += bone * (self.hu_cortex * 0.9 - tis[sl])
            tis[sl] += marrow * ((self.hu_cancel * head + (1 - head) * marrow_hu) - tis[sl])

    def _paint_breasts(self, tis):
        r = np.random.default_rng(self.rng_state[3])
        gl = U(r, 10, 40)
        for c, ab in self.breast:
            box = self._ebox(c, ab, np.eye(3), 4)
            if box is None:
                continue
            shp = self._shape(box)
            n = upsample(lowres_noise(r, tuple(max(4, x // 4) for x in shp), 1.2), shp)
            d = self._ell(c, ab, np.eye(3), box)
            inner = self._ell(c, ab * 0.7, np.eye(3), box)
            m = torch.clamp(0.5 - d / self.cw, 0, 1)
            gmask = torch.clamp((n - (1 - 2 * self.gland)) / 0.5, 0, 1) * torch.clamp(0.5 - inner / 8, 0, 1)
            sl = self._sl(box)
            tis[sl] += m * gmask * (gl - tis[sl])

    # ------------------------------------------------------------------------------------------------
    def _mediastinum(self, tis):
        t = torch
        r = np.random.default_rng(self.rng_state[4])
        cw = self.cw
        ph = self.contrast
        if ph == "none":
            blood = U(r, 35, 55)
            hu = dict(svc=blood, ra=blood, rv=blood, pa=blood, la=blood, lv=blood, ao=blood, myo=blood + U(r, 0, 10))
        elif ph == "arterial":
            a = U(r, 180, 340)
            hu = dict(svc=U(r, 500, 1400), ra=U(r, 150, 300), rv=a, pa=a, la=a * U(r, 0.8, 1.0), lv=a * U(r, 0.8, 1.0), ao=a * U(r, 0.8, 1.0), myo=U(r, 90, 130))
        else:
            v = U(r, 130, 190)
            hu = dict(svc=v + U(r, 0, 40), ra=v, rv=v, pa=v, la=v, lv=v, ao=v * U(r, 0.95, 1.05), myo=U(r, 90, 120))
        self.hu_blood = hu
        zz = np.linspace(-0.5, 1.45, 40)
        cavx = float(self.r_cav(0.0, zz).max())
        vfr = self.v_front(zz)
        vvb = self.v_vb(zz) + self.r_vb(zz)
        region = self.box_uvz(-0.85 * cavx, 0.85 * cavx, vfr.min() - 25, vvb.max() + 25, -1e9, 1e9)
        self.med_region = region
        shp = self._shape(region)
        u, v, z = self._uvz(region)
        zet = self._zeta_t(region)
        ze = self.ze[region[0] : region[1]]
        vfront = t.tensor(self.v_front(ze), dtype=t.float32)[:, None, None]
        vv = t.tensor(self.v_vb(ze), dtype=t.float32)[:, None, None]
        upper = 1 - tsmooth(self.zeta_car, self.zeta_car + 0.15, zet)
        wa = 7 + 6 * upper
        wp = 16 + 10 * upper
        frac = t.clamp((v - vfront) / (vv - vfront).clamp(min=10), 0, 1)
        w = wa + (wp - wa) * frac
        d_med = t.maximum(t.abs(u - 4.0) - w, t.maximum(vfront - v + 2, v - vv))
        # Heart with pericardial fat, myocardium and (contrast) chambers
        Rm = self.heart_axes
        pf = self.pericard_fat
        self._paint_ell(tis, self.heart_c, self.heart_abc + pf, Rm, None, dist=d_med, region=region, k=6.0)
        self._paint_ell(tis, self.heart_c, self.heart_abc + pf, Rm, self.hu_fat)
        self._paint_ell(tis, self.heart_c, self.heart_abc + pf - 0.8, Rm, 25.0)
        self._paint_ell(tis, self.heart_c, self.heart_abc + pf - 2.0, Rm, self.hu_fat)
        self._paint_ell(tis, self.heart_c, self.heart_abc, Rm, hu["myo"])
        a, b, c = self.heart_abc
        dl = Rm[:, 0]
        hc = self.heart_c
        right_ant = unit(np.array([-0.55, -0.85, 0.0]))
        for cc, abc, h in (
            (hc + 0.18 * a * dl + 0.12 * b * unit([0.6, 0.5, 0]), np.array([0.55 * a, 0.42 * b, 0.42 * c]), hu["lv"]),
            (hc - 0.02 * a * dl + 0.42 * b * right_ant, np.array([0.62 * a, 0.3 * b, 0.5 * c]), hu["rv"]),
            (hc - 0.62 * a * dl + 0.2 * b * unit([-1, 0, 0.2]), np.array([0.32 * a, 0.45 * b, 0.45 * c]), hu["ra"]),
        ):
            self._paint_ell(tis, cc, abc, Rm, h)
        for s in (-1, 1):
            if r.random() < 0.6:
                pc = hc + s * 0.7 * a * unit([1, -0.3, 0]) + np.array([0, -10, -0.5 * c])
                rr = U(r, 12, 28)
                self._paint_ell(tis, pc, np.array([rr, rr * 0.8, rr * 0.7]), np.eye(3), self.hu_fat, dist=d_med, region=region, k=6.0)
        self._paint_ell(tis, self.la_c, self.la_abc, np.eye(3), hu["la"], dist=d_med, region=region, k=5.0)
        # Great vessels and oesophagus as tube distance fields over the region
        aort = t.full(shp, 30.0)
        self._tube_sdf(self.aorta[0], self.aorta[1], aort, region)
        for path, rad in self.branches:
            self._tube_sdf(path, rad, aort, region)
        svcd = t.full(shp, 30.0)
        self._tube_sdf(self.svc, self.r_svc, svcd, region)
        ven = svcd.clone()
        for path, rad in self.bcv:
            self._tube_sdf(path, rad, ven, region)
        pa = t.full(shp, 30.0)
        self._tube_sdf(self.pt, self.r_pt, pa, region)
        self._tube_sdf(self.rpa[: int(len(self.rpa) * 0.7)], self.r_rpa, pa, region)
        self._tube_sdf(self.lpa[: int(len(self.lpa) * 0.65)], self.r_lpa, pa, region)
        az = t.full(shp, 30.0)
        self._tube_sdf(self.azygos, U(r, 3, 5), az, region)
        oe = t.full(shp, 30.0)
        zz = np.linspace(self.zof(-0.5), self.zof(1.0), 40)
        zz_ze = self.zeta(zz)
        oe_path = np.stack([self.u_oe + 4 * zz_ze * (zz_ze > 0.5), self.v_oe_f(zz_ze), zz], axis=1)
        self._tube_sdf(oe_path, self.r_oe, oe, region)
        for dd in (aort, ven, pa, oe):
            d_med = smin(d_med, dd + 2.0, 5.0)
        d_med = smin(d_med, az + 1.0, 3.0)
        for hil, s in ((self.hil_R, -1), (self.hil_L, 1)):
            hc2 = hil + np.array([-s * U(r, 4, 10), U(r, -4, 4), U(r, -6, 6)])
            rr = U(r, 10, 16)
            self._paint_ell(tis, hc2, np.array([rr, rr * 1.2, rr * 1.5]), np.eye(3), None, dist=d_med, region=region, k=6.0)
        ru = t.tensor(self.spine_u(ze), dtype=t.float32)[:, None, None]
        rvb = t.tensor(self.r_vb(ze), dtype=t.float32)[:, None, None]
        dvb = t.sqrt((u - ru) ** 2 + (v - vv) ** 2) - rvb - 1.0
        d_med = smin(d_med, dvb, 2.5)
        # fat where mediastinum and not heart / left atrium
        sl = self._sl(region)
        dh = t.full(shp, 30.0)
        self._paint_ell(tis, self.heart_c, self.heart_abc + pf, Rm, None, dist=dh, region=region)
        self._paint_ell(tis, self.la_c, self.la_abc, np.eye(3), None, dist=dh, region=region)
        med = t.clamp(0.5 - d_med / cw, 0, 1) * t.clamp(0.5 - self.d_cav[sl] / cw, 0, 1) * t.clamp(0.5 + dh / cw, 0, 1)
        tis[sl] += med * (self.hu_fat - tis[sl])
        self.heart_sdf = dh
        for c0, abc, calc in self.nodes:
            self._paint_ell(tis, c0, abc, np.eye(3), U(r, 20, 45))
            if calc:
                self._paint_ell(tis, c0, abc * U(r, 0.35, 0.8), np.eye(3), U(r, 300, 800))
        tis[sl] += t.clamp(0.5 - oe / cw, 0, 1) * (U(r, 30, 45) - tis[sl])
        if self.oe_air > 0:
            oe2 = t.full(shp, 30.0)
            self._tube_sdf(oe_path, self.oe_air, oe2, region, margin=4)
            tis[sl] += t.clamp(0.5 - oe2 / cw, 0, 1) * (self.hu_air - tis[sl])
        tis[sl] += t.clamp(0.5 - aort / cw, 0, 1) * (hu["ao"] - tis[sl])
        tis[sl] += t.clamp(0.5 - ven / cw, 0, 1) * (hu["svc"] * 0.6 + hu["ra"] * 0.4 - tis[sl])
        tis[sl] += t.clamp(0.5 - svcd / cw, 0, 1) * (hu["svc"] - tis[sl])
        tis[sl] += t.clamp(0.5 - pa / cw, 0, 1) * (hu["pa"] - tis[sl])
        tis[sl] += t.clamp(0.5 - az / cw, 0, 1) * (hu["ra"] * 0.5 + 20 - tis[sl])
        self.aort_sdf = aort
        full = t.full((self.grid.nz, self.grid.ny, self.grid.nx), 30.0)
        full[sl] = d_med
        return full

    # ------------------------------------------------------------------------------------------------
    def dome_height(self, u, v, xp=np):
        """z of the diaphragm surface under (u, v) (body frame)."""
        out = []
        cav = self.r_cav(0.0, self.zeta_dR)
        for c, ztop in ((self.dome_R, self.z_dR), (self.dome_L, self.z_dL)):
            du = (u - c[0]) / (0.55 * cav)
            dv = (v - c[1]) / (0.82 * self.B)
            rho2 = du * du + dv * dv
            post = 0.5 + 0.5 * (np.tanh((v - c[1]) / 40.0) if xp is np else torch.tanh((v - c[1]) / 40.0))
            depth = (ztop - (self.z_base + 4)) * (self.recess_ant + (1 - self.recess_ant) * post)
            out.append(ztop - depth * rho2 ** (self.dome_sharp / 2))
        z = smax(out[0], out[1], 18.0)
        floor = self.z_base + 2
        return smax(z, z * 0 + floor, 10.0)

    def _diaphragm_sdf(self):
        zd = self.dome_height(self.U2, self.V2, xp=torch)
        gy, gx = torch.gradient(zd, spacing=(self.grid.dy, self.grid.dx))
        norm = torch.sqrt(1 + gx * gx + gy * gy)
        self.zd2 = zd
        return (zd[None] - self.Z3) / norm[None]

    def _apex_sdf(self):
        r = np.random.default_rng(self.rng_state[5])
        Ub, Vb = self.U2, self.V2
        tops = []
        for s in (-1, 1):
            cu = s * 0.42 * self.r_cav(0.0, 0.05) + U(r, -5, 5)
            cv = U(r, 0, 20)
            k = U(r, 0.003, 0.006)
            c1 = U(r, 0.15, 0.35)
            drop = U(r, 0, 8)
            rho = torch.sqrt((Ub - cu) ** 2 + (Vb - cv) ** 2)
            tops.append(self.z_apex - drop - c1 * rho - k * rho * rho)
        zt = smax(smax(tops[0], tops[1], 6.0), torch.full_like(tops[0], self.z_apex - self.apex_cap), 8.0)
        gy, gx = torch.gradient(zt, spacing=(self.grid.dy, self.grid.dx))
        norm = torch.sqrt(1 + gx * gx + gy * gy)
        return (self.Z3 - zt[None]) / norm[None]

    def _effusion_sdf(self):
        t = torch
        d = t.full((self.grid.nz, self.grid.ny, self.grid.nx), 30.0)
        th = np.linspace(-math.pi, math.pi, 181)
        for side, depth in self.effusion:
            R = self.r_cav(th, 0.85)
            uu, vv = R * np.cos(th), R * np.sin(th)
            yy = self.by + self.spsi * uu + self.cpsi * vv
            sel = (uu * side) > 15
            ydep = yy[sel].max() if self.g > 0 else yy[sel].min()
            dz = depth * tsmooth(0.35, 0.85, self.ZE3)
            level = ydep - self.g * dz
            dd = (level - self.Y2[None]) * self.g
            dd = t.maximum(dd, (-side * (self.U2[None] - 3.0)))
            d = t.minimum(d, dd)
        return d

    def _paint_abdomen(self, tis, d_dia):
        t = torch
        r = np.random.default_rng(self.rng_state[6])
        cw = self.cw
        ph = self.contrast
        hu_liver = U(r, 55, 65) if ph == "none" else (U(r, 65, 85) if ph == "arterial" else U(r, 90, 120))
        hu_spleen = U(r, 45, 55) if ph == "none" else U(r, 100, 130)
        hu_bowel = U(r, -90, -40)
        region = self.box_uvz(-1e4, 1e4, -1e4, 1e4, -1e9, self.z_dR + 8)
        if region is None:
            return
        sl = self._sl(region)
        d_cav = self.d_cav[sl]
        dd = d_dia[sl]
        u, v, z = self._uvz(region)
        below = t.clamp(0.5 + dd / cw, 0, 1) * t.clamp(0.5 - (d_cav - self.rz) / cw, 0, 1)
        tis[sl] += below * (self.hu_mus - tis[sl])
        deep = t.clamp(0.5 + (dd - 4.5) / cw, 0, 1) * t.clamp(0.5 - d_cav / cw, 0, 1)
        tis[sl] += deep * (hu_bowel - tis[sl])
        edge = self.liver_edge - 0.5 * v
        liver = deep * t.clamp(0.5 - (u - edge) / 4, 0, 1)
        tis[sl] += liver * (hu_liver - tis[sl])
        ivc = t.full(self._shape(region), 30.0)
        zz = np.array([self.zof(1.5), self.z_dR - 10, self.heart_c[2] - 25])
        self._tube_sdf(np.stack([[-18, 5, zz[0]], [-16, 0, zz[1]], [-12, -5, zz[2]]]), U(r, 10, 14), ivc, region)
        tis[sl] += t.clamp(0.5 - ivc / cw, 0, 1) * deep * (self.hu_blood["ra"] - tis[sl])
        med = self.med_region
        ms = self._inter(med, region)
        if ms is not None:
            a_sl = self._sl(ms, med)
            r_sl = self._sl(ms, region)
            g_sl = self._sl(ms)
            tis[g_sl] += t.clamp(0.5 - self.aort_sdf[a_sl] / cw, 0, 1) * deep[r_sl] * (self.hu_blood["ao"] - tis[g_sl])
        for (c, abc), hu_o, kind in ((self.spleen, hu_spleen, "spleen"), (self.stomach, None, "stomach")):
            box = self._inter(self._ebox(c, abc, np.eye(3), 4), region)
            if box is None:
                continue
            d = self._ell(c, abc, np.eye(3), box)
            gs = self._sl(box)
            ls = self._sl(box, region)
            m = deep[ls] * t.clamp(0.5 - d / cw, 0, 1)
            if kind == "spleen":
                tis[gs] += m * (hu_o - tis[gs])
                continue
            tis[gs] += m * (40 - tis[gs])
            inner = deep[ls] * t.clamp(0.5 - (d + 4) / cw, 0, 1)
            tis[gs] += inner * (U(r, 5, 25) - tis[gs])
            yy = self.Y2[gs[1], gs[2]][None]
            cy = self.to_patient(c[None])[0, 1]
            level = cy - self.g * abc[1] * (1 - 2 * self.stomach_air)
            air = inner * t.clamp(0.5 + (level - yy) * self.g, 0, 1)
            tis[gs] += air * (self.hu_air - tis[gs])
        for s in (-1, 1):
            kc = np.array([s * U(r, 50, 70), self.v_vb(1.15) - 5, self.zof(1.12) - (10 if s < 0 else 0)])
            self._paint_ell(tis, kc, np.array([U(r, 25, 32), U(r, 22, 28), U(r, 45, 55)]), np.eye(3), U(r, 30, 40) if ph == "none" else U(r, 140, 200))

    def _paint_spine(self, tis):
        t = torch
        r = np.random.default_rng(self.rng_state[7])
        cw = self.cw
        zz = np.linspace(-0.5, 1.45, 40)
        vmin = float((self.v_vb(zz) - self.r_vb(zz)).min())
        region = self.box_uvz(-70, 70, vmin - 8, float(self.r_skin(math.pi / 2, zz).max()), -1e9, 1e9)
        sl = self._sl(region)
        u, v, z = self._uvz(region)
        ze = self.ze[region[0] : region[1]]
        T = lambda a: t.tensor(a, dtype=t.float32)[:, None, None]  # noqa: E731
        ru, rv, rr = T(self.spine_u(ze)), T(self.v_vb(ze)), T(self.r_vb(ze))
        du, dv = u - ru, v - rv
        rho = t.sqrt(du * du + (dv * (1.0 + 0.25 * (dv > 0).float())) ** 2)
        d_body = rho - rr
        zph = z - self.disc_phase
        ph = t.remainder(zph, self.vh)
        disc = t.clamp((self.disc - ph) + 0.5, 0, 1) * t.clamp(ph + 0.5, 0, 1)
        occ = t.clamp(0.5 - d_body / cw, 0, 1)
        cortex = self.hu_cortex
        tis[sl] += occ * (cortex - tis[sl])
        inner = t.clamp(0.5 - (d_body + U(r, 1.2, 2.0)) / cw, 0, 1)
        tis[sl] += inner * (self.hu_cancel - tis[sl])
        tis[sl] += occ * disc * (U(r, 70, 100) - tis[sl])
        canal_v = rv + rr * 0.8 + 8
        dcv = v - canal_v
        rc = t.sqrt(du * du + dcv * dcv)
        canal_r = U(r, 7, 9)
        arch = t.clamp(0.5 - (t.abs(rc - canal_r - 3.5) - 3.0) / cw, 0, 1) * t.clamp(dcv / 3 + 0.5, 0, 1)
        part = t.clamp((self.vh * 0.65 - t.remainder(zph + self.vh * 0.4, self.vh)) / 1.5 + 0.5, 0, 1)
        spin_len = U(r, 28, 40)
        spin = t.clamp(0.5 - (t.abs(du) - 3.5) / cw, 0, 1) * t.clamp((dcv - canal_r) / 2, 0, 1) * t.clamp((canal_r + spin_len - dcv) / 2, 0, 1)
        trans = t.zeros_like(spin)
        for s in (-1, 1):
            dir_u, dir_v = s * 0.8, 0.6
            along = du * dir_u + dcv * dir_v
            across = -du * dir_v + dcv * dir_u
            trans = t.maximum(trans, t.clamp(0.5 - (t.abs(across) - 4.5) / cw, 0, 1) * t.clamp((along - canal_r) / 2, 0, 1) * t.clamp((canal_r + 24 - along) / 2, 0, 1))
        bone = t.maximum(t.maximum(arch, spin), trans) * part
        tis[sl] += bone * (0.5 * (cortex + self.hu_cancel) - tis[sl])
        canal = t.clamp(0.5 - (rc - canal_r) / cw, 0, 1)
        tis[sl] += canal * (U(r, 10, 30) - tis[sl])

    def _paint_sternum(self, tis):
        t = torch
        cw = self.cw
        zz = np.linspace(-0.5, 1.2, 30)
        vf = self.v_front(zz)
        region = self.box_uvz(-45, 45, vf.min() - 30, vf.max() + 5, self.z_xiph - 4, self.z_clav + 12)
        if region is None:
            return
        sl = self._sl(region)
        u, v, z = self._uvz(region)
        ze = self.ze[region[0] : region[1]]
        zet = self._zeta_t(region)
        vfront = t.tensor(self.v_front(ze) - self.rz * 0.35, dtype=t.float32)[:, None, None]
        za = self.zeta(self.z_sternal_angle)
        man = 1 - tsmooth(za - 0.02, za + 0.02, zet)
        w = self.st_w / 2 * (1 + 0.6 * man)
        th = self.st_th * (1 + 0.3 * man)
        cv = vfront - th / 2
        d = t.maximum(t.abs(u - 1.0) - w, t.abs(v - cv) - th / 2)
        zr = t.clamp((self.z_clav + 8 - z) / 2 + 0.5, 0, 1) * t.clamp((z - self.z_xiph) / 2 + 0.5, 0, 1)
        occ = t.clamp(0.5 - d / cw, 0, 1) * zr
        tis[sl] += occ * (self.hu_cortex * 0.8 - tis[sl])
        inner = t.clamp(0.5 - (d + 1.5) / cw, 0, 1) * zr
        tis[sl] += inner * (self.hu_cancel - tis[sl])
        gap = t.clamp(1.5 - t.abs(z - self.z_sternal_angle), 0, 1)
        tis[sl] += occ * gap * (self.hu_cart - tis[sl])

    def _paint_scapulae(self, tis):
        t = torch
        r = np.random.default_rng(self.rng_state[2] + 7)
        cw = self.cw
        z_top = self.zeta(self.z_clav + 5)
        z_bot = U(r, 0.38, 0.5)
        region = self.box_uvz(-1e4, 1e4, -30, 1e4, self.zof(z_bot) - 4, self.zof(z_top) + 4)
        if region is None:
            return
        k0, k1, j0, j1, i0, i1 = region
        sl = self._sl(region)
        ze = self.ze[k0:k1]
        zet = self._zeta_t(region)
        bins = self.bins.view(self.grid.ny, self.grid.nx)[j0:j1, i0:i1].reshape(-1)
        tab = self.r_cav(self.th_tab[None, :], ze[:, None]) + self.rz + U(r, 4, 9)
        Rs = t.tensor(tab, dtype=t.float32)[:, bins].reshape(self._shape(region))
        R2 = self.R2[j0:j1, i0:i1][None]
        TH = self.TH[j0:j1, i0:i1]
        thick = U(r, 2.5, 4.0)
        for s in (-1, 1):
            alpha = (math.pi / 2 - TH) if s > 0 else (TH - math.pi / 2)
            alpha = (t.remainder(alpha + math.pi, 2 * math.pi) - math.pi)[None]
            frac = t.clamp((zet - z_top) / (z_bot - z_top), 0, 1)
            a1 = 0.45 + 0.25 * frac
            a2 = 1.35 - 0.55 * frac
            if self.arm is None:
                a1, a2 = a1 + 0.15, a2 + 0.2
            win = t.clamp((alpha - a1) / 0.05, 0, 1) * t.clamp((a2 - alpha) / 0.05, 0, 1)
            zr = t.clamp((zet - z_top) / 0.01, 0, 1) * t.clamp((z_bot - zet) / 0.01, 0, 1)
            lateral = t.clamp(1 - (a2 - alpha) / 0.12, 0, 1)
            th_eff = thick + 5 * lateral
            d = t.abs(R2 - Rs - th_eff / 2) - th_eff / 2
            occ = t.clamp(0.5 - d / cw, 0, 1) * win * zr
            tis[sl] += occ * (self.hu_cortex * 0.75 - tis[sl])

    def _lung_hu(self):
        t = torch
        g = self.grid
        r = np.random.default_rng(self.rng_state[3] + 11)
        th = np.linspace(-math.pi, math.pi, 181)
        R = self.r_cav(th, 0.6)
        uu, vv = R * np.cos(th), R * np.sin(th)
        yy = self.by + self.spsi * uu + self.cpsi * vv
        ymin, ymax = yy.min(), yy.max()
        Y = self.Y2
        dep = (Y - ymin) / (ymax - ymin) if self.g > 0 else (ymax - Y) / (ymax - ymin)
        dep = t.clamp(dep, 0, 1) ** 1.6
        hu = self.hu_lung + self.lung_grad * dep
        small = (max(4, int(g.nz * g.dz / 5)), max(4, int(g.ny * g.dy / 5)), max(4, int(g.nx * g.dx / 5)))
        n1 = upsample(lowres_noise(r, small, 1.5), (g.nz, g.ny, g.nx))
        small2 = (max(4, int(g.nz * g.dz / 2.5)), max(4, int(g.ny * g.dy / 2.5)), max(4, int(g.nx * g.dx / 2.5)))
        n1 += (0.45 / 0.75) * upsample(lowres_noise(r, small2, 1.0), (g.nz, g.ny, g.nx))
        return (hu[None] + (0.75 * self.lung_tex) * n1).float()

    # ------------------------------------------------------------------------------------------------
    # Fine-rendered skeleton: ribs, costal cartilages, clavicles (capsules in the body frame)
    def skeleton(self, caps):
        from .trees import F_BONE, F_CART

        r = np.random.default_rng(self.rng_state[0] + 99)
        z_t1 = self.z_apex + U(r, -8, 4)
        self.rib_paths = []
        a_end_tab = {1: 2.3, 2: 2.42, 3: 2.45, 4: 2.45, 5: 2.45, 6: 2.42, 7: 2.38, 8: 2.28, 9: 2.12, 10: 1.95, 11: 1.45, 12: 1.0}
        calcified = r.random() < 0.45
        hu_cart_scale = 1.0
        z_st = {1: self.z_clav - 6}
        for k in range(2, 8):
            z_st[k] = self.z_sternal_angle - (k - 2) * (self.z_sternal_angle - self.z_xiph - 8) / 5.0
        for s in (-1, 1):
            prev_cart = None
            for k in range(1, 13):
                z_post = z_t1 - (k - 1) * self.vh + U(r, -1.5, 1.5)
                if z_post < self.zof(1.45) or z_post > self.zof(-0.5):
                    continue
                a0 = 0.34
                a_end = a_end_tab[k] + U(r, -0.06, 0.06)
                drop = self.vh * float(np.interp(k, [1, 3, 6, 9, 12], [1.6, 3.0, 3.8, 3.6, 1.8])) * U(r, 0.9, 1.1)
                rr = float(np.interp(k, [1, 2, 4, 8, 12], [5.0, 4.6, 4.4, 4.3, 3.6])) * U(r, 0.9, 1.1)
                ct = U(r, 1.0, 1.6)
                n = max(10, int((a_end - a0) * 180 / 10))
                al = np.linspace(a0, a_end, n)
                tt = (al - a0) / (a_end - a0)
                zz = z_post - drop * tt**0.9
                th = math.pi / 2 - s * al
                R = self.r_cav(th, self.zeta(zz)) + rr + 1.5
                pts = np.stack([R * np.cos(th), R * np.sin(th), zz], axis=1)
                ze0 = self.zeta(z_post)
                head = np.array([s * (self.r_vb(ze0) + 1.0) + self.spine_u(ze0), self.v_vb(ze0) + 0.2 * self.r_vb(ze0), z_post + 2])
                pts = np.vstack([head, pts])
                caps.add_path(self.to_patient(pts), rr, F_BONE, rr - ct)
                self.rib_paths.append(pts)
                # costal cartilage
                cr = 0.8 * rr
                if k <= 7:
                    a1 = math.pi - 0.1
                    m = 8
                    al2 = np.linspace(a_end, a1, m)
                    w = smoothstep(0, 1, np.linspace(0, 1, m))
                    z2 = zz[-1] + (z_st[k] - zz[-1]) * w
                    th2 = math.pi / 2 - s * al2
                    R2 = self.r_cav(th2, self.zeta(z2)) + cr + 1.5
                    c_pts = np.stack([R2 * np.cos(th2), R2 * np.sin(th2), z2], axis=1)
                    c_pts[-1, 0] = s * (self.st_w / 2 * (1.6 if k == 1 else 1.0) + 1)
                    c_pts[0] = pts[-1]
                    caps.add_path(self.to_patient(c_pts), cr, F_CART)
                    prev_cart = c_pts
                elif k <= 10 and prev_cart is not None:
                    al2 = np.linspace(a_end, a_end + 0.35, 5)
                    z2 = zz[-1] + np.linspace(0, 0.7 * self.vh, 5)
                    th2 = math.pi / 2 - s * al2
                    R2 = self.r_cav(th2, self.zeta(z2)) + cr + 1.5
                    c_pts = np.stack([R2 * np.cos(th2), R2 * np.sin(th2), z2], axis=1)
                    c_pts[0] = pts[-1]
                    caps.add_path(self.to_patient(c_pts), cr, F_CART)
                    c_pts = None
                else:
                    c_pts = None
                if calcified and c_pts is not None:
                    for _ in range(r.integers(0, 4)):
                        q = c_pts[r.integers(0, len(c_pts))] + r.normal(0, 1.5, 3)
                        rad = U(r, 0.8, 2.2)
                        caps.add(self.to_patient(q), self.to_patient(q + [0.3, 0, 0]), rad, rad, F_BONE)
        # clavicles
        for s in (-1, 1):
            zc = self.z_clav + U(r, -3, 3)
            up = 18 if not self.arms_down else 4
            vf = self.v_front(self.zeta(zc))
            ctrl = np.array(
                [
                    [s * U(r, 12, 20), vf - 10, zc + 4],
                    [s * 0.3 * self.A, vf - 14, zc + 6],
                    [s * 0.55 * self.A, vf - 2, zc + 10 + up * 0.4],
                    [s * 0.78 * self.A, vf + U(r, 25, 45), zc + 12 + up],
                ]
            )
            path = catmull_rom(ctrl, 6)
            rc = U(r, 5, 7)
            caps.add_path(self.to_patient(path), rc, F_BONE, rc - U(r, 1.3, 2.0))

    def devices(self, caps, rng):
        """Metal (pacemaker and leads, port and catheter, surgical clips) in about 10% of cases."""
        from .trees import F_METAL

        self.metal = []  # (body-frame point, strength) streak sources
        self.metal_boxes = []
        if rng.random() >= 0.1:
            return
        kind = rng.choice(["pacemaker", "port", "clips"], p=[0.4, 0.3, 0.3])
        self.device_kind = str(kind)
        ze = U(rng, 0.08, 0.2)
        if kind in ("pacemaker", "port"):
            s = 1 if (kind == "pacemaker" and rng.random() < 0.8) else -1
            th = -math.pi / 2 + s * U(rng, 0.6, 0.9)
            R = self.r_muscle_out(th, ze) + 6
            c = np.array([R * math.cos(th), R * math.sin(th), self.zof(ze)])
            size = np.array([22.0, 5.0, 25.0]) if kind == "pacemaker" else np.array([12.0, 7.0, 12.0])
            self.metal_boxes.append((c, size, 3000.0 if kind == "pacemaker" else U(rng, 800, 2000)))
            self.metal.append((c, 1.0))
            # lead / catheter via the subclavian vein into the SVC and heart
            svc_top = self.svc[0]
            tip = self.heart_c + np.array([U(rng, -10, 10), -U(rng, 0, 20), -U(rng, 10, 30)]) if kind == "pacemaker" else self.svc[-1] + [0, 0, -15]
            ctrl = np.array([c, c + [-s * 30, 20, 10], [s * 20, self.vc - 20, self.z_arch + 25], svc_top, self.svc[len(self.svc) // 2], self.svc[-1], tip])
            path = catmull_rom(ctrl, 8)
            rad = U(rng, 0.9, 1.3)
            caps.add_path(self.to_patient(path), rad, F_METAL)
            self.lead_hu = 2500.0 if kind == "pacemaker" else U(rng, 150, 400)
            for p in path[:: max(1, len(path) // 8)]:
                self.metal.append((p, 0.35 if kind == "pacemaker" else 0.05))
        else:
            self.lead_hu = 3000.0
            for _ in range(rng.integers(2, 7)):
                c = np.array([U(rng, -40, 40), self.vc + U(rng, -40, 10), self.z_car + U(rng, -60, 30)])
                d = unit(rng.normal(size=3)) * U(rng, 2, 4)
                caps.add(self.to_patient(c - d), self.to_patient(c + d), 0.6, 0.6, F_METAL)
                self.metal.append((c, 0.5))

    def paint_devices(self):
        """Coarse-paint device bodies (pacemaker generator, port chamber)."""
        if not getattr(self, "metal_boxes", None):
            return
        t = torch
        for c, size, hu in self.metal_boxes:
            box = self._box(np.stack([c - size - 4, c + size + 4]), 2)
            if box is None:
                continue
            u, v, z = self._uvz(box)
            d = t.maximum(t.maximum(t.abs(u - c[0]) - size[0], t.abs(v - c[1]) - size[1]), t.abs(z - c[2]) - size[2])
            sl = self._sl(box)
            m = t.clamp(0.5 - d / self.grid.dx, 0, 1)
            self.tissue[sl] += m * (hu - self.tissue[sl])
