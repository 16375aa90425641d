"""Assembles the clean (noise-free, unfiltered) slices: the anatomy is evaluated on sub-slices (several per
slice thickness) at the output pixel grid inside the body's bounding box, and each output slice is the
weighted mean of the sub-slices under its slice-sensitivity profile.

Per sub-slice: coarse fields (tissue, lung HU, lung distance) are trilinearly upsampled; the lung surface is
sharpened from the distance field; fissures, emphysema, airways, vessels, soft-tissue confusers, lesions,
metal, cartilage and bone are then composited in that order.
"""
import math

import numpy as np
import torch
import torch.nn.functional as F

from .trees import F_ALUMEN, F_ART, F_AWALL, F_BONE, F_CART, F_EMPH, F_MARROW, F_METAL, F_SOFT, F_VEIN, N_FIELDS


def slice_weights(z_out, z_sub, thickness, plateau):
    """[n_out, n_sub] slice-profile weights: trapezoid of FWHM = thickness (plateau 0 gives a triangle)."""
    p = plateau * thickness / 2
    q = thickness - p
    dz = np.abs(z_out[:, None] - z_sub[None, :])
    w = np.clip((q - dz) / max(q - p, 1e-6), 0, 1)
    w /= np.maximum(w.sum(1, keepdims=True), 1e-9)
    return w


class Renderer:
    def __init__(self, anat, geo, tubes, lesions, hu, chunk=16):
        self.a = anat
        self.geo = geo
        self.tubes = tubes
        self.lesions = lesions
        self.hu = hu
        self.chunk = chunk

    def bbox(self):
        """Fine-grid (j0, j1, i0, i1) of the coarse grid (the body's box)."""
        return self.geo.box

    def fissure_maps(self, j0, j1, i0, i1):
        a, g = self.a, self.geo
        xs = torch.tensor(g.x0 + g.s * np.arange(i0, i1), dtype=torch.float32)
        ys = torch.tensor(g.y0 + g.s * np.arange(j0, j1), dtype=torch.float32)
        X, Y = xs[None, :].expand(len(ys), len(xs)), ys[:, None].expand(len(ys), len(xs))
        dx, dy = X - a.bx, Y - a.by
        Ub = a.cpsi * dx + a.spsi * dy
        Vb = -a.spsi * dx + a.cpsi * dy
        self.Ub, self.Vb, self.Yf = Ub, Vb, Y
        maps = []
        right = (Ub < a.mid_u(0, 0)).float()
        fo_r = a.fissure_height("OR", Ub, Vb, xp=torch)
        for key in ("OR", "OL", "H"):
            f0 = fo_r if key == "OR" else a.fissure_height(key, Ub, Vb, xp=torch)
            gy, gx = torch.gradient(f0, spacing=(g.s, g.s))
            G = 1 / torch.sqrt(1 + gx * gx + gy * gy)
            pres = a.fissure_presence(key, Ub, Vb, xp=torch)
            side = right if a.fis[key]["side"] < 0 else 1 - right
            pres = pres * side
            if key == "H":
                pres = pres * torch.clamp((f0 - fo_r) / 2.0, 0, 1)
            w = math.sqrt(self.sigma**2 + a.fis[key]["thick"] ** 2 / 3)
            amp = min(1.0, 2 * a.fis[key]["thick"] / (math.sqrt(2 * math.pi) * w))
            maps.append((f0, G, pres * amp, w))
        self.fmaps = maps

    def run(self):
        a, g = self.a, self.geo
        t = torch
        n_out = len(g.z_out)
        W = t.tensor(slice_weights(g.z_out, g.z_sub, g.thickness, g.plateau), dtype=t.float32)
        j0, j1, i0, i1 = self.bbox()
        self.box = (j0, j1, i0, i1)
        ny, nx = j1 - j0, i1 - i0
        self.sigma = max(0.42 * g.s, 0.38 * g.h)
        self.fissure_maps(j0, j1, i0, i1)
        out = t.zeros((n_out, ny, nx), dtype=t.float32)
        cg = a.grid
        mc = g.mc
        coarse = t.stack([a.tissue, a.lung_hu, a.lung_sdf])  # [3, Zc, Yc, Xc]
        jc0, jc1 = 0, cg.ny
        ic0, ic1 = 0, cg.nx
        hu = self.hu
        y_first, x_first = g.y0 + j0 * g.s, g.x0 + i0 * g.s
        dep = None
        if hu.get("atel", 0) > 0:
            ymin, ymax = float(self.Yf.min()), float(self.Yf.max())
            yy = (self.Yf - ymin) / max(ymax - ymin, 1)
            dep = t.clamp((yy if a.g > 0 else 1 - yy) * 1.6 - 0.6, 0, 1) * hu["atel_patch"][j0:j1, i0:i1]
        n_sub = len(g.z_sub)
        for s0 in range(0, n_sub, self.chunk):
            s1 = min(n_sub, s0 + self.chunk)
            rows = t.nonzero(W[:, s0:s1].sum(1) > 0).view(-1)
            if len(rows) == 0:
                continue
            qa, qb = s0 // mc, min(cg.nz - 1, (s1 - 1 + mc - 1) // mc)
            qb = max(qb, qa + 1)
            block = coarse[:, qa : qb + 1, jc0:jc1, ic0:ic1]
            size = ((qb - qa) * mc + 1, (jc1 - jc0 - 1) * 2 + 1, (ic1 - ic0 - 1) * 2 + 1)
            up = F.interpolate(block[None], size=size, mode="trilinear", align_corners=True)[0]
            zs0 = s0 - qa * mc
            oy, ox = 0, 0
            up = up[:, zs0 : zs0 + (s1 - s0), oy : oy + ny, ox : ox + nx]
            tis, lhu, lsd = up[0], up[1], up[2]
            nzc = s1 - s0
            zc = t.tensor(g.z_sub[s0:s1], dtype=t.float32).view(nzc, 1, 1)
            if dep is not None:
                lhu = lhu + hu["atel"] * dep[None] * t.exp(t.clamp(lsd, max=0) / hu["atel_w"])
            occL = t.clamp(0.5 - lsd / (0.9 * g.s), 0, 1)
            h = tis + occL * (lhu - tis)
            # fissures
            for f0, G, pres, w in self.fmaps:
                d = (zc - f0[None]) * G[None]
                h = h + (occL * pres[None] * t.exp(-(d * d) / (2 * w * w))) * (hu["fissure"] - h)
            if a.acc_fissure is not None:
                af = a.acc_fissure
                d = (self.Ub[None] - af["u0"] - af["a"] * self.Vb[None] * 0.3 - af["b"] * (zc - af["z_lo"])) / math.sqrt(1 + af["a"] ** 2 * 0.09 + af["b"] ** 2)
                zr = t.clamp((zc - af["z_lo"]) / 10, 0, 1) * t.clamp((af["z_hi"] - zc) / 10, 0, 1)
                w = math.sqrt(self.sigma**2 + af["thick"] ** 2 / 3)
                h = h + occL * zr * 0.6 * t.exp(-(d * d) / (2 * w * w)) * (hu["fissure"] - h)
            # tubes
            fields = t.zeros((N_FIELDS, nzc, ny, nx), dtype=t.float32)
            self.tubes.render(fields, float(g.z_sub[s0]), g.h, y_first, x_first, g.s)
            h = h + fields[F_EMPH] * occL * (hu["emph"] - h)
            h = h + fields[F_AWALL] * (hu["awall"] - h)
            h = h + fields[F_ALUMEN] * (hu["air"] - h)
            h = h + fields[F_ART] * (hu["art"] - h)
            h = h + fields[F_VEIN] * (hu["vein"] - h)
            h = h + fields[F_SOFT] * (hu["soft"] - h)
            ctx = dict(z=zc.view(-1), y0=y_first, x0=x_first, s=g.s, lsd=lsd, occL=occL, sigma=self.sigma)
            for les in self.lesions:
                h = les.apply(h, ctx)
            h = h + fields[F_METAL] * (hu["metal"] - h)
            h = h + fields[F_CART] * (hu["cart"] - h)
            h = h + fields[F_BONE] * (hu["cortex"] - h)
            h = h + fields[F_MARROW] * (hu["marrow"] - h)
            k0, k1 = int(rows[0]), int(rows[-1]) + 1
            out[k0:k1] += (W[k0:k1, s0:s1] @ h.reshape(nzc, -1)).view(k1 - k0, ny, nx)
        # full field of view: coarse tissue at the slice centres, then the body box from the fine pass
        full = self.base_slices()
        full[:, j0:j1, i0:i1] = out
        return full

    def base_slices(self):
        """Air, table and pad over the whole field of view (they do not change along z)."""
        a, g = self.a, self.geo
        xs = torch.tensor(g.x0 + g.s * np.arange(g.n), dtype=torch.float32)
        ys = torch.tensor(g.y0 + g.s * np.arange(g.n), dtype=torch.float32)
        X, Y = xs[None, :].expand(g.n, g.n), ys[:, None].expand(g.n, g.n)
        img = a.table_image(X, Y)
        return img[None].repeat(len(g.z_out), 1, 1)
