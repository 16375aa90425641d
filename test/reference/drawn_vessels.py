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

# The second stage's blocks (fpr.py --vessels), cut from a volume of lung at a random zoom: a tree drawn
# through a negative's centre changes the centre (a vessel's blood, or an airway's wall and air); one
# drawn beside a positive's nodule leaves every voxel of the nodule as it was.
import fpr  # noqa: E402  (imports torch, so only here)

vol = (-850.0 + rng.normal(0, 20, (40, 100, 100))).astype(np.float32)
kk, jj, ii = np.meshgrid(np.arange(40) * SLICE_MM, np.arange(100), np.arange(100), indexing="ij")
nod = {"k": 20.0, "j": 50.0, "i": 50.0, "diameter": 10.0}
vol[(kk - 20 * SLICE_MM) ** 2 + (jj - 50) ** 2 + (ii - 50) ** 2 < 25] = 30.0
through, centre_changed, beside, beside_overlap = 0, 0, 0, 0
for _ in range(60):
    scale = []
    block = fpr.cut(vol, 12.0, 50.0, 50.0, rng, scale).clone()  # away from the nodule
    before = block[0].numpy().copy()
    if fpr.with_tree(block, fpr.nodules_in_block([nod], 12.0, 50.0, 50.0, scale[0]), rng, through_centre=True):
        through += 1
        x = block[0].numpy()
        d, h, w = x.shape
        moved = np.abs(x - before)[d // 2, h // 2 - 1 : h // 2 + 2, w // 2 - 1 : w // 2 + 2]
        centre_changed += int(float(moved.max()) > 60)
    k, j, i = 20.0 + rng.uniform(-1, 1), 50.0 + rng.uniform(-2, 2), 50.0 + rng.uniform(-2, 2)
    scale = []
    block = fpr.cut(vol, k, j, i, rng, scale).clone()
    before = block[0].numpy().copy()
    if fpr.with_tree(block, fpr.nodules_in_block([nod], k, j, i, scale[0]), rng, through_centre=False):
        beside += 1
        changed = block[0].numpy() != before
        d, h, w = changed.shape
        # The nodule's voxels in the block (the block's pixels are 1 / scale mm in-plane).
        bz, by, bx = np.meshgrid(np.arange(d), np.arange(h), np.arange(w), indexing="ij")
        cz, cy, cx = (d - 1) / 2 + (20.0 - k), (h - 1) / 2 + (50.0 - j) * scale[0], (w - 1) / 2 + (50.0 - i) * scale[0]
        inside = ((bz - cz) * SLICE_MM) ** 2 + ((by - cy) / scale[0]) ** 2 + ((bx - cx) / scale[0]) ** 2 < 4.5**2
        beside_overlap += int(changed[inside].any())
out["fpr"] = {"blocks": 60, "through": through, "centreChanged": centre_changed, "beside": beside, "besideOverlap": beside_overlap}
print(json.dumps(out))
