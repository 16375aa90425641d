"""Measures models/training/dataset.py's varied pasted nodules (`vary`) and pasted positives
(`paste_positive`) on a small synthetic cache; prints one JSON object.

Used by test/unit/paste-vary.test.ts, which states what must hold. Usage: paste_vary.py TRAINING_DIR
"""
import json
import math
import os
import sys
import tempfile

import numpy as np

sys.path.insert(0, sys.argv[1])
from common import TYPES  # noqa: E402
from dataset import PatchSampler  # noqa: E402

SHAPE = (30, 256, 256)
NOISE = 25.0
DRAWS = 300


def noise(block):
    """Robust noise SD of a block (1.4826 x median absolute deviation of each voxel less the mean of its
    3 x 3 in-plane neighbourhood, scaled back by the 8/9 of white noise's variance that keeps): measured
    here on a nodule's body, apart from how the sampler measures it."""
    pad = np.pad(block, ((0, 0), (1, 1), (1, 1)), mode="edge")
    h, w = block.shape[1], block.shape[2]
    hp = (block - sum(pad[:, a : a + h, b : b + w] for a in range(3) for b in range(3)) / 9.0).ravel()
    return float(1.4826 * np.median(np.abs(hp - np.median(hp))) * math.sqrt(9 / 8))


def make_cache(folder, diameter, hu, kind):
    """Four cases of open lung (-850 HU, white noise), lung everywhere but a 40-pixel corner, each with one
    nodule of `diameter` mm and density `hu` drawn into that corner (so pasted ones, which go only into
    the lungs, are never where a case's own nodule is)."""
    rng = np.random.default_rng(0)
    metas = []
    z = (np.arange(SHAPE[0]) - 15)[:, None, None] * 1.5
    y = (np.arange(SHAPE[1]) - 20)[None, :, None]
    x = (np.arange(SHAPE[2]) - 20)[None, None, :]
    inside = np.sqrt(z**2 + y**2 + x**2) < diameter / 2
    for c in range(4):
        name = f"case-{c:04d}"
        vol = np.where(inside, hu, -850) + rng.normal(0, NOISE, SHAPE)
        np.save(os.path.join(folder, name + ".npy"), vol.astype(np.int16))
        lung = np.ones(SHAPE, dtype=bool)
        lung[:, :40, :40] = False
        np.save(os.path.join(folder, name + ".lung.npy"), lung)
        metas.append({"name": name, "shape": list(SHAPE), "origin": [0, 0, 0], "spacing": [1, 1, 1.5], "nodules": [{"i": 20.0, "j": 20.0, "k": 15.0, "diameter": float(diameter), "type": TYPES.index(kind), "margin": 0}]})
    return metas


def pastes(folder, metas, vary):
    """Paste into open-lung windows: each pasted nodule's labelled diameter, the diameter its dense voxels
    give in its widest slice, its contrast (centre mean less lung) and the noise of its body (both
    meaningful when its centre slice is inside the window with a slice each side: `centred`)."""
    s = PatchSampler(metas, folder, 3, paste=1.0, vary=vary)
    out = []
    for _ in range(DRAWS):
        x = np.full((7, 96, 96), -850, dtype=np.float32) + s.rng.normal(0, NOISE, (7, 96, 96)).astype(np.float32)
        n = s._paste(x, 100, 100, 15, [], s.lungs[0][15], s.vols[0])
        if n is None:
            continue
        j, i = n["j"] - 100, n["i"] - 100
        area = max(float(np.sum(x[c, max(0, int(j) - 20) : int(j) + 21, max(0, int(i) - 20) : int(i) + 21] > -425)) for c in range(7))
        kc = int(round(n["k"] - 15 + 3))
        core = x[min(max(kc, 0), 6), int(round(j)) - 1 : int(round(j)) + 2, int(round(i)) - 1 : int(round(i)) + 2]
        body = x[:, int(round(j)) - 2 : int(round(j)) + 3, int(round(i)) - 2 : int(round(i)) + 3][min(max(kc, 1), 5) - 1 : min(max(kc, 1), 5) + 2]
        out.append({"centred": 1 <= kc <= 5, "diameter": n["diameter"], "measured": 2 * math.sqrt(area / math.pi), "contrast": float(np.mean(core)) + 850, "noise": noise(body)})
    return out


def positives(folder, metas, share):
    s = PatchSampler(metas, folder, 4, paste=0.0, paste_positive=share)
    pasted = 0
    for _ in range(DRAWS):
        s.sample(True)
        pasted += s.last_pasted is not None
    return pasted / DRAWS


out = {}
with tempfile.TemporaryDirectory() as folder:
    metas = make_cache(folder, 12.0, 30, "solid")
    out["solid0"] = pastes(folder, metas, 0.0)
    out["solid1"] = pastes(folder, metas, 1.0)
    out["positives0"] = positives(folder, metas, 0.0)
    out["positives1"] = positives(folder, metas, 1.0)
    out["positivesHalf"] = positives(folder, metas, 0.5)
with tempfile.TemporaryDirectory() as folder:
    out["calcified1"] = pastes(folder, make_cache(folder, 12.0, 400, "calcified"), 1.0)
with tempfile.TemporaryDirectory() as folder:
    out["small1"] = pastes(folder, make_cache(folder, 3.5, 30, "solid"), 1.0)
out["noise"] = NOISE
print(json.dumps(out))
