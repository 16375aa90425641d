"""Scanner model applied to the clean slices: cardiac and breathing motion, streaks and beam-hardening bands,
rings, the reconstruction kernel (MTF), correlated quantum noise with an FBP-like noise power spectrum
(|f| times the kernel's MTF squared), and the calibration offset and gain."""
import math

import numpy as np
import torch
import torch.nn.functional as F

from .geom import unit

KERNEL_NAMES = {
    "soft": ["B20f", "SOFT", "FC10", "Br36", "A"],
    "standard": ["B31f", "STANDARD", "FC13", "Br40", "B"],
    "sharp": ["B60f", "LUNG", "FC51", "Br64", "B70f", "YA"],
}


def freq_grid(n, s):
    fy = torch.fft.fftfreq(n, d=s).view(-1, 1)
    fx = torch.fft.rfftfreq(n, d=s).view(1, -1)
    return fx, fy


def mtf(p, n, s):
    fx, fy = freq_grid(n, s)
    f2 = fx * fx + fy * fy
    m = torch.exp(-2 * math.pi**2 * p.kernel_sigma**2 * f2)
    if p.kernel == "sharp":
        su = p.sharp_radius * s
        m = m * (1 + p.sharp_amount * (1 - torch.exp(-2 * math.pi**2 * su * su * f2)))
    return m.float(), fx, fy


class Scanner:
    def __init__(self, p, g, anat, rng):
        self.p, self.g, self.a, self.rng = p, g, anat, rng
        n, s = g.n, g.s
        self.M, fx, fy = mtf(p, n, s)
        f = torch.sqrt(fx * fx + fy * fy)
        fny = 0.5 / s
        # noise amplitude filter: sqrt(|f|) * MTF * apodisation, anisotropic for wide patients
        aniso = float(np.clip((anat.W - 300) / 300, 0, 0.4)) * rng.uniform(0.5, 1.0)
        ang = (fy * fy - fx * fx) / (f * f + 1e-9)
        apod = torch.clamp(torch.cos(torch.clamp(f / fny, 0, 1) * math.pi / 2), min=0) ** 0.5
        Af = torch.sqrt(f + 0.03 * fny) * self.M * apod * (1 + aniso * ang)
        self.Af = Af.float()
        # normalisation so that filtered unit white noise has unit variance
        full = torch.cat([Af, Af[:, 1:-1].flip(1)], dim=1) if n % 2 == 0 else Af
        self.noise_norm = float(torch.sqrt((full**2).mean()))
        size = anat.W / 330
        kf = {"soft": 0.6, "standard": 1.0, "sharp": 1.7}[p.kernel]
        sigma = 30 * size**2.2 / math.sqrt(p.dose) * math.sqrt(1.25 / g.thickness) * kf * (120 / p.kvp) ** 1.2
        self.sigma = float(np.clip(sigma, 8, 70))
        self.corr = 0.5 * max(0.0, (g.thickness - g.spacing) / g.thickness)
        self.cardiac = rng.random() < 0.6
        self.breathing = rng.random() < 0.1
        self.rings = rng.random() < 0.04
        self.fov_circle = (not p.targeted) and rng.random() < 0.3
        xs = g.x0 + s * np.arange(n)
        ys = g.y0 + s * np.arange(n)
        self.X = torch.tensor(xs, dtype=torch.float32).view(1, -1)
        self.Y = torch.tensor(ys, dtype=torch.float32).view(-1, 1)

    # -- helpers ---------------------------------------------------------------------------------------
    def pix(self, p_patient):
        g = self.g
        return (p_patient[0] - g.x0) / g.s, (p_patient[1] - g.y0) / g.s

    def _streak_table(self, k, dark_bias):
        rng = self.rng
        tab = np.zeros(4096)
        th = np.linspace(-math.pi, math.pi, 4096, endpoint=False)
        for _ in range(k):
            a0 = rng.uniform(-math.pi, math.pi)
            w = rng.uniform(0.002, 0.006)
            sgn = -1.0 if rng.random() < dark_bias else 1.0
            amp = sgn * rng.uniform(0.4, 1.0)
            for a in (a0, a0 + math.pi):
                d = np.angle(np.exp(1j * (th - a)))
                tab += amp * np.exp(-(d**2) / (2 * w * w))
        return torch.tensor(tab, dtype=torch.float32)

    def streaks(self, img, px, py, amp, table, length_mm, r0_mm):
        g = self.g
        n = g.n
        jj = torch.arange(n, dtype=torch.float32).view(-1, 1) - py
        ii = torch.arange(n, dtype=torch.float32).view(1, -1) - px
        th = torch.atan2(jj, ii)
        rho = torch.sqrt(ii * ii + jj * jj) * g.s
        idx = ((th + math.pi) / (2 * math.pi) * 4096).long().clamp(0, 4095)
        decay = 1 / (1 + (rho / length_mm) ** 2) * torch.clamp((rho - r0_mm) / 4, 0, 1)
        return img + amp * table[idx] * decay

    def band(self, img, p0, p1, amp, width_mm):
        """Dark (amp < 0) band along the segment p0-p1 (pixel coordinates)."""
        g = self.g
        n = g.n
        (x0, y0), (x1, y1) = p0, p1
        pad = 3 * width_mm / g.s + 2
        i0, i1 = int(max(0, min(x0, x1) - pad)), int(min(n, max(x0, x1) + pad + 1))
        j0, j1 = int(max(0, min(y0, y1) - pad)), int(min(n, max(y0, y1) + pad + 1))
        if i1 <= i0 or j1 <= j0:
            return img
        jj = torch.arange(j0, j1, dtype=torch.float32).view(-1, 1)
        ii = torch.arange(i0, i1, dtype=torch.float32).view(1, -1)
        dx, dy = x1 - x0, y1 - y0
        L2 = max(dx * dx + dy * dy, 1e-6)
        t = torch.clamp(((ii - x0) * dx + (jj - y0) * dy) / L2, 0, 1)
        d = torch.sqrt((ii - x0 - t * dx) ** 2 + (jj - y0 - t * dy) ** 2) * g.s
        taper = torch.clamp(torch.sin(t * math.pi), min=0) ** 0.5
        img[j0:j1, i0:i1] += amp * torch.exp(-(d * d) / (2 * width_mm**2)) * taper
        return img

    # -- pipeline --------------------------------------------------------------------------------------
    def artifacts(self, vol):
        a, g, rng, p = self.a, self.g, self.rng, self.p
        z = g.z_out
        n_s = len(z)
        # cardiac motion: double contours near the heart border
        if self.cardiac:
            amp = rng.uniform(0.2, 0.5)
            hc = a.to_patient(a.heart_c[None])[0]
            ext = float(np.abs(a.heart_axes * a.heart_abc).sum(1)[2]) + 5
            Rm = a.heart_axes
            ab = a.heart_abc + a.pericard_fat
            for k in np.nonzero(np.abs(z - hc[2]) < ext)[0]:
                dx, dy, dz = self.X - hc[0], self.Y - hc[1], float(z[k] - hc[2])
                u = a.cpsi * dx + a.spsi * dy
                v = -a.spsi * dx + a.cpsi * dy
                q = [u * Rm[0, i] + v * Rm[1, i] + dz * Rm[2, i] for i in range(3)]
                k0 = torch.sqrt(sum((q[i] / ab[i]) ** 2 for i in range(3)))
                k1 = torch.sqrt(sum((q[i] / ab[i] ** 2) ** 2 for i in range(3))).clamp(min=1e-6)
                d = k0 * (k0 - 1) / k1
                m = torch.clamp(1 - torch.abs(d) / 18, 0, 1) * amp
                sh = (int(rng.integers(-3, 4)), int(rng.integers(-3, 4)))
                if sh == (0, 0):
                    continue
                shifted = torch.roll(vol[k], shifts=sh, dims=(0, 1))
                vol[k] = vol[k] + m * (shifted - vol[k])
        # breathing: a step/blur over a few slices across the diaphragm
        if self.breathing:
            zd = a.z_dR + rng.uniform(-30, 5)
            ks = np.nonzero(z < zd)[0]
            if len(ks) > 2:
                kb = ks[-1]
                m = int(rng.integers(2, 6))
                f = rng.uniform(0.3, 0.8)
                shift = int(rng.integers(-3, 4))
                for k in range(max(1, kb - m), kb + 1):
                    nb = torch.roll(vol[k + 1] if k + 1 < n_s else vol[k], shifts=(shift, 0), dims=(0, 1))
                    vol[k] = (1 - f) * vol[k] + f * nb
        # streaks from dense contrast in the SVC (arterial phase)
        if a.contrast == "arterial":
            table = self._streak_table(int(rng.integers(6, 16)), 0.5)
            amp = (a.hu_blood["svc"] - 200) * rng.uniform(0.08, 0.18)
            svc = a.to_patient(a.svc)
            for k in range(n_s):
                if svc[:, 2].min() - 5 < z[k] < svc[:, 2].max() + 5:
                    j = int(np.argmin(np.abs(svc[:, 2] - z[k])))
                    px, py = self.pix(svc[j])
                    vol[k] = self.streaks(vol[k], px, py, amp, table, rng.uniform(40, 90), a.r_svc)
        # metal
        for c, strength in getattr(a, "metal", []):
            cp = a.to_patient(np.asarray(c)[None])[0]
            table = self._streak_table(int(rng.integers(8, 20)), 0.6)
            amp = strength * rng.uniform(250, 700)
            for k in np.nonzero(np.abs(z - cp[2]) < max(g.thickness, 3.0) + 3)[0]:
                px, py = self.pix(cp)
                vol[k] = self.streaks(vol[k], px, py, amp, table, rng.uniform(30, 80), 3.0)
        # shoulders (arms down): streaks and a dark band between the humeral heads at the apices
        if a.arm is not None:
            table = self._streak_table(int(rng.integers(8, 16)), 0.7)
            for k in range(n_s):
                ze = a.zeta(z[k])
                if ze > 0.15:
                    continue
                w = float(np.clip((0.15 - ze) / 0.2, 0, 1))
                pts = []
                for s in (-1, 1):
                    cu, cv = a.arm_centre(s, ze)
                    pts.append(self.pix(a.to_patient(np.array([[cu - s * 0.2 * a.arm["ru"], cv + 5, z[k]]]))[0]))
                vol[k] = self.band(vol[k], pts[0], pts[1], -w * rng.uniform(30, 80), rng.uniform(4, 9))
                for px, py in pts:
                    vol[k] = self.streaks(vol[k], px, py, w * rng.uniform(40, 100), table, 120.0, 20.0)
        # beam hardening between the vertebral body and posterior ribs (weak)
        if rng.random() < 0.5:
            for k in range(n_s):
                if rng.random() < 0.3:
                    ze = a.zeta(z[k])
                    vb = a.to_patient(np.array([[a.spine_u(ze), a.v_vb(ze), z[k]]]))[0]
                    for s in (-1, 1):
                        th = math.pi / 2 - s * 0.9
                        R = a.r_cav(th, ze) + 5
                        rib = a.to_patient(np.array([[R * math.cos(th), R * math.sin(th), z[k]]]))[0]
                        vol[k] = self.band(vol[k], self.pix(vb), self.pix(rib), -rng.uniform(8, 25), rng.uniform(2, 5))
        # rings
        if self.rings:
            n = g.n
            jj = torch.arange(n, dtype=torch.float32).view(-1, 1) - (n - 1) / 2
            ii = torch.arange(n, dtype=torch.float32).view(1, -1) - (n - 1) / 2
            rho = torch.sqrt(ii * ii + jj * jj)
            ring = torch.zeros(n, n)
            for _ in range(rng.integers(2, 6)):
                R0 = rng.uniform(20, n / 2)
                ring += rng.choice([-1, 1]) * rng.uniform(5, 15) * torch.exp(-((rho - R0) ** 2) / (2 * rng.uniform(0.4, 1.0) ** 2))
            vol += ring[None]
        return vol

    def noise_and_kernel(self, vol):
        p, g, rng = self.p, self.g, self.rng
        n = g.n
        n_s = vol.shape[0]
        white = rng.standard_normal((n_s + 2, n, n), dtype=np.float32)
        c = self.corr
        sigma_slice = np.full(n_s, self.sigma)
        if self.a.arm is not None:
            ze = self.a.zeta(g.z_out)
            sigma_slice *= 1 + 0.6 * np.clip((0.15 - ze) / 0.2, 0, 1)
        B = 8
        out = torch.empty_like(vol)
        for k0 in range(0, n_s, B):
            k1 = min(n_s, k0 + B)
            w = torch.from_numpy(white[k0 + 1 : k1 + 1])
            if c > 0:
                w = (w + c * (torch.from_numpy(white[k0:k1]) + torch.from_numpy(white[k0 + 2 : k1 + 2]))) / math.sqrt(1 + 2 * c * c)
            img = vol[k0:k1]
            f = torch.fft.rfft2(img)
            sharp = torch.fft.irfft2(f * self.M, s=(n, n))
            nz = torch.fft.irfft2(torch.fft.rfft2(w) * self.Af, s=(n, n)) / self.noise_norm
            # more noise where the surrounding tissue is dense (mediastinum, abdomen, shoulders)
            dense = torch.clamp((img + 400) / 500, 0, 1)
            small = F.avg_pool2d(dense[:, None], 8)
            small = F.avg_pool2d(F.pad(small, (3, 3, 3, 3), mode="replicate"), 7, stride=1)
            dmap = F.interpolate(small, size=(n, n), mode="bilinear", align_corners=False)[:, 0]
            smap = torch.tensor(sigma_slice[k0:k1], dtype=torch.float32).view(-1, 1, 1) * (0.85 + 0.45 * dmap)
            out[k0:k1] = sharp + nz * smap
        return out

    def finish(self, vol):
        p, g = self.p, self.g
        vol = vol * (1 + p.gain) + p.offset
        if self.fov_circle:
            n = g.n
            jj = torch.arange(n, dtype=torch.float32).view(-1, 1) - (n - 1) / 2
            ii = torch.arange(n, dtype=torch.float32).view(1, -1) - (n - 1) / 2
            outside = (ii * ii + jj * jj) > (n / 2) ** 2
            vol[:, outside] = -1024.0
        hi = 4095 - 1024 if p.bits_stored == 12 else 30000
        return torch.clamp(torch.round(vol), -1024, hi)

    def run(self, vol):
        vol = self.artifacts(vol)
        vol = self.noise_and_kernel(vol)
        return self.finish(vol)
