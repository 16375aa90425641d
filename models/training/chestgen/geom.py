"""Small numeric helpers shared by the chest generator: smooth steps and unions, rotations, curves, smooth
random fields and trilinear sampling. numpy for small arrays and per-case parameters, torch for grids."""
import math

import numpy as np
import torch
import torch.nn.functional as F

SQRT2 = math.sqrt(2.0)


def smoothstep(e0, e1, x):
    t = np.clip((np.asarray(x, dtype=np.float64) - e0) / (e1 - e0), 0.0, 1.0)
    return t * t * (3 - 2 * t)


def tsmooth(e0, e1, x):
    t = torch.clamp((x - e0) / (e1 - e0), 0.0, 1.0)
    return t * t * (3 - 2 * t)


def smin(a, b, k):
    """Polynomial smooth minimum (works for numpy arrays and torch tensors)."""
    if k <= 0:
        return torch.minimum(a, b) if torch.is_tensor(a) else np.minimum(a, b)
    if torch.is_tensor(a):
        h = torch.clamp(0.5 + 0.5 * (b - a) / k, 0.0, 1.0)
    else:
        h = np.clip(0.5 + 0.5 * (b - a) / k, 0.0, 1.0)
    return b + (a - b) * h - k * h * (1 - h)


def smax(a, b, k):
    return -smin(-a, -b, k)


def occ_from_sdf(d, width):
    """Coverage of a region whose signed distance is d (negative inside), as a linear ramp one `width` wide."""
    return torch.clamp(0.5 - d / width, 0.0, 1.0)


def unit(v):
    v = np.asarray(v, dtype=np.float64)
    n = np.linalg.norm(v, axis=-1, keepdims=True)
    return v / np.maximum(n, 1e-9)


def perpendicular(d, hint=None):
    """A unit vector perpendicular to d (closest to `hint` when given)."""
    d = unit(d)
    if hint is not None:
        p = np.asarray(hint, dtype=np.float64) - np.dot(hint, d) * d
        if np.linalg.norm(p) > 1e-6:
            return unit(p)
    a = np.array([1.0, 0, 0]) if abs(d[0]) < 0.9 else np.array([0, 1.0, 0])
    return unit(np.cross(d, a))


def rotate_about(v, axis, ang):
    """Rodrigues rotation of v about the unit axis by ang radians."""
    axis = unit(axis)
    v = np.asarray(v, dtype=np.float64)
    return v * math.cos(ang) + np.cross(axis, v) * math.sin(ang) + axis * np.dot(axis, v) * (1 - math.cos(ang))


def random_rotation(rng):
    """Uniformly distributed 3x3 rotation matrix (columns are the rotated axes)."""
    q = rng.normal(size=4)
    q /= np.linalg.norm(q)
    w, x, y, z = q
    return np.array(
        [
            [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
            [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
            [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)],
        ]
    )


def catmull_rom(points, per_segment=8):
    """Points along a centripetal-ish (uniform) Catmull-Rom spline through the control points."""
    p = np.asarray(points, dtype=np.float64)
    if len(p) < 2:
        return p
    ext = np.vstack([2 * p[0] - p[1], p, 2 * p[-1] - p[-2]])
    out = []
    for i in range(1, len(ext) - 2):
        p0, p1, p2, p3 = ext[i - 1], ext[i], ext[i + 1], ext[i + 2]
        n = max(1, int(per_segment))
        t = np.linspace(0, 1, n, endpoint=False)[:, None]
        t2, t3 = t * t, t * t * t
        out.append(
            0.5
            * (
                2 * p1
                + (-p0 + p2) * t
                + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t2
                + (-p0 + 3 * p1 - 3 * p2 + p3) * t3
            )
        )
    out.append(p[-1:])
    return np.vstack(out)


def resample_polyline(points, step):
    """Points along a polyline at about `step` mm apart, ends kept."""
    p = np.asarray(points, dtype=np.float64)
    seg = np.linalg.norm(np.diff(p, axis=0), axis=1)
    s = np.concatenate([[0.0], np.cumsum(seg)])
    n = max(2, int(math.ceil(s[-1] / step)) + 1)
    t = np.linspace(0, s[-1], n)
    return np.stack([np.interp(t, s, p[:, k]) for k in range(3)], axis=1)


def lowres_noise(rng, shape, sigma_vox):
    """Gaussian-filtered white noise on a small grid, unit standard deviation (torch float32)."""
    w = torch.from_numpy(rng.standard_normal(shape).astype(np.float32))
    dims = tuple(range(-len(shape), 0))
    f = torch.fft.rfftn(w, dim=dims)
    freqs = [torch.fft.fftfreq(n) for n in shape[:-1]] + [torch.fft.rfftfreq(shape[-1])]
    g = torch.zeros(f.shape)
    for k, fr in enumerate(freqs):
        sh = [1] * len(shape)
        sh[k] = -1
        g = g + (fr.reshape(sh) ** 2)
    f = f * torch.exp(-2 * math.pi**2 * sigma_vox**2 * g)
    out = torch.fft.irfftn(f, s=shape, dim=dims)
    return (out - out.mean()) / (out.std() + 1e-8)


def upsample(field, size):
    """Trilinear (3D) or bilinear (2D) resize with aligned corners."""
    if field.dim() == 3:
        return F.interpolate(field[None, None], size=tuple(size), mode="trilinear", align_corners=True)[0, 0]
    return F.interpolate(field[None, None], size=tuple(size), mode="bilinear", align_corners=True)[0, 0]


class Grid3:
    """A regular patient-space grid: voxel (k, j, i) sits at (x0 + i*dx, y0 + j*dy, z0 + k*dz)."""

    def __init__(self, x0, y0, z0, dx, dy, dz, nx, ny, nz):
        self.x0, self.y0, self.z0 = float(x0), float(y0), float(z0)
        self.dx, self.dy, self.dz = float(dx), float(dy), float(dz)
        self.nx, self.ny, self.nz = int(nx), int(ny), int(nz)

    @property
    def xs(self):
        return self.x0 + self.dx * np.arange(self.nx)

    @property
    def ys(self):
        return self.y0 + self.dy * np.arange(self.ny)

    @property
    def zs(self):
        return self.z0 + self.dz * np.arange(self.nz)

    def sample(self, field, pts):
        """Trilinear sample of a [nz, ny, nx] array (numpy or torch) at patient points [n, 3]; clamped."""
        a = field.numpy() if torch.is_tensor(field) else field
        p = np.atleast_2d(np.asarray(pts, dtype=np.float64))
        fi = np.clip((p[:, 0] - self.x0) / self.dx, 0, self.nx - 1.000001)
        fj = np.clip((p[:, 1] - self.y0) / self.dy, 0, self.ny - 1.000001)
        fk = np.clip((p[:, 2] - self.z0) / self.dz, 0, self.nz - 1.000001)
        i0, j0, k0 = fi.astype(int), fj.astype(int), fk.astype(int)
        ti, tj, tk = fi - i0, fj - j0, fk - k0
        out = np.zeros(len(p))
        for dk, wk in ((0, 1 - tk), (1, tk)):
            for dj, wj in ((0, 1 - tj), (1, tj)):
                for di, wi in ((0, 1 - ti), (1, ti)):
                    out += wk * wj * wi * a[k0 + dk, j0 + dj, i0 + di]
        return out

    def gradient(self, field, pts, h=1.0):
        p = np.atleast_2d(np.asarray(pts, dtype=np.float64))
        g = np.zeros_like(p)
        for k in range(3):
            e = np.zeros(3)
            e[k] = h
            g[:, k] = (self.sample(field, p + e) - self.sample(field, p - e)) / (2 * h)
        return g


class FastSampler:
    """Trilinear sampling of a coarse [nz, ny, nx] field at body-frame points (few numpy calls)."""

    def __init__(self, grid, field, anat, patient=False):
        self.patient = patient
        self.a = np.ascontiguousarray(field.numpy() if torch.is_tensor(field) else field, dtype=np.float32).reshape(-1)
        self.g = grid
        self.nx, self.ny, self.nz = grid.nx, grid.ny, grid.nz
        self.c, self.s = anat.cpsi, anat.spsi
        self.bx, self.by = anat.bx, anat.by
        sx, sy = 1, grid.nx
        sz = grid.nx * grid.ny
        self.offs = np.array([dk * sz + dj * sy + di * sx for dk in (0, 1) for dj in (0, 1) for di in (0, 1)])

    def __call__(self, p):
        p = np.asarray(p, dtype=np.float64)
        g = self.g
        if self.patient:
            x, y = p[:, 0], p[:, 1]
        else:
            x = self.bx + self.c * p[:, 0] - self.s * p[:, 1]
            y = self.by + self.s * p[:, 0] + self.c * p[:, 1]
        fi = np.minimum(np.maximum((x - g.x0) / g.dx, 0), self.nx - 1.0001)
        fj = np.minimum(np.maximum((y - g.y0) / g.dy, 0), self.ny - 1.0001)
        fk = np.minimum(np.maximum((p[:, 2] - g.z0) / g.dz, 0), self.nz - 1.0001)
        i0, j0, k0 = fi.astype(np.int64), fj.astype(np.int64), fk.astype(np.int64)
        ti, tj, tk = fi - i0, fj - j0, fk - k0
        base = (k0 * self.ny + j0) * self.nx + i0
        v = self.a[base[:, None] + self.offs[None, :]]
        wi = np.stack([1 - ti, ti], 1)
        wj = np.stack([1 - tj, tj], 1)
        wk = np.stack([1 - tk, tk], 1)
        w = (wk[:, :, None, None] * wj[:, None, :, None] * wi[:, None, None, :]).reshape(-1, 8)
        return (v * w).sum(1)


def cross3(a, b):
    return np.array([a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]])
