"""Case parameters and the analytic (large-scale) chest anatomy of lucent-gen3.

Local frame: x to the patient's left, y posterior, z superior (LPS axes), millimetres. z = 0 is the lowest
point of the posterior costophrenic recess, H the lung apex. Everything here is written so that x and y may be
broadcast arrays (a row vector of column positions, a column vector of row positions) and z a scalar or an
array of the same broadcast shape.
"""
import math

import numpy as np


def smoothstep(a, b, t):
    u = np.clip((np.asarray(t, dtype=np.float64) - a) / (b - a), 0.0, 1.0)
    return u * u * (3 - 2 * u)


def soft(d, w):
    """Fraction inside for signed distance d (negative inside), transition width w (mm)."""
    return np.clip(0.5 - d / w, 0.0, 1.0)


def ellipse_d(x, y, cx, cy, a, b, p=2.0):
    """Approximate signed distance (mm) to a superellipse |dx/a|^p + |dy/b|^p = 1."""
    dx = np.abs(x - cx) / a
    dy = np.abs(y - cy) / b
    if p == 2.0:
        rho = np.sqrt(dx * dx + dy * dy)
    else:
        rho = (dx ** p + dy ** p) ** (1.0 / p)
    scale = np.minimum(a, b) * 0.5 + 0.5 * np.sqrt((a * dx) ** 2 + (b * dy) ** 2) / np.maximum(rho, 1e-6)
    return (rho - 1.0) * scale


def sample_case(rng, small):
    c = {}
    c['female'] = bool(rng.random() < 0.45)
    W = rng.uniform(260, 420)
    D = float(np.clip(W * rng.uniform(0.62, 0.78), 180, 300))
    c['A'], c['B'] = W / 2, D / 2
    size = (W - 260) / 160.0
    fat = float(np.clip(5 + 28 * size * rng.uniform(0.5, 1.3) + rng.normal(0, 4), 5, 40))
    c['fat_lat'] = fat
    c['fat_ant'] = fat * rng.uniform(0.6, 1.1)
    c['fat_post'] = fat * rng.uniform(0.3, 0.6)
    c['mus_lat'] = rng.uniform(8, 16)
    c['mus_ant'] = rng.uniform(8, 20)
    c['mus_post'] = rng.uniform(14, 26)
    c['p_body'] = rng.uniform(2.1, 2.8)
    c['p_cav'] = rng.uniform(2.0, 2.4)
    front = -c['B'] + c['fat_ant'] + c['mus_ant'] + 2
    back = c['B'] - c['fat_post'] - c['mus_post'] - 2
    c['ycc'] = 0.5 * (front + back)
    c['Bc'] = 0.5 * (back - front)
    c['Ac'] = c['A'] - fat - c['mus_lat'] - 2
    c['H'] = float(np.clip(rng.uniform(190, 250) + 60 * size * rng.uniform(0, 1), 185, 290))
    H = c['H']
    # diaphragm: right dome higher than left
    c['domeL'] = rng.uniform(45, 75)
    c['domeR'] = c['domeL'] + rng.uniform(8, 28)
    c['dome_ys'] = c['ycc'] - rng.uniform(0.1, 0.22) * c['Bc']
    # apex
    c['apex_h'] = rng.uniform(45, 70)
    # mediastinum
    c['xm'] = rng.uniform(2, 10)
    c['am_top'] = rng.uniform(20, 28)
    c['z_car'] = H * rng.uniform(0.56, 0.64)
    c['z_arch'] = c['z_car'] + rng.uniform(18, 32)
    c['am_arch'] = rng.uniform(34, 44)
    # heart
    cw = 2 * c['Ac']
    ah = cw * rng.uniform(0.2, 0.25)
    c['heart'] = dict(x=rng.uniform(12, 32), y=c['ycc'] - rng.uniform(0.15, 0.3) * c['Bc'],
                      a=ah, b=min(ah * rng.uniform(0.75, 0.9), c['Bc'] * 0.62), c=ah * rng.uniform(0.8, 0.95),
                      rot=math.radians(rng.uniform(25, 45)))
    c['heart']['z'] = c['domeL'] - 10 + c['heart']['c'] * 0.75
    # spine
    c['r_vb'] = rng.uniform(15, 20)
    c['y_vb'] = c['ycc'] + c['Bc'] - rng.uniform(24, 34)
    c['vperiod'] = (H + 10) / rng.uniform(10.0, 11.0)
    c['vphase'] = rng.uniform(0, 1)
    # tissue HU
    c['hu_fat'] = rng.uniform(-120, -80)
    c['hu_mus'] = rng.uniform(35, 55)
    c['hu_lung'] = rng.uniform(-900, -820)
    c['lung_grad'] = rng.uniform(60, 150)
    c['lung_grad_len'] = rng.uniform(30, 50)
    c['hu_liver'] = rng.uniform(50, 65)
    c['hu_cort'] = rng.uniform(700, 1300)
    c['hu_marrow'] = rng.uniform(150, 330)
    c['hu_cart'] = rng.uniform(80, 150)
    r = rng.random()
    c['contrast'] = 'none' if r < 0.5 else ('arterial' if r < 0.8 else 'venous')
    if c['contrast'] == 'none':
        b = rng.uniform(35, 55)
        c['hu_ao'], c['hu_pa'], c['hu_pv'], c['hu_svc'], c['hu_heart'] = b, b, b, b, b
    elif c['contrast'] == 'arterial':
        c['hu_ao'] = rng.uniform(250, 350)
        c['hu_pa'] = rng.uniform(150, 300)
        c['hu_pv'] = c['hu_ao'] * rng.uniform(0.8, 1.0)
        c['hu_svc'] = rng.uniform(60, 350)
        c['hu_heart'] = c['hu_ao'] * 0.85
        c['hu_liver'] += rng.uniform(5, 20)
    else:
        v = rng.uniform(140, 190)
        c['hu_ao'], c['hu_pa'], c['hu_pv'], c['hu_svc'], c['hu_heart'] = v, v * 0.95, v, v * 0.9, v
        c['hu_liver'] += rng.uniform(40, 60)
    c['arms_down'] = bool(rng.random() < 0.3)
    c['arm_r'] = (rng.uniform(38, 52) * (0.8 + 0.4 * size), rng.uniform(42, 58) * (0.8 + 0.4 * size))
    c['breasts'] = c['female'] and rng.random() < 0.85
    c['breast'] = (rng.uniform(40, 75), rng.uniform(15, 55) * (0.6 + 0.6 * size), rng.uniform(45, 65))
    c['effusion'] = float(rng.uniform(8, 30)) if rng.random() < 0.12 else 0.0
    c['effusion_side'] = int(rng.integers(0, 3))  # 0 right, 1 left, 2 both
    c['stomach_air'] = rng.uniform(0.0, 0.6)
    c['mattress'] = float(rng.uniform(8, 30)) if rng.random() < 0.4 else 0.0
    # fissures
    c['fis_t'] = rng.uniform(0.5, 1.5)
    c['obl'] = [dict(top=H * rng.uniform(0.66, 0.78), bot=rng.uniform(0.08, 0.2) * H, tilt=rng.uniform(0.3, 0.7),
                     curv=rng.uniform(-0.002, 0.002), gap=rng.uniform(0, 1) < 0.3, gapx=rng.uniform(0.2, 0.5))
                for _ in range(2)]
    c['hor'] = dict(z=H * rng.uniform(0.5, 0.6), tilt=rng.uniform(-0.12, 0.12), gap=rng.uniform(0, 1) < 0.5,
                    gapx=rng.uniform(0.3, 0.7))
    c['tex'] = [(rng.normal(0, 1, 3) * np.array([0.08, 0.08, 0.05]), rng.uniform(0, 2 * np.pi), rng.normal(0, 1))
                for _ in range(10)]
    return c


# --- z profiles -------------------------------------------------------------------------------------------

def body_axes(c, z):
    H = c['H']
    fa = 1.0 - 0.13 * smoothstep(0.75 * H, H + 40, z) - 0.04 * smoothstep(0.05 * H, -40, z)
    fb = 1.0 - 0.2 * smoothstep(0.6 * H, H + 40, z)
    return c['A'] * fa, c['B'] * fb


def cavity_axes(c, z):
    H = c['H']
    ga = 1.0 - 0.38 * smoothstep(0.5 * H, H + 15, z) - 0.06 * smoothstep(0.1 * H, -30, z)
    gb = 1.0 - 0.28 * smoothstep(0.55 * H, H + 15, z)
    return c['Ac'] * ga, c['Bc'] * gb


def cavity_center_y(c, z):
    # the upper thorax is shallower in front: centre moves posterior near the apex
    return c['ycc'] + 0.12 * c['Bc'] * smoothstep(0.55 * c['H'], c['H'] + 10, z)


def diaphragm_z(c, x, y):
    Ac, Bc = c['Ac'], c['Bc']
    out = None
    for side, top in ((-1, c['domeR']), (1, c['domeL'])):
        xs = side * 0.42 * Ac
        q = ((x - xs) / (0.62 * Ac)) ** 2 + ((y - c['dome_ys']) / (1.12 * Bc)) ** 2
        zz = top * (1.0 - np.minimum(q, 1.3))
        out = zz if out is None else np.maximum(out, zz)
    return out


def apex_z(c, x, y):
    H, Ac, Bc = c['H'], c['Ac'], c['Bc']
    out = None
    for side in (-1, 1):
        q = ((x - side * 0.45 * Ac) / (0.5 * Ac)) ** 2 + ((y - c['ycc'] - 0.15 * Bc) / (0.85 * Bc)) ** 2
        zz = H - c['apex_h'] * q
        out = zz if out is None else np.maximum(out, zz)
    return out


def med_half_width(c, z):
    H = c['H']
    bump = np.exp(-((z - c['z_arch'] + 5) / 22.0) ** 2)
    return c['am_top'] + (c['am_arch'] - c['am_top']) * bump + 6 * smoothstep(0.75 * H, 0.3 * H, z)


def heart_d(c, x, y, z, grow=0.0):
    h = c['heart']
    dx, dy = x - h['x'], y - h['y']
    ca, sa = math.cos(h['rot']), math.sin(h['rot'])
    u = dx * ca + dy * sa
    v = -dx * sa + dy * ca
    a, b, cc = h['a'] + grow, h['b'] + grow, h['c'] + grow
    rho = np.sqrt((u / a) ** 2 + (v / b) ** 2 + ((z - h['z']) / cc) ** 2)
    return (rho - 1.0) * min(a, b, cc)


def desc_aorta_xy(c, z):
    return c['r_vb'] + 9.0 + 2.0, c['y_vb'] - 6.0


def lung_sd(c, x, y, z):
    """Approximate signed distance to the lungs (negative inside), 3D points or broadcast planes."""
    Acz, Bcz = cavity_axes(c, z)
    ycz = cavity_center_y(c, z)
    d = ellipse_d(x, y, 0.0, ycz, Acz, Bcz, c['p_cav'])
    am = med_half_width(c, z)
    d = np.maximum(d, -ellipse_d(x, y, c['xm'], ycz, am, Bcz * 1.04))
    d = np.maximum(d, -heart_d(c, x, y, z, grow=4.0))
    d = np.maximum(d, -ellipse_d(x, y, 0.0, c['y_vb'] + 4, c['r_vb'] + 7, c['r_vb'] + 12))
    dax, day = desc_aorta_xy(c, z)
    d = np.maximum(d, -(np.sqrt((x - dax) ** 2 + (y - day) ** 2) - 14.0))
    d = np.maximum(d, (diaphragm_z(c, x, y) - z) * 0.7)
    d = np.maximum(d, (z - apex_z(c, x, y)) * 0.7)
    return d


def oblique_z(c, side, x, y):
    f = c['obl'][0 if side < 0 else 1]
    yb = c['ycc'] + c['Bc']
    yf = c['ycc'] - c['Bc']
    t = (yb - y) / (yb - yf)
    xa = np.abs(x) - 0.5 * c['Ac']
    return f['top'] + t * (f['bot'] - f['top']) + f['tilt'] * xa + f['curv'] * (y - c['ycc']) ** 2


def horizontal_z(c, x, y):
    f = c['hor']
    return f['z'] + f['tilt'] * (y - c['ycc']) + 0.05 * (np.abs(x) - 0.5 * c['Ac'])


def lobe_of(c, p):
    """Lobe index per 3D point: 0 RUL, 1 RML, 2 RLL, 3 LUL, 4 LLL."""
    x, y, z = p[:, 0], p[:, 1], p[:, 2]
    right = x < c['xm']
    out = np.where(right, 2, 4)
    zo = np.where(right, oblique_z(c, -1, x, y), oblique_z(c, 1, x, y))
    upper = z > zo
    out = np.where(upper & ~right, 3, out)
    zh = horizontal_z(c, x, y)
    out = np.where(upper & right & (z > zh), 0, out)
    out = np.where(upper & right & (z <= zh), 1, out)
    return out
