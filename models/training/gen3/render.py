"""Slice synthesis for lucent-gen3: analytic anatomy per slice (z partial volume through the slab),
tube samples splatted on thin sub-planes and integrated over the slice sensitivity profile, blobs
(nodules, confusers) integrated on local sub-planes, then composited."""
import math

import numpy as np

from anatomy import (body_axes, cavity_axes, cavity_center_y, desc_aorta_xy, diaphragm_z, apex_z,
                     ellipse_d, heart_d, horizontal_z, med_half_width, oblique_z, soft)
from structures import LABELS

F32 = np.float32


def over(img, hu, f):
    img += f * (hu - img)


class Geometry:
    def __init__(self, N, pix, cu, cv, sx, sy, v_table):
        self.N, self.pix, self.sx, self.sy = N, pix, sx, sy
        idx = np.arange(N, dtype=np.float64)
        self.u = (idx - (N - 1) / 2) * pix + cu  # scanner horizontal per column
        self.v = (idx - (N - 1) / 2) * pix + cv  # scanner vertical (down) per row
        self.x = (sx * self.u).astype(F32)[None, :]  # patient x per column
        self.y = (sy * self.v).astype(F32)[:, None]  # patient y per row
        self.uu = self.u.astype(F32)[None, :]
        self.vv = self.v.astype(F32)[:, None]
        self.v_table = v_table

    def to_pixel(self, p):
        """(n,3) local patient points -> float (row, col)."""
        N, pix = self.N, self.pix
        u = self.sx * p[:, 0]
        v = self.sy * p[:, 1]
        j = (u - self.u[0]) / pix
        i = (v - self.v[0]) / pix
        return i, j


def ssp_weight(dz, T):
    s = 0.2 * T
    k = 1.0 / (math.sqrt(2) * s)
    return 0.5 * (math.erf((dz + T / 2) * k) - math.erf((dz - T / 2) * k))


def plane_anatomy(c, g, z, T, extra):
    """HU image at slice centre z with analytic slab partial volume; also lung fraction and body mask."""
    x, y, pix = g.x, g.y, g.pix
    N = g.N
    Tz = max(T, 0.8)
    img = np.full((N, N), -1000.0, dtype=F32)
    # --- table (scanner frame: below the patient) and mattress
    vt = g.v_table
    uu, vv = g.uu, g.vv
    top = vt - 0.0005 * uu * uu
    bot = vt + extra['table_th'] - 0.0003 * uu * uu
    inside_w = soft(np.abs(uu) - 215.0, pix)
    f_tab = soft(top - vv, pix) * soft(vv - bot, pix) * inside_w
    f_core = soft(top + 2.5 - vv, pix) * soft(vv - bot + 2.5, pix) * soft(np.abs(uu) - 211.0, pix)
    over(img, extra['hu_shell'], f_tab)
    over(img, extra['hu_core'], f_core)
    if c['mattress'] > 0:
        f_m = soft(top - c['mattress'] - vv, pix) * soft(vv - top, pix) * soft(np.abs(uu) - 200.0, pix)
        over(img, extra['hu_mattress'], f_m)
    cut = soft(vv - (top - c['mattress'] - 0.5), pix)  # body rests on the table/mattress
    # --- body outline, skin, fat, muscle
    a, b = body_axes(c, z)
    d_body = ellipse_d(x, y, 0.0, 0.0, a, b, c['p_body'])
    f_body = soft(d_body, pix)
    arms = None
    if c['arms_down']:
        ra, rb = c['arm_r']
        yv = g.sy * (top.min() - c['mattress'] - rb - 2)
        arms = []
        for side in (-1, 1):
            ax = side * (a + 10 + ra)
            d_arm = ellipse_d(x, y, ax, yv, ra, rb)
            f_body = np.maximum(f_body, soft(d_arm, pix))
            arms.append((ax, yv, d_arm))
    rr = 0
    if c['breasts']:
        bx, by, bz = c['breast']
        zc_b = 0.42 * c['H']
        rr = 1 - ((z - zc_b) / bz) ** 2
        if rr > 0:
            s = math.sqrt(rr)
            for side in (-1, 1):
                d_br = ellipse_d(x, y, side * 0.42 * a, -b * 0.92, bx * s, (by + 0.12 * b) * s)
                f_body = np.maximum(f_body, soft(d_br, pix))
    f_body = f_body * cut
    over(img, 22.0, f_body)
    f_in = soft(d_body + 2.0, pix)
    if arms:
        for ax, yv, d_arm in arms:
            f_in = np.maximum(f_in, soft(d_arm + 2.0, pix))
    glands = []
    if c['breasts'] and rr > 0:
        for side in (-1, 1):
            d_br = ellipse_d(x, y, side * 0.42 * a, -b * 0.92, bx * s, (by + 0.12 * b) * s)
            f_in = np.maximum(f_in, soft(d_br + 2.0, pix))
            glands.append(soft(ellipse_d(x, y, side * 0.42 * a, -b * 0.92 + 0.15 * by * s, 0.6 * bx * s, 0.6 * by * s), 3.0))
    over(img, c['hu_fat'], f_in * cut)
    for gl in glands:
        over(img, c['breast_gland'] + 30 * np.sin(x * 0.35) * np.sin(y * 0.41), gl * 0.7 * cut)
    front = -b + c['fat_ant']
    back = b - c['fat_post']
    d_mus = ellipse_d(x, y, 0.0, 0.5 * (front + back), a - c['fat_lat'], 0.5 * (back - front), c['p_body'])
    over(img, c['hu_mus'], soft(d_mus, pix) * cut)
    # intermuscular fat plane (pectoralis / back)
    d_mf = ellipse_d(x, y, 0.0, 0.5 * (front + back), a - c['fat_lat'] - c['mus_lat'] * 0.5,
                     0.5 * (back - front) - c['mus_ant'] * 0.5, c['p_body'])
    over(img, c['hu_fat'] + 40, soft(np.abs(d_mf) - 0.6, pix) * 0.6 * (y < 0))
    if arms:
        for side, (ax, yv, d_arm) in zip((-1, 1), arms):
            ra, rb = c['arm_r']
            over(img, c['hu_mus'], soft(ellipse_d(x, y, ax, yv, ra - 9, rb - 9), pix))
            hx = ax + side * 4
            over(img, c['hu_cort'], soft(ellipse_d(x, y, hx, yv, 12.0, 12.0), pix))
            over(img, c['hu_marrow'] - 100, soft(ellipse_d(x, y, hx, yv, 8.5, 8.5), pix))
    # --- thoracic cavity
    Acz, Bcz = cavity_axes(c, z)
    ycz = cavity_center_y(c, z)
    d_cav = ellipse_d(x, y, 0.0, ycz, Acz, Bcz, c['p_cav'])
    f_cav = soft(d_cav, pix)
    over(img, c['hu_fat'] + 15, f_cav)
    # scapulae (posterolateral plates outside the ribs)
    H = c['H']
    if 0.45 * H < z < H + 20:
        fz = min(1.0, (z - 0.45 * H) / 10.0, (H + 20 - z) / 10.0)
        plate = soft(np.abs(d_cav - 17.0) - 1.8, pix) * (y > ycz + 0.05 * Bcz) * soft(0.4 * Acz - np.abs(x), 6.0)
        over(img, c['hu_cort'] * 0.8, plate * fz)
    # --- below the diaphragm: abdomen
    zd = diaphragm_z(c, x, y)
    f_above = np.clip(0.5 + (z - zd) / Tz, 0, 1)
    if zd.max() > z - Tz:
        f_dia = np.clip(0.5 + (z - zd + 5.0) / Tz, 0, 1)  # deeper than the diaphragm muscle
        ab = np.full((N, N), c['hu_fat'] + 20, dtype=F32)
        liver = soft(x - 25.0 + 0.3 * (y - ycz), 4.0) * soft(ellipse_d(x, y, -0.1 * Acz, ycz, Acz * 0.98, Bcz * 0.98), pix)
        over(ab, c['hu_liver'], liver)
        st = soft(ellipse_d(x, y, 0.45 * Acz, ycz - 0.25 * Bcz, 0.33 * Acz, 0.4 * Bcz), pix)
        over(ab, 25.0, st)
        lvl = g.sy * (ycz - 0.25 * Bcz) - 0.4 * Bcz + 0.8 * Bcz * c['stomach_air']
        over(ab, -1000.0, st * soft(vv - lvl, pix))
        sp = soft(ellipse_d(x, y, 0.62 * Acz, ycz + 0.45 * Bcz, 0.22 * Acz, 0.3 * Bcz), pix)
        over(ab, 47.0, sp)
        over(img, c['hu_mus'], f_cav * (1 - f_above))
        over(img, ab, f_cav * (1 - f_dia))
    # --- lungs
    za = apex_z(c, x, y)
    f_below_apex = np.clip(0.5 + (za - z) / Tz, 0, 1)
    am = med_half_width(c, z)
    d_band = ellipse_d(x, y, c['xm'], ycz, am, Bcz * 1.04)
    d_heart_cut = heart_d(c, x, y, z, grow=4.0)
    d_sp = ellipse_d(x, y, 0.0, c['y_vb'] + 4, c['r_vb'] + 7, c['r_vb'] + 12)
    dax, day = desc_aorta_xy(c, z)
    d_da = np.sqrt((x - dax) ** 2 + (y - day) ** 2) - 14.0
    d_med = np.minimum(np.minimum(d_band, d_heart_cut), np.minimum(d_sp, d_da))
    f_lung = f_cav * soft(-d_med, pix) * f_above * f_below_apex
    over(img, c['hu_fat'] + 10, f_cav * soft(d_med, pix) * f_above)  # mediastinal fat
    # lung density: base, dependent gradient, smooth texture
    col_b = g.sy * ycz + Bcz * np.sqrt(np.clip(1 - (x / Acz) ** 2, 0, 1))
    dep = np.clip(col_b - vv, 0, None)
    grad = c['lung_grad'] * np.clip(1 - dep / c['lung_grad_len'], 0, 1) ** 1.5
    lung = c['hu_lung'] + grad + extra['texture'](z)
    f_eff = 0
    if c['effusion'] > 0:
        et = c['effusion'] * float(np.clip(1 - z / (0.5 * H), 0, 1))
        if et > 0:
            sm = {0: (x < c['xm']), 1: (x > c['xm']), 2: True}[c['effusion_side']]
            f_eff = soft(dep - et, pix) * sm
            lung = lung + f_eff * (12.0 - lung)
    over(img, lung, f_lung)
    # fissures
    t = c['fis_t']
    fis = 0.0
    for side in (-1, 1):
        f = c['obl'][0 if side < 0 else 1]
        gxy = math.hypot(abs(f['bot'] - f['top']) / (2 * c['Bc']), f['tilt'])
        dz = z - oblique_z(c, side, x, y)
        dy = dz / gxy  # in-plane distance to the fissure line
        tw = t * math.sqrt(1 + gxy * gxy) / gxy
        W = T / gxy * 0.6 + pix
        prof = min(1.0, tw / W) * np.clip(1 - np.abs(dy) / (0.5 * (W + tw)), 0, 1)
        sidem = (x < c['xm']) if side < 0 else (x > c['xm'])
        if f['gap']:
            prof = prof * soft(f['gapx'] * c['Ac'] - np.abs(x), 8.0)
        fis = fis + prof * sidem
    hz = c['hor']
    dzh = z - horizontal_z(c, x, y)
    prof = min(1.0, t / max(T * 0.7, pix)) * np.clip(1 - np.abs(dzh) / (0.5 * (T * 0.7 + t) + pix), 0, 1)
    prof = prof * (x < c['xm']) * (z > oblique_z(c, -1, x, y))
    if hz['gap']:
        prof = prof * soft(x + hz['gapx'] * c['Ac'], 8.0)
    fis = np.clip(fis + prof, 0, 1)
    over(img, 0.0, fis * f_lung * 0.9)
    # --- heart and pericardial fat
    h = c['heart']
    if abs(z - h['z']) < h['c'] + 8:
        f_top = soft(heart_d(c, x, y, z, grow=5.0), pix) * f_above
        over(img, c['hu_fat'], f_top)
        if c.get('cardiac_motion', 0) > 0:
            m = c['cardiac_motion']
            f_h = 0.5 * (soft(heart_d(c, x, y, z, grow=-m), pix) + soft(heart_d(c, x, y, z, grow=m), pix))
        else:
            f_h = soft(heart_d(c, x, y, z), pix)
        over(img, c['hu_mus'] + 5, f_h * f_above)
        if c['hu_heart'] != c['hu_mus'] + 5:
            over(img, c['hu_heart'], soft(heart_d(c, x, y, z, grow=-8.0), pix) * f_above)
    # --- spine
    P = c['vperiod']
    ph = (z / P + c['vphase']) % 1.0
    dd = min(abs(ph - 0.09), abs(ph - 1.09)) * P - 0.09 * P  # distance (mm) from the disc slab
    f_disc = float(np.clip(0.5 - dd / Tz, 0, 1))
    yv_ = c['y_vb']
    rv = c['r_vb']
    f_vb = soft(ellipse_d(x, y, 0.0, yv_, rv * 1.1, rv * 0.92), pix)
    f_vm = soft(ellipse_d(x, y, 0.0, yv_, rv * 1.1 - 2, rv * 0.92 - 2), pix)
    vb = np.full((N, N), c['hu_cort'], dtype=F32)
    over(vb, c['hu_marrow'], f_vm * (1 - f_disc))
    over(vb, 85.0, f_vb * f_disc)
    over(img, vb, f_vb)
    ycan = yv_ + rv * 0.92 + 8
    over(img, c['hu_cort'] * 0.85, soft(ellipse_d(x, y, 0.0, ycan + 2, 13.0, 12.0), pix))
    over(img, c['hu_marrow'], soft(ellipse_d(x, y, 0.0, ycan + 2, 11.0, 10.0), pix) * 0.6)
    over(img, 12.0, soft(ellipse_d(x, y, 0.0, ycan, 8.0, 7.5), pix))
    over(img, c['hu_cort'] * 0.8, soft(ellipse_d(x, y, 0.0, ycan + 26, 4.0, 14.0), pix))
    if ph > 0.35:
        for side in (-1, 1):
            over(img, c['hu_cort'] * 0.8, soft(ellipse_d(x, y, side * 22.0, ycan + 4, 14.0, 5.0), pix))
    # --- sternum
    zs0 = h['z'] - 0.5 * h['c']
    zs1 = c['z_arch'] + 30
    if zs0 - Tz < z < zs1 + Tz:
        fz = float(np.clip(0.5 + (z - zs0) / Tz, 0, 1) * np.clip(0.5 + (zs1 - z) / Tz, 0, 1))
        wide = 16 + 10 * float(np.clip((z - (zs1 - 45)) / 45, 0, 1))
        ys = ycz - Bcz - 5
        over(img, c['hu_cort'] * 0.9, soft(ellipse_d(x, y, 0.0, ys, wide, 7.0), pix) * fz)
        over(img, c['hu_marrow'], soft(ellipse_d(x, y, 0.0, ys, wide - 2, 5.0), pix) * fz)
    return img, f_lung * (1 - f_eff), f_body, (1 - f_eff) if c['effusion'] > 0 else None


class Splatter:
    """Rasterises sphere samples on one thin plane: per-label coverage as sparse (key, value)."""

    def __init__(self, g, p, r, lab, zstep):
        self.g = g
        N, pix = g.N, g.pix
        i, j = g.to_pixel(p)
        keep = (i > -30) & (i < N + 30) & (j > -30) & (j < N + 30)
        p, r, lab, i, j = p[keep], r[keep], lab[keep], i[keep], j[keep]
        self.bins = []
        rz = np.maximum(r, 0.5 * zstep)
        K = np.ceil(r / pix + 1.0).astype(int)
        for k in np.unique(K):
            sel = np.nonzero(K == k)[0]
            order = sel[np.argsort(p[sel, 2], kind='stable')]
            off = np.arange(-k, k + 1)
            oi, oj = np.meshgrid(off, off, indexing='ij')
            self.bins.append(dict(z=p[order, 2], r=r[order], rz=rz[order], lab=lab[order].astype(np.int64),
                                  i=i[order], j=j[order], rmax=float(rz[order].max()),
                                  oi=oi.ravel(), oj=oj.ravel()))
        self.nn = N * N
        self.owner = np.zeros(len(LABELS) * N * N, dtype=np.int64)

    def plane(self, z):
        g = self.g
        N, pix = g.N, g.pix
        keys, vals = [], []
        for bn in self.bins:
            lo = np.searchsorted(bn['z'], z - bn['rmax'])
            hi = np.searchsorted(bn['z'], z + bn['rmax'])
            if hi <= lo:
                continue
            dz = bn['z'][lo:hi] - z
            rz = bn['rz'][lo:hi]
            ok = np.abs(dz) < rz
            if not ok.any():
                continue
            idx = np.nonzero(ok)[0] + lo
            r = bn['r'][idx]
            rz = bn['rz'][idx]
            dzz = dz[idx - lo]
            rho = r * np.sqrt(1 - (dzz / rz) ** 2)
            amp = r / rz
            rhoe = np.maximum(rho, 0.5 * pix)
            amp = amp * (rho / rhoe) ** 2
            ci = np.rint(bn['i'][idx]).astype(np.int64)
            cj = np.rint(bn['j'][idx]).astype(np.int64)
            ii = ci[:, None] + bn['oi'][None, :]
            jj = cj[:, None] + bn['oj'][None, :]
            dist = np.sqrt((ii - bn['i'][idx][:, None]) ** 2 + (jj - bn['j'][idx][:, None]) ** 2) * pix
            cov = np.clip(0.5 + (rhoe[:, None] - dist) / pix, 0, 1) * amp[:, None]
            m = (cov > 0.002) & (ii >= 0) & (ii < N) & (jj >= 0) & (jj < N)
            key = bn['lab'][idx][:, None] * self.nn + ii * N + jj
            keys.append(key[m])
            vals.append(cov[m])
        if not keys:
            return None, None
        key = np.concatenate(keys)
        val = np.concatenate(vals).astype(F32)
        order = np.argsort(val, kind='stable')
        ks, vs = key[order], val[order]
        ar = np.arange(len(ks), dtype=np.int64)
        self.owner[ks] = ar
        sel = self.owner[ks] == ar
        return ks[sel], vs[sel]


def synthesize(c, g, zs, T, tubes, blobs, extra, finish):
    """Render all slices (centres zs ascending); finish(k, hu_image, lung_frac, body) is called per slice."""
    N, pix = g.N, g.pix
    nl = len(LABELS)
    p, r, lab = tubes
    delta = float(np.clip(T / 5, 0.3, 0.6))
    sup = T / 2 + 0.45 * T
    spl = Splatter(g, p, r, lab, delta)
    z0 = zs[0] - sup
    nplanes = int(math.ceil((zs[-1] + sup - z0) / delta)) + 1
    pz = z0 + delta * np.arange(nplanes)
    # per slice: plane index range and normalised weights
    wts = []
    for zc in zs:
        a = int(math.ceil((zc - sup - z0) / delta))
        b = int(math.floor((zc + sup - z0) / delta))
        w = np.array([ssp_weight(pz[q] - zc, T) for q in range(a, b + 1)])
        wts.append((a, b, w / w.sum()))
    acc = {}
    nxt = 0
    pool = []
    lab_hu = extra['label_hu']
    for q in range(nplanes):
        # open accumulators for slices whose support starts here
        while nxt < len(zs) and wts[nxt][0] <= q:
            buf = pool.pop() if pool else np.zeros(nl * N * N, dtype=F32)
            acc[nxt] = buf
            nxt += 1
        active = [k for k in acc if wts[k][0] <= q <= wts[k][1]]
        if active:
            ks, vs = spl.plane(pz[q])
            if ks is not None:
                for k in active:
                    a, b, w = wts[k]
                    acc[k][ks] += F32(w[q - a]) * vs
        done = [k for k in acc if wts[k][1] <= q]
        for k in sorted(done):
            buf = acc.pop(k)
            img, lungf, body, effmask = plane_anatomy(extra['cslice'](zs[k]), g, zs[k], T, extra)
            lay = buf.reshape(nl, N, N)
            composite(c, g, img, lay, lab_hu, lungf, effmask, blobs, zs[k], T, extra)
            finish(k, img, lungf, body)
            buf[:] = 0
            pool.append(buf)


ORDER_PRE = ['emph']
ORDER_POST = ['pa', 'pv', 'soft', 'ao', 'svc', 'aw', 'al', 'mucus', 'cart', 'calc', 'bc', 'bm', 'metal']


def composite(c, g, img, lay, lab_hu, lungf, effmask, blobs, zc, T, extra):
    L = {n: i for i, n in enumerate(LABELS)}
    mt = lay[L['metal']]
    extra['metal'] = mt.copy() if mt.max() > 0.3 else None
    f = np.minimum(lay[L['emph']], 1.0) * lungf
    img += f * (lab_hu['emph'] - img)
    render_blobs(c, g, img, lungf, blobs, zc, T, 'pre')
    for n in ORDER_POST:
        f = np.minimum(lay[L[n]], 1.0)
        if effmask is not None and n in ('pa', 'pv', 'aw', 'al', 'mucus'):
            f = f * effmask
        img += f * (lab_hu[n] - img)
    render_blobs(c, g, img, lungf, blobs, zc, T, 'post')


def render_blobs(c, g, img, lungf, blobs, zc, T, layer):
    sup = T / 2 + 0.45 * T
    pix, N = g.pix, g.N
    for b in blobs:
        if b.layer != layer:
            continue
        e = b.extent()
        if abs(b.c[2] - zc) > e + sup:
            continue
        step = float(np.clip(T / 8, 0.15, 0.4))
        zz = np.arange(zc - sup, zc + sup + 1e-6, step)
        zz = zz[np.abs(zz - b.c[2]) < e]
        if len(zz) == 0:
            continue
        w = np.array([ssp_weight(z - zc, T) for z in zz])
        wall = np.array([ssp_weight(z - zc, T) for z in np.arange(zc - sup, zc + sup + 1e-6, step)]).sum()
        i, j = g.to_pixel(b.c[None, :])
        ci, cj = float(i[0]), float(j[0])
        k = int(math.ceil(e / pix)) + 1
        i0, i1 = max(0, int(ci) - k), min(N, int(ci) + k + 2)
        j0, j1 = max(0, int(cj) - k), min(N, int(cj) + k + 2)
        if i0 >= i1 or j0 >= j1:
            continue
        X = g.x[:, j0:j1][None, :, :]
        Y = g.y[i0:i1, :][None, :, :]
        Z = zz[:, None, None].astype(F32)
        al, hu = b.evaluate(X, Y, Z, pix)
        al = np.broadcast_to(al, hu.shape)
        wa = (w / wall)[:, None, None]
        A = (al * wa).sum(axis=0)
        AH = (al * hu * wa).sum(axis=0)
        if b.lungmask:
            m = lungf[i0:i1, j0:j1]
            A, AH = A * m, AH * m
        sub = img[i0:i1, j0:j1]
        sub *= (1 - A)
        sub += AH
