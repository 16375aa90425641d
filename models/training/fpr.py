"""False-positive reduction: a small 3D CNN that scores detector candidates from a patch of the model grid.

The 2.5D detector sees a few slices (common.SLICES); a vessel seen end-on is a round blob there, as a
nodule is. In 3D the vessel runs on through the slices and branches, the nodule ends. This classifier looks at a block around
each candidate: 15 × 31 × 31 voxels at the grid's spacing (22.5 × 31 × 31 mm), and with SCALES (common.py)
more channels, the same number of voxels at s times the spacing (s × s × s voxel means) for more context.

Training samples, all from the cached training cases (the same grid as inference, see common.py):
- positives: the true nodules, jittered by up to two voxels, and (a share `--drawn`) nodules drawn
  procedurally (drawn.py) on the negatives' places or in open lung, so that the nodules themselves vary
  beyond the training cases' few hundred;
- negatives: the detector's own candidates on the training cases that are not nodules (hard negatives,
  mined with `lucent eval` over the training set), plus dense points in the lungs (vessels, airway walls)
  and on their border (pleura, mediastinum, hila);
- with `--vessels`, drawn vessel and airway trees (vessels.py): that share of the negatives is a block of
  open lung with a new tree drawn through its centre (a vessel in cross-section or along its length, a
  branch), and half that share of the positives get a tree beside their nodule, clear of it (so a tube
  nearby does not by itself mean "not a nodule").

usage: fpr.py CACHE_DIR MINED_EVAL_JSON OUT_DIR --minutes M
writes OUT_DIR/fpr.onnx (input "patch" [N, len(SCALES), D, H, W], output "probability" [N, 1]) and fpr.json.
"""
import argparse
import json
import math
import os
import sys

import numpy as np
import torch
from torch import nn

from common import PATCH, SCALES, CpuBudget, normalise, patches
from dataset import gaussian_blur2d, high_pass
from drawn import draw as draw_nodule, noise_level, random_nodule
from vessels import SLICE_MM, draw_clear

MINED_PER_CASE = 120
BORDER_PER_CASE = 30


def conv(cin: int, cout: int, stride=1) -> nn.Sequential:
    return nn.Sequential(nn.Conv3d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm3d(cout), nn.ReLU(inplace=True))


class FprNet(nn.Module):
    """About 0.17 M parameters, 80 M multiply-adds per patch."""

    def __init__(self, channels: int = len(SCALES)):
        super().__init__()
        self.features = nn.Sequential(
            conv(channels, 16, (1, 2, 2)),  # 15 × 16 × 16
            conv(16, 24),
            nn.MaxPool3d(2),  # 7 × 8 × 8
            conv(24, 32),
            conv(32, 48),
            nn.MaxPool3d(2),  # 3 × 4 × 4
            conv(48, 64),
            nn.AdaptiveAvgPool3d(1),
        )
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(64, 32), nn.ReLU(inplace=True), nn.Linear(32, 1))

    def forward(self, x):
        return torch.sigmoid(self.head(self.features(x)))

    def logits(self, x):
        return self.head(self.features(x))


def samples(metas: list, vols: list, mined: dict, rng: np.random.Generator):
    """(case, k, j, i, label) lists: true nodules; mined candidates away from every true nodule; dense
    lung points."""
    pos, neg = [], []
    for ci, m in enumerate(metas):
        for n in m["nodules"]:
            pos.append((ci, n["k"], n["j"], n["i"], n["diameter"]))
        ox, oy, oz = m["origin"]
        sx, sy, sz = m["spacing"]
        # The candidates the engine would rescore: the strongest per case (see FPR_MAX_CANDIDATES), with margin.
        ranked = sorted(mined.get(m["name"], []), key=lambda d: -d["score"])[:MINED_PER_CASE]
        for d in ranked:
            x, y, z = d["centerMm"]
            k, j, i = (z - oz) / sz, (y - oy) / sy, (x - ox) / sx
            near = any(
                math.hypot((n["i"] - i) * sx, (n["j"] - j) * sy, (n["k"] - k) * sz) < max(3.0, 0.75 * n["diameter"])
                for n in m["nodules"]
            )
            if not near:
                neg.append((ci, k, j, i, 0.0))
        # Dense points in the lungs: vessels and walls the detector may not have proposed in training.
        vol = vols[ci]
        z, h, w = vol.shape
        found = 0
        for _ in range(4000):
            if found >= 30:
                break
            k, j, i = int(rng.integers(2, z - 2)), int(rng.integers(8, h - 8)), int(rng.integers(8, w - 8))
            if vol[k, j, i] < -300:
                continue
            around = vol[k, j - 6 : j + 7, i - 6 : i + 7]
            if not -900 < float(np.mean(around)) < -500:
                continue
            if any(math.hypot(n["i"] - i, n["j"] - j, (n["k"] - k) * 1.5) < n["diameter"] / 2 + 4 for n in metas[ci]["nodules"]):
                continue
            neg.append((ci, k, j, i, 0.0))
            found += 1
        # Dense points on the lungs' border: the chest wall, diaphragm, mediastinum and hila where they meet
        # the lung (the pleura), where a juxtapleural nodule would sit. Soft tissue with both lung and soft
        # tissue in the 13 × 13 mm around it.
        found = 0
        for _ in range(30000):
            if found >= BORDER_PER_CASE:
                break
            k, j, i = int(rng.integers(2, z - 2)), int(rng.integers(8, h - 8)), int(rng.integers(8, w - 8))
            if not -300 < vol[k, j, i] < 300:
                continue
            around = vol[k, j - 6 : j + 7, i - 6 : i + 7]
            lung = float(np.mean((around > -980) & (around < -650)))
            # Not the skin: air outside the body (or outside the field of view) is below −980 HU.
            if not 0.15 < lung < 0.6 or float(np.mean(vol[k, max(0, j - 10) : j + 11, max(0, i - 10) : i + 11] < -980)) > 0.03:
                continue
            if any(math.hypot(n["i"] - i, n["j"] - j, (n["k"] - k) * 1.5) < n["diameter"] / 2 + 4 for n in metas[ci]["nodules"]):
                continue
            neg.append((ci, k, j, i, 0.0))
            found += 1
    return pos, neg


def odd(v: float) -> int:
    n = int(math.ceil(v))
    return n if n % 2 else n + 1


def cut(vol: np.ndarray, k: float, j: float, i: float, rng: np.random.Generator, zoomed: list | None = None) -> torch.Tensor:
    """A training block [C, D + 2, H, W] (one spare slice each side for thickness) at a random in-plane zoom
    of 0.8–1.25: the anatomy's scale, and the pixel spacing, vary between patients and scanners. The block's
    pixels per source pixel are appended to `zoomed` when given."""
    d, h, w = PATCH
    zoom = float(np.exp(rng.uniform(np.log(0.8), np.log(1.25))))
    m = odd(h / zoom)
    x = torch.from_numpy(patches(vol, k, j, i, size=(d + 2, m, m)))
    if m != h:
        x = nn.functional.interpolate(x, size=(h, w), mode="bilinear", align_corners=True)
    if zoomed is not None:
        zoomed.append((h - 1) / (m - 1))
    return x


def nodules_in_block(nodules: list, k: float, j: float, i: float, scale: float) -> list:
    """Nodules of a case as (k, j, i, radius) in the voxels of a block from `cut` centred on (k, j, i) at
    `scale` block pixels per source pixel; the radius is the larger of its in-plane and through-plane
    extents, so a tree kept clear of it is clear in every direction."""
    d, h, w = PATCH
    out = []
    for n in nodules:
        bk = (d + 1) / 2 + (n["k"] - k)
        bj, bi = (h - 1) / 2 + (n["j"] - j) * scale, (w - 1) / 2 + (n["i"] - i) * scale
        if -20 < bk < d + 22 and -30 < bj < h + 30 and -30 < bi < w + 30:
            out.append((bk, bj, bi, n["diameter"] / 2 * max(1.0, scale)))
    return out


def with_tree(block: torch.Tensor, nodules: list, rng: np.random.Generator, through_centre: bool) -> bool:
    """Draw a vessel or airway tree (vessels.py) into channel 0 of a block from `cut`, clear of `nodules`
    (from nodules_in_block): through the block's centre, or (for a block centred on a nodule) through an
    open-lung point beside it. Four tries; whether one was drawn."""
    x = block[0].numpy()
    d, h, w = x.shape
    mid = d // 2

    def pick():
        if through_centre:
            py, px = (h - 1) / 2 + rng.uniform(-1, 1), (w - 1) / 2 + rng.uniform(-1, 1)
        else:
            py, px = float(rng.uniform(3, h - 3)), float(rng.uniform(3, w - 3))
            if not -960 < float(x[mid, int(py), int(px)]) < -650:
                return None
        return np.array([(mid + rng.uniform(-0.5, 0.5)) * SLICE_MM, py, px])

    return draw_clear(x, pick, nodules, rng, noise_level(x[mid]))


def vessel_negative(metas: list, vols: list, lungs: list, rng: np.random.Generator):
    """A block of open lung with a drawn tree through its centre, clear of the case's nodules; or None."""
    ci = int(rng.integers(len(vols)))
    spot = lung_point(vols[ci], rng)
    if spot is None or not lungs[ci][spot]:
        return None
    k, j, i = spot
    zoomed: list = []
    block = cut(vols[ci], k, j, i, rng, zoomed).clone()
    if not with_tree(block, nodules_in_block(metas[ci]["nodules"], k, j, i, zoomed[0]), rng, through_centre=True):
        return None
    return block


def augment(x: torch.Tensor, rng: np.random.Generator) -> np.ndarray:
    """Scanner and reconstruction variation on a block [C, D + 2, H, W] from `cut`, returned [C, D, H, W]:
    slice thickness (neighbouring slices averaged), kernel (soft blur or edge-enhancing sharpening), noise
    of three textures, gain and offset, flips on every axis and in-plane transposition. Every channel is
    transformed alike. The detector is trained with the same kinds of variation (dataset.py)."""
    if rng.random() < 0.35:
        wts = [1.0, 2.0, 1.0] if rng.random() < 0.6 else [1.0, 1.0, 1.0]
        t = sum(wts)
        x = (x[:, :-2] * wts[0] + x[:, 1:-1] * wts[1] + x[:, 2:] * wts[2]) / t
    else:
        x = x[:, 1:-1]
    c, d, h, w = x.shape
    flat = x.reshape(c * d, h, w)
    r = rng.random()
    if r < 0.3:
        flat = gaussian_blur2d(flat, float(rng.uniform(0.4, 1.1)))
    elif r < 0.55:
        flat = flat + float(rng.uniform(0.3, 1.3)) * high_pass(flat, float(rng.uniform(0.8, 1.6)))
    if rng.random() < 0.7:
        noise = torch.randn_like(flat)
        texture = rng.random()
        if texture < 0.35:
            noise = gaussian_blur2d(noise, float(rng.uniform(0.6, 1.6)))
        elif texture < 0.7:
            noise = high_pass(gaussian_blur2d(noise, 0.5), 1.2)
        flat = flat + noise / noise.std().clamp(min=1e-6) * float(rng.uniform(4, 45))
    if rng.random() < 0.8:
        flat = flat * float(rng.uniform(0.94, 1.06)) + float(rng.uniform(-30, 30))
    a = flat.reshape(c, d, h, w).numpy()
    for axis in (1, 2, 3):
        if rng.random() < 0.5:
            a = np.flip(a, axis)
    if rng.random() < 0.5:
        a = a.transpose(0, 1, 3, 2)
    return np.ascontiguousarray(a)


def lung_point(vol: np.ndarray, rng: np.random.Generator):
    """A random point of open lung parenchyma (k, j, i), or None."""
    z, h, w = vol.shape
    for _ in range(200):
        k, j, i = int(rng.integers(8, z - 8)), int(rng.integers(20, h - 20)), int(rng.integers(20, w - 20))
        around = vol[k, j - 4 : j + 5, i - 4 : i + 5]
        if -960 < float(np.mean(around)) < -650:
            return k, j, i
    return None


def drawn_positive(neg, vols, lungs, rng: np.random.Generator):
    """A block with a procedurally drawn nodule (drawn.py) at its centre, or None when no place was found:
    half beside one of the negatives' places (a vessel, a wall, the pleura: the nodule overlaps it, its centre
    in the lung next to it), half in open lung."""
    if len(SCALES) != 1:
        return None  # drawn at the grid's own scale only
    spec = random_nodule(rng, diameter=(3.0, 24.0))
    r = spec["diameter"] / 2
    ci, k, j, i, _ = neg[int(rng.integers(len(neg)))]
    vol = vols[ci]
    if rng.random() < 0.5:
        spot = lung_point(vol, rng)
        if spot is None:
            return None
        k, j, i = spot
    else:
        # The centre moves into the lung beside the structure, 0.35–0.9 radii from it.
        k, j, i = int(round(k)), int(round(j)), int(round(i))
        reach = int(math.ceil(0.9 * r))
        z, h, w = vol.shape
        if not (0 <= k < z and reach <= j < h - reach and reach <= i < w - reach):
            return None
        area = np.asarray(vol[k, j - reach : j + reach + 1, i - reach : i + reach + 1])
        yy, xx = np.mgrid[-reach : reach + 1, -reach : reach + 1]
        dist = np.hypot(yy, xx)
        ok = np.argwhere((area < -650) & (area > -985) & (dist >= 0.35 * r) & (dist <= 0.9 * r))
        if len(ok) == 0:
            return None
        dy, dx = ok[int(rng.integers(len(ok)))] - reach
        j, i = j + int(dy), i + int(dx)
    if not lungs[ci][k, j, i]:
        return None  # lung-like values outside the lungs: a table's core, air beside the body
    x = cut(vol, k, j, i, rng).numpy().copy()
    spread = min(2.0, max(0.5, spec["diameter"] / 6))
    d, h, w = x.shape[1:]
    centre = ((d - 1) / 2 + rng.normal(0, spread / 1.5), (h - 1) / 2 + rng.normal(0, spread), (w - 1) / 2 + rng.normal(0, spread))
    before = x[0, d // 2 - 1 : d // 2 + 2, h // 2 - 1 : h // 2 + 2, w // 2 - 1 : w // 2 + 2].copy()
    draw_nodule(x[0], centre, spec, rng)
    after = x[0, d // 2 - 1 : d // 2 + 2, h // 2 - 1 : h // 2 + 2, w // 2 - 1 : w // 2 + 2]
    if float(np.mean(np.abs(after - before))) < 60:
        return None  # hidden in denser tissue: not a visible nodule
    return torch.from_numpy(x)


def batch(pos, neg, vols, n: int, rng: np.random.Generator, train: bool = True, drawn: float = 0.0, lungs=None, vessels: float = 0.0, metas=None):
    xs, ys = [], []
    for b in range(n):
        if train and lungs:
            # A drawn block: a nodule for a positive (`drawn`), a vessel or airway tree for a negative.
            negative = b % 2 == 1
            block = None
            if rng.random() < (vessels if negative else drawn):
                block = vessel_negative(metas, vols, lungs, rng) if negative else drawn_positive(neg, vols, lungs, rng)
            if block is not None:
                xs.append(normalise(augment(block, rng)))
                ys.append(0.0 if negative else 1.0)
                continue
        if b % 2 == 0:
            ci, k, j, i, diameter = pos[int(rng.integers(len(pos)))]
            # The detector's centre is off by up to a few mm: train with that jitter.
            spread = min(2.0, max(0.5, diameter / 6))
            k, j, i = k + rng.normal(0, spread / 1.5), j + rng.normal(0, spread), i + rng.normal(0, spread)
            y = 1.0
        else:
            ci, k, j, i, _ = neg[int(rng.integers(len(neg)))]
            k, j, i = k + rng.normal(0, 0.5), j + rng.normal(0, 1), i + rng.normal(0, 1)
            y = 0.0
        if train:
            zoomed: list = []
            block = cut(vols[ci], k, j, i, rng, zoomed)
            if y == 1.0 and metas is not None and rng.random() < vessels / 2:
                block = block.clone()
                with_tree(block, nodules_in_block(metas[ci]["nodules"], k, j, i, zoomed[0]), rng, through_centre=False)
            x = augment(block, rng)
        else:
            x = patches(vols[ci], k, j, i)
        xs.append(normalise(x))
        ys.append(y)
    return torch.from_numpy(np.stack(xs).astype(np.float32)), torch.tensor(ys, dtype=torch.float32)[:, None]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("cache")
    ap.add_argument("mined")
    ap.add_argument("out")
    ap.add_argument("--minutes", type=float, default=10, help="budget in CPU-minutes per thread, when --steps is 0")
    ap.add_argument("--steps", type=int, default=0, help="budget in optimiser steps (the same recipe on any machine); 0: --minutes instead")
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--batch", type=int, default=48)
    ap.add_argument("--drawn", type=float, default=0.0, help="share of positives that are drawn nodules (drawn.py); 0.4 gave 2.3.0, not adopted")
    ap.add_argument("--vessels", type=float, default=0.0, help="share of the negatives that are open lung with a drawn vessel or airway tree through the centre (vessels.py); half that share of the positives get a tree beside the nodule; 0 for none. 0.3 (9 CPU-minutes) on 2.16.0's detector gave 2.18.0, not adopted: development CPM 0.636 as with the plain second stage, independent 0.529 against 0.548")
    ap.add_argument("--threads", type=int, default=max(1, os.cpu_count() or 1))
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    metas = [json.load(open(os.path.join(args.cache, f), encoding="utf8")) for f in sorted(os.listdir(args.cache)) if f.endswith(".json")]
    vols = [np.load(os.path.join(args.cache, m["name"] + ".npy"), mmap_mode="r") for m in metas]
    # The engine's lung masks (lungmasks.mjs): drawn nodules go only into the lungs.
    lungs = [np.load(os.path.join(args.cache, m["name"] + ".lung.npy"), mmap_mode="r") for m in metas] if args.drawn > 0 or args.vessels > 0 else None
    report = json.load(open(args.mined, encoding="utf8"))
    mined = {c["name"]: c["detections"] for c in report["perCase"]}
    pos, neg = samples(metas, vols, mined, rng)
    mined_count = sum(len(v) for v in mined.values())
    print(f"fpr: {len(pos)} nodules, {len(neg)} negatives ({mined_count} mined candidates in all)", file=sys.stderr)
    model = FprNet()
    params = sum(p.numel() for p in model.parameters())
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
    loss_fn = nn.BCEWithLogitsLoss()
    budget = CpuBudget(args.minutes, args.threads, args.steps)
    step = 0
    avg = None
    model.train()
    while budget.left(step):
        for g in opt.param_groups:  # warm-up then cosine decay
            g["lr"] = budget.lr(2e-3, step, 50)
        x, y = batch(pos, neg, vols, args.batch, rng, drawn=args.drawn, lungs=lungs, vessels=args.vessels, metas=metas)
        loss = loss_fn(model.logits(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        avg = loss.item() if avg is None else 0.98 * avg + 0.02 * loss.item()
        step += 1
        if step % 50 == 0:
            print(f"fpr step {step} {budget.used():.0f}s loss {avg:.3f}", file=sys.stderr, flush=True)
    model.eval()
    # Held-in check: accuracy on fresh (unaugmented) draws from the training samples.
    with torch.no_grad():
        x, y = batch(pos, neg, vols, 400, np.random.default_rng(1), train=False)
        acc = float(((model(x) > 0.5).float() == y).float().mean())
    os.makedirs(args.out, exist_ok=True)
    torch.onnx.export(
        model,
        torch.zeros(1, len(SCALES), *PATCH),
        os.path.join(args.out, "fpr.onnx"),
        input_names=["patch"],
        output_names=["probability"],
        dynamic_axes={"patch": {0: "n"}, "probability": {0: "n"}},
        opset_version=17,
        do_constant_folding=True,
    )
    torch.save(model.state_dict(), os.path.join(args.out, "fpr.pt"))
    with open(os.path.join(args.out, "fpr.json"), "w", encoding="utf8") as f:
        json.dump({"steps": step, "stepBudget": args.steps, "seconds": round(budget.wall()), "cpuSecondsPerThread": round(budget.used()), "parameters": params, "positives": len(pos), "negatives": len(neg), "mined": mined_count, "drawn": args.drawn, "vessels": args.vessels, "patch": list(PATCH), "scales": list(SCALES), "trainAccuracy": round(acc, 3), "seed": args.seed}, f)
    print(f"fpr: trained {step} steps in {budget.wall():.0f}s wall ({budget.used():.0f} s CPU per thread), accuracy on training draws {acc:.3f}", file=sys.stderr)


if __name__ == "__main__":
    main()
