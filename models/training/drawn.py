"""Procedurally drawn nodules, blended into training patches (both stages).

The training cases hold a few hundred nodules, all from one generator's nodule code. Copy-paste moves
those nodules to new backgrounds but never changes the nodules themselves, so the model can learn their
particular look. Here every drawn nodule is new: a random ellipsoid with a random orientation, lobes,
spicules, a margin from sharp to hazy, and density for its type (solid, ground-glass, part-solid with a
solid core anywhere inside, calcified diffusely or in the centre), drawn with the partial volume of
1.5 mm slices, textured, and given noise like its surroundings'.

Written from general knowledge of how nodules look on CT (density ranges per type, margins, sizes),
independently of both phantom generators.
"""
import math

import numpy as np

from common import MARGINS, TYPES

SLICE_MM = 1.5
# How often each type is drawn (rough screening proportions, with the rarer types raised).
TYPE_P = {"solid": 0.42, "part-solid": 0.16, "ground-glass": 0.2, "calcified": 0.22}


def random_nodule(rng: np.random.Generator, diameter=(3.0, 26.0)) -> dict:
    """A nodule's description: type, margin, size and everything needed to draw it."""
    d = float(np.exp(rng.uniform(math.log(diameter[0]), math.log(diameter[1]))))
    kind = str(rng.choice(list(TYPE_P), p=list(TYPE_P.values())))
    small = d < 6
    lobed = rng.random() < (0.25 if small else 0.45)
    spiculated = not small and kind != "calcified" and rng.random() < 0.2
    margin = "spiculated" if spiculated else "lobulated" if lobed else "smooth"
    # Axis lengths around the mean radius (geometric mean 1), any orientation.
    axes = np.exp(rng.uniform(-0.22, 0.22, 3))
    axes = axes / np.prod(axes) ** (1 / 3)
    q, _ = np.linalg.qr(rng.normal(size=(3, 3)))
    solid_hu = float(rng.uniform(-70, 90))
    spec = {
        "type": kind,
        "margin": margin,
        "diameter": d,
        "axes": axes,
        "rotation": q,
        "lobes": rng.normal(size=(int(rng.integers(3, 7)), 3)) if lobed else None,
        "lobe_amp": float(rng.uniform(0.1, 0.25)),
        "spicules": rng.normal(size=(int(rng.integers(4, 11)), 3)) if spiculated else None,
        "spicule_mm": rng.uniform(2, 9, 11),
        "spicule_width": rng.uniform(0.5, 1.1, 11),
        # Edge width (mm): ground glass often fades into the lung; solid margins are sharper.
        "edge": float(rng.uniform(0.6, 3.0) if kind == "ground-glass" and rng.random() < 0.7 else rng.uniform(0.2, 0.8)),
        "hu": solid_hu,
        "ggo_hu": float(rng.uniform(-720, -380)),
        "core": float(rng.uniform(0.3, 0.7)),
        "core_shift": rng.uniform(-0.3, 0.3, 3),
        "calc_hu": float(rng.uniform(250, 1100)),
        "calc_central": rng.random() < 0.4,
        "texture": float(rng.uniform(0, 45)),
    }
    return spec


def _fields(spec: dict, zz: np.ndarray, yy: np.ndarray, xx: np.ndarray):
    """Occupancy (0–1) and the density (HU) the nodule would have at each point (mm from its centre)."""
    r = spec["diameter"] / 2
    pts = np.stack([zz, yy, xx], axis=-1) @ spec["rotation"]
    dist = np.sqrt(np.sum(pts**2, axis=-1))
    scaled = np.sqrt(np.sum((pts / spec["axes"]) ** 2, axis=-1))
    direction = pts / np.maximum(dist, 1e-6)[..., None]
    radius = np.full(dist.shape, r)
    if spec["lobes"] is not None:
        lobes = spec["lobes"] / np.linalg.norm(spec["lobes"], axis=1, keepdims=True)
        bumps = np.exp((direction @ lobes.T - 1) / 0.12).sum(axis=-1)
        radius = radius * (1 + spec["lobe_amp"] * (bumps - 0.3))
    # Signed depth inside the surface, measured along the ellipsoid's scaled radius.
    depth = radius - scaled
    occ = np.clip(depth / spec["edge"] + 0.5, 0, 1)
    if spec["spicules"] is not None:
        sp = spec["spicules"] / np.linalg.norm(spec["spicules"], axis=1, keepdims=True)
        for m, s in enumerate(sp):
            along = pts @ s
            off = np.sqrt(np.maximum(dist**2 - along**2, 0))
            length = spec["spicule_mm"][m]
            t = np.clip((along - r * 0.8) / length, 0, 1)
            width = spec["spicule_width"][m] * (1 - 0.75 * t)
            inside = (along > 0) & (along < r * 0.8 + length)
            occ = np.maximum(occ, np.where(inside, np.clip((width / 2 - off) / 0.4 + 0.5, 0, 1), 0))
    kind = spec["type"]
    if kind == "solid":
        hu = np.full(dist.shape, spec["hu"])
    elif kind == "calcified":
        if spec["calc_central"]:
            core = np.clip((spec["core"] * r - scaled) / 0.6 + 0.5, 0, 1)
            hu = spec["hu"] + (spec["calc_hu"] - spec["hu"]) * core
        else:
            hu = np.full(dist.shape, spec["calc_hu"])
    else:
        hu = np.full(dist.shape, spec["ggo_hu"])
        if kind == "part-solid":
            c = pts - spec["core_shift"] * r
            cd = np.sqrt(np.sum((c / spec["axes"]) ** 2, axis=-1))
            core = np.clip((spec["core"] * r - cd) / 0.5 + 0.5, 0, 1)
            hu = hu + (spec["hu"] - hu) * core
    return occ, hu


def noise_level(region: np.ndarray) -> float:
    """The noise SD of a HU block's lung parenchyma (robust, from neighbouring-pixel differences)."""
    a = region[..., :, 1:]
    b = region[..., :, :-1]
    sel = (a > -980) & (a < -600) & (b > -980) & (b < -600)
    if sel.sum() < 50:
        return 20.0
    diff = (a - b)[sel]
    return float(np.median(np.abs(diff - np.median(diff))) / 0.6745 / math.sqrt(2))


def correlated_noise(shape: tuple, rng: np.random.Generator) -> np.ndarray:
    """Unit-variance noise over `shape` [D, H, W], correlated between neighbouring pixels in each slice
    (like reconstructed CT noise), to be scaled by noise_level()."""
    noise = rng.normal(size=shape)
    return (noise + 0.5 * (np.roll(noise, 1, 1) + np.roll(noise, 1, 2))) / math.sqrt(1.5)


def draw(block: np.ndarray, centre: tuple, spec: dict, rng: np.random.Generator) -> None:
    """Blend the nodule into a HU block [D, H, W] (slices 1.5 mm apart, 1 mm pixels), in place, centred on
    `centre` (voxel coordinates, fractional). Tissue denser than the nodule where it touches stays (a nodule
    against the pleura or a vessel)."""
    d, h, w = block.shape
    r = spec["diameter"] / 2
    reach = r * (1 + spec["lobe_amp"]) * float(max(spec["axes"])) + spec["edge"] + (10 if spec["spicules"] is not None else 1)
    cz, cy, cx = centre
    k0, k1 = max(0, int(cz - reach / SLICE_MM) - 1), min(d, int(cz + reach / SLICE_MM) + 2)
    j0, j1 = max(0, int(cy - reach) - 1), min(h, int(cy + reach) + 2)
    i0, i1 = max(0, int(cx - reach) - 1), min(w, int(cx + reach) + 2)
    if k0 >= k1 or j0 >= j1 or i0 >= i1:
        return
    yy = (np.arange(j0, j1) - cy)[None, :, None]
    xx = (np.arange(i0, i1) - cx)[None, None, :]
    occ = np.zeros((k1 - k0, j1 - j0, i1 - i0))
    hu = np.zeros_like(occ)
    # A slice is 1.5 mm thick: average three planes across it (partial volume along z).
    for sub in (-0.5, 0.0, 0.5):
        zz = ((np.arange(k0, k1) - cz + sub * 0.67) * SLICE_MM)[:, None, None]
        o, v = _fields(spec, np.broadcast_to(zz, occ.shape), np.broadcast_to(yy, occ.shape), np.broadcast_to(xx, occ.shape))
        occ += o / 3
        hu += o * v / 3
    value = hu / np.maximum(occ, 1e-6)
    region = block[k0:k1, j0:j1, i0:i1]
    if spec["texture"] > 0:
        tex = rng.normal(size=occ.shape)
        tex = (tex + np.roll(tex, 1, 1) + np.roll(tex, 1, 2) + np.roll(tex, -1, 1) + np.roll(tex, -1, 2)) / math.sqrt(5)
        value = value + tex * spec["texture"] * (value < -200)
    sigma = noise_level(region)
    noise = correlated_noise(occ.shape, rng)
    blended = region * (1 - occ) + (value + noise * sigma) * occ
    region[...] = np.where(region > value, np.maximum(blended, region), blended)


def labels(spec: dict) -> tuple:
    """(type index, margin index) as the training targets use them."""
    return TYPES.index(spec["type"]), MARGINS.index(spec["margin"])
