"""Measures nodules drawn by models/training/drawn.py on synthetic blocks; prints one JSON object.

Used by test/unit/drawn-nodules.test.ts, which states what the measurements must be. Usage:
drawn_nodules.py TRAINING_DIR
"""
import json
import math
import sys

import numpy as np

sys.path.insert(0, sys.argv[1])
from drawn import draw, labels, noise_level, random_nodule  # noqa: E402


def lung_block(rng, shape=(25, 61, 61), level=-850.0, sd=20.0):
    return (level + rng.normal(0, sd, shape)).astype(np.float64)


def plain(rng, kind, diameter, edge=0.3):
    """A smooth sphere of the given type and size (the random shape parts switched off)."""
    spec = random_nodule(rng)
    spec.update(type=kind, diameter=diameter, axes=np.ones(3), rotation=np.eye(3), lobes=None, spicules=None, edge=edge, texture=0.0, margin="smooth")
    return spec


out = {}
rng = np.random.default_rng(1)

# Size: the volume above half the contrast, as an equivalent-sphere diameter, for several sizes.
sizes = []
for d in (4.0, 8.0, 16.0):
    block = lung_block(rng)
    spec = plain(rng, "solid", d)
    spec["hu"] = 30.0
    draw(block, (12, 30, 30), spec, rng)
    vol = float(np.sum(block > (30 - 850) / 2)) * 1.5
    sizes.append({"diameter": d, "equivalent": (6 * vol / math.pi) ** (1 / 3), "centre": float(np.mean(block[12, 29:32, 29:32]))})
out["sizes"] = sizes

# Far from the nodule nothing changes.
block = lung_block(rng)
before = block.copy()
draw(block, (12, 30, 30), plain(rng, "solid", 8.0), rng)
far = np.ones(block.shape, bool)
far[4:21, 20:41, 20:41] = False
out["farChanged"] = int(np.sum(block[far] != before[far]))

# Types: mean density in the middle of each.
dens = {}
for kind in ("solid", "ground-glass", "part-solid", "calcified"):
    vals = []
    for _ in range(30):
        spec = random_nodule(rng)
        spec.update(type=kind, diameter=14.0, core_shift=np.zeros(3), calc_central=False, spicules=None)
        block = lung_block(rng)
        draw(block, (12, 30, 30), spec, rng)
        vals.append(float(np.mean(block[12, 29:32, 29:32])))
    dens[kind] = {"min": min(vals), "max": max(vals)}
out["density"] = dens

# Against the chest wall: the wall's voxels stay as they were (the nodule is lighter than the wall).
block = lung_block(rng)
block[:, :, 36:] = 40 + rng.normal(0, 20, block[:, :, 36:].shape)
wall_before = block[:, :, 36:].copy()
spec = plain(rng, "ground-glass", 12.0)
spec["ggo_hu"] = -550.0
draw(block, (12, 30, 30), spec, rng)
out["wallChanged"] = int(np.sum(block[:, :, 36:] < wall_before - 1e-9))
out["wallNoduleCentre"] = float(np.mean(block[12, 29:32, 29:32]))

# Noise inside a large solid nodule is like the lung's around it (no smooth, noise-free blob).
block = lung_block(rng, sd=25.0)
spec = plain(rng, "solid", 20.0)
draw(block, (12, 30, 30), spec, rng)
inner = block[10:15, 25:36, 25:36]
diffs = (inner[:, :, 1:] - inner[:, :, :-1]).ravel()
out["noise"] = {"background": noise_level(lung_block(rng, sd=25.0)), "inside": float(np.std(diffs) / math.sqrt(2))}

# Labels follow the description; every random nodule is drawable and visible in open lung.
kinds, margins, visible = {}, {}, 0
for _ in range(200):
    spec = random_nodule(rng)
    t, m = labels(spec)
    kinds[spec["type"]] = t
    margins[spec["margin"]] = m
    block = lung_block(rng, shape=(25, 71, 71))
    draw(block, (12, 35, 35), spec, rng)
    visible += float(np.mean(block[12, 34:37, 34:37])) > -760
out["labels"] = {"types": kinds, "margins": margins}
out["visibleOf200"] = int(visible)
print(json.dumps(out))
