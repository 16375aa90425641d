"""Shared preprocessing for training: read a DICOM CT series, resample it the way Lucent's engine does
(src/ai/shared/preprocess.ts), window and normalise. Keep the two in step: the model only works if both
sides feed it the same numbers.
"""
import json
import math
import os
import time
from dataclasses import dataclass

import numpy as np
import pydicom

# The input specification written into the manifest.
PIXEL_SPACING_MM = 1.0
SLICE_SPACING_MM = 1.5
SLICES = 5
WINDOW = (-1100.0, 500.0)
NORMALIZE = (300.0, 800.0)  # (hu + offset) / scale
STRIDE = 4
TYPES = ["solid", "part-solid", "ground-glass", "calcified"]
MARGINS = ["smooth", "lobulated", "spiculated"]


@dataclass
class Volume:
    hu: np.ndarray  # float32 [z, y, x], ascending z
    origin: tuple  # patient (x, y, z) of voxel (0, 0, 0)
    spacing: tuple  # (sx, sy, sz)
    thickness: float


MAX_TILT_COS = float(np.cos(np.radians(3.0)))


def _axis_of(d) -> tuple:
    """(patient axis 0/1/2, sign) a direction runs along, within 3 degrees; raises when oblique."""
    d = np.asarray(d, dtype=np.float64)
    d = d / (np.linalg.norm(d) or 1.0)
    for axis in range(3):
        if abs(d[axis]) >= MAX_TILT_COS:
            return axis, 1 if d[axis] > 0 else -1
    raise ValueError(f"not an axial image: direction {d.tolist()}")


def plane_map(iop) -> tuple:
    """(transpose, flip_x, flip_y) that turn a stored plane into the canonical one (columns +x, rows +y),
    as src/lib/volume.ts planeMap does."""
    iop = [float(v) for v in (iop if iop is not None and len(iop) >= 6 else [1, 0, 0, 0, 1, 0])]
    (ra, rs), (ca, cs) = _axis_of(iop[:3]), _axis_of(iop[3:6])
    if 2 in (ra, ca) or ra == ca:
        raise ValueError(f"not an axial image: orientation {iop}")
    if ra == 1:
        return True, cs < 0, rs < 0
    return False, rs < 0, cs < 0


def read_series(folder: str) -> Volume:
    """Read every DICOM file under `folder` (one axial series) into a HU volume in the canonical layout
    (columns along patient +x, rows along +y, ascending z), whatever the acquisition's orientation."""
    slices = []
    for root, _, files in os.walk(folder):
        for name in files:
            if name.endswith(".json"):
                continue
            try:
                ds = pydicom.dcmread(os.path.join(root, name))
            except Exception:
                continue
            if "PixelData" not in ds:
                continue
            slices.append(ds)
    if len(slices) < 2:
        raise ValueError(f"{folder}: fewer than two image slices")
    slices.sort(key=lambda d: float(d.ImagePositionPatient[2]))
    first = slices[0]
    transpose, flip_x, flip_y = plane_map(getattr(first, "ImageOrientationPatient", None))
    z0 = float(first.ImagePositionPatient[2])
    z1 = float(slices[-1].ImagePositionPatient[2])
    dz = (z1 - z0) / (len(slices) - 1)
    stored_rows, stored_cols = int(first.Rows), int(first.Columns)
    rows, cols = (stored_cols, stored_rows) if transpose else (stored_rows, stored_cols)
    hu = np.empty((len(slices), rows, cols), dtype=np.float32)
    for k, ds in enumerate(slices):
        slope = float(getattr(ds, "RescaleSlope", 1) or 1)
        intercept = float(getattr(ds, "RescaleIntercept", 0) or 0)
        a = ds.pixel_array.astype(np.float32) * slope + intercept
        if transpose:
            a = a.T
        if flip_x:
            a = a[:, ::-1]
        if flip_y:
            a = a[::-1, :]
        hu[k] = a
    row_spacing, col_spacing = (float(v) for v in first.PixelSpacing)
    sx, sy = (row_spacing, col_spacing) if transpose else (col_spacing, row_spacing)
    px, py, pz = (float(v) for v in first.ImagePositionPatient)
    origin = (px - (cols - 1) * sx if flip_x else px, py - (rows - 1) * sy if flip_y else py, pz)
    return Volume(hu, origin, (sx, sy, dz), float(getattr(first, "SliceThickness", dz) or dz))


def _resample_axis(a: np.ndarray, axis: int, src_spacing: float, dst_spacing: float) -> np.ndarray:
    """Linear resampling along one axis: output i samples source index i*dst/src, clamped at the ends."""
    n_src = a.shape[axis]
    n_dst = int(np.floor((n_src - 1) * src_spacing / dst_spacing + 1e-6)) + 1
    pos = np.arange(n_dst, dtype=np.float64) * (dst_spacing / src_spacing)
    lo = np.clip(np.floor(pos).astype(np.int64), 0, n_src - 1)
    hi = np.clip(lo + 1, 0, n_src - 1)
    w = (pos - lo).astype(np.float32)
    a_lo = np.take(a, lo, axis=axis)
    a_hi = np.take(a, hi, axis=axis)
    shape = [1] * a.ndim
    shape[axis] = n_dst
    w = w.reshape(shape)
    return a_lo * (1 - w) + a_hi * w


def resample(v: Volume) -> Volume:
    """Resample to the model grid (x, y at PIXEL_SPACING_MM; z at SLICE_SPACING_MM), separably."""
    sx, sy, sz = v.spacing
    a = _resample_axis(v.hu, 0, sz, SLICE_SPACING_MM)
    a = _resample_axis(a, 1, sy, PIXEL_SPACING_MM)
    a = _resample_axis(a, 2, sx, PIXEL_SPACING_MM)
    return Volume(a.astype(np.float32), v.origin, (PIXEL_SPACING_MM, PIXEL_SPACING_MM, SLICE_SPACING_MM), v.thickness)


def normalise(hu: np.ndarray) -> np.ndarray:
    lo, hi = WINDOW
    off, scale = NORMALIZE
    return (np.clip(hu, lo, hi) + off) / scale


def read_truth(folder: str) -> dict:
    with open(os.path.join(folder, "truth.json"), encoding="utf8") as f:
        truth = json.load(f)
    if truth.get("schema") != "lucent.truth/1":
        raise ValueError(f"{folder}: truth.json is not lucent.truth/1")
    return truth


class CpuBudget:
    """A training budget. With `steps`, a number of optimiser steps: the recipe is then the same on any
    machine, only its time changes (a CPU-time budget gave 2.11.0's detector 10,112 steps and the same recipe
    5,843 on a slower CPU). Without, CPU time per thread, not wall time: on a shared machine a run takes
    longer but trains for the same core-seconds as on an idle one. Also gives the warm-up + cosine learning
    rate, over the share of the budget used."""

    def __init__(self, minutes: float, threads: int, steps: int = 0):
        self.seconds = minutes * 60
        self.threads = threads
        self.steps = steps
        self.start = self.used_raw()
        self.wall_start = time.time()

    def used_raw(self) -> float:
        return time.process_time() / self.threads

    def used(self) -> float:
        return self.used_raw() - self.start

    def wall(self) -> float:
        return time.time() - self.wall_start

    def fraction(self, step: int) -> float:
        """Share of the budget used after `step` steps."""
        return step / self.steps if self.steps > 0 else self.used() / self.seconds

    def left(self, step: int) -> bool:
        return self.fraction(step) < 1.0

    def lr(self, peak: float, step: int, warmup: int, span: float = 1.0) -> float:
        """Warm-up over `warmup` steps, then cosine decay to 5% of `peak` over the first `span` of the budget."""
        frac = min(1.0, self.fraction(step) / span)
        return peak * min(1.0, (step + 1) / warmup) * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * frac)))


# The second stage's input (fpr.py; the engine's writePatch cuts the same blocks).
PATCH = (15, 31, 31)  # slices (1.5 mm), rows, columns (1 mm): odd, centred on the candidate
# One input channel per scale s (s × s × s voxel means of the grid). (1, 2) gave a second channel with
# 2× the context: better on the training generator's held-out cases (CPM 0.759 against 0.731), worse on
# the independent phantom (0.400 against 0.418), so the committed model has one scale.
SCALES = (1,)


def patch(vol: np.ndarray, k: float, j: float, i: float, scale: int = 1, size: tuple = PATCH) -> np.ndarray:
    """HU block centred on the voxel nearest (k, j, i), air where it leaves the volume (as the engine's
    writePatch does). With scale s, each value is the mean of s × s × s grid voxels: output index t on an
    axis of size n covers grid indices c − s·(n − 1)/2 − ⌊s/2⌋ + s·t … + s − 1, c the nearest voxel."""
    d, h, w = size
    s = scale
    z, y, x = vol.shape
    # Rounded half up, as Math.round in the engine.
    ck, cj, ci = (int(math.floor(v + 0.5)) - s * (n // 2) - s // 2 for v, n in ((k, d), (j, h), (i, w)))
    shape = (d * s, h * s, w * s)
    out = np.full(shape, -1024, dtype=np.float32)
    src = [slice(max(0, ck), min(z, ck + shape[0])), slice(max(0, cj), min(y, cj + shape[1])), slice(max(0, ci), min(x, ci + shape[2]))]
    dst = [slice(a.start - c, a.stop - c) for a, c in zip(src, (ck, cj, ci))]
    if all(a.stop > a.start for a in src):
        out[tuple(dst)] = vol[tuple(src)]
    if s == 1:
        return out
    return out.reshape(d, s, h, s, w, s).mean(axis=(1, 3, 5), dtype=np.float64).astype(np.float32)


def patches(vol: np.ndarray, k: float, j: float, i: float, scales: tuple = SCALES, size: tuple = PATCH) -> np.ndarray:
    """[len(scales), D, H, W] HU blocks, one per scale."""
    return np.stack([patch(vol, k, j, i, s, size) for s in scales])
