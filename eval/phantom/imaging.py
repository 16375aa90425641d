"""Scanner draw and image formation: kernel MTF, ramp-coloured non-stationary noise correlated in z,
streaks from attenuated views, cupping, cardiac motion, reconstruction-circle padding."""
import numpy as np

from util import stream

THICK = [0.625, 0.8, 1.0, 1.25, 1.5, 2.0, 2.5, 3.0, 5.0]
THICK_P = [0.12, 0.06, 0.16, 0.16, 0.1, 0.12, 0.1, 0.08, 0.1]
OVERLAP = {1.0: 0.8, 1.25: 1.0, 1.5: 1.0, 2.0: 1.0, 2.5: 2.0, 3.0: 2.0}

VENDORS = [
    ("Orison Medical", "Helion 64", {"soft": ["B20f", "B30f", "Br36"], "standard": ["B40f", "B45f", "Br44"],
                                    "lung": ["B60f", "Bl57", "B50f"], "sharp": ["B70f", "Br64", "B80f"]}),
    ("Halvard Imaging", "Quanta CT 128", {"soft": ["SOFT"], "standard": ["STANDARD", "CHEST"],
                                          "lung": ["LUNG", "DETAIL"], "sharp": ["BONE", "BONEPLUS"]}),
    ("Kestrel Systems", "Aster One", {"soft": ["FC08", "FC02"], "standard": ["FC13", "FC17"],
                                      "lung": ["FC51", "FC52", "FC56"], "sharp": ["FC86", "FC30"]}),
    ("Tessel Healthcare", "Veyra 256", {"soft": ["A", "B"], "standard": ["C", "YA"],
                                        "lung": ["L", "YB"], "sharp": ["D", "YC", "E"]}),
]


def mtf_fn(beta, f1, f2, n):
    return lambda f: (1 + beta * (f / f1) ** 2) * np.exp(-(f / f2) ** n)


def fit_mtf(f50, beta, n):
    f1 = 0.6 * f50
    lo, hi = 0.5, 40.0
    fgrid = np.linspace(0, 30, 3001)
    for _ in range(60):
        f2 = 0.5 * (lo + hi)
        m = mtf_fn(beta, f1, f2, n)(fgrid)
        above = fgrid[m >= 0.5]
        cross = above.max() if len(above) else 0
        if cross < f50:
            lo = f2
        else:
            hi = f2
    return mtf_fn(beta, f1, 0.5 * (lo + hi), n)


class Scanner:
    def __init__(self, rng, quick):
        R = rng
        self.quick = quick
        u = R.random()
        if u < 0.7:
            self.position, iop = "HFS", (1, 1)
        elif u < 0.9:
            self.position = "FFS"
            iop = (1, 1) if R.random() < 0.5 else (-1, 1)
        else:
            self.position, iop = "HFP", (-1, -1)
        self.sx, self.cy = iop
        self.gs = self.cy
        th = THICK
        p = np.array(THICK_P)
        if quick:
            p = np.where(np.array(th) >= 1.5, p, 0)
        p = p / p.sum()
        self.T = float(R.choice(th, p=p))
        self.spacing = self.T
        if self.T in OVERLAP and R.random() < 0.35:
            self.spacing = OVERLAP[self.T]
        u = R.random()
        self.kclass = "soft" if u < 0.15 else "standard" if u < 0.5 else "lung" if u < 0.85 else "sharp"
        self.vendor = VENDORS[R.integers(0, len(VENDORS))]
        self.kernel = str(R.choice(self.vendor[2][self.kclass]))
        if self.kclass == "soft":
            f50, beta, n = R.uniform(2.8, 3.8), 0.0, 2.0
        elif self.kclass == "standard":
            f50, beta, n = R.uniform(4.0, 5.0), R.uniform(0, 0.1), 2.5
        elif self.kclass == "lung":
            f50, beta, n = R.uniform(6.0, 7.5), R.uniform(0.3, 0.6), R.uniform(3, 4)
        else:
            f50, beta, n = R.uniform(7.5, 9.0), R.uniform(0.6, 1.0), 4.0
        self.f50, self.beta, self.mtf_n = f50, beta, n
        self.mtf = fit_mtf(f50, beta, n)
        self.ir = R.random() < 0.25
        self.ir_f = R.uniform(0.35, 0.6)
        self.ir_s = R.uniform(0.6, 0.8)
        if R.random() < 0.45:
            self.ctdi = float(np.exp(R.uniform(np.log(0.7), np.log(3.0))))
        else:
            self.ctdi = float(np.exp(R.uniform(np.log(3.0), np.log(15.0))))
        if R.random() < 0.04:
            self.ctdi = R.uniform(0.5, 0.7)
        self.kvp = int(R.choice([80, 100, 110, 120, 130, 140], p=[0.05, 0.2, 0.05, 0.55, 0.05, 0.1]))
        self.aec = R.uniform(0.3, 0.8)
        self.targeted = R.random() < 0.15
        self.pad = R.random() < 0.35
        self.pad_value = float(R.choice([-2000.0, -3024.0]))
        self.cupping = R.uniform(0, 15)
        self.streak_k = R.uniform(0.7, 1.3)
        self.bh_k = R.uniform(0.5, 2.0)
        self.cardiac = R.random() < 0.4
        self.cardiac_shift = R.uniform(2, 6)
        self.cardiac_a = R.uniform(0.25, 0.5)
        self.resp = None
        if R.random() < 0.1:
            self.resp = ("blur" if R.random() < 0.6 else "shift", R.uniform(2, 6), R.uniform(1, 3))
        self.margins = (R.uniform(10, 30), R.uniform(10, 30))
        self.explicit = R.random() < 0.8
        if self.pad:
            self.storage = ["s16_1024", "s16_0", "u16_8192"][R.integers(0, 3)]
        else:
            self.storage = ["u12_1024", "u16_1024", "s16_1024", "s16_0", "u16_8192"][
                R.choice(5, p=[0.35, 0.2, 0.25, 0.15, 0.05])]
        self.reverse_numbering = R.random() < 0.1
        self.fov_margin = R.uniform(10, 60)
        self.offset = (R.uniform(-25, 25), R.uniform(-25, 25))

    def fov(self, pt):
        if self.targeted:
            D = 2 * pt.a_c0 * 1.05 + self.fov_margin
        else:
            W = float(pt.rbody[:, 0].max() + pt.rbody[:, NTH_HALF()].max())
            if pt.arm:
                W = max(W, max(abs(a[0] - pt.xc) + a[2] for a in pt.arm) * 2)
            D = W + self.fov_margin
        return float(np.clip(D, 250, 500))


def NTH_HALF():
    from anatomy import NTH
    return NTH // 2


class Imager:
    """Applies kernel blur, noise and artifacts to object slices (HU)."""

    def __init__(self, sc, grid, ssp, seed, case, sigma0, Dw, pt):
        self.sc, self.grid, self.ssp = sc, grid, ssp
        self.seed, self.case = seed, case
        n, px = grid.n, grid.px
        fx = np.fft.fftfreq(n, d=px / 10.0)
        fr = np.fft.rfftfreq(n, d=px / 10.0)
        f = np.sqrt(fx[:, None] ** 2 + fr[None, :] ** 2)
        self.MTF = sc.mtf(f).astype(np.float32)
        nps = (f + 0.05) * sc.mtf(f) ** 2
        fny = 10.0 / (2 * px)
        # kernel noise factor relative to a standard kernel (same pixel grid), before any IR shaping
        std = fit_mtf(4.5, 0.05, 2.5)(f)
        ref = ((f + 0.05) * std ** 2).sum()
        self.kfac = float(np.sqrt(nps.sum() / ref))
        if sc.ir:
            # iterative-reconstruction look: noise power moved to lower frequencies (variance set by ir_s)
            nps = nps * np.exp(-(f / (sc.ir_f * fny)) ** 2)
        self.H = np.sqrt(nps).astype(np.float32)
        # frequency direction -> view-angle bin (Fourier slice: view phi feeds frequencies along phi)
        fy = fx[:, None] * sc.cy + 0 * fr[None, :]
        fxx = fr[None, :] * sc.sx + 0 * fx[:, None]
        ang = np.mod(np.arctan2(fy, fxx), np.pi)
        self.na_ = 36
        self.fang = (np.round(ang / np.pi * self.na_).astype(int) % self.na_)
        self.Ebin = np.bincount(self.fang.ravel(), (self.H.astype(np.float64) ** 2).ravel(), minlength=self.na_)
        self.sigma = sigma0 * self.kfac * (sc.ir_s if sc.ir else 1.0)
        r = stream(seed, case, "noise-norm")
        c = (r.standard_normal(self.H.shape) + 1j * r.standard_normal(self.H.shape)) * self.H
        self.norm = 1.0 / float(np.fft.irfft2(c, s=(n, n)).std())
        # z correlation
        T, s = sc.T, sc.spacing
        m = int(np.ceil(0.7 * T / s))
        j = np.arange(-m, m + 1)
        w = ssp.cdf(j * s + 0.05, 0.3 * T, 0.7 * T) - ssp.cdf(j * s - 0.05, 0.3 * T, 0.7 * T)
        w = np.maximum(w, 0)
        self.hz = w / np.sqrt((w ** 2).sum())
        self.m = m
        self.cache = {}
        # projection geometry (coarse 64x64) for the noise map and streaks
        self.nc = 64
        self.ds = n // self.nc
        cx = grid.xc.reshape(self.nc, self.ds).mean(1)
        cyy = grid.yr.reshape(self.nc, self.ds).mean(1)
        self.na = 36
        ang = np.arange(self.na) * np.pi / self.na
        self.ang = ang
        cpx = self.ds * px
        xc0, yc0 = grid.xc.mean(), grid.yr.mean()
        S = (cx[None, None, :] - xc0) * np.cos(ang)[:, None, None] + (cyy[None, :, None] - yc0) * np.sin(ang)[:, None, None]
        self.nb = int(np.ceil(n * 1.5 / self.ds)) + 2
        sc_ = S / cpx + self.nb // 2
        self.sbin = np.clip(np.round(sc_).astype(int), 0, self.nb - 1)
        s0 = np.clip(np.floor(sc_).astype(int), 0, self.nb - 2)
        self.sw = (sc_ - s0).clip(0, 1).ravel()
        self.cpx = cpx
        off = (np.arange(self.na) * self.nb)[:, None, None]
        self.fb0 = (s0 + off).ravel()
        self.fb1 = self.fb0 + 1
        self.flatbin = (self.sbin + off).ravel()
        self.ci = int(np.argmin(np.abs(cyy - pt.yc)))
        self.cj = int(np.argmin(np.abs(cx - pt.xc)))
        self.Vref = self.na * np.exp(0.0193 * Dw)
        x = np.linspace(0, self.nc - 1, n)
        self.ui0 = np.clip(np.floor(x).astype(int), 0, self.nc - 2)
        self.uw = (x - self.ui0).astype(np.float32)
        # fine backprojection index per angle (for streaks)
        self.nbf = int(np.ceil(n * 1.5)) + 4
        self._fine = {}
        Xf = (grid.xc - xc0).astype(np.float32)
        Yf = (grid.yr - yc0).astype(np.float32)
        self.Xf, self.Yf = Xf, Yf
        nf = 2 * self.nbf
        fr1 = np.fft.rfftfreq(nf)
        self.ramp1 = (np.abs(fr1) * np.sqrt(np.maximum(sc.mtf(fr1 * 10 / px), 0))).astype(np.float32)
        # cupping
        yy = grid.yr[:, None] - pt.yc
        xx = grid.xc[None, :] - pt.xc
        Rb = 0.5 * (pt.a_c0 + pt.b_c0) + pt.F + 15
        self.cup = (-sc.cupping * np.maximum(1 - (xx ** 2 + yy ** 2) / Rb ** 2, 0)).astype(np.float32)
        d = np.hypot(grid.xc[None, :] - grid.xc.mean(), grid.yr[:, None] - grid.yr.mean())
        self.outside = d > (n * px / 2)
        self.pt = pt
        self.tmask = np.zeros((self.nc, self.nc), bool)
        # static tissue texture: two band-limited fields (1-4 mm) mixed with a phase that turns
        # slowly with z, so that the texture is continuous between slices
        rt = stream(seed, case, "texture")
        band = np.exp(-((f - 3.0) / 2.0) ** 2) * (f > 0.5)
        tex = []
        for _ in range(2):
            w = rt.standard_normal((n, n)).astype(np.float32)
            t = np.fft.irfft2(np.fft.rfft2(w) * band, s=(n, n)).astype(np.float32)
            tex.append(t / t.std())
        self.tex = tex
        self.tex_lam = rt.uniform(6, 10)
        self.tex_amp = (rt.uniform(4, 8), rt.uniform(6, 14), rt.uniform(30, 60))

    def set_table(self, plane, air):
        nc, ds = self.nc, self.ds
        self.tmask = (np.abs(plane - air) > 5).reshape(nc, ds, nc, ds).any((1, 3))

    def _up(self, a):
        i0, w = self.ui0, self.uw
        r = a[i0] * (1 - w)[:, None] + a[i0 + 1] * w[:, None]
        return r[:, i0] * (1 - w)[None, :] + r[:, i0 + 1] * w[None, :]

    def _white(self, k):
        if k not in self.cache:
            r = stream(self.seed, self.case, f"noise-{k}")
            shp = (2,) + self.H.shape
            # uniform white noise is Gaussianised by the kernel filter (sum of many samples)
            u = r.random(shp, dtype=np.float32)
            u -= 0.5
            u *= np.float32(np.sqrt(12.0))
            c = np.empty(self.H.shape, np.complex64)
            c.real = u[0]
            c.imag = u[1]
            self.cache[k] = c
            for old in [q for q in self.cache if q < k - 2 * self.m - 2]:
                del self.cache[old]
        return self.cache[k]

    def _bpidx(self, a):
        if a not in self._fine:
            s = self.Xf[None, :] * np.cos(self.ang[a]) + self.Yf[:, None] * np.sin(self.ang[a])
            self._fine[a] = (np.round(s / self.grid.px).astype(np.int32) + self.nbf // 2).clip(0, self.nbf - 1)
        return self._fine[a]

    def noise_map(self, obj, k):
        """Relative noise map and streak field for one object slice."""
        n, nc, ds = self.grid.n, self.nc, self.ds
        c = obj.reshape(nc, ds, nc, ds).mean((1, 3))
        c = np.where(self.tmask, -1000.0, c)
        mu = (0.0193 * self.cpx) * np.maximum(1 + c / 1000.0, 0)
        mub = (0.0193 * self.cpx / 1000.0) * np.maximum(c - 300, 0)
        L = self.na * self.nb
        w1 = self.sw
        tm = np.tile(mu.ravel(), self.na)
        p = (np.bincount(self.fb0, tm * (1 - w1), minlength=L) + np.bincount(self.fb1, tm * w1, minlength=L)).reshape(self.na, self.nb)
        tb = np.tile(mub.ravel(), self.na)
        pb = (np.bincount(self.fb0, tb * (1 - w1), minlength=L) + np.bincount(self.fb1, tb * w1, minlength=L)).reshape(self.na, self.nb)
        p = 0.25 * np.roll(p, 1, 1) + 0.5 * p + 0.25 * np.roll(p, -1, 1)
        ep = np.exp(np.minimum(p, 12))
        epf = ep.ravel()
        Vmap = (epf[self.fb0] * (1 - w1) + epf[self.fb1] * w1).reshape(self.na, nc, nc).sum(0)
        Vc = Vmap[self.ci, self.cj]
        rel = np.sqrt(Vmap / Vc)
        rel = np.clip(rel, 0.3, 3.0).astype(np.float32)
        zf = (Vc / self.Vref) ** (0.5 * (1 - self.sc.aec))
        zf = float(np.clip(zf, 0.5, 3.0))
        relf = self._up(rel)
        # anisotropy: relative variance of each view through the centre
        vc = ep[np.arange(self.na), self.sbin[:, self.ci, self.cj]]
        w = vc / vc.mean()
        w = np.minimum(w, 8.0)
        w = w / ((self.Ebin * w).sum() / self.Ebin.sum())
        # explicit streaks only for photon-starved views (far noisier than the average view)
        per_view = Vc / self.na
        e = ep / per_view
        strong = np.nonzero(e.max(1) > 25.0)[0]
        streak = None
        if len(strong):
            r = stream(self.seed, self.case, f"streak-{k}")
            streak = np.zeros((n, n), np.float32)
            sf = np.arange(self.nbf) * self.grid.px / self.cpx - (self.nbf // 2) * self.grid.px / self.cpx + self.nb // 2
            for a in strong[np.argsort(-e[strong].max(1))][:3]:
                amp = np.sqrt(np.maximum(np.interp(sf, np.arange(self.nb), e[a]) - 25, 0))
                amp = np.minimum(amp, 8)
                g = r.standard_normal(self.nbf).astype(np.float32) * amp
                bh = -np.interp(sf, np.arange(self.nb), pb[a] ** 2) * self.sc.bh_k * 40
                g2 = np.fft.irfft(np.fft.rfft(g, 2 * self.nbf) * self.ramp1, 2 * self.nbf)[:self.nbf]
                b2 = np.fft.irfft(np.fft.rfft(bh, 2 * self.nbf) * self.ramp1, 2 * self.nbf)[:self.nbf]
                rn = max(np.sqrt((self.ramp1 ** 2).mean()), 1e-6)
                prof = (g2 * (self.sigma * zf * self.sc.streak_k / np.sqrt(self.na) / np.sqrt(2) / rn)
                        + b2 / rn / self.na).astype(np.float32)
                streak += prof[self._bpidx(a)]
        return relf, zf, streak, w

    def texture_field(self, k):
        ph = 2 * np.pi * self.ssp.zobj[k] / self.tex_lam
        return self.tex[0] * np.float32(np.cos(ph)) + self.tex[1] * np.float32(np.sin(ph))

    def texture(self, obj, t):
        """Add the static texture to soft tissue (-500..150 HU) and lung (< -500 HU)."""
        a_soft, a_lung, a_bone = self.tex_amp
        amp = np.where(obj < -500, np.float32(a_lung) * (obj > -960),
                       np.float32(a_soft) * (obj < 150))
        obj += amp.astype(np.float32) * t
        return obj

    def image(self, obj, k):
        """Object slice (HU, float32) -> reconstructed slice (HU, float32)."""
        n = self.grid.n
        F = np.fft.rfft2(obj)
        img = np.fft.irfft2(F * self.MTF, s=(n, n)).astype(np.float32)
        rel, zf, streak, w = self.noise_map(obj, k)
        c = 0
        for j in range(-self.m, self.m + 1):
            c = c + self.hz[j + self.m] * self._white(k + j)
        Hw = self.H * np.sqrt(w[self.fang]).astype(np.float32)
        nz = np.fft.irfft2(c * Hw, s=(n, n)).astype(np.float32) * (self.norm * self.sigma * zf)
        img += nz * rel
        if streak is not None:
            img += streak
        img += self.cup
        return img

    def finish(self, img):
        if self.sc.pad:
            img[self.outside] = self.sc.pad_value
        return img
