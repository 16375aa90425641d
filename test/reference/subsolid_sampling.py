"""Measures how often models/training/dataset.py's PatchSampler centres a positive patch on, or pastes, a
part-solid or ground-glass nodule, at several `subsolid` shares, on a small synthetic cache; prints one
JSON object.

Used by test/unit/subsolid-sampling.test.ts, which states what the shares must be. Usage:
subsolid_sampling.py TRAINING_DIR
"""
import json
import os
import sys
import tempfile

import numpy as np

sys.path.insert(0, sys.argv[1])
from common import TYPES  # noqa: E402
from dataset import SUBSOLID, PatchSampler  # noqa: E402

SHAPE = (30, 256, 256)
DRAWS = 400


def make_cache(folder, types):
    """One case per entry of `types`: open lung (-850 HU with noise), all of it in the lung mask, one 6 mm
    nodule of that type in a corner (so that a random lung patch seldom holds it)."""
    rng = np.random.default_rng(0)
    metas = []
    for c, t in enumerate(types):
        name = f"case-{c:04d}"
        vol = (-850 + rng.normal(0, 15, SHAPE)).astype(np.int16)
        np.save(os.path.join(folder, name + ".npy"), vol)
        np.save(os.path.join(folder, name + ".lung.npy"), np.ones(SHAPE, dtype=bool))
        meta = {"name": name, "shape": list(SHAPE), "origin": [0, 0, 0], "spacing": [1, 1, 1.5], "nodules": [{"i": 12.0, "j": 12.0, "k": 15.0, "diameter": 6.0, "type": TYPES.index(t), "margin": 0}]}
        metas.append(meta)
    return metas


def shares(folder, metas, subsolid):
    s = PatchSampler(metas, folder, 5, paste=1.0, subsolid=subsolid)
    # Positive patches: the type at the target's positive cell (each case holds one nodule).
    picked = []
    for _ in range(DRAWS):
        _, _, _, _, cls, _, mask = s.sample(True)
        cells = cls[mask > 0]
        if cells.size:
            picked.append(int(cells[0]))
    # Pasted nodules: what the sampler's paste step puts into an open-lung window.
    pasted = []
    for _ in range(DRAWS):
        ci = int(s.rng.integers(len(metas)))
        x = np.full((7, 96, 96), -850, dtype=np.float32) + s.rng.normal(0, 15, (7, 96, 96)).astype(np.float32)
        n = s._paste(x, 100, 100, 15, [], s.lungs[ci][15], s.vols[ci])
        if n is not None:
            pasted.append(int(n["type"]))
    sub = lambda v: sum(t in SUBSOLID for t in v) / max(1, len(v))
    return {"positives": len(picked), "positiveShare": sub(picked), "pasted": len(pasted), "pastedShare": sub(pasted)}


out = {}
with tempfile.TemporaryDirectory() as folder:
    # Six solid cases, one ground-glass, one part-solid: a quarter of the nodules are sub-solid.
    metas = make_cache(folder, ["solid"] * 6 + ["ground-glass", "part-solid"])
    for share in (0.0, 0.6, 1.0):
        out[str(share)] = shares(folder, metas, share)
with tempfile.TemporaryDirectory() as folder:
    # No sub-solid nodule at all: the share has nothing to draw from, and sampling goes on as without it.
    metas = make_cache(folder, ["solid"] * 4 + ["calcified"])
    out["none"] = shares(folder, metas, 1.0)
print(json.dumps(out))
