"""Procedurally drawn vessels and airways, blended into the detector's training patches as negatives.

Most of the detector's false positives on CT it was not made from are vessels seen in cross-section
(hilar vessels taken for 20 mm nodules, small peripheral ones) and the places where vessels branch. Each
training generator draws its vessels its own way (calibres, tapering, branching angles, curvature,
density), and the detector can learn that particular look as "not a nodule" instead of learning what a
vessel is. Here every vessel is new: a tree of tubes that curve at random, taper, branch by Murray's law,
run at any angle to the slices (with a bias to steep ones, which look most like nodules in one slice), at
unenhanced blood or contrast density; and airways (an air lumen in a soft-tissue wall). They are drawn with
the partial volume of 1.5 mm slices and given noise like their surroundings, and never over a labelled
nodule, so they only ever teach the detector what a nodule is not.

Written from general knowledge of pulmonary vessel and airway anatomy on CT, independently of the
phantom generators.
"""
import math

import numpy as np

from drawn import correlated_noise

SLICE_MM = 1.5
STEP_MM = 1.5
CHUNK = 8  # centreline segments rasterised together


def _turn(d: np.ndarray, rng: np.random.Generator, sd: float) -> np.ndarray:
    """`d` rotated by a random small angle (radians, normal with SD `sd`) about a random perpendicular."""
    v = d + rng.normal(0, sd, 3)
    return v / np.linalg.norm(v)


def _away(d: np.ndarray, angle: float, rng: np.random.Generator) -> np.ndarray:
    """A unit vector at `angle` (radians) from the unit vector `d`, in a random direction around it."""
    p = rng.normal(size=3)
    p -= p.dot(d) * d
    p /= max(np.linalg.norm(p), 1e-9)
    return d * math.cos(angle) + p * math.sin(angle)


def _walk(start: np.ndarray, d: np.ndarray, r: float, taper: float, length: float, rng: np.random.Generator, wiggle: float):
    """A centreline from `start` along `d` (mm, (z, y, x)) with its radius, curving at random: lists of
    points and radii."""
    pts, rad = [start.copy()], [r]
    p = start.copy()
    for _ in range(int(length / STEP_MM)):
        d = _turn(d, rng, wiggle)
        p = p + d * STEP_MM
        r = max(0.35, r * math.exp(-taper * STEP_MM))
        pts.append(p.copy())
        rad.append(r)
    return pts, rad


def _branch(pts: list, rad: list, at: int, taper: float, wiggle: float, rng: np.random.Generator):
    """A branch leaving the centreline `pts` at point `at`, taking a random share of the flow; the parent's
    radii past that point shrink by Murray's law (in place). Returns (points, radii), or None when the
    branch would be too thin to draw."""
    share = float(rng.uniform(0.25, 0.75))
    rb = rad[at] * share ** (1 / 3)
    rest = (1 - share) ** (1 / 3)
    if rb < 0.4 or rad[at] * rest < 0.4:
        return None
    tangent = pts[at + 1] - pts[at]
    tangent = tangent / max(np.linalg.norm(tangent), 1e-9)
    child = _walk(pts[at], _away(tangent, float(rng.uniform(0.35, 1.2)), rng), rb, taper, 50.0, rng, wiggle)
    for i in range(at + 1, len(rad)):
        rad[i] = max(0.35, rad[i] * rest)
    return child


def random_tree(rng: np.random.Generator, centre: np.ndarray) -> dict:
    """A vessel or airway tree through `centre` (mm, (z, y, x)): segments as (points, radii) lists."""
    airway = rng.random() < 0.2
    # Radius (mm): log-uniform over peripheral to lobar vessels; a tenth are hilar-sized.
    r0 = float(np.exp(rng.uniform(math.log(0.6), math.log(6.0)))) if rng.random() < 0.9 else float(rng.uniform(6.0, 11.0))
    if airway:
        r0 = float(np.exp(rng.uniform(math.log(1.2), math.log(7.0))))
    # Direction: half steep to the slices (cross-sections, the nodule-like view), half any angle.
    dz = rng.uniform(0.75, 1.0) if rng.random() < 0.5 else rng.uniform(-1.0, 1.0)
    az = rng.uniform(0, 2 * math.pi)
    s = math.sqrt(max(0.0, 1 - dz * dz))
    d = np.array([dz, s * math.sin(az), s * math.cos(az)])
    d /= np.linalg.norm(d)
    taper = float(rng.uniform(0.0, 0.012))
    wiggle = float(rng.uniform(0.01, 0.08))
    # Downstream (tapering) from the centre, upstream (widening) behind it.
    down, down_r = _walk(centre, d, r0, taper, 70.0, rng, wiggle)
    up, up_r = _walk(centre, -d, r0, -taper * 0.5, 70.0, rng, wiggle)
    segments = [(up[::-1] + down[1:], up_r[::-1] + down_r[1:])]
    # Branches off the trunk, taken from upstream to downstream (so each sees the trunk as the branches
    # before it left it), by Murray's law (r^3 = r1^3 + r2^3); each may branch once more.
    trunk_pts, trunk_r = segments[0]
    for at in sorted({int(v) for v in rng.integers(2, len(trunk_pts) - 3, int(rng.integers(0, 4)))}):
        child = _branch(trunk_pts, trunk_r, at, taper, wiggle, rng)
        if child is None:
            continue
        segments.append(child)
        if rng.random() < 0.4 and len(child[0]) > 8:
            grand = _branch(child[0], child[1], int(rng.integers(2, len(child[0]) - 3)), taper, wiggle, rng)
            if grand is not None:
                segments.append(grand)
    contrast = not airway and rng.random() < 0.35
    return {
        "segments": segments,
        "airway": airway,
        "hu": float(rng.uniform(150, 420) if contrast else rng.uniform(20, 70)),
        "wall": float(rng.uniform(0.2, 0.35)) if airway else 0.0,  # share of the outer radius
        "edge": float(rng.uniform(0.3, 0.9)),
    }


def _rasterise(shape: tuple, tree: dict, offset: float = 0.0):
    """Occupancy (0-1) of the tree's tubes in a block of `shape` (slices 1.5 mm apart, 1 mm pixels, voxel
    (0, 0, 0) at the origin), with radii grown by `offset` mm. Segments are taken CHUNK at a time, each
    chunk evaluated in its own bounding box; a slice is 1.5 mm thick, so three planes across it are
    averaged (partial volume along z)."""
    d, h, w = shape
    occ = np.zeros(shape, dtype=np.float32)
    edge = tree["edge"]
    sub = np.array([-0.33, 0.0, 0.33], dtype=np.float32)
    for pts, rad in tree["segments"]:
        p = np.asarray(pts, dtype=np.float32)
        r = np.asarray(rad, dtype=np.float32) + offset
        for c in range(0, len(p) - 1, CHUNK):
            a, b = p[c : c + CHUNK], p[c + 1 : c + CHUNK + 1]
            ra, rb = r[c : c + len(a)], r[c + 1 : c + 1 + len(b)]
            a, ra = a[: len(b)], ra[: len(b)]
            reach = float(max(ra.max(), rb.max())) + edge + 1
            lo = np.minimum(a.min(0), b.min(0)) - reach
            hi = np.maximum(a.max(0), b.max(0)) + reach
            k0, k1 = max(0, int(math.floor(lo[0] / SLICE_MM))), min(d, int(math.ceil(hi[0] / SLICE_MM)) + 1)
            j0, j1 = max(0, int(math.floor(lo[1]))), min(h, int(math.ceil(hi[1])) + 1)
            i0, i1 = max(0, int(math.floor(lo[2]))), min(w, int(math.ceil(hi[2])) + 1)
            if k0 >= k1 or j0 >= j1 or i0 >= i1:
                continue
            # Axes: segment, slice, plane within the slice, row, column.
            zz = ((np.arange(k0, k1, dtype=np.float32)[:, None] + sub[None, :]) * SLICE_MM)[None, :, :, None, None]
            yy = np.arange(j0, j1, dtype=np.float32)[None, None, None, :, None]
            xx = np.arange(i0, i1, dtype=np.float32)[None, None, None, None, :]
            ab = b - a
            ll = np.maximum(np.sum(ab * ab, axis=1), 1e-9)

            def col(v):
                return v[:, None, None, None, None]

            dz, dy, dx = zz - col(a[:, 0]), yy - col(a[:, 1]), xx - col(a[:, 2])
            t = np.clip((dz * col(ab[:, 0]) + dy * col(ab[:, 1]) + dx * col(ab[:, 2])) / col(ll), 0, 1)
            dist = np.sqrt((dz - t * col(ab[:, 0])) ** 2 + (dy - t * col(ab[:, 1])) ** 2 + (dx - t * col(ab[:, 2])) ** 2)
            radius = col(ra) + t * col(rb - ra)
            o = np.clip((radius - dist) / edge + 0.5, 0, 1).max(axis=0).mean(axis=1)
            np.maximum(occ[k0:k1, j0:j1, i0:i1], o, out=occ[k0:k1, j0:j1, i0:i1])
    return occ


def clear_of(tree: dict, nodules: list, rng: np.random.Generator) -> bool:
    """Whether the tree keeps clear of every nodule ((k, j, i, radius mm) in the block's voxels): its
    tubes may pass beside a nodule, up to just touching it, never through it."""
    for pts, rad in tree["segments"]:
        p = np.asarray(pts)
        r = np.asarray(rad)
        for k, j, i, rn in nodules:
            c = np.array([k * SLICE_MM, j, i])
            gap = np.sqrt(np.sum((p - c) ** 2, axis=1)) - r - rn
            if float(gap.min()) < float(rng.uniform(-0.3, 1.5)):
                return False
    return True


def draw(block: np.ndarray, tree: dict, rng: np.random.Generator, sigma: float) -> None:
    """Blend the tree into a HU block [D, H, W] (slices 1.5 mm apart, 1 mm pixels), in place. A vessel is
    drawn only where it is denser than what is there (so it vanishes into the mediastinum unless enhanced); an
    airway's wall likewise, and its lumen as air inside that wall."""
    outer_shape = block.shape
    outer = _rasterise(outer_shape, tree, 0.0)
    hit = [np.flatnonzero(outer.any(axis=axes)) for axes in ((1, 2), (0, 2), (0, 1))]
    if any(len(v) == 0 for v in hit):
        return
    # Only the box round what was drawn changes.
    box = tuple(slice(int(v[0]), int(v[-1]) + 1) for v in hit)
    outer, block = outer[box], block[box]
    noise = correlated_noise(block.shape, rng).astype(np.float32)
    if tree["airway"]:
        # The lumen: the same tubes shrunk by the wall's share of the radius.
        scaled = {**tree, "segments": [(pts, [r * (1 - tree["wall"]) for r in rad]) for pts, rad in tree["segments"]]}
        lumen = _rasterise(outer_shape, scaled, -0.1)[box]
        wall = np.clip(outer - lumen, 0, 1)
        value = tree["hu"] + noise * sigma
        walled = block * (1 - wall) + value * wall
        walled = np.where(block > tree["hu"], block, walled)
        # The lumen is air only where the airway runs through lung; in tissue it is left as it was.
        air = -1000 + noise * sigma
        block[...] = np.where(block < -500, walled * (1 - lumen) + air * lumen, walled)
        return
    value = tree["hu"] + noise * sigma
    blended = block * (1 - outer) + value * outer
    block[...] = np.where(block > tree["hu"], block, blended)


def draw_clear(block: np.ndarray, pick, nodules: list, rng: np.random.Generator, sigma: float, tries: int = 4) -> bool:
    """Draw one tree into `block` through a point from `pick()` (a centre in mm, (z, y, x), or None when the
    place it tried is unsuitable), clear of `nodules` (see clear_of): up to `tries` picks. Whether one was
    drawn."""
    for _ in range(tries):
        centre = pick()
        if centre is None:
            continue
        tree = random_tree(rng, centre)
        if clear_of(tree, nodules, rng):
            draw(block, tree, rng, sigma)
            return True
    return False
