"""Nodules (the labelled findings) and lung confusers (never labelled).

A nodule is an analytic body: an ellipsoid in a random orientation, optionally lobulated (smooth union with
a few smaller spheres on its surface), clipped against the lung surface (juxtapleural: flattened on the
pleura) or against a fissure (perifissural: lentiform on one side of the fissure), with thin spicules that
are not part of the body. It is rendered per sub-slice block with a smooth edge and blended into the lung:
solid and calcified nodules replace what is there, ground glass only raises the density (vessels stay
visible through it), part-solid is ground glass with a solid core. Truth (centre, diameters) is measured
on the body itself, sampled on a fine grid: centre = centroid of the body, diameter = mean of the longest
axial diameter and the diameter perpendicular to it, in the axial plane through the centre.
"""
import math

import numpy as np
import torch

from .anatomy import APEX, COSTAL, DIAPHRAGM, MEDIASTINAL
from .geom import FastSampler, random_rotation, unit
from .trees import F_AWALL, F_EMPH, F_SOFT

SIG = 1.702


def _ell_sdf(q0, q1, q2, ax):
    k0 = torch.sqrt((q0 / ax[0]) ** 2 + (q1 / ax[1]) ** 2 + (q2 / ax[2]) ** 2)
    k1 = torch.sqrt((q0 / ax[0] ** 2) ** 2 + (q1 / ax[1] ** 2) ** 2 + (q2 / ax[2] ** 2) ** 2).clamp(min=1e-6)
    return k0 * (k0 - 1) / k1


def _smin(a, b, k):
    h = torch.clamp(0.5 + 0.5 * (b - a) / k, 0, 1)
    return b + (a - b) * h - k * h * (1 - h)


class Obj:
    """Base for analytic objects: local frame (centre c, rotation R with local axes as columns)."""

    extent = 10.0

    def region(self, ctx, shape):
        nz, ny, nx = shape
        z = ctx["z"]
        lo, hi = self.c - self.extent, self.c + self.extent
        ks = torch.nonzero((z >= lo[2]) & (z <= hi[2])).view(-1)
        if len(ks) == 0:
            return None
        s = ctx["s"]
        j0 = max(0, int(math.ceil((lo[1] - ctx["y0"]) / s)))
        j1 = min(ny, int(math.floor((hi[1] - ctx["y0"]) / s)) + 1)
        i0 = max(0, int(math.ceil((lo[0] - ctx["x0"]) / s)))
        i1 = min(nx, int(math.floor((hi[0] - ctx["x0"]) / s)) + 1)
        if j1 <= j0 or i1 <= i0:
            return None
        return int(ks[0]), int(ks[-1]) + 1, j0, j1, i0, i1

    def coords(self, ctx, reg):
        k0, k1, j0, j1, i0, i1 = reg
        s = ctx["s"]
        Z = ctx["z"][k0:k1].view(-1, 1, 1).double()
        Y = (ctx["y0"] + s * torch.arange(j0, j1, dtype=torch.float64)).view(1, -1, 1)
        X = (ctx["x0"] + s * torch.arange(i0, i1, dtype=torch.float64)).view(1, 1, -1)
        return X, Y, Z

    def to_local(self, X, Y, Z):
        dx, dy, dz = (X - self.c[0]).float(), (Y - self.c[1]).float(), (Z - self.c[2]).float()
        R = self.R
        q0 = dx * R[0, 0] + dy * R[1, 0] + dz * R[2, 0]
        q1 = dx * R[0, 1] + dy * R[1, 1] + dz * R[2, 1]
        q2 = dx * R[0, 2] + dy * R[1, 2] + dz * R[2, 2]
        return q0, q1, q2


def _waves(rng, n, amp, lam):
    return [(unit(rng.normal(size=3)) * 2 * math.pi / rng.uniform(*lam), rng.uniform(0, 2 * math.pi), amp * rng.uniform(0.5, 1.0)) for _ in range(n)]


def _wave_field(waves, q0, q1, q2):
    out = 0
    for k, ph, a in waves:
        out = out + a * torch.sin(q0 * float(k[0]) + q1 * float(k[1]) + q2 * float(k[2]) + ph)
    return out


class Nodule(Obj):
    def __init__(self, rng, kind, margin, location, c, R, axes, sigma, anat=None):
        self.kind, self.margin, self.location = kind, margin, location
        self.c = np.asarray(c, dtype=np.float64)
        self.R = np.asarray(R, dtype=np.float64)
        self.axes = np.asarray(axes, dtype=np.float64)
        self.anat = anat
        self.sigma = sigma
        self.clip = None
        r = float(self.axes.max())
        self.lobules = []
        if margin == "lobulated":
            for _ in range(rng.integers(3, 6)):
                d = unit(rng.normal(size=3))
                self.lobules.append((d * self.axes * rng.uniform(0.55, 0.75), r * rng.uniform(0.35, 0.55)))
        self.spicules = []
        if margin == "spiculated":
            for _ in range(rng.integers(6, 19)):
                d = unit(rng.normal(size=3) * [1, 1, 0.7])
                base = self.c + self.R @ (d * self.axes * 0.8)
                L = rng.uniform(2, min(12, 0.8 * 2 * r + 2))
                tip = base + (self.R @ d) * (L + 0.2 * r)
                self.spicules.append((base, tip, rng.uniform(0.25, 0.75), rng.uniform(0.1, 0.2)))
        self.blur = rng.uniform(0.3, 0.8) if kind in ("solid", "calcified") else rng.uniform(0.5, 1.0)
        self.mu = rng.uniform(0, 70)
        self.het = _waves(rng, 3, rng.uniform(4, 12), (2.0, 6.0))
        if kind == "ground-glass":
            self.mu = rng.uniform(-750, -350)
            self.het = _waves(rng, 3, rng.uniform(10, 35), (2.0, 5.0))
        if kind == "part-solid":
            self.mu = rng.uniform(-700, -400)
            self.het = _waves(rng, 3, rng.uniform(10, 30), (2.0, 5.0))
            frac = rng.uniform(0.2, 0.7)
            off = np.zeros(3)
            if rng.random() < 0.35:
                off = unit(rng.normal(size=3)) * (1 - frac) * 0.55 * self.axes
            self.core = (off, self.axes * frac * rng.uniform(0.85, 1.15, 3))
            self.core_mu = rng.uniform(-20, 50)
            self.core_blur = rng.uniform(0.3, 0.6)
        if kind == "calcified":
            self.mu = rng.uniform(10, 60)
            self.calc = str(rng.choice(["central", "laminated", "popcorn", "diffuse"], p=[0.35, 0.2, 0.25, 0.2]))
            self.calc_hu = rng.uniform(200, 1000)
            self.calc_f = rng.uniform(0.3, 0.6)
            self.rings = rng.uniform(2.0, 3.5)
            self.pops = [(unit(rng.normal(size=3)) * rng.uniform(0.15, 0.6), rng.uniform(0.15, 0.3)) for _ in range(rng.integers(3, 8))]
            if self.calc == "diffuse":
                self.mu = self.calc_hu
        self.set_extent()

    def set_extent(self):
        r = float(self.axes.max()) * 1.3
        sp = max([np.abs(t - self.c).max() + 1 for _, t, _, _ in self.spicules], default=0.0)
        self.extent = max(r, sp) + 3 * max(self.blur, self.sigma) + 1.5

    # --- shape --------------------------------------------------------------------------------------
    def body_sdf(self, X, Y, Z, lsd=None):
        q0, q1, q2 = self.to_local(X, Y, Z)
        d = _ell_sdf(q0, q1, q2, self.axes)
        for cc, rr in self.lobules:
            dl = torch.sqrt((q0 - cc[0]) ** 2 + (q1 - cc[1]) ** 2 + (q2 - cc[2]) ** 2) - rr
            d = _smin(d, dl, 0.25 * rr)
        if self.clip is not None:
            if self.clip[0] == "lung" and lsd is not None:
                d = torch.maximum(d, lsd - 0.5)
            elif self.clip[0] == "fis":
                _, key, side, G = self.clip
                a = self.anat
                u = a.cpsi * (X - a.bx) + a.spsi * (Y - a.by)
                v = -a.spsi * (X - a.bx) + a.cpsi * (Y - a.by)
                zf = a.fissure_height(key, u, v, xp=torch)
                d = torch.maximum(d, (side * (zf - Z) * G).float())
        return d, (q0, q1, q2)

    def spicule_cov(self, X, Y, Z, b):
        out = None
        for a, t, ra, rb in self.spicules:
            ab = t - a
            L2 = float(ab @ ab)
            dx, dy, dz = (X - a[0]).float(), (Y - a[1]).float(), (Z - a[2]).float()
            tt = torch.clamp((dx * ab[0] + dy * ab[1] + dz * ab[2]) / L2, 0, 1)
            qx, qy, qz = dx - tt * ab[0], dy - tt * ab[1], dz - tt * ab[2]
            d = torch.sqrt(qx * qx + qy * qy + qz * qz)
            r = ra + tt * (rb - ra)
            amp = 1 - torch.exp(-(r * r) / (b * b))
            cov = amp * torch.sigmoid(-SIG * (d - r) / b)
            out = cov if out is None else torch.maximum(out, cov)
        return out

    def apply(self, h, ctx):
        reg = self.region(ctx, h.shape)
        if reg is None:
            return h
        k0, k1, j0, j1, i0, i1 = reg
        X, Y, Z = self.coords(ctx, reg)
        lsd = ctx["lsd"][k0:k1, j0:j1, i0:i1]
        d, (q0, q1, q2) = self.body_sdf(X, Y, Z, lsd)
        b = math.sqrt(self.blur**2 + ctx["sigma"] ** 2)
        occ = torch.sigmoid(-SIG * d / b)
        if self.spicules:
            occ = torch.maximum(occ, self.spicule_cov(X, Y, Z, max(ctx["sigma"], 0.3)))
        sub = h[k0:k1, j0:j1, i0:i1]
        mu = self.mu + _wave_field(self.het, q0, q1, q2)
        if self.kind in ("ground-glass", "part-solid"):
            sub = sub + occ * torch.relu(mu - sub)
        else:
            sub = sub + occ * (mu - sub)
        if self.kind == "part-solid":
            off, cax = self.core
            dc = _ell_sdf(q0 - off[0], q1 - off[1], q2 - off[2], cax)
            dc = torch.maximum(dc, d)
            bc = math.sqrt(self.core_blur**2 + ctx["sigma"] ** 2)
            oc = torch.sigmoid(-SIG * dc / bc)
            sub = sub + oc * (self.core_mu + 0.5 * _wave_field(self.het, q0, q1, q2) - sub)
        if self.kind == "calcified" and self.calc != "diffuse":
            rho = torch.sqrt((q0 / self.axes[0]) ** 2 + (q1 / self.axes[1]) ** 2 + (q2 / self.axes[2]) ** 2)
            rmean = float(self.axes.mean())
            if self.calc == "central":
                dc = (rho - self.calc_f) * rmean
                oc = torch.sigmoid(-SIG * dc / b)
            elif self.calc == "laminated":
                oc = torch.clamp((torch.cos(2 * math.pi * rho * self.rings) - 0.2) / 0.5, 0, 1) * torch.sigmoid(-SIG * (rho - 0.85) * rmean / b)
            else:
                oc = 0
                for cc, rr in self.pops:
                    dd = torch.sqrt((q0 / self.axes[0] - cc[0]) ** 2 + (q1 / self.axes[1] - cc[1]) ** 2 + (q2 / self.axes[2] - cc[2]) ** 2) - rr
                    oc = torch.maximum(torch.as_tensor(oc), torch.sigmoid(-SIG * dd * rmean / b))
            oc = oc * occ
            sub = sub + oc * (self.calc_hu - sub)
        h[k0:k1, j0:j1, i0:i1] = sub
        return h

    # --- truth ----------------------------------------------------------------------------------------
    def _mask_grid(self, step, sampler, zplane=None):
        e = float(self.axes.max()) * 1.3 + 1.0
        ax = torch.arange(-e, e + 1e-9, step, dtype=torch.float64)
        X = (self.c[0] + ax).view(1, 1, -1)
        Y = (self.c[1] + ax).view(1, -1, 1)
        Z = (self.c[2] + ax).view(-1, 1, 1) if zplane is None else torch.tensor([[[zplane]]], dtype=torch.float64)
        lsd = None
        if self.clip is not None and self.clip[0] == "lung":
            P = torch.stack(torch.broadcast_tensors(X, Y, Z), -1).reshape(-1, 3).numpy()
            lsd = torch.tensor(sampler(P), dtype=torch.float32).view(len(Z.view(-1)), len(ax), len(ax))
        d, q = self.body_sdf(X, Y, Z, lsd)
        return d, q, (X, Y, Z)

    def measure(self, sampler):
        """(centre [3], diameter, solid-core diameter or None, body volume mm^3)."""
        D = 2 * float(self.axes.max())
        step = float(np.clip(D / 45, 0.08, 0.4))
        d, q, (X, Y, Z) = self._mask_grid(step, sampler)
        m = d < 0
        if int(m.sum()) < 4:
            return None
        Xb, Yb, Zb = torch.broadcast_tensors(X, Y, Z)
        cen = np.array([float(Xb[m].mean()), float(Yb[m].mean()), float(Zb[m].mean())])
        vol = float(m.sum()) * step**3
        self.centroid = cen
        step2 = step / 2
        d2, q2, (X2, Y2, Z2) = self._mask_grid(step2, sampler, zplane=cen[2])
        diam = _axial_diam(d2[0] < 0, X2.view(-1), Y2.view(-1))
        core_d = None
        if self.kind == "part-solid":
            off, cax = self.core
            dc = torch.maximum(_ell_sdf(q2[0] - off[0], q2[1] - off[1], q2[2] - off[2], cax), d2)
            core_d = _axial_diam(dc[0] < 0, X2.view(-1), Y2.view(-1))
            if core_d is None:
                # an eccentric core can miss the central plane: measure it in its own plane
                zc = self.c + self.R @ off
                d3, q3, (X3, Y3, Z3) = self._mask_grid(step2, sampler, zplane=zc[2])
                dc = torch.maximum(_ell_sdf(q3[0] - off[0], q3[1] - off[1], q3[2] - off[2], cax), d3)
                core_d = _axial_diam(dc[0] < 0, X3.view(-1), Y3.view(-1)) or 0.0
        return cen, diam, core_d, vol


def _axial_diam(mask2d, xs, ys):
    """Mean of the longest diameter and the diameter perpendicular to it (mm) of a 2-D mask."""
    if mask2d.dim() == 3:
        mask2d = mask2d[0]
    jj, ii = torch.nonzero(mask2d, as_tuple=True)
    if len(jj) < 3:
        return None
    step = float(xs[1] - xs[0])
    P = torch.stack([xs[ii], ys[jj]], 1).double()
    ang = torch.linspace(0, math.pi, 91, dtype=torch.float64)[:-1]
    U = torch.stack([torch.cos(ang), torch.sin(ang)])
    proj = P @ U
    width = proj.max(0).values - proj.min(0).values + step
    k = int(torch.argmax(width))
    long = float(width[k])
    short = float(width[(k + 45) % 90])
    return (long + short) / 2


# ------------------------------------------------------------------------------------------------------
class Blob(Obj):
    """Confuser bodies: plate atelectasis, non-nodular ground-glass patch, pleural plaque or thickening."""

    def __init__(self, rng, kind, c, R, axes, hu, blur, in_lung=True, relu=False):
        self.kind, self.c, self.R, self.axes = kind, np.asarray(c, dtype=np.float64), np.asarray(R), np.asarray(axes, dtype=np.float64)
        self.hu, self.blur, self.in_lung, self.relu = hu, blur, in_lung, relu
        self.waves = _waves(rng, 4, 0.12 * float(self.axes.max()), (8.0, 25.0)) if kind == "gg-patch" else []
        self.tex = _waves(rng, 3, 25.0, (3.0, 8.0)) if kind == "gg-patch" else []
        self.extent = float(self.axes.max()) * 1.35 + 3 * blur + 2

    def apply(self, h, ctx):
        reg = self.region(ctx, h.shape)
        if reg is None:
            return h
        k0, k1, j0, j1, i0, i1 = reg
        X, Y, Z = self.coords(ctx, reg)
        q0, q1, q2 = self.to_local(X, Y, Z)
        d = _ell_sdf(q0, q1, q2, self.axes)
        if self.waves:
            d = d + _wave_field(self.waves, q0, q1, q2)
        b = math.sqrt(self.blur**2 + ctx["sigma"] ** 2)
        occ = torch.sigmoid(-SIG * d / b)
        if self.in_lung:
            occ = occ * ctx["occL"][k0:k1, j0:j1, i0:i1]
        sub = h[k0:k1, j0:j1, i0:i1]
        hu = self.hu + (_wave_field(self.tex, q0, q1, q2) if self.tex else 0)
        if self.relu:
            sub = sub + occ * torch.relu(hu - sub)
        else:
            sub = sub + occ * (hu - sub)
        h[k0:k1, j0:j1, i0:i1] = sub
        return h


# ------------------------------------------------------------------------------------------------------
COUNT_P = np.array([0.05, 0.12, 0.2, 0.23, 0.2, 0.12, 0.08])


def draw_diameter(rng):
    u = rng.random()
    if u < 0.12:
        return rng.uniform(3, 4)
    if u < 0.62:
        return rng.uniform(4, 8)
    if u < 0.87:
        return rng.uniform(8, 14)
    return float(np.exp(rng.uniform(math.log(14), math.log(30))))


class Placer:
    def __init__(self, rng, anat, sampler, tinfo, lung_pts_body, sigma, small=False):
        self.rng, self.a, self.smp, self.sigma = rng, anat, sampler, sigma
        self.lung_hu = FastSampler(anat.grid, anat.lung_hu, anat, patient=True)
        self.pts = anat.to_patient(lung_pts_body)
        self.sdf_pts = sampler(self.pts)
        segs = [(anat.to_patient(s), anat.to_patient(e), rs, re) for s, e, rs, re, _ in tinfo["art"] + tinfo["vein"]]
        self.va = np.array([s for s, _, _, _ in segs])
        self.vb = np.array([e for _, e, _, _ in segs])
        self.vr = np.array([max(rs, re) for _, _, rs, re in segs])
        self.placed = []
        cg = anat.grid
        lab = anat.lung_label.numpy()
        sd = anat.lung_sdf.numpy()
        k, j, i = np.nonzero((sd > -1.8) & (sd < -0.2))
        self.bnd = np.stack([cg.x0 + i * cg.dx, cg.y0 + j * cg.dy, cg.z0 + k * cg.dz], 1)
        self.bnd_lab = lab[k, j, i]

    def vessel_dist(self, p):
        ab = self.vb - self.va
        ap = p[None] - self.va
        t = np.clip((ap * ab).sum(1) / np.maximum((ab * ab).sum(1), 1e-9), 0, 1)
        d = np.linalg.norm(ap - t[:, None] * ab, axis=1)
        return d - self.vr

    def grad(self, p):
        h = 1.0
        e = np.eye(3) * h
        q = self.smp(np.concatenate([p[None] + e, p[None] - e]))
        g = (q[:3] - q[3:]) / (2 * h)
        return g / (np.linalg.norm(g) + 1e-9)

    def free(self, c, r):
        for q, rq in self.placed:
            if np.linalg.norm(q - c) < r + rq + 5:
                return False
        return True

    def hilum_far(self, c, r):
        for hil in (self.a.hil_R, self.a.hil_L):
            if np.linalg.norm(self.a.to_body(c)[:2] - hil[:2]) < 25 + r and abs(self.a.to_body(c)[2] - hil[2]) < 40:
                return False
        return True

    def nodule(self, kind=None, diameter=None):
        """One nodule with its truth, or None where none fits. `kind` forces the type (a sub-solid one is
        then never perifissural); otherwise it is drawn from the clinical mix. `diameter` (mm) forces the
        size before the type's own limits apply."""
        rng = self.rng
        loc = str(rng.choice(["isolated", "juxtavascular", "juxtapleural", "perifissural"], p=[0.35, 0.25, 0.3, 0.1]))
        if kind is None:
            kind = str(rng.choice(["solid", "ground-glass", "part-solid", "calcified"], p=[0.55, 0.2, 0.15, 0.1]))
            if loc == "perifissural" and rng.random() < 0.8:
                kind = "solid"
        elif loc == "perifissural" and kind in ("ground-glass", "part-solid"):
            loc = "isolated"
        D = draw_diameter(rng) if diameter is None else float(diameter)
        if kind == "calcified":
            D = min(D, rng.uniform(8, 20))
        if kind == "part-solid":
            D = max(D, rng.uniform(6, 9))
        margin_p = {"solid": [0.5, 0.3, 0.2], "part-solid": [0.4, 0.3, 0.3], "ground-glass": [0.75, 0.25, 0.0], "calcified": [0.7, 0.3, 0.0]}[kind]
        margin = str(rng.choice(["smooth", "lobulated", "spiculated"], p=margin_p))
        if loc == "perifissural":
            margin = "smooth"
        r = D / 2
        ratio = math.exp(rng.uniform(0, math.log(1.7)))
        ax = np.array([r * math.sqrt(ratio), r / math.sqrt(ratio), r * math.exp(rng.uniform(-0.25, 0.2))])
        rng.shuffle(ax)
        R = random_rotation(rng)
        for attempt in range(90):
            if attempt == 45:
                loc = str(rng.choice(["isolated", "juxtavascular", "juxtapleural"], p=[0.2, 0.4, 0.4]))
                if margin == "smooth" and kind == "solid" and rng.random() < 0.3:
                    margin = "lobulated"
            c, clip, R2, ax2 = self._position(loc, r, ax, R)
            if c is None:
                continue
            if not self.free(c, r) or not self.hilum_far(c, r):
                continue
            # the measured axial diameter (after clipping, axis ratios) is brought back to the drawn one
            res = None
            for _ in range(3):
                n = Nodule(rng, kind, margin, loc, c, R2, ax2, self.sigma, self.a)
                n.clip = clip
                res = n.measure(self.smp)
                if res is None or abs(res[1] - D) < 0.06 * D:
                    break
                ax2 = ax2 * float(np.clip(D / res[1], 0.6, 1.7))
            if res is None or not (0.85 * D <= res[1] <= 1.15 * D) or res[1] < 2.9:
                continue
            cen, diam, core_d, vol = res
            if self.smp(cen[None])[0] > -0.3:
                continue
            if kind in ("ground-glass", "part-solid"):
                # ground glass must stand out from the local parenchyma (dense dependent lung included)
                lung_here = float(self.lung_hu(cen[None])[0])
                n.mu = max(n.mu, lung_here + rng.uniform(120, 220))
            self.placed.append((c, float(np.max(ax2))))
            n.truth = dict(center=cen, diameter=diam, solid=core_d)
            return n
        return None

    def _position(self, loc, r, ax, R):
        rng = self.rng
        a = self.a
        if loc == "isolated":
            k = rng.integers(len(self.pts))
            c = self.pts[k]
            vd = self.vessel_dist(c)
            if self.sdf_pts[k] > -(r + 3) or (vd[self.vr >= 1.5].min(initial=99.0) < r + 0.5) or vd.min() < 0.3 * r:
                return None, None, None, None
            return c, None, R, ax
        if loc == "juxtavascular":
            ok = np.nonzero((self.vr > 0.6) & (self.vr < 3.0))[0]
            if len(ok) == 0:
                return None, None, None, None
            k = ok[rng.integers(len(ok))]
            t = rng.uniform(0.2, 0.8)
            p = self.va[k] + t * (self.vb[k] - self.va[k])
            d = unit(self.vb[k] - self.va[k])
            off = unit(np.cross(d, rng.normal(size=3))) * rng.uniform(0, 0.5) * r
            c = p + off
            if self.smp(c[None])[0] > -(r + 2):
                return None, None, None, None
            return c, None, R, ax
        if loc == "juxtapleural":
            labs = self.bnd_lab
            w = np.where(labs == COSTAL, 0.55, 0.0) + np.where(labs == APEX, 0.1, 0) + np.where(labs == MEDIASTINAL, 0.2, 0) + np.where(labs == DIAPHRAGM, 0.15, 0)
            # weight per class, not per voxel
            for L in (COSTAL, APEX, MEDIASTINAL, DIAPHRAGM):
                m = labs == L
                if m.any():
                    w[m] /= m.sum()
            if w.sum() <= 0:
                return None, None, None, None
            k = rng.choice(len(labs), p=w / w.sum())
            p = self.bnd[k] + rng.uniform(-0.5, 0.5, 3) * self.a.grid.dx
            n = self.grad(p)
            p = p - n * self.smp(p[None])[0]
            Rn = R.T @ n
            rn = math.sqrt(float(((ax * Rn) ** 2).sum()))
            c = p - n * rng.uniform(0.2, 0.7) * rn
            if self.smp((c - n * rn)[None])[0] > -1.0:
                return None, None, None, None
            return c, ("lung",), R, ax
        # perifissural
        key = str(rng.choice(["OR", "OL", "H"], p=[0.4, 0.4, 0.2]))
        f = a.fis[key]
        if f.get("absent"):
            return None, None, None, None
        side_u = f["side"]
        k = rng.integers(len(self.pts))
        pb = a.to_body(self.pts[k][None])[0]
        if (pb[0] - a.mid_u(0, 0)) * side_u < 0:
            return None, None, None, None
        u, v = pb[0], pb[1]
        zf = float(a.fissure_height(key, np.array([u]), np.array([v]))[0])
        if float(a.fissure_presence(key, np.array([u]), np.array([v]))[0]) < 0.7:
            return None, None, None, None
        if key == "H" and zf < float(a.fissure_height("OR", np.array([u]), np.array([v]))[0]) + 2:
            return None, None, None, None
        e = 0.5
        gu = float((a.fissure_height(key, np.array([u + e]), np.array([v])) - a.fissure_height(key, np.array([u - e]), np.array([v])))[0]) / (2 * e)
        gv = float((a.fissure_height(key, np.array([u]), np.array([v + e])) - a.fissure_height(key, np.array([u]), np.array([v - e])))[0]) / (2 * e)
        nb = unit(np.array([-gu, -gv, 1.0]))
        G = 1 / math.sqrt(1 + gu * gu + gv * gv)
        side = 1.0 if rng.random() < 0.5 else -1.0
        # local frame: short axis along the fissure normal
        n_p = np.array([a.cpsi * nb[0] - a.spsi * nb[1], a.spsi * nb[0] + a.cpsi * nb[1], nb[2]])
        t1 = unit(np.cross(n_p, rng.normal(size=3)))
        t2 = np.cross(n_p, t1)
        R2 = np.stack([t1, t2, n_p], axis=1)
        ax2 = np.array([r * rng.uniform(0.95, 1.3), r * rng.uniform(0.8, 1.1), r * rng.uniform(0.55, 0.8)])
        p = a.to_patient(np.array([[u, v, zf]]))[0]
        c = p + side * n_p * rng.uniform(0.3, 0.7) * ax2[2]
        if self.smp(c[None])[0] > -(r + 3):
            return None, None, None, None
        # body lies on the `side` half: clip d >= side*(zf - z)*G ... keep z on the chosen side
        return c, ("fis", key, side, G), R2, ax2


# ------------------------------------------------------------------------------------------------------
def confusers(rng, anat, placer, tinfo, caps):
    """Adds confuser capsules to `caps` and returns confuser objects (never labelled)."""
    objs = []
    a = anat
    pts, sdf = placer.pts, placer.sdf_pts
    ze = a.zeta(pts[:, 2])
    kinds = []
    # emphysema: centrilobular lucencies (upper zones), paraseptal bullae (subpleural)
    if rng.random() < 0.25:
        kinds.append("emphysema")
        w = np.clip(1.1 - ze, 0.05, 1) ** 2 * (sdf < -3)
        n = int(rng.integers(40, 400))
        sel = rng.choice(len(pts), n, p=w / w.sum())
        for p in pts[sel]:
            rr = rng.uniform(1.0, 4.0)
            caps.add(p, p + rng.normal(0, 0.8, 3), rr, rr * rng.uniform(0.7, 1.0), F_EMPH)
        if rng.random() < 0.5:
            sub = np.nonzero((sdf > -12) & (sdf < -4))[0]
            for _ in range(rng.integers(2, 11)):
                k = sub[rng.integers(len(sub))]
                rr = min(rng.uniform(4, 14), -sdf[k] + 1.0)
                p = pts[k]
                caps.add(p, p + rng.normal(0, 1.0, 3), rr + 0.6, rr + 0.6, F_AWALL, rr, rr)
    # linear scars
    if rng.random() < 0.4:
        kinds.append("scar")
        for _ in range(rng.integers(1, 4)):
            k = rng.integers(len(pts))
            p = pts[k]
            g = placer.grad(p)
            L = rng.uniform(15, 45)
            d = unit(g + rng.normal(0, 0.6, 3))
            path = [p]
            for _ in range(3):
                d = unit(d + rng.normal(0, 0.25, 3))
                path.append(path[-1] + d * L / 3)
            rr = rng.uniform(0.5, 1.5)
            for q0, q1 in zip(path[:-1], path[1:]):
                caps.add(q0, q1, rr, rr * 0.8, F_SOFT)
    # plate atelectasis (thin discs in the lower lobes)
    if rng.random() < 0.25:
        kinds.append("plate")
        cand = np.nonzero((ze > 0.55) & (sdf < -10))[0]
        for _ in range(rng.integers(1, 3)):
            if len(cand) == 0:
                break
            c = pts[cand[rng.integers(len(cand))]]
            nrm = unit(np.array([0, 0, 1.0]) + rng.normal(0, 0.35, 3))
            t1 = unit(np.cross(nrm, rng.normal(size=3)))
            R = np.stack([t1, np.cross(nrm, t1), nrm], 1)
            objs.append(Blob(rng, "plate", c, R, [rng.uniform(15, 40), rng.uniform(8, 20), rng.uniform(0.5, 1.5)], rng.uniform(-60, 30), 0.4))
    # tree-in-bud
    if rng.random() < 0.12:
        kinds.append("tree-in-bud")
        cand = np.nonzero((sdf < -6) & (sdf > -25))[0]
        c0 = pts[cand[rng.integers(len(cand))]]
        for _ in range(rng.integers(4, 13)):
            s = c0 + rng.normal(0, 8, 3)
            if placer.smp(s[None])[0] > -3:
                continue
            d = unit(rng.normal(size=3))
            m = s + d * rng.uniform(3, 6)
            rr = rng.uniform(0.5, 0.9)
            caps.add(s, m, rr, rr, F_SOFT)
            for _ in range(2):
                tip = m + unit(d + rng.normal(0, 0.8, 3)) * rng.uniform(2, 4)
                caps.add(m, tip, rr * 0.9, rr * 0.8, F_SOFT)
                rb = rng.uniform(0.9, 1.4)
                caps.add(tip, tip + rng.normal(0, 0.3, 3), rb, rb, F_SOFT)
    # mucus-filled bronchus (finger in glove)
    if rng.random() < 0.1 and tinfo["air"]:
        kinds.append("mucus")
        cand = [x for x in tinfo["air"] if 1.5 < x[1] < 4.0 and x[5] >= 3]
        if cand:
            root = cand[rng.integers(len(cand))][6]
            for bpath, ro_s, ro_e, ri_s, ri_e, gen, br in tinfo["air"]:
                q = br
                depth = 0
                while q is not None and q is not root and depth < 3:
                    q, depth = q.parent, depth + 1
                if q is root:
                    pp = a.to_patient(np.asarray(bpath))
                    rad = np.linspace(ri_s, ri_e, len(pp)) + 0.15
                    for k in range(len(pp) - 1):
                        caps.add(pp[k], pp[k + 1], rad[k], rad[k + 1], F_SOFT)
    # ground-glass patch (non-nodular, > 3 cm)
    if rng.random() < 0.1:
        kinds.append("gg-patch")
        cand = np.nonzero(sdf < -15)[0]
        c = pts[cand[rng.integers(len(cand))]]
        r = rng.uniform(18, 40)
        objs.append(Blob(rng, "gg-patch", c, random_rotation(rng), [r, r * rng.uniform(0.6, 1.0), r * rng.uniform(0.5, 0.9)], a.hu_lung + rng.uniform(100, 260), rng.uniform(3, 6), True, True))
    # pleural plaques / thickening
    if rng.random() < 0.1:
        kinds.append("pleural")
        calc = rng.random() < 0.6
        m = (placer.bnd_lab == COSTAL) | (placer.bnd_lab == DIAPHRAGM)
        idx = np.nonzero(m)[0]
        for _ in range(rng.integers(1, 5)):
            if len(idx) == 0:
                break
            p = placer.bnd[idx[rng.integers(len(idx))]]
            n = placer.grad(p)
            p = p - n * placer.smp(p[None])[0]
            th = rng.uniform(1.0, 2.5)
            t1 = unit(np.cross(n, rng.normal(size=3)))
            R = np.stack([t1, np.cross(n, t1), n], 1)
            axes = [rng.uniform(8, 22), rng.uniform(6, 14), th]
            hu = rng.uniform(300, 900) if calc else rng.uniform(30, 80)
            objs.append(Blob(rng, "plaque", p + n * th * 0.3, R, axes, hu, 0.3, in_lung=False))
    return objs, kinds
