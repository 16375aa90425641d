"""Tubular structures of lucent-gen3 as sphere samples along curves: pulmonary vessel and airway trees,
ribs, clavicles, costal cartilage, mediastinal vessels, trachea, oesophagus, lymph nodes, small confusers.

Each structure becomes samples (point, radius, label); render.py splats them per thin sub-plane.
"""
import math

import numpy as np

from anatomy import (cavity_axes, cavity_center_y, desc_aorta_xy, lobe_of, lung_sd,
                     med_half_width)

LABELS = ['emph', 'pa', 'pv', 'soft', 'ao', 'svc', 'aw', 'al', 'mucus', 'cart', 'bc', 'bm', 'calc', 'metal']
LAB = {n: i for i, n in enumerate(LABELS)}


class Tubes:
    def __init__(self):
        self.p, self.r, self.lab = [], [], []

    def curve(self, pts, radii, label, step_frac=0.45, min_step=0.25):
        """Polyline through pts (m,3) with radii (m,), sampled densely."""
        pts = np.asarray(pts, dtype=np.float64)
        radii = np.asarray(radii, dtype=np.float64)
        seg = np.linalg.norm(np.diff(pts, axis=0), axis=1)
        cum = np.concatenate([[0.0], np.cumsum(seg)])
        total = cum[-1]
        if total <= 0:
            self.sphere(pts[0], radii[0], label)
            return
        step = max(min_step, step_frac * float(radii.min()))
        n = max(2, int(math.ceil(total / step)) + 1)
        t = np.linspace(0, total, n)
        p = np.stack([np.interp(t, cum, pts[:, k]) for k in range(3)], axis=1)
        self.p.append(p)
        self.r.append(np.interp(t, cum, radii))
        self.lab.append(np.full(n, LAB[label], dtype=np.int16))

    def bezier(self, p0, pm, p1, r0, r1, label, step_frac=0.45):
        t = np.linspace(0, 1, 9)[:, None]
        pts = (1 - t) ** 2 * p0 + 2 * (1 - t) * t * pm + t ** 2 * p1
        self.curve(pts, np.linspace(r0, r1, 9), label, step_frac)

    def sphere(self, p, r, label):
        self.p.append(np.asarray(p, dtype=np.float64).reshape(1, 3))
        self.r.append(np.array([float(r)]))
        self.lab.append(np.array([LAB[label]], dtype=np.int16))

    def arrays(self):
        if not self.p:
            return np.zeros((0, 3)), np.zeros(0), np.zeros(0, dtype=np.int16)
        return np.concatenate(self.p), np.concatenate(self.r), np.concatenate(self.lab)


def unit(v):
    n = np.linalg.norm(v)
    return v / n if n > 0 else v


def perp(rng, d):
    a = np.array([1.0, 0, 0]) if abs(d[0]) < 0.8 else np.array([0, 1.0, 0])
    u = unit(np.cross(d, a))
    w = np.cross(d, u)
    t = rng.uniform(0, 2 * np.pi)
    return u * math.cos(t) + w * math.sin(t)


def lung_points(rng, c, n, margin=1.5):
    out = []
    need = n
    while need > 0:
        m = need * 4 + 100
        p = np.stack([rng.uniform(-c['Ac'], c['Ac'], m),
                      rng.uniform(c['ycc'] - c['Bc'], c['ycc'] + c['Bc'], m),
                      rng.uniform(0, c['H'], m)], axis=1)
        ok = lung_sd(c, p[:, 0], p[:, 1], p[:, 2]) < -margin
        out.append(p[ok][:need])
        need -= int(ok.sum())
    return np.concatenate(out)[:n]


def grow_tree(rng, root, pts, r_root, label, tubes, segs=None):
    """Territory-splitting tree: radius follows Murray's law through the territory point counts."""
    n0 = len(pts)
    stack = [(np.asarray(root, dtype=np.float64), r_root, pts, None)]
    while stack:
        P, r, S, dprev = stack.pop()
        n = len(S)
        if n <= 2:
            for q in S:
                L = np.linalg.norm(q - P)
                if L < 0.5:
                    continue
                d = (q - P) / L
                pm = 0.5 * (P + q) + perp(rng, d) * L * rng.uniform(0.03, 0.12)
                rr = r * (1.0 / n) ** (1 / 3)
                tubes.bezier(P, pm, q, rr, rr * 0.75, label)
            continue
        cen = S.mean(axis=0)
        vec = cen - P
        dist = np.linalg.norm(vec)
        if dist < 1e-3:
            vec, dist = perp(rng, np.array([0, 0, 1.0])), 1.0
        d = vec / dist
        if dprev is not None:  # keep some memory of the parent direction (smooth curving)
            d = unit(d + 0.25 * dprev)
        L = float(np.clip(rng.uniform(0.3, 0.5) * dist, 1.5 * r + 1.0, 28 + 5 * r))
        B = P + d * L
        pm = 0.5 * (P + B) + perp(rng, d) * L * rng.uniform(0.03, 0.15)
        tubes.bezier(P, pm, B, r, r * 0.96, label)
        if segs is not None:
            segs.append((P, pm, B, r))
        sub = S if n <= 80 else S[rng.choice(n, 80, replace=False)]
        cov = np.cov((sub - sub.mean(axis=0)).T)
        w, v = np.linalg.eigh(cov)
        axis = v[:, -1]
        proj = (S - cen) @ axis
        q = rng.uniform(0.3, 0.7)
        k = min(max(1, int(q * n)), n - 1)
        order = np.argsort(proj, kind='stable')
        S1, S2 = S[order[:k]], S[order[k:]]
        stack.append((B, r * (len(S1) / n) ** (1 / 3), S1, d))
        stack.append((B, r * (len(S2) / n) ** (1 / 3), S2, d))
    return n0


def hila(c):
    zc = c['z_car']
    amR = float(med_half_width(c, zc - 12))
    amL = float(med_half_width(c, zc - 4))
    HR = np.array([c['xm'] - amR - 6, c['ycc'] + 0.02 * c['Bc'], zc - 12])
    HL = np.array([c['xm'] + amL + 6, c['ycc'] + 0.06 * c['Bc'], zc - 4])
    return HR, HL


def build(rng, c, small, zmin, zmax):
    t = Tubes()
    vessel_segs = []
    HR, HL = hila(c)
    zc = c['z_car']
    Bc = c['Bc']
    h = c['heart']
    # ---- pulmonary arteries and veins, per lobe
    scale = 0.8 if small else 1.0
    art_pts = lung_points(rng, c, int(4200 * scale))
    vein_pts = lung_points(rng, c, int(4200 * scale))
    la = np.array([h['x'] - 10, h['y'] + 0.55 * h['b'], h['z'] + 0.3 * h['c']])
    art_roots = {0: HR + [0, 0, 10], 1: HR + [2, -6, -10], 2: HR + [0, 8, -14],
                 3: HL + [0, 0, 8], 4: HL + [0, 8, -14]}
    vein_roots = {0: np.array([HR[0] + 2, c['ycc'] - 0.12 * Bc, zc - 28]), 1: np.array([HR[0] + 3, c['ycc'] - 0.2 * Bc, zc - 40]),
                  2: np.array([HR[0] + 4, c['ycc'] + 0.15 * Bc, zc - 52]),
                  3: np.array([HL[0] - 2, c['ycc'] - 0.08 * Bc, zc - 24]), 4: np.array([HL[0] - 2, c['ycc'] + 0.15 * Bc, zc - 48])}
    alob = lobe_of(c, art_pts)
    vlob = lobe_of(c, vein_pts)
    bronchus_roots = []
    for lobe in range(5):
        S = art_pts[alob == lobe]
        if len(S) > 3:
            segs = []
            r0 = 0.5 * len(S) ** (1 / 3)
            grow_tree(rng, art_roots[lobe], S, r0, 'pa', t, segs)
            vessel_segs.extend(segs)
            # bronchi beside arteries: same curve shifted sideways, walls a fifth of the diameter
            ref = unit(rng.normal(0, 1, 3))
            first = True
            for (P, pm, B, r) in segs:
                if r < 0.9:
                    continue
                d = unit(B - P)
                o = unit(np.cross(d, ref))
                if not np.isfinite(o).all() or np.linalg.norm(o) < 0.5:
                    o = perp(rng, d)
                rb = 0.85 * r
                off = o * (r + rb + 0.4)
                t.bezier(P + off, pm + off, B + off, rb, rb * 0.97, 'aw')
                t.bezier(P + off, pm + off, B + off, rb * 0.6, rb * 0.58, 'al')
                if first:
                    bronchus_roots.append((lobe, P + off, rb))
                    first = False
        S = vein_pts[vlob == lobe]
        if len(S) > 3:
            segs = []
            r0 = 0.52 * len(S) ** (1 / 3)
            grow_tree(rng, vein_roots[lobe], S, r0, 'pv', t, segs)
            vessel_segs.extend(segs)
            t.curve([la, 0.5 * (la + vein_roots[lobe]) + [0, 0, 4], vein_roots[lobe]], [7, 6.5, 6], 'pv')
    # ---- aorta, arch vessels, pulmonary trunk, SVC
    rA = rng.uniform(13, 17)
    rD = rng.uniform(10, 13)
    za = c['z_arch']
    asc0 = np.array([h['x'] - 0.45 * h['a'], h['y'] - 0.05 * h['b'], h['z'] + 0.45 * h['c']])
    asc1 = np.array([rng.uniform(-12, -2), c['ycc'] - 0.35 * Bc, za - 12])
    dax, day = desc_aorta_xy(c, za)
    arch_mid = np.array([0.3 * dax, 0.5 * (asc1[1] + day), za + 4])
    d0 = np.array([dax, day, za - 10])
    d1x, d1y = desc_aorta_xy(c, zmin - 10)
    t.curve([asc0, asc1, arch_mid, d0, [dax, day, 0.5 * (za + zmin)], [d1x - 2, d1y - 4, zmin - 10]],
            [rA, rA, 0.5 * (rA + rD), rD, rD * 0.97, rD * 0.92], 'ao', step_frac=0.25)
    for k, (dx, rr) in enumerate(((-0.25, 6.5), (0.25, 4.5), (0.55, 5.0))):
        base = asc1 + (arch_mid - asc1) * (0.8 + dx) if dx < 0.5 else arch_mid + (d0 - arch_mid) * 0.3
        top = base + [(-25 if k == 0 else 12 + 10 * k), rng.uniform(-6, 6), zmax + 15 - base[2]]
        t.curve([base, base + [0.3 * (top[0] - base[0]), 0, 25], top], [rr, rr, rr * 0.9], 'ao', step_frac=0.3)
    pt0 = np.array([h['x'] - 0.1 * h['a'], h['y'] - 0.6 * h['b'], h['z'] + 0.55 * h['c']])
    ptb = np.array([c['xm'] + 6, c['ycc'] - 0.08 * Bc, zc - 4])
    rp = rng.uniform(12, 15)
    t.curve([pt0, pt0 + [4, 8, 16], ptb], [rp, rp, rp], 'pa', step_frac=0.3)
    t.curve([ptb, ptb + [-12, 14, -3], [asc1[0] - 8, HR[1] - 4, zc - 8], HR], [10, 10, 9.5, 9], 'pa', step_frac=0.3)
    t.curve([ptb, ptb + [10, 12, 4], HL], [10, 10, 9], 'pa', step_frac=0.3)
    svc0 = np.array([asc1[0] - rA - 9, c['ycc'] - 0.25 * Bc, zmax + 10])
    svc1 = np.array([asc1[0] - rA - 6, c['ycc'] - 0.2 * Bc, h['z'] + 0.5 * h['c']])
    rs = rng.uniform(8, 11)
    t.curve([svc0, svc1], [rs, rs], 'svc', step_frac=0.3)
    lbv = np.array([45, c['ycc'] - 0.55 * Bc, za + 28])
    t.curve([lbv + [20, 5, 30], lbv, svc0 + [0, 0, za + 20 - svc0[2]]], [6, 6, 7], 'svc', step_frac=0.3)
    # ---- trachea, main bronchi, oesophagus
    tx, ty = rng.uniform(-3, 4), c['ycc'] + 0.15 * Bc
    rt = rng.uniform(8, 12)
    car = np.array([tx, ty, zc])
    t.curve([[tx, ty - 4, zmax + 10], [tx, ty, zc + 20], car], [rt, rt, rt * 0.95], 'aw', step_frac=0.3)
    t.curve([[tx, ty - 4, zmax + 10], [tx, ty, zc + 20], car], [rt - 2, rt - 2, rt * 0.95 - 2], 'al', step_frac=0.3)
    mains = {0: HR + [4, 10, 8], 1: HL + [-4, 10, 2]}
    for side, endp in mains.items():
        rm = rng.uniform(6, 7.5) if side == 0 else rng.uniform(5, 6.5)
        mid = 0.5 * (car + endp) + [0, 0, 6 if side == 0 else 3]
        t.curve([car, mid, endp], [rm, rm, rm * 0.9], 'aw', step_frac=0.3)
        t.curve([car, mid, endp], [rm - 1.6, rm - 1.6, rm * 0.9 - 1.6], 'al', step_frac=0.3)
        for lobe, p, rb in bronchus_roots:
            if (lobe < 3) == (side == 0):
                t.curve([endp, p], [rm * 0.8, rb], 'aw')
                t.curve([endp, p], [rm * 0.8 - 1.4, rb * 0.6], 'al')
    ex = tx + rng.uniform(6, 12)
    ey = ty + rt + 8
    eo = [[ex, ey, zmax + 10], [ex, ey + 4, zc], [dax - 18, day - 14, 30], [dax - 5, day - 25, zmin - 10]]
    re_ = rng.uniform(7, 10)
    t.curve(eo, [re_] * 4, 'soft', step_frac=0.3)
    if rng.random() < 0.4:
        t.curve(eo[:3], [rng.uniform(2, 4)] * 3, 'al', step_frac=0.4)
    # ---- lymph nodes (mediastinal, hilar)
    for _ in range(int(rng.integers(3, 9))):
        choice = rng.integers(0, 4)
        if choice == 0:
            p = [tx - rt - 7, ty - 6, zc + rng.uniform(5, 35)]
        elif choice == 1:
            p = [tx + rng.uniform(-6, 6), ty + rng.uniform(4, 12), zc - rng.uniform(12, 22)]
        elif choice == 2:
            p = (HR if rng.random() < 0.5 else HL) + rng.normal(0, 4, 3)
        else:
            p = [rng.uniform(-15, 25), c['ycc'] - 0.5 * Bc, za + rng.uniform(-10, 20)]
        t.sphere(p, rng.uniform(1.5, 6), 'soft')
    # ---- ribs, costal cartilage, sternum level, clavicles
    H = c['H']
    period = c['vperiod']
    ribs = []
    z_r1 = H + rng.uniform(0, 10)
    for i in range(12):
        zp = z_r1 - i * period * rng.uniform(0.97, 1.03)
        if zp < zmin - 60:
            break
        phi_end = math.pi * (0.88 if i < 7 else (0.75 if i < 10 else 0.55))
        drop = (55 + 50 * min(i, 6) / 6) * rng.uniform(0.85, 1.15) if i > 0 else 30
        rr = rng.uniform(4.0, 5.5) if i > 0 else 4.5
        for side in (-1, 1):
            phi = np.linspace(0.1 * math.pi, phi_end, 70)
            zz = zp + 10 * np.sin(np.minimum(phi / (0.4 * math.pi), 1) * math.pi / 2) - drop * (phi / phi_end) ** 1.4
            Acz, Bcz = cavity_axes(c, zz)
            ycz = cavity_center_y(c, zz)
            grow = 1 + (rr + 1.5) / np.minimum(Acz, Bcz)
            x = side * Acz * np.sin(phi) * grow
            y = ycz + Bcz * np.cos(phi) * grow
            pts = np.stack([x, y, zz], axis=1)
            pts = np.concatenate([[[side * (c['r_vb'] + 8), c['y_vb'] + 12, zp]], pts])
            t.curve(pts, np.full(len(pts), rr), 'bc', step_frac=0.3)
            t.curve(pts, np.full(len(pts), rr - 1.6), 'bm', step_frac=0.3)
            ribs.append(pts)
            if i < 10:  # costal cartilage to the sternum
                end = pts[-1]
                st = np.array([side * 14, float(cavity_center_y(c, end[2]) - cavity_axes(c, end[2])[1]) - 5,
                               end[2] + (5 if i < 7 else 30 + 6 * (i - 7))])
                mid = 0.5 * (end + st) + [0, -6, 0]
                t.curve([end, mid, st], [rr, rr * 0.9, rr * 0.8], 'cart', step_frac=0.35)
                if c.get('cart_calc', 0) > 0:
                    for _ in range(int(rng.poisson(c['cart_calc']))):
                        u = rng.uniform(0, 1)
                        q = (1 - u) ** 2 * end + 2 * (1 - u) * u * mid + u ** 2 * st
                        t.sphere(q + rng.normal(0, 1.0, 3), rng.uniform(0.8, 2.2), 'calc')
    for side in (-1, 1):
        zt = H + rng.uniform(-5, 15)
        p0 = np.array([side * 22, c['ycc'] - c['Bc'] * 0.75 - 8, zt - 12])
        p1 = np.array([side * (0.6 * c['Ac']), c['ycc'] - c['Bc'] * 0.8, zt + 4])
        p2 = np.array([side * (c['Ac'] + 12), c['ycc'] - 0.15 * c['Bc'], zt + 8])
        rcv = rng.uniform(5, 7)
        t.curve([p0, p1, p2], [rcv] * 3, 'bc', step_frac=0.3)
        t.curve([p0, p1, p2], [rcv - 1.8] * 3, 'bm', step_frac=0.3)
    return t, vessel_segs, ribs


def add_confusers(rng, c, t, ribs, vsamples, avoid):
    """Small non-nodule findings drawn as tubes/spheres (never in truth)."""
    info = []

    def far(p, extra):
        return all(np.linalg.norm(p - a) > ra + extra for a, ra in avoid)

    # calcified granulomas < 3 mm
    for _ in range(int(rng.integers(0, 4))):
        p = lung_points(rng, c, 1, 3)[0]
        if far(p, 4):
            t.sphere(p, rng.uniform(0.7, 1.4), 'calc')
            info.append('granuloma')
    if rng.random() < 0.15:  # centrilobular emphysema, upper zones, and paraseptal bullae
        pts = lung_points(rng, c, 800, 2)
        w = pts[:, 2] / c['H']
        pts = pts[rng.random(len(pts)) < w ** 2][: int(rng.integers(60, 300))]
        for p in pts:
            if far(p, 3):
                t.sphere(p, rng.uniform(1.0, 3.5), 'emph')
        for _ in range(int(rng.integers(0, 5))):
            p = lung_points(rng, c, 1, 2)[0]
            if p[2] > 0.5 * c['H'] and far(p, 14):
                t.sphere(p, rng.uniform(4, 10), 'emph')
        info.append('emphysema')
    if rng.random() < 0.12:  # tree-in-bud cluster
        p0 = lung_points(rng, c, 1, 6)[0]
        if far(p0, 20):
            for _ in range(int(rng.integers(5, 14))):
                a = p0 + rng.normal(0, 6, 3)
                d = unit(rng.normal(0, 1, 3))
                b = a + d * rng.uniform(3, 6)
                t.curve([a, b], [0.8, 0.6], 'mucus')
                for s in (-1, 1):
                    e = b + unit(d + s * perp(rng, d)) * rng.uniform(2, 4)
                    t.curve([b, e], [0.6, 0.5], 'mucus')
                    t.sphere(e, rng.uniform(0.9, 1.5), 'mucus')
            info.append('tree-in-bud')
    if rng.random() < 0.3:  # osteophytes at vertebral endplates
        for _ in range(int(rng.integers(1, 5))):
            zz = (math.floor(rng.uniform(0, c['H']) / c['vperiod']) - c['vphase']) * c['vperiod']
            ang = rng.uniform(-2.6, -0.5)
            p = [math.cos(ang) * c['r_vb'] * 1.05, c['y_vb'] + math.sin(ang) * c['r_vb'], zz]
            t.sphere(p, rng.uniform(2.5, 5), 'bc')
        info.append('osteophyte')
    if ribs and rng.random() < 0.12:  # healed rib fracture callus
        rb = ribs[int(rng.integers(0, len(ribs)))]
        p = rb[int(rng.integers(10, len(rb) - 5))]
        t.sphere(p, rng.uniform(6.5, 8.5), 'bc')
        info.append('rib-callus')
    return info


def add_metal(rng, c, t):
    info = []
    h = c['heart']
    if rng.random() < 0.08:
        gen = np.array([rng.uniform(40, 70), -c['B'] + c['fat_ant'] * 0.5 + 4, c['H'] - 15])
        tip = np.array([h['x'] + 0.4 * h['a'], h['y'] - 0.3 * h['b'], h['z'] - 0.3 * h['c']])
        # lead: under the clavicle above the apex, brachiocephalic vein, SVC, right atrium, right ventricle
        t.curve([gen, [gen[0] - 5, c['ycc'] - 0.6 * c['Bc'], c['H'] + 12], [20, c['ycc'] - 0.45 * c['Bc'], c['z_arch'] + 28],
                 [-20, c['ycc'] - 0.25 * c['Bc'], c['z_arch']],
                 [h['x'] - 0.5 * h['a'], h['y'], h['z'] + 0.2 * h['c']], tip], [1.0] * 6, 'metal')
        for dx in np.linspace(-15, 15, 7):
            t.curve([gen + [dx, 0, -20], gen + [dx, 0, 20]], [3.5, 3.5], 'metal', step_frac=0.6)
        info.append('pacemaker')
    if rng.random() < 0.08:
        HR, HL = hila(c)
        base = HR if rng.random() < 0.5 else HL
        for _ in range(int(rng.integers(2, 7))):
            p = base + rng.normal(0, 12, 3)
            d = unit(rng.normal(0, 1, 3))
            t.curve([p, p + d * rng.uniform(3, 6)], [0.5, 0.5], 'metal')
        info.append('clips')
    return info
