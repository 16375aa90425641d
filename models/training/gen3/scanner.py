"""Scanner model of lucent-gen3: reconstruction kernel (MTF), kernel-shaped noise, artifacts."""
import math

import numpy as np

F32 = np.float32


def kernel_mtf(f, f50, boost):
    """MTF of a kernel with a given MTF50 (lp/mm); boost > 0 adds mid-frequency gain (edge overshoot)."""
    def shape(ff, fc):
        return (1 + boost * (ff / fc) ** 2) * np.exp(-(ff / fc) ** 2)
    lo, hi = 0.01, 5.0
    for _ in range(50):  # bisection for the cut-off giving the wanted MTF50
        mid = 0.5 * (lo + hi)
        if shape(f50, mid) > 0.5:
            hi = mid
        else:
            lo = mid
    return shape(f, 0.5 * (lo + hi))


class Scanner:
    def __init__(self, rng, c, g, spacing, T):
        self.g = g
        N, pix = g.N, g.pix
        fy = np.fft.fftfreq(N, d=pix)[:, None]
        fx = np.fft.rfftfreq(N, d=pix)[None, :]
        f = np.sqrt(fx * fx + fy * fy)
        kind = rng.choice(['soft', 'standard', 'lung', 'sharp'], p=[0.25, 0.3, 0.3, 0.15])
        f50 = {'soft': rng.uniform(0.26, 0.34), 'standard': rng.uniform(0.38, 0.5),
               'lung': rng.uniform(0.6, 0.75), 'sharp': rng.uniform(0.75, 0.9)}[kind]
        f50 = min(f50, 0.85 / (2 * pix))
        boost = {'soft': 0.0, 'standard': rng.uniform(0, 0.3), 'lung': rng.uniform(0.4, 0.9),
                 'sharp': rng.uniform(0.8, 1.4)}[kind]
        self.kind, self.f50 = kind, f50
        self.H = kernel_mtf(f, f50, boost).astype(np.float64)
        self.ir = bool(rng.random() < 0.3)
        nps = f * self.H ** 2
        if self.ir:
            nps = (f ** 0.35) * self.H ** 2 * np.exp(-(f / (0.55 * f50 + 0.05)) ** 2)
        amp = np.sqrt(nps)
        amp /= math.sqrt((amp ** 2).sum() * 2 / (N * N)) + 1e-12
        self.amp = amp
        size = (2 * c['A'] - 260) / 160
        base = math.exp(rng.uniform(math.log(7), math.log(35)))
        kfac = {'soft': 0.7, 'standard': 1.0, 'lung': 1.8, 'sharp': 2.4}[kind]
        sig = base * kfac * math.exp(1.1 * size) * (0.6 if self.ir else 1.0) * math.sqrt(2.5 / max(T, 0.6))
        self.sigma = float(np.clip(sig, 8, 120))
        self.rho = max(0.0, 1 - spacing / T) * 0.85
        self.prevW = None
        self.rng = rng
        self.ring = None
        if rng.random() < 0.08:
            self.ring = (rng.uniform(20, 150), rng.uniform(8, 30) * rng.choice([-1, 1]), rng.uniform(0.6, 1.5))
        self.streaks = c['arms_down'] or rng.random() < 0.3
        self.bh = rng.uniform(15, 45) if c['arms_down'] else 0.0
        ii = (np.arange(N) - (N - 1) / 2) * pix
        self.r2 = (ii[:, None] ** 2 + ii[None, :] ** 2).astype(F32)

    def noise_field(self):
        N = self.g.N
        W = self.rng.normal(0, 1, (N, N // 2 + 1)) + 1j * self.rng.normal(0, 1, (N, N // 2 + 1))
        W *= math.sqrt(0.5)
        if self.prevW is not None and self.rho > 0:
            W = self.rho * self.prevW + math.sqrt(1 - self.rho ** 2) * W
        self.prevW = W
        return W

    def apply(self, img, body, metal=None):
        g = self.g
        N, pix = g.N, g.pix
        F = np.fft.rfft2(img)
        out = np.fft.irfft2(F * self.H, s=(N, N)).astype(F32)
        n = np.fft.irfft2(self.noise_field() * self.amp, s=(N, N)).astype(F32)
        # spatially varying noise: longer attenuation paths (laterally through shoulders/arms) are noisier
        Lr = body.sum(axis=1) * pix  # mm of body along each row
        Lc = body.sum(axis=0) * pix
        mu = 0.019
        er = np.exp(mu * (Lr - 280.0) / 2)[:, None]
        ec = np.exp(mu * (Lc - 200.0) / 2)[None, :]
        smap = (0.6 * er + 0.4 * ec).astype(F32)
        inside = body > 0.5
        if inside.any():
            smap /= float(smap[inside].mean())
        smap = np.clip(smap, 0.5, 2.2)
        out += n * (self.sigma * smap)
        if self.streaks:
            rows = self.rng.normal(0, 1, N).astype(F32)
            rows = (rows + np.roll(rows, 1)) * 0.7
            env = np.clip((er[:, 0] - 1.6) / 2.0, 0, 1).astype(F32)
            out += (rows * env * self.sigma * 0.5)[:, None] * body
        if self.bh > 0:
            prof = body.mean(axis=1)
            i_m = int(np.argmax(Lr))
            ii = np.arange(N)
            band = np.exp(-((ii - i_m) * pix / 12.0) ** 2).astype(F32)
            out -= (self.bh * band)[:, None] * body
        if self.ring is not None:
            r0, a, w = self.ring
            rr = np.sqrt(self.r2)
            out += (a * np.exp(-((rr - r0) / w) ** 2)).astype(F32)
        if metal is not None:
            out += self.metal_streaks(metal)
        return out

    def metal_streaks(self, metal):
        g = self.g
        N, pix = g.N, g.pix
        ii, jj = np.nonzero(metal > 0.3)
        res = np.zeros((N, N), dtype=F32)
        if len(ii) == 0:
            return res
        ci, cj = ii.mean(), jj.mean()
        yy = (np.arange(N) - ci)[:, None]
        xx = (np.arange(N) - cj)[None, :]
        th = np.arctan2(yy, xx)
        r = np.sqrt(yy * yy + xx * xx) * pix
        pat = np.zeros((N, N), dtype=F32)
        rng = self.rng
        strength = min(1.0, len(ii) / 30.0) * rng.uniform(150, 500)
        for _ in range(int(rng.integers(6, 14))):
            t0 = rng.uniform(0, math.pi)
            w = rng.uniform(0.01, 0.04)
            dth = np.angle(np.exp(2j * (th - t0))) / 2
            pat += (rng.choice([-1, 1]) * np.exp(-(dth / w) ** 2)).astype(F32)
        res += strength * pat / (1 + r / 15.0)
        return res
