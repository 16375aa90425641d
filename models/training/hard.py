"""Hard negatives for the detector: part-way through training, run it over every training case and keep
the places it scores highly that hold no nodule (vessel forks, vessels across the slices, airway walls,
fissures, pleura, whatever this model confuses), so that the rest of training sees them more often than
uniform sampling would show them."""
import math
import sys

import numpy as np
import torch

from common import SLICES, STRIDE, normalise

# A peak this close to a true nodule (mm beyond its radius) is that nodule's, not a false one.
NODULE_MARGIN_MM = 5.0
# Peaks within this many grid pixels in-plane and slices in z are one place (the best is kept).
NMS_PX = 8
NMS_SLICES = 4


def _lung_box(lung: np.ndarray, pad: int = 8):
    """(z0, z1, y0, y1, x0, x1) of the lung mask, padded, or None when it is empty."""
    zs = np.flatnonzero(lung.any(axis=(1, 2)))
    if zs.size == 0:
        return None
    ys = np.flatnonzero(lung.any(axis=(0, 2)))
    xs = np.flatnonzero(lung.any(axis=(0, 1)))
    z, h, w = lung.shape
    return (int(zs[0]), int(zs[-1]), max(0, int(ys[0]) - pad), min(h, int(ys[-1]) + pad + 1), max(0, int(xs[0]) - pad), min(w, int(xs[-1]) + pad + 1))


def _case_peaks(model, vol: np.ndarray, lung: np.ndarray, nodules: list, threshold: float, per_case: int, batch: int):
    box = _lung_box(lung)
    if box is None:
        return []
    z0, z1, y0, y1, x0, x1 = box
    # Height and width rounded up to a multiple of 16, the network's coarsest stride (air beyond the
    # volume, as the engine pads).
    h = int(math.ceil((y1 - y0) / 16) * 16)
    w = int(math.ceil((x1 - x0) / 16) * 16)
    half = SLICES // 2
    nz = vol.shape[0]
    found = []
    for b in range(z0, z1 + 1, batch):
        ks = list(range(b, min(z1 + 1, b + batch)))
        x = np.full((len(ks), SLICES, h, w), -1024, dtype=np.float32)
        for n, k in enumerate(ks):
            for c in range(SLICES):
                kk = min(max(k + c - half, 0), nz - 1)
                x[n, c, : y1 - y0, : x1 - x0] = vol[kk, y0:y1, x0:x1]
        with torch.no_grad():
            # In eval mode the detector returns one centre map, whatever its heads (model.py).
            hm = model(torch.from_numpy(normalise(x).astype(np.float32)).contiguous(memory_format=torch.channels_last))[0]
            peak = torch.nn.functional.max_pool2d(hm, 3, 1, 1)
            keep = (hm == peak) & (hm >= threshold)
        for n, _, py, px in torch.nonzero(keep).tolist():
            k = ks[n]
            j = y0 + (py + 0.5) * STRIDE - 0.5
            i = x0 + (px + 0.5) * STRIDE - 0.5
            jj, ii = int(round(j)), int(round(i))
            if not (0 <= jj < lung.shape[1] and 0 <= ii < lung.shape[2]):
                continue
            # Where the engine looks: in or beside the lungs (it drops findings that do not touch them).
            if not lung[k, max(0, jj - 6) : jj + 7, max(0, ii - 6) : ii + 7].any():
                continue
            near = any(
                math.sqrt((nd["i"] - i) ** 2 + (nd["j"] - j) ** 2 + ((nd["k"] - k) * 1.5) ** 2) < nd["diameter"] / 2 + NODULE_MARGIN_MM
                for nd in nodules
            )
            if not near:
                found.append((float(hm[n, 0, py, px]), k, j, i))
    found.sort(reverse=True)
    kept = []
    for s, k, j, i in found:
        if any(abs(k - k2) <= NMS_SLICES and abs(j - j2) <= NMS_PX and abs(i - i2) <= NMS_PX for _, k2, j2, i2 in kept):
            continue
        kept.append((s, k, j, i))
        if len(kept) >= per_case:
            break
    return kept


def mine(model, sampler, threshold: float = 0.15, per_case: int = 48, batch: int = 8) -> list:
    """[(case index, k, j, i, score)] of the model's false peaks over every case of `sampler`; the model is
    left in training mode."""
    model.eval()
    out = []
    try:
        for ci, (vol, lung, meta) in enumerate(zip(sampler.vols, sampler.lungs, sampler.metas)):
            for s, k, j, i in _case_peaks(model, vol, lung, meta["nodules"], threshold, per_case, batch):
                out.append((ci, k, j, i, s))
    finally:
        model.train()
    scores = [h[4] for h in out]
    if scores:
        print(
            f"mined {len(out)} false peaks in {len(sampler.metas)} cases (score median {np.median(scores):.2f}, "
            f"{sum(s >= 0.5 for s in scores)} at 0.5 or more)",
            file=sys.stderr,
            flush=True,
        )
    return out
