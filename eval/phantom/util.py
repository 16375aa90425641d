"""Small shared helpers: deterministic random streams, partial-volume ramps, slice profile."""
import hashlib

import numpy as np

GENERATOR_ID = "lucent-indep/1"


def stream(seed, case, name):
    """Independent, deterministic numpy Generator for (seed, case, purpose)."""
    h = hashlib.sha256(f"{GENERATOR_ID}|{seed}|{case}|{name}".encode()).digest()
    return np.random.default_rng([int.from_bytes(h[i:i + 4], "little") for i in range(0, 16, 4)])


def uid(seed, case, role):
    h = hashlib.sha256(f"{GENERATOR_ID}|uid|{seed}|{case}|{role}".encode()).digest()
    return "2.25." + str(int.from_bytes(h[:16], "big"))


def ramp(d):
    """Area fraction of a pixel inside a boundary at signed distance d (pixels, +inside)."""
    t = d + np.float32(0.5)
    np.maximum(t, 0.0, out=t)
    np.minimum(t, 1.0, out=t)
    return t


def over(plane, hu, f):
    """Composite material of value hu with fraction f over plane (in place)."""
    plane += f * (hu - plane)
    return plane


def unit(v):
    v = np.asarray(v, dtype=float)
    n = np.linalg.norm(v, axis=-1, keepdims=True)
    return v / np.maximum(n, 1e-12)


def rot_matrix(rng):
    """Uniform random rotation matrix."""
    q = rng.normal(size=4)
    q /= np.linalg.norm(q)
    a, b, c, d = q
    return np.array([
        [a * a + b * b - c * c - d * d, 2 * (b * c - a * d), 2 * (b * d + a * c)],
        [2 * (b * c + a * d), a * a - b * b + c * c - d * d, 2 * (c * d - a * b)],
        [2 * (b * d - a * c), 2 * (c * d + a * b), a * a - b * b - c * c + d * d]])


def perp_basis(d):
    """Two unit vectors perpendicular to unit vector d (arrays of shape (...,3))."""
    d = np.atleast_2d(d)
    ref = np.where(np.abs(d[:, 2:3]) < 0.9, np.array([[0.0, 0.0, 1.0]]), np.array([[1.0, 0.0, 0.0]]))
    e1 = unit(np.cross(d, ref))
    e2 = np.cross(d, e1)
    return e1, e2


class SSP:
    """Trapezoidal slice sensitivity profiles, one per slice.

    centres: nominal slice positions (mm, z), obj: where the object is sampled (motion shift),
    ha/hb: half widths of the flat top and of the base.
    """

    def __init__(self, centres, thickness, extra_blur=None, shift=None):
        n = len(centres)
        self.z = np.asarray(centres, dtype=np.float64)
        self.zobj = self.z + (0.0 if shift is None else np.asarray(shift))
        self.smax = 0.0 if shift is None else float(np.abs(shift).max())
        ha = np.full(n, 0.3 * thickness)
        hb = np.full(n, 0.7 * thickness)
        if extra_blur is not None:
            hb = hb + np.asarray(extra_blur)
            ha = ha + 0.5 * np.asarray(extra_blur)
        self.ha = ha
        self.hb = np.maximum(hb, ha + 1e-3)
        self.support = self.hb  # half support
        self.uniform = bool(np.all(self.ha == self.ha[0]) and np.all(self.hb == self.hb[0]))

    def cdf(self, u, ha, hb):
        """Integral of the unit-area trapezoid from -inf to u (arrays broadcast)."""
        h = 1.0 / (ha + hb)
        v = np.minimum(np.abs(u), hb)
        w = np.maximum(v - ha, 0.0)
        g = np.minimum(v, ha)
        g += w
        g -= w * w * (1.0 / (2.0 * (hb - ha)))
        g *= h
        return np.copysign(g, u) + 0.5

    def weights(self, k, zs, dz):
        """Weights of samples zs (spacing dz, each representing [z-dz/2, z+dz/2]) for slice k."""
        u = zs - self.zobj[k]
        return self.cdf(u + dz / 2, self.ha[k], self.hb[k]) - self.cdf(u - dz / 2, self.ha[k], self.hb[k])


def P3(x, y, z):
    return np.array([x, y, z], float)
