"""Nodules and blob-like confusers of lucent-gen3: implicit shapes evaluated on local grids."""
import math

import numpy as np

from anatomy import lung_sd, oblique_z, horizontal_z
from structures import lung_points, perp, unit


def rot_from_normal(nrm, rng):
    n = unit(np.asarray(nrm, dtype=np.float64))
    u = perp(rng, n)
    w = np.cross(n, u)
    return np.stack([u, w, n], axis=1)  # columns: local axes in patient frame


def random_rot(rng):
    q = rng.normal(0, 1, 4)
    q /= np.linalg.norm(q)
    a, b, c_, d = q
    return np.array([[a * a + b * b - c_ * c_ - d * d, 2 * (b * c_ - a * d), 2 * (b * d + a * c_)],
                     [2 * (b * c_ + a * d), a * a - b * b + c_ * c_ - d * d, 2 * (c_ * d - a * b)],
                     [2 * (b * d - a * c_), 2 * (c_ * d + a * b), a * a - b * b - c_ * c_ + d * d]])


class Blob:
    """A star-shaped implicit solid with optional core, calcification and spicules."""

    def __init__(self, center, R, rot, axes, hu, margin=0.0, lungmask=True, layer='post'):
        self.c = np.asarray(center, dtype=np.float64)
        self.R = float(R)
        self.rot = rot
        self.axes = np.asarray(axes, dtype=np.float64)
        self.hu = float(hu)
        self.margin = float(margin)
        self.lungmask = lungmask
        self.layer = layer
        self.bumps = []  # (unit dir (local), amplitude, width)
        self.spicules = []  # (start local dir, length, radius)
        self.core = None  # (fraction, hu)
        self.calc = None  # (pattern, hu, params)
        self.tex = 0.0
        self.wave = None

    def extent(self):
        b = 1 + sum(abs(a) for _, a, _ in self.bumps)
        r = self.R * b * float(self.axes.max()) + self.margin * 1.5
        if self.spicules:
            r += max(s[1] for s in self.spicules)
        return r + 1.0

    def local(self, X, Y, Z):
        dx, dy, dz = X - self.c[0], Y - self.c[1], Z - self.c[2]
        R = self.rot
        q = [(dx * R[0, k] + dy * R[1, k] + dz * R[2, k]) / self.axes[k] for k in range(3)]
        return q

    def radius_dist(self, q):
        s = np.sqrt(q[0] ** 2 + q[1] ** 2 + q[2] ** 2)
        si = 1.0 / np.maximum(s, 1e-6)
        rho = np.ones_like(s)
        for u, a, w in self.bumps:
            cosang = (q[0] * u[0] + q[1] * u[1] + q[2] * u[2]) * si
            rho = rho + a * np.exp((cosang - 1.0) / w)
        if self.wave is not None:
            k, ph, a = self.wave
            rho = rho + a * np.sin(k[0] * q[0] * si + k[1] * q[1] * si + k[2] * q[2] * si + ph)
        rho = rho * self.R
        return s, rho

    def evaluate(self, X, Y, Z, pix):
        """alpha (coverage) and hu (value where covered) on broadcast arrays."""
        q = self.local(X, Y, Z)
        s, rho = self.radius_dist(q)
        d = (s - rho) * float(self.axes.min())
        if self.margin > 0:
            u = np.clip(0.5 - d / self.margin, 0, 1)
            alpha = u * u * (3 - 2 * u)
        else:
            alpha = np.clip(0.5 - d / pix, 0, 1)
        hu = np.full(np.broadcast(X, Y, Z).shape, self.hu, dtype=np.float32)
        if self.tex:
            hu = hu + self.tex * np.sin(0.9 * q[0] + 1.3) * np.sin(1.1 * q[1] + 0.4) * np.sin(0.8 * q[2] + 2.0)
        if self.core is not None:
            frac, hcore = self.core
            beta = np.clip(0.5 - (s - rho * frac) * float(self.axes.min()) / pix, 0, 1)
            hu = hu + beta * (hcore - hu)
            alpha = np.maximum(alpha, beta)
        if self.calc is not None:
            kind, hcal, prm = self.calc
            if kind == 'central':
                g = np.clip(0.5 - (s - rho * prm) * float(self.axes.min()) / pix, 0, 1)
            elif kind == 'diffuse':
                g = np.clip(0.5 - (s - rho * 0.92) * float(self.axes.min()) / pix, 0, 1)
            elif kind == 'laminated':
                g = np.clip((np.cos(2 * math.pi * prm * s / rho) - 0.1) * 1.5, 0, 1) * (s < 0.85 * rho)
                g = np.maximum(g, np.clip(0.5 - (s - rho * 0.25) * float(self.axes.min()) / pix, 0, 1))
            else:  # popcorn
                g = 0.0
                for (px, py, pz, pr) in prm:
                    dd = np.sqrt((q[0] - px) ** 2 + (q[1] - py) ** 2 + (q[2] - pz) ** 2) - pr
                    g = np.maximum(g, np.clip(0.5 - dd * float(self.axes.min()) / pix, 0, 1))
            hu = hu + g * (hcal - hu)
        if self.spicules:
            sp = 0.0
            for u, L, r0 in self.spicules:
                a = u * self.R * 0.8
                b = u * (self.R + L)
                ab = b - a
                t = ((q[0] - a[0]) * ab[0] + (q[1] - a[1]) * ab[1] + (q[2] - a[2]) * ab[2]) / float(ab @ ab)
                t = np.clip(t, 0, 1)
                dd = np.sqrt((q[0] - a[0] - t * ab[0]) ** 2 + (q[1] - a[1] - t * ab[1]) ** 2 + (q[2] - a[2] - t * ab[2]) ** 2)
                rr = r0 * (1 - 0.7 * t)
                sp = np.maximum(sp, np.clip(0.5 - (dd - rr) * float(self.axes.min()) / pix, 0, 1) * (1 - 0.5 * t))
            alpha = np.maximum(alpha, sp)
        return alpha, hu

    def body_mask(self, X, Y, Z):
        q = self.local(X, Y, Z)
        s, rho = self.radius_dist(q)
        return s < rho


def axial_axes(blob, c, z, clip_lung, scale=1.0, step=0.1):
    """Long and short axis (mm) of the body in the axial plane through the centre (LUNA-style)."""
    ext = blob.extent()
    n = int(2 * ext / step) + 1
    g = np.linspace(-ext, ext, n)
    X = blob.c[0] + g[None, :]
    Y = blob.c[1] + g[:, None]
    old = blob.R
    blob.R = old * scale
    m = blob.body_mask(X, Y, z)
    blob.R = old
    if clip_lung:
        m &= lung_sd(c, X, Y, z) < 0.3
    iy, ix = np.nonzero(m)
    if len(ix) < 3:
        return 0.0, 0.0
    pts = np.stack([g[ix], g[iy]], axis=1)
    # boundary-ish subset for the Feret diameter
    if len(pts) > 600:
        ang = np.arctan2(pts[:, 1], pts[:, 0])
        rad = np.hypot(pts[:, 0], pts[:, 1])
        bins = ((ang + math.pi) / (2 * math.pi) * 360).astype(int) % 360
        far = np.zeros(360, dtype=int) - 1
        order = np.argsort(rad)
        far[bins[order]] = order
        sel = far[far >= 0]
        cand = pts[sel]
    else:
        cand = pts
    dd = np.linalg.norm(cand[:, None, :] - cand[None, :, :], axis=2)
    i, j = np.unravel_index(np.argmax(dd), dd.shape)
    long_ax = float(dd[i, j]) + step
    u = (cand[j] - cand[i]) / max(dd[i, j], 1e-6)
    v = np.array([-u[1], u[0]])
    pr = pts @ v
    short_ax = float(pr.max() - pr.min()) + step
    return long_ax, short_ax


def make_nodule(rng, c, ntype, loc, target_d, vsamp, placed):
    R = target_d / 2
    rot = random_rot(rng)
    axes = np.ones(3)
    shape = rng.choice(['round', 'oval', 'lobulated', 'spiculated', 'irregular'], p=[0.3, 0.2, 0.2, 0.15, 0.15])
    if ntype == 'calcified' and shape == 'spiculated':
        shape = 'round'
    center = None
    flat_clip = False
    for _ in range(200):
        if loc == 'intraparenchymal':
            p = lung_points(rng, c, 1, R + 4)[0]
        elif loc == 'juxtapleural':
            p = lung_points(rng, c, 1, 1.0)[0]
            sd = float(lung_sd(c, p[0], p[1], p[2]))
            if not (-0.75 * R - 0.5 > sd > -0.9 * R - 1.5):
                # walk outward toward the nearest pleura along the gradient
                e = 0.5
                g = np.array([(lung_sd(c, p[0] + e, p[1], p[2]) - lung_sd(c, p[0] - e, p[1], p[2])),
                              (lung_sd(c, p[0], p[1] + e, p[2]) - lung_sd(c, p[0], p[1] - e, p[2])),
                              (lung_sd(c, p[0], p[1], p[2] + e) - lung_sd(c, p[0], p[1], p[2] - e))], dtype=float)
                if np.linalg.norm(g) < 1e-6:
                    continue
                g = unit(g)
                want = -0.6 * R - 0.8
                for _k in range(30):
                    sd = float(lung_sd(c, p[0], p[1], p[2]))
                    if abs(sd - want) < 0.3:
                        break
                    p = p + g * (sd - want) * 0.7
                sd = float(lung_sd(c, p[0], p[1], p[2]))
                if abs(sd - want) > 0.6:
                    continue
            flat_clip = True
        elif loc == 'juxtavascular':
            ok = np.nonzero((vsamp[1] > 0.8) & (vsamp[1] < 3.5))[0]
            if len(ok) == 0:
                loc = 'intraparenchymal'
                continue
            k = ok[int(rng.integers(0, len(ok)))]
            vp, vr = vsamp[0][k], vsamp[1][k]
            p = vp + perp(rng, unit(rng.normal(0, 1, 3))) * (vr + R * rng.uniform(0.55, 0.9))
        else:  # perifissural
            q = lung_points(rng, c, 1, R + 3)[0]
            side = -1 if q[0] < c['xm'] else 1
            if side < 0 and rng.random() < 0.35:
                zf = float(horizontal_z(c, q[0], q[1]))
                if zf < float(oblique_z(c, -1, q[0], q[1])):
                    continue
                nrm = np.array([-0.05 * np.sign(q[0]), -c['hor']['tilt'], 1.0])
            else:
                zf = float(oblique_z(c, side, q[0], q[1]))
                e = 1.0
                gy = (float(oblique_z(c, side, q[0], q[1] + e)) - float(oblique_z(c, side, q[0], q[1] - e))) / (2 * e)
                gx = (float(oblique_z(c, side, q[0] + e, q[1])) - float(oblique_z(c, side, q[0] - e, q[1]))) / (2 * e)
                nrm = np.array([-gx, -gy, 1.0])
            p = np.array([q[0], q[1], zf])
            rot = rot_from_normal(nrm, rng)
            fl = rng.uniform(0.4, 0.6)
            axes = np.array([1.0 / math.sqrt(fl), 1.0 / math.sqrt(fl) * rng.uniform(0.8, 1.0), fl])
        sd = float(lung_sd(c, p[0], p[1], p[2]))
        if loc != 'juxtapleural' and sd > -(R * 0.9 + 2):
            continue
        if any(np.linalg.norm(p - q2) < R * 1.6 + r2 + 3 for q2, r2 in placed):
            continue
        center = p
        break
    if center is None:
        return None
    if ntype == 'ground-glass':
        hu, margin = rng.uniform(-720, -350), rng.uniform(1.0, 3.0)
    elif ntype == 'part-solid':
        hu, margin = rng.uniform(-680, -380), rng.uniform(0.8, 2.0)
    else:
        hu, margin = rng.uniform(-60, 90), 0.0
    b = Blob(center, R, rot, axes, hu, margin, lungmask=True, layer='pre' if ntype == 'ground-glass' else 'post')
    b.tex = rng.uniform(5, 25)
    if shape == 'oval':
        b.axes = b.axes * np.array([rng.uniform(1.1, 1.4), 1.0, rng.uniform(0.75, 0.95)])
    if shape in ('lobulated', 'irregular'):
        for _ in range(int(rng.integers(3, 7) if shape == 'lobulated' else rng.integers(6, 12))):
            b.bumps.append((unit(rng.normal(0, 1, 3)), rng.uniform(0.08, 0.25) * (1 if shape == 'lobulated' else rng.choice([-1, 1])),
                            rng.uniform(0.15, 0.5)))
    if shape == 'irregular':
        b.wave = (rng.normal(0, 3, 3), rng.uniform(0, 6.3), rng.uniform(0.04, 0.1))
    if shape == 'spiculated' and ntype != 'ground-glass':
        for _ in range(int(rng.integers(6, 16))):
            b.spicules.append((unit(rng.normal(0, 1, 3)), R * rng.uniform(0.5, 1.4) + 2, rng.uniform(0.3, 0.6)))
    solid_frac = None
    if ntype == 'part-solid':
        solid_frac = rng.uniform(0.3, 0.65)
        b.core = (solid_frac, rng.uniform(-40, 60))
    if ntype == 'calcified':
        kind = rng.choice(['central', 'laminated', 'popcorn', 'diffuse'])
        hcal = rng.uniform(300, 1000)
        if kind == 'central':
            prm = rng.uniform(0.35, 0.65)
        elif kind == 'laminated':
            prm = rng.uniform(1.5, 3.0)
        elif kind == 'popcorn':
            prm = [tuple(list(unit(rng.normal(0, 1, 3)) * R * rng.uniform(0, 0.55)) + [R * rng.uniform(0.2, 0.35)])
                   for _ in range(int(rng.integers(3, 7)))]
            prm = [(0.0, 0.0, 0.0, R * 0.3)] + prm
        else:
            prm = None
        b.calc = (kind, hcal, prm)
    # scale so that the measured axial diameter matches the target
    la, sa = axial_axes(b, c, center[2], flat_clip)
    if la <= 0:
        return None
    meas = 0.5 * (la + sa)
    f = target_d / meas
    b.R *= f
    if b.calc is not None and b.calc[0] == 'popcorn':
        b.calc = ('popcorn', b.calc[1], [(x * f, y * f, z * f, r * f) for x, y, z, r in b.calc[2]])
    b.spicules = [(u, L * f, r) for u, L, r in b.spicules]
    la, sa = axial_axes(b, c, center[2], flat_clip)
    diam = 0.5 * (la + sa)
    if diam < 3.0 or diam > 30.0:
        return None
    solid_mm = None
    if solid_frac is not None:
        la2, sa2 = axial_axes(b, c, center[2], flat_clip, scale=solid_frac)
        solid_mm = round(0.5 * (la2 + sa2), 1)
    truth = dict(type=ntype, location=loc, diameter=round(diam, 1), solid=solid_mm, shape=str(shape))
    return b, truth


def confuser_blobs(rng, c, avoid):
    out, info = [], []

    def ok(p, r):
        return all(np.linalg.norm(p - a) > ra + r + 4 for a, ra in avoid)

    for _ in range(int(rng.integers(0, 3))):  # linear atelectasis / scar bands, mostly basal
        p = lung_points(rng, c, 1, 4)[0]
        if p[2] > 0.5 * c['H'] and rng.random() < 0.7:
            continue
        L = rng.uniform(12, 35)
        if not ok(p, L):
            continue
        rot = random_rot(rng)
        b = Blob(p, L / 2, rot, np.array([1.0, rng.uniform(0.25, 0.5), rng.uniform(0.06, 0.12)]),
                 rng.uniform(-250, 10), margin=rng.uniform(0.5, 1.5), lungmask=True, layer='post')
        b.wave = (rng.normal(0, 2, 3), rng.uniform(0, 6.3), 0.1)
        out.append(b)
        info.append('scar')
    if rng.random() < 0.12:  # pleural plaques, possibly calcified
        for _ in range(int(rng.integers(1, 4))):
            p = lung_points(rng, c, 1, 1.0)[0]
            sd = float(lung_sd(c, p[0], p[1], p[2]))
            e = 0.5
            g = unit(np.array([lung_sd(c, p[0] + e, p[1], p[2]) - lung_sd(c, p[0] - e, p[1], p[2]),
                               lung_sd(c, p[0], p[1] + e, p[2]) - lung_sd(c, p[0], p[1] - e, p[2]),
                               lung_sd(c, p[0], p[1], p[2] + e) - lung_sd(c, p[0], p[1], p[2] - e)], dtype=float))
            p = p - g * sd
            L = rng.uniform(12, 40)
            if not ok(p, L):
                continue
            b = Blob(p, L / 2, rot_from_normal(g, rng), np.array([1.0, rng.uniform(0.5, 1.0), rng.uniform(0.08, 0.18)]),
                     rng.uniform(400, 900) if rng.random() < 0.4 else rng.uniform(40, 80), margin=0.0,
                     lungmask=False, layer='post')
            out.append(b)
        info.append('pleural-plaque')
    if rng.random() < 0.1:  # consolidation patch
        p = lung_points(rng, c, 1, 10)[0]
        L = rng.uniform(25, 60)
        if ok(p, L):
            b = Blob(p, L / 2, random_rot(rng), np.array([1.0, rng.uniform(0.6, 0.9), rng.uniform(0.5, 0.8)]),
                     rng.uniform(-120, 40), margin=rng.uniform(2, 5), lungmask=True, layer='post')
            for _ in range(8):
                b.bumps.append((unit(rng.normal(0, 1, 3)), rng.uniform(-0.25, 0.25), rng.uniform(0.2, 0.6)))
            b.tex = 30
            out.append(b)
            info.append('consolidation')
    return out, info
