"""Measures where models/training/dataset.py's `touches_across` lets a pasted nodule rest on tissue above or
below it, on synthetic slabs; prints one JSON object.

Used by test/unit/across-placement.test.ts, which states what the answers must be. Usage:
across_placement.py TRAINING_DIR
"""
import json
import sys

import numpy as np

sys.path.insert(0, sys.argv[1])
from dataset import touches_across  # noqa: E402

SLICES, SIZE, K = 31, 21, 15


def slab(first_tissue_offset, side=1):
    """Lung (-850 HU) with tissue (40 HU, a diaphragm's dome) from `first_tissue_offset` slices beyond
    slice K on `side` onwards; None: no tissue at all."""
    vol = np.full((SLICES, SIZE, SIZE), -850.0)
    if first_tissue_offset is not None:
        start = K + side * first_tissue_offset
        if side > 0:
            vol[start:] = 40.0
        else:
            vol[: start + 1] = 40.0
    return vol


out = {}
# For each radius, the tissue's first slice at each offset (in 1.5 mm slices), below and above.
for r in (2.0, 4.0, 7.5):
    for side in (1, -1):
        out[f"r{r}_side{side}"] = {str(off): touches_across(slab(off, side), K, 10, 10, r) for off in range(0, 9)}
out["noTissue"] = touches_across(slab(None), K, 10, 10, 4.0)
# A vessel crossing the slices: tissue only in a 3 × 3 column beyond the edge, lung around it.
vessel = np.full((SLICES, SIZE, SIZE), -850.0)
vessel[K + 4 :, 9:12, 9:12] = 40.0
out["vesselBelow"] = touches_across(vessel, K, 10, 10, 4.0)
out["vesselBeside"] = touches_across(vessel, K, 10, 14, 4.0)
# At the image's edge (no 3 × 3 neighbourhood) and at the volume's end (nothing beyond in z).
out["edge"] = touches_across(slab(4), K, 0, 10, 4.0)
out["volumeEnd"] = touches_across(slab(None)[: K + 2], K, 10, 10, 4.0)
print(json.dumps(out))
