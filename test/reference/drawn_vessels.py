"""Measures vessel and airway trees drawn by models/training/vessels.py on synthetic blocks; prints one
JSON object.

Used by test/unit/drawn-vessels.test.ts, which states what the measurements must be. Usage:
drawn_vessels.py TRAINING_DIR
"""
import json
import math
import sys

import numpy as np

sys.path.insert(0, sys.argv[1])
from vessels import clear_of, draw, random_tree  # noqa: E402

SLICE_MM = 1.5


def lung_block(rng, shape=(7, 96, 96), level=-850.0, sd=20.0):
    return (level + rng.normal(0, sd, shape)).astype(np.float32)


def straight(points, radius, hu=40.0, edge=0.4, airway=False, wall=0.0):
    return {"segments": [(points, [radius] * len(points))], "airway": airway, "hu": hu, "wall": wall, "edge": edge}


out = {}
rng = np.random.default_rng(3)

# A tube along z keeps its cross-section through every slice (a nodule would not): the area above half
# the contrast, per slice, as an equivalent radius.
radii = []
for r in (1.0, 2.5, 5.0):
    block = lung_block(rng)
    pts = [np.array([z, 48.0, 48.0]) for z in np.arange(-30.0, 40.0, 1.5)]
    draw(block, straight(pts, r), rng, 20.0)
    per_slice = [math.sqrt(float(np.sum(block[k] > (40 - 850) / 2)) / math.pi) for k in range(block.shape[0])]
    radii.append({"radius": r, "perSlice": per_slice})
out["alongZ"] = radii

# A tube in the plane of slice 3 is seen in that slice and, by partial volume, faintly in the next ones.
block = lung_block(rng, sd=0.0)
pts = [np.array([3 * SLICE_MM, 48.0, x]) for x in np.arange(-20.0, 120.0, 1.5)]
draw(block, straight(pts, 1.0), rng, 0.0)
out["inPlane"] = [float(block[k, 48, 48]) for k in range(block.shape[0])]

# Denser tissue is left as it is under an unenhanced vessel; an enhanced one shows through fat.
block = lung_block(rng)
block[:, :, 60:] = 80.0
before = block.copy()
pts = [np.array([z, 48.0, 70.0]) for z in np.arange(-30.0, 40.0, 1.5)]
draw(block, straight(pts, 3.0, hu=45.0), rng, 20.0)
out["tissueChanged"] = int(np.sum(block[:, :, 60:] != before[:, :, 60:]))
block = lung_block(rng)
block[:, :, 60:] = -100.0
draw(block, straight(pts, 3.0, hu=300.0), rng, 20.0)
out["enhancedInFat"] = float(np.mean(block[3, 47:50, 69:72]))

# An airway: air inside a wall denser than the lung.
block = lung_block(rng)
pts = [np.array([z, 48.0, 48.0]) for z in np.arange(-30.0, 40.0, 1.5)]
draw(block, straight(pts, 5.0, hu=40.0, airway=True, wall=0.3), rng, 20.0)
out["airway"] = {"lumen": float(np.mean(block[3, 47:50, 47:50])), "wall": float(np.max(block[3, 48, 48:56]))}

# Random trees: densities, Murray's law at each branch, and never over a nodule they were checked against.
hu, murray, drawn, overlap, refused = [], [], 0, 0, 0
for _ in range(150):
    tree = random_tree(rng, np.array([3 * SLICE_MM, 48.0, 48.0]))
    if not tree["airway"]:
        hu.append(tree["hu"])
    block = lung_block(rng)
    nodule = (3.0 + rng.uniform(-1, 1), 48.0 + rng.uniform(-12, 12), 48.0 + rng.uniform(-12, 12), float(rng.uniform(2, 8)))
    if not clear_of(tree, [nodule], rng):
        refused += 1
        continue
    before = block.copy()
    draw(block, tree, rng, 20.0)
    changed = block != before
    drawn += int(changed.any())
    k, j, i, r = nodule
    zz, yy, xx = np.meshgrid(np.arange(7) * SLICE_MM, np.arange(96), np.arange(96), indexing="ij")
    inside = (zz - k * SLICE_MM) ** 2 + (yy - j) ** 2 + (xx - i) ** 2 < (r - 0.5) ** 2
    overlap += int(changed[inside].any())
for _ in range(100):
    tree = random_tree(rng, np.array([0.0, 0.0, 0.0]))
    segments = tree["segments"]
    for c, (pts, rad) in enumerate(segments[1:], 1):
        # A branch starts at a point of an earlier segment; compare the flow (r^3) just before that point
        # with the branch's and the parent's just after it (one step of taper apart).
        for p_pts, p_r in segments[:c]:
            hits = [n for n, p in enumerate(p_pts) if np.allclose(p, pts[0])]
            if hits and 0 < hits[0] < len(p_r) - 1 and p_r[hits[0] + 1] > 0.35:
                n = hits[0]
                murray.append(abs(p_r[n] ** 3 - (rad[0] ** 3 + p_r[n + 1] ** 3)) / p_r[n] ** 3)
                break
out["trees"] = {"vesselHu": [min(hu), max(hu)], "drawn": drawn, "overlap": overlap, "refused": refused, "murrayWorst": max(murray) if murray else None, "branches": len(murray)}
print(json.dumps(out))
