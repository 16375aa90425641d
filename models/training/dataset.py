"""Training data: cache resampled volumes, then sample 2.5D patches with CenterNet targets.

Reads only what `lucent synth` writes (DICOM and truth.json), as it would read real data.
"""
import json
import math
import multiprocessing
import os
import sys

import numpy as np
import torch

from drawn import draw as draw_nodule, labels as drawn_labels, noise_level, random_nodule
from vessels import SLICE_MM, draw_clear
from common import MARGINS, SLICES, STRIDE, TYPES, normalise, read_series, read_truth, resample

PATCH = 128
# Type indices whose centres go on the second heatmap when the detector has two (model.py `heads`).
SUBSOLID = (TYPES.index("part-solid"), TYPES.index("ground-glass"))


def cache_case(case_dir: str, cache_dir: str) -> dict:
    """Resample one case to the model grid; store HU as int16 .npy plus nodules in voxel coordinates."""
    name = os.path.basename(case_dir.rstrip("/"))
    meta_path = os.path.join(cache_dir, name + ".json")
    if os.path.exists(meta_path):
        with open(meta_path, encoding="utf8") as f:
            return json.load(f)
    vol = resample(read_series(case_dir))
    truth = read_truth(case_dir)
    np.save(os.path.join(cache_dir, name + ".npy"), np.round(vol.hu).clip(-1024, 3071).astype(np.int16))
    ox, oy, oz = vol.origin
    sx, sy, sz = vol.spacing
    nodules = []
    for n in truth["nodules"]:
        x, y, z = n["centerMm"]
        nodules.append(
            {
                "i": (x - ox) / sx,
                "j": (y - oy) / sy,
                "k": (z - oz) / sz,
                "diameter": n["diameterMm"],
                "type": TYPES.index(n["type"]),
                "margin": MARGINS.index(n.get("margin", "smooth")),
            }
        )
    meta = {"name": name, "shape": list(vol.hu.shape), "origin": list(vol.origin), "spacing": list(vol.spacing), "nodules": nodules}
    with open(meta_path, "w", encoding="utf8") as f:
        json.dump(meta, f)
    return meta


def _cache_job(job):
    return cache_case(*job)


def cache_all(data_dir: str, cache_dir: str, processes: int = 2) -> list:
    """Cache every case, `processes` at a time (reading and resampling is single-threaded numpy)."""
    os.makedirs(cache_dir, exist_ok=True)
    cases = sorted(d for d in os.listdir(data_dir) if os.path.isdir(os.path.join(data_dir, d)))
    jobs = [(os.path.join(data_dir, c), cache_dir) for c in cases]
    metas = []
    with multiprocessing.Pool(max(1, processes)) as pool:
        for i, meta in enumerate(pool.imap(_cache_job, jobs)):
            metas.append(meta)
            if (i + 1) % 10 == 0:
                print(f"  cached {i + 1}/{len(cases)} cases", file=sys.stderr, flush=True)
    return metas


def gaussian_blur2d(img: torch.Tensor, sigma: float) -> torch.Tensor:
    """Separable Gaussian blur of [C, H, W]."""
    r = max(1, int(math.ceil(3 * sigma)))
    x = torch.arange(-r, r + 1, dtype=torch.float32)
    k = torch.exp(-(x**2) / (2 * sigma * sigma))
    k = k / k.sum()
    c = img.shape[0]
    img = img.unsqueeze(0)
    img = torch.nn.functional.conv2d(torch.nn.functional.pad(img, (r, r, 0, 0), mode="replicate"), k.view(1, 1, 1, -1).repeat(c, 1, 1, 1), groups=c)
    img = torch.nn.functional.conv2d(torch.nn.functional.pad(img, (0, 0, r, r), mode="replicate"), k.view(1, 1, -1, 1).repeat(c, 1, 1, 1), groups=c)
    return img.squeeze(0)


def high_pass(x: torch.Tensor, sigma: float) -> torch.Tensor:
    return x - gaussian_blur2d(x, sigma)


class PatchSampler:
    """Random 2.5D patches: half around nodules, half elsewhere in the lungs, a share of those centred on
    dense structures in the lungs (vessels, airway walls, fissures: the hard part).

    Each patch may be zoomed (the in-plane scale of the anatomy, and with it the pixel spacing the model
    sees) and, with `z_blur`, averaged across neighbouring slices (thicker reconstructions).

    Copy-paste augmentation: with probability `paste`, a lung patch also receives a nodule cut from another
    training case (randomly flipped and transposed), blended in with a mask that follows the nodule's own
    surface (no band of the donor's background comes with it), so that each of the few hundred training
    nodules is also seen against other backgrounds. Half are placed in open lung, half against tissue (the
    pleura over the chest wall, mediastinum or diaphragm, or a vessel), where the tissue is kept; with
    `across`, that share of the attached ones touch tissue above or below them instead of beside them.

    Drawn nodules: with probability `drawn`, a lung patch without a pasted nodule receives a new nodule
    drawn procedurally (drawn.py), placed the same way, so that the nodules' own shapes, densities and
    margins vary beyond the training cases'.

    Drawn vessels: with probability `vessels`, any patch also receives one or two procedurally drawn vessel
    or airway trees (vessels.py) through its lungs, clear of every nodule in it, as negatives: vessels in
    cross-section and at branch points are what the detector most often takes for nodules.
    """

    def __init__(self, metas: list, cache_dir: str, seed: int, paste: float = 0.0, zoom: tuple = (1.0, 1.0), dense: float = 0.0, drawn: float = 0.0, across: float = 0.0, heads: int = 1, hard: float = 0.0, remap: float = 0.0, vessels: float = 0.0, subsolid: float = 0.0, walls: float = 0.0, vary: float = 0.0, paste_positive: float = 0.0):
        self.metas = metas
        # Varied pasted nodules: a share `vary` of the pasted nodules is rescaled (0.75–1.33 times, within
        # 3–30 mm) and, unless calcified, its contrast against lung scaled by 0.85–1.15, so that each donor
        # gives many distinct instances (varied). A share `paste_positive` of the positive patches is a
        # lung patch with a pasted nodule instead of a patch around one of the cases' own nodules. Neither
        # makes an extra random draw when it is 0.
        self.vary = vary
        self.paste_positive = paste_positive
        # Inner walls: a share `walls` of the attached pasted nodules (those beside tissue in their own slice)
        # go only where that tissue has lung beyond it (inner_wall: the mediastinum, the heart, the dome of
        # the diaphragm), not the chest wall. No extra random draw when it is 0.
        self.walls = walls
        self.vessels = vessels
        # Each case's generator, from its name (case-: lucent synth, g2-: chestgen, g3-: gen3), for
        # domain-adversarial training; `batch_domains` holds the last batch's.
        prefixes = sorted({m["name"].split("-")[0] for m in metas})
        self.domain_of = [prefixes.index(m["name"].split("-")[0]) for m in metas]
        self.n_domains = len(prefixes)
        self.last_case = 0
        self.last_pasted = None
        self.batch_domains: list = []
        self.heads = heads
        self.remap = remap
        self.across = across
        self.vols = [np.load(os.path.join(cache_dir, m["name"] + ".npy"), mmap_mode="r") for m in metas]
        self.rng = np.random.default_rng(seed)
        self.with_nodules = [i for i, m in enumerate(metas) if m["nodules"]]
        self.paste = paste
        self.zoom = zoom
        self.dense = dense
        self.drawn = drawn
        self.donors = [(ci, n) for ci, m in enumerate(metas) for n in m["nodules"]]
        # Sub-solid oversampling: a share `subsolid` of the positive patches, and of the pasted nodules, is
        # drawn from the part-solid and ground-glass nodules only (the rest as before, uniformly), since the
        # detector finds those least, on every generator. No extra random draw when it is 0.
        self.subsolid = subsolid
        self.subsolid_donors = [(ci, n) for ci, n in self.donors if n["type"] in SUBSOLID]
        # The engine's lung mask of each case (lungmasks.mjs): pasted nodules go only into the lungs, never
        # into a patient table's foam core or the air beside the body, which have lung-like values.
        self.lungs = []
        # Hard negatives (hard.py): (case, k, j, i, score) of the detector's own false peaks, set part-way
        # through training; `hard_share` of the negative patches are then centred near one of them.
        self.hard: list = []
        self.hard_share = hard
        if paste > 0 or drawn > 0 or hard > 0 or paste_positive > 0:
            for m in metas:
                f = os.path.join(cache_dir, m["name"] + ".lung.npy")
                if not os.path.exists(f):
                    raise FileNotFoundError(f"{f} is missing: run node lungmasks.mjs {cache_dir}")
                self.lungs.append(np.load(f, mmap_mode="r"))

    def _lungish(self, vol, k, cy, cx) -> bool:
        v = vol[k, max(0, cy - 8) : cy + 8, max(0, cx - 8) : cx + 8]
        m = float(np.mean(v)) if v.size else 0.0
        return -960 < m < -350

    def _subsolid_pick(self) -> bool:
        """Whether this positive patch's nodule, or this pasted nodule, comes from the sub-solid ones."""
        return self.subsolid > 0 and bool(self.subsolid_donors) and self.rng.random() < self.subsolid

    def _scale(self) -> float:
        lo, hi = self.zoom
        return 1.0 if hi <= lo else float(np.exp(self.rng.uniform(np.log(lo), np.log(hi))))

    def sample(self, positive: bool):
        rng = self.rng
        scale = self._scale()
        if positive and self.with_nodules and self.paste_positive > 0 and self.donors and rng.random() < self.paste_positive:
            # A positive made by pasting: any donor, anywhere in the lungs (as the negative patches' pastes);
            # a few tries, since a paste finds no place now and then, else one of the cases' own nodules.
            for _ in range(4):
                ci, k, cy, cx = self._lung_spot()
                patch = self._patch(ci, k, cy, cx, scale, pasted=True)
                if self.last_pasted is not None:
                    return patch
        if positive and self.with_nodules:
            if self._subsolid_pick():
                ci, n = self.subsolid_donors[int(rng.integers(len(self.subsolid_donors)))]
            else:
                ci = int(rng.choice(self.with_nodules))
                meta = self.metas[ci]
                n = meta["nodules"][int(rng.integers(len(meta["nodules"])))]
            r_slices = max(0.5, n["diameter"] / 2 / 1.5)
            # Half the time the nodule's centre slice (where its one positive target cell is), else nearby.
            k = int(round(n["k"])) if rng.random() < 0.5 else int(round(n["k"] + rng.normal(0, r_slices * 0.45)))
            cy = int(round(n["j"] + rng.uniform(-40, 40) * scale))
            cx = int(round(n["i"] + rng.uniform(-40, 40) * scale))
        elif self.hard and rng.random() < self.hard_share:
            ci, hk, hj, hi, _ = self.hard[int(rng.integers(len(self.hard)))]
            z = self.vols[ci].shape[0]
            k = min(max(hk + int(rng.integers(-1, 2)), 0), z - 1)
            cy = int(round(hj + rng.uniform(-40, 40) * scale))
            cx = int(round(hi + rng.uniform(-40, 40) * scale))
        else:
            ci, k, cy, cx = self._lung_spot()
            if self.donors and rng.random() < self.paste:
                return self._patch(ci, k, cy, cx, scale, pasted=True)
            if self.drawn > 0 and rng.random() < self.drawn:
                return self._patch(ci, k, cy, cx, scale, drew=True)
        return self._patch(ci, k, cy, cx, scale)

    def _lung_spot(self):
        """A random case and a point in its lungs (case, slice, row, column); a share `dense` of them on a
        dense structure in the lung, which is what the model confuses."""
        rng = self.rng
        ci = int(rng.integers(len(self.metas)))
        vol = self.vols[ci]
        z, h, w = vol.shape
        want_dense = rng.random() < self.dense
        for _ in range(60):
            k = int(rng.integers(SLICES // 2 + 1, z - SLICES // 2 - 1))
            cy = int(rng.integers(16, h - 16))
            cx = int(rng.integers(16, w - 16))
            if not self._lungish(vol, k, cy, cx):
                continue
            if want_dense and vol[k, cy, cx] < -350:
                continue
            break
        return ci, k, cy, cx

    def _donor_block(self, ci: int, n: dict, half_xy: int, half_z: int):
        """HU block around a donor nodule (centred on its nearest voxel), padded with air where it leaves
        the volume, and the nodule's sub-voxel centre within it."""
        vol = self.vols[ci]
        z, h, w = vol.shape
        c = [int(round(n["k"])), int(round(n["j"])), int(round(n["i"]))]
        half = [half_z, half_xy, half_xy]
        block = np.full([2 * v + 1 for v in half], -1024, dtype=np.float32)
        src, dst = [], []
        for a, (cc, hh, size) in enumerate(zip(c, half, (z, h, w))):
            lo, hi = max(0, cc - hh), min(size, cc + hh + 1)
            src.append(slice(lo, hi))
            dst.append(slice(lo - (cc - hh), hi - (cc - hh)))
        if all(sl.stop > sl.start for sl in src):
            block[tuple(dst)] = vol[tuple(src)]
        frac = [n["k"] - c[0], n["j"] - c[1], n["i"] - c[2]]
        return block, frac

    def _place(self, x: np.ndarray, y0: int, x0: int, k: int, existing: list, lung: np.ndarray, r: float, half_xy: int, vol=None):
        """Where a nodule of radius r may go in the source window `x` (centre slice k of the case volume
        `vol`): inside the lungs, half the time against tissue; (row, column) in the window, or None when no
        place was found."""
        rng = self.rng
        size = x.shape[1]
        mid = x.shape[0] // 2
        # Half the nodules are put against something: the pleura over the chest wall, the mediastinum, the
        # diaphragm or a vessel (juxtapleural and juxtavascular nodules), the rest in open lung.
        attached = rng.random() < 0.5
        # Some of those touch tissue above or below rather than beside them: on the dome of the diaphragm,
        # under the apex, on a vessel that runs across the slices. In their own slice they sit in open lung;
        # the tissue meets them in the slices beyond their edge.
        across = attached and vol is not None and self.across > 0 and rng.random() < self.across
        inner = attached and not across and self.walls > 0 and rng.random() < self.walls
        ring = None
        if attached:
            yy0, xx0 = np.mgrid[-half_xy : half_xy + 1, -half_xy : half_xy + 1]
            d0 = np.hypot(yy0, xx0)
            ring = (d0 >= r + 0.5) & (d0 <= r + 2.5)
        for _ in range(120 if across or inner else 60 if attached else 20):
            py = int(rng.integers(half_xy + 2, size - half_xy - 2))
            px = int(rng.integers(half_xy + 2, size - half_xy - 2))
            m = float(np.mean(x[mid, py - 2 : py + 3, px - 2 : px + 3]))
            if not -960 < m < -650:
                continue  # not lung parenchyma here (tissue, or air outside the body)
            ly, lx = y0 + py, x0 + px
            if not (0 <= ly < lung.shape[0] and 0 <= lx < lung.shape[1] and lung[ly, lx]):
                continue  # lung-like values outside the lungs: a table's core, air beside the body
            if ring is not None:
                around = x[mid, py - half_xy : py + half_xy + 1, px - half_xy : px + half_xy + 1]
                dense = float(np.mean(around[ring] > -400))
                outside = float(np.mean(around[ring] < -985))
                if dense > 0.55 or outside > 0.02:
                    continue  # buried in tissue in its own slice, or by the skin and the air outside
                if across and not touches_across(vol, k, ly, lx, r):
                    continue  # no tissue just past its edge above or below
                if not across and dense < 0.12:
                    continue  # not touching tissue beside it
                if inner:
                    hit = ring & (around > -400)
                    ty, tx = float(np.mean(yy0[hit])), float(np.mean(xx0[hit]))
                    if not inner_wall(lung, ly, lx, ty, tx):
                        continue  # the tissue it touches is the chest wall
            if any(math.hypot(e["i"] - x0 - px, e["j"] - y0 - py) < e["diameter"] / 2 + r + 6 and abs(e["k"] - k) * 1.5 < e["diameter"] / 2 + r + 6 for e in existing):
                continue
            return py, px
        return None

    def _paste(self, x: np.ndarray, y0: int, x0: int, k: int, existing: list, lung: np.ndarray, vol=None):
        """Blend one donor nodule into the source window `x` (HU, [SLICES + 2, S, S], centre slice k) at a
        position inside the lungs (`lung`: slice k's lung mask); returns the nodule in this case's voxel
        coordinates, or None when no place was found."""
        rng = self.rng
        pool = self.subsolid_donors if self._subsolid_pick() else self.donors
        ci, n = pool[int(rng.integers(len(pool)))]
        size = x.shape[1]
        mid = x.shape[0] // 2
        diameter = n["diameter"]
        s = 1.0
        if self.vary > 0 and rng.random() < self.vary:
            s = float(np.exp(rng.uniform(np.log(0.75), np.log(4 / 3))))
            s = min(max(s, 3.0 / diameter), max(1.0, 30.0 / diameter))
            diameter *= s
        r = diameter / 2
        half_xy = int(math.ceil(r + 2))
        half_z = int(math.ceil((r + 2) / 1.5)) + mid + 1
        if 2 * half_xy + 6 >= size:
            return None
        if s == 1.0:
            block, (fk, fj, fi) = self._donor_block(ci, n, half_xy, half_z)
        else:
            # The donor cut wide enough for its rescaled copy (plus a voxel for interpolation).
            src, frac = self._donor_block(ci, n, int(math.ceil(half_xy / s)) + 1, int(math.ceil(half_z / s)) + 1)
            block = varied(src, frac, s, half_xy, half_z, rng, n["type"] != TYPES.index("calcified"))
            fk, fj, fi = frac
        if rng.random() < 0.5:
            block, fi = block[:, :, ::-1], -fi
        if rng.random() < 0.5:
            block, fj = block[:, ::-1, :], -fj
        if rng.random() < 0.5:
            block, fj, fi = block.transpose(0, 2, 1), fi, fj
        spot = self._place(x, y0, x0, k, existing, lung, r, half_xy, vol)
        if spot is None:
            return None
        py, px = spot
        dk = 0 if rng.random() < 0.5 else int(round(rng.normal(0, max(0.5, r / 1.5) * 0.45)))
        dk = max(-(half_z - mid - 1), min(half_z - mid - 1, dk))
        bz = half_z
        zz = (np.arange(x.shape[0]) - mid - dk)[:, None, None]
        yy = (np.arange(-half_xy, half_xy + 1))[None, :, None]
        xx = (np.arange(-half_xy, half_xy + 1))[None, None, :]
        dist = np.sqrt(((zz - fk) * 1.5) ** 2 + (yy - fj) ** 2 + (xx - fi) ** 2)
        # The nodule's own body, feathered over half a millimetre: its partial-volume edge comes from the
        # donor, the background around it stays the recipient's.
        weight = np.clip(r + 0.25 - dist, 0.0, 1.0).astype(np.float32)
        donor = block[bz + zz[:, 0, 0]]
        region = x[:, py - half_xy : py + half_xy + 1, px - half_xy : px + half_xy + 1]
        blended = region * (1 - weight) + donor * weight
        # Where the nodule meets tissue denser than itself (the wall it is attached to), the tissue stays.
        region[...] = np.where(region > -400, np.maximum(blended, region), blended)
        return {"i": x0 + px + fi, "j": y0 + py + fj, "k": k + dk + fk, "diameter": diameter, "type": n["type"], "margin": n["margin"]}

    def _draw(self, x: np.ndarray, y0: int, x0: int, k: int, existing: list, lung: np.ndarray):
        """Blend a procedurally drawn nodule (drawn.py) into the source window `x`, placed as pasted ones
        are; returns it in this case's voxel coordinates, or None when no place was found."""
        rng = self.rng
        spec = random_nodule(rng)
        r = spec["diameter"] / 2
        half_xy = int(math.ceil(r * 1.2 + 2))
        if 2 * half_xy + 6 >= x.shape[1]:
            return None
        spot = self._place(x, y0, x0, k, existing, lung, r, half_xy)
        if spot is None:
            return None
        py, px = spot
        mid = x.shape[0] // 2
        # The centre anywhere within its own slice and pixel; half the time on this slice, else nearby.
        dk = 0 if rng.random() < 0.5 else int(round(rng.normal(0, max(0.5, r / 1.5) * 0.45)))
        fk, fj, fi = rng.uniform(-0.5, 0.5, 3)
        draw_nodule(x, (mid + dk + fk, py + fj, px + fi), spec, rng)
        t, m = drawn_labels(spec)
        return {"i": x0 + px + fi, "j": y0 + py + fj, "k": k + dk + fk, "diameter": spec["diameter"], "type": t, "margin": m}

    def _vessels(self, x: np.ndarray, y0: int, x0: int, k: int, nodules: list, lung=None) -> None:
        """Draw one or two vessel or airway trees (vessels.py) through lung in the source window `x` (HU,
        [SLICES + 2, S, S], centre slice k), each through a lung point near the window's centre and clear of
        every nodule; a tree that would touch one is drawn again, up to four times."""
        rng = self.rng
        depth, size = x.shape[0], x.shape[1]
        mid = depth // 2
        inside = [(n["k"] - k + mid, n["j"] - y0, n["i"] - x0, n["diameter"] / 2) for n in nodules]
        inside = [n for n in inside if -20 < n[0] < depth + 20 and -30 < n[1] < size + 30 and -30 < n[2] < size + 30]
        sigma = noise_level(x[mid])

        def pick():
            py = int(rng.integers(size // 6, size - size // 6))
            px = int(rng.integers(size // 6, size - size // 6))
            if not -960 < float(x[mid, py, px]) < -650:
                return None
            ly, lx = y0 + py, x0 + px
            if lung is not None and not (0 <= ly < lung.shape[0] and 0 <= lx < lung.shape[1] and lung[ly, lx]):
                return None
            return np.array([(mid + rng.uniform(-0.5, 0.5)) * SLICE_MM, py + rng.uniform(-0.5, 0.5), px + rng.uniform(-0.5, 0.5)])

        for _ in range(1 if rng.random() < 0.6 else 2):
            draw_clear(x, pick, inside, rng, sigma)

    def _patch(self, ci: int, k: int, cy: int, cx: int, scale: float = 1.0, pasted: bool = False, drew: bool = False):
        """The model input around (k, cy, cx): SLICES slices of a window `scale` × PATCH wide, resized to
        PATCH, with its CenterNet targets; one extra slice each side for z-blur augmentation."""
        vol = self.vols[ci]
        meta = self.metas[ci]
        self.last_case = ci
        z, h, w = vol.shape
        size = int(round(PATCH * scale))
        half = size // 2
        depth = SLICES + 2
        x = np.full((depth, size, size), -1024, dtype=np.float32)
        y0, x0 = cy - half, cx - half
        ys, xs = max(0, y0), max(0, x0)
        ye, xe = min(h, y0 + size), min(w, x0 + size)
        for c in range(depth):
            kk = min(max(k + c - depth // 2, 0), z - 1)
            if ye > ys and xe > xs:
                x[c, ys - y0 : ye - y0, xs - x0 : xe - x0] = vol[kk, ys:ye, xs:xe]
        nodules = list(meta["nodules"])
        # The nodule pasted into this patch, in the case's voxel coordinates (None when there is none).
        self.last_pasted = None
        if pasted:
            extra = self._paste(x, y0, x0, k, nodules, self.lungs[ci][k], vol)
            if extra is not None:
                nodules.append(extra)
                self.last_pasted = extra
        if drew:
            extra = self._draw(x, y0, x0, k, nodules, self.lungs[ci][k])
            if extra is not None:
                nodules.append(extra)
        if self.vessels > 0 and self.rng.random() < self.vessels:
            self._vessels(x, y0, x0, k, nodules, self.lungs[ci][k] if self.lungs else None)
        f = size / PATCH  # source pixels per model pixel
        if size != PATCH:
            t = torch.from_numpy(x).unsqueeze(0)
            x = torch.nn.functional.interpolate(t, size=(PATCH, PATCH), mode="bilinear", align_corners=False)[0].numpy()
        out = PATCH // STRIDE
        hm = np.zeros((self.heads, out, out), dtype=np.float32)
        size_t = np.zeros((1, out, out), dtype=np.float32)
        offset = np.zeros((2, out, out), dtype=np.float32)
        cls = np.full((out, out), -1, dtype=np.int64)
        margin = np.full((out, out), -1, dtype=np.int64)
        mask = np.zeros((out, out), dtype=np.float32)
        ys_, xs_ = np.mgrid[0:out, 0:out]
        for n in nodules:
            r = n["diameter"] / 2
            centre = int(round(n["k"]))
            dz = abs(n["k"] - k) * 1.5
            if dz >= r and k != centre:
                continue
            # The slice nearest the centre always shows the nodule, however small.
            rz = math.sqrt(max(r * r - dz * dz, (0.6 * r) ** 2)) / f
            # Model-pixel position of the centre (interpolate maps source pixel centres this way).
            px = ((n["i"] - x0 + 0.5) / f - 0.5) / STRIDE
            py = ((n["j"] - y0 + 0.5) / f - 0.5) / STRIDE
            if not (-2 <= px < out + 2 and -2 <= py < out + 2):
                continue
            # CenterNet targets: the peak (exactly 1, the only positive) sits on the cell holding the centre,
            # on the slice nearest it; it falls off with slices from there, so the 3D centre is the maximum.
            dk = abs(k - centre) * 1.5
            amp = math.exp(-(dk * dk) / (2 * max(1.0, r / 2) ** 2))
            sigma = max(0.7, (2 * rz / STRIDE) / 3)
            ix, iy = int(math.floor(px)), int(math.floor(py))
            g = amp * np.exp(-((xs_ - ix) ** 2 + (ys_ - iy) ** 2) / (2 * sigma * sigma))
            c = 1 if self.heads > 1 and n["type"] in SUBSOLID else 0
            hm[c] = np.maximum(hm[c], g)
            if 0 <= ix < out and 0 <= iy < out:
                size_t[0, iy, ix] = 2 * rz
                offset[:, iy, ix] = (px - ix, py - iy)
                cls[iy, ix] = n["type"]
                margin[iy, ix] = n["margin"]
                mask[iy, ix] = 1.0
        return x, hm, size_t, offset, cls, margin, mask


def varied(src: np.ndarray, frac, s: float, half_xy: int, half_z: int, rng: np.random.Generator, contrast: bool) -> np.ndarray:
    """A donor nodule rescaled `s` times about its centre: the block [2 half_z + 1, 2 half_xy + 1, 2 half_xy + 1]
    (1.5 mm slices, 1 mm pixels, as the cache) whose centre voxel is offset from the nodule's centre by
    `frac`, as the donor block `src` is. Interpolation smooths the donor's noise, so white noise is added
    back until the lung's noise (drawn.noise_level) matches the donor's; unless `contrast` is False
    (calcified nodules, whose density defines them), the body's contrast against lung (-850 HU) is scaled
    by 0.85–1.15."""
    fz, fy, fx = frac
    cz, cy, cx = (v // 2 for v in src.shape)
    oz = np.arange(-half_z, half_z + 1, dtype=np.float64)
    oy = np.arange(-half_xy, half_xy + 1, dtype=np.float64)
    # Source index of each output index: the same physical offset from the centre, divided by s.
    sz = cz + fz + (oz - fz) / s
    sy = cy + fy + (oy - fy) / s
    sx = cx + fx + (oy - fx) / s
    norm = lambda v, n: torch.from_numpy(2 * v / (n - 1) - 1).float()
    gz, gy, gx = torch.meshgrid(norm(sz, src.shape[0]), norm(sy, src.shape[1]), norm(sx, src.shape[2]), indexing="ij")
    grid = torch.stack([gx, gy, gz], dim=-1)[None]
    t = torch.from_numpy(np.ascontiguousarray(src, dtype=np.float32))[None, None]
    out = torch.nn.functional.grid_sample(t, grid, mode="bilinear", padding_mode="border", align_corners=True)[0, 0].numpy()
    # Noise before and after (from neighbouring-pixel differences, which white noise adds to in full),
    # then white noise to make up the difference.
    before = noise_level(src)
    after = noise_level(out)
    if before > after:
        out = out + rng.normal(0.0, math.sqrt(before**2 - after**2), out.shape).astype(np.float32)
    if contrast:
        out = -850 + (out + 850) * float(rng.uniform(0.85, 1.15))
    return out.astype(np.float32)


def inner_wall(lung: np.ndarray, j: int, i: int, dy: float, dx: float, limit_px: int = 200, tissue_px: int = 10) -> bool:
    """Whether, from lung pixel (j, i) of a slice's lung mask, a walk along (dy, dx) (toward the tissue a
    nodule there touches) crosses at least `tissue_px` pixels of tissue into lung again within `limit_px`
    pixels: tissue with lung beyond it (the mediastinum, the heart, the dome of the diaphragm cut across,
    the spine between the lungs' back recesses), not the chest wall, beyond which there is only the body
    wall and the air outside. A thinner crossing (a vessel on the way) does not count."""
    norm = math.hypot(dy, dx)
    if norm < 1e-6:
        return False
    dy, dx = dy / norm, dx / norm
    h, w = lung.shape
    run = 0
    for t in range(1, limit_px + 1):
        y, x = int(round(j + dy * t)), int(round(i + dx * t))
        if not (0 <= y < h and 0 <= x < w):
            return False
        if not lung[y, x]:
            run += 1
        elif run >= tissue_px:
            return True
        else:
            run = 0
    return False


def touches_across(vol, k: int, j: int, i: int, r: float, slice_mm: float = 1.5) -> bool:
    """Whether a nodule of radius r (mm) centred at voxel (k, j, i) of `vol` (HU, slices `slice_mm` apart)
    would rest on tissue above or below it: tissue (mean of the 3 × 3 pixels over -400 HU) in the first slice
    past its edge on one side, and lung (under -500 HU) in the slice before that."""
    reach = int(math.ceil((r + 0.75) / slice_mm))
    if not (1 <= j < vol.shape[1] - 1 and 1 <= i < vol.shape[2] - 1):
        return False
    for side in (1, -1):
        kk = k + side * reach
        if not 0 <= kk < vol.shape[0]:
            continue
        beyond = float(np.mean(vol[kk, j - 1 : j + 2, i - 1 : i + 2]))
        between = float(np.mean(vol[k + side * (reach - 1), j - 1 : j + 2, i - 1 : i + 2]))
        if beyond > -400 and between < -500:
            return True
    return False


# Tissue density remapping (`remap`): knots (HU) and how far each may move. Lung parenchyma varies with
# inspiration, age and emphysema (about -950 to -750), ground glass and partial volume sit between it and
# soft tissue, soft tissue and blood shift with contrast and the scanner's calibration; air and bone ends
# stay put. The moved knots stay in order, so the map is monotone: what is denser stays denser.
REMAP_KNOTS = np.array([-1100.0, -950.0, -850.0, -700.0, -500.0, -250.0, 0.0, 80.0, 300.0, 1500.0])
REMAP_SPREAD = np.array([0.0, 25.0, 45.0, 50.0, 60.0, 60.0, 30.0, 40.0, 80.0, 0.0])


def remap_hu(x: torch.Tensor, rng: np.random.Generator) -> torch.Tensor:
    """A random monotone piecewise-linear map of HU (REMAP_KNOTS moved by up to REMAP_SPREAD)."""
    moved = REMAP_KNOTS + rng.uniform(-1.0, 1.0, REMAP_KNOTS.shape) * REMAP_SPREAD
    moved = np.maximum.accumulate(moved)
    out = np.interp(x.numpy().ravel(), REMAP_KNOTS, moved).reshape(x.shape)
    return torch.from_numpy(out.astype(np.float32))


def augment(x: torch.Tensor, rng: np.random.Generator, remap: float = 0.0) -> torch.Tensor:
    """Scanner and reconstruction variation on HU patches [SLICES + 2, H, W]: with probability `remap` a
    different density of each tissue (remap_hu), then slice thickness (z blur), kernel (blur or
    edge-enhancing sharpening), noise of several textures and levels, and calibration (gain and offset).
    Returns the middle SLICES slices."""
    if remap > 0 and rng.random() < remap:
        x = remap_hu(x, rng)
    if rng.random() < 0.35:  # a thicker reconstruction: average neighbouring slices
        wts = torch.tensor([1.0, 2.0, 1.0] if rng.random() < 0.6 else [1.0, 1.0, 1.0])
        wts = wts / wts.sum()
        x = torch.stack([x[i - 1] * wts[0] + x[i] * wts[1] + x[i + 1] * wts[2] for i in range(1, x.shape[0] - 1)])
    else:
        x = x[1:-1]
    r = rng.random()
    if r < 0.3:
        x = gaussian_blur2d(x, float(rng.uniform(0.4, 1.1)))  # soft kernel
    elif r < 0.55:
        x = x + float(rng.uniform(0.3, 1.3)) * high_pass(x, float(rng.uniform(0.8, 1.6)))  # sharp kernel, overshoot
    if rng.random() < 0.7:
        level = float(rng.uniform(4, 45))
        noise = torch.randn_like(x)
        texture = rng.random()
        if texture < 0.35:
            noise = gaussian_blur2d(noise, float(rng.uniform(0.6, 1.6)))  # soft-kernel (blotchy) noise
        elif texture < 0.7:
            noise = high_pass(gaussian_blur2d(noise, 0.5), 1.2)  # sharp-kernel (fine, ramp-like) noise
        noise = noise / noise.std().clamp(min=1e-6)
        x = x + noise * level
    if rng.random() < 0.8:
        x = x * float(rng.uniform(0.94, 1.06)) + float(rng.uniform(-30, 30))
    return x


def batch(sampler: PatchSampler, n: int, train: bool):
    xs, hms, sizes, offs, clss, margins, masks = [], [], [], [], [], [], []
    sampler.batch_domains = []
    for b in range(n):
        x, hm, size, off, cls, margin, mask = sampler.sample(positive=(b % 2 == 0))
        sampler.batch_domains.append(sampler.domain_of[sampler.last_case])
        x = torch.from_numpy(np.ascontiguousarray(x))
        x = augment(x, sampler.rng, sampler.remap) if train else x[1:-1]
        x = torch.from_numpy(normalise(x.numpy()).astype(np.float32))
        tensors = [x, torch.from_numpy(hm), torch.from_numpy(size), torch.from_numpy(off), torch.from_numpy(cls), torch.from_numpy(margin), torch.from_numpy(mask)]
        if train and sampler.rng.random() < 0.5:
            tensors = [t.flip(-1) for t in tensors]
            # A flipped x-offset is measured from the other side of the cell.
            m = tensors[6] > 0
            tensors[3][0][m] = 1 - tensors[3][0][m]
        if train and sampler.rng.random() < 0.25:
            # Transposed (x and y swapped): nodules have no preferred in-plane direction.
            tensors = [t.transpose(-1, -2) for t in tensors]
            tensors[3] = tensors[3].flip(0)
        xs.append(tensors[0])
        hms.append(tensors[1])
        sizes.append(tensors[2])
        offs.append(tensors[3])
        clss.append(tensors[4])
        margins.append(tensors[5])
        masks.append(tensors[6])
    return (torch.stack(xs), torch.stack(hms), torch.stack(sizes), torch.stack(offs), torch.stack(clss), torch.stack(margins), torch.stack(masks))
