"""Train the nodule detector on cached synthetic cases, then export ONNX (fp32) with dynamic H/W.

usage: train.py CACHE_DIR OUT_DIR --minutes M [--seed S]
"""
import argparse
import json
import os
import sys

import numpy as np
import torch
from torch import nn

from common import SLICES, CpuBudget
from dataset import PatchSampler, batch
from hard import mine
from model import OUTPUT_NAMES, NoduleNet


def focal(pred: torch.Tensor, gt: torch.Tensor) -> torch.Tensor:
    """CenterNet's penalty-reduced focal loss."""
    pred = pred.clamp(1e-4, 1 - 1e-4)
    pos = gt.ge(0.97).float()
    neg = 1 - pos
    pos_loss = torch.log(pred) * (1 - pred) ** 2 * pos
    neg_loss = torch.log(1 - pred) * pred**2 * (1 - gt) ** 4 * neg
    n = pos.sum()
    return -(pos_loss.sum() + neg_loss.sum()) / torch.clamp(n, min=1.0)


def losses(out, targets):
    hm, size, off, typ, margin = out[:5]
    t_hm, t_size, t_off, t_cls, t_margin, mask = targets
    m = mask.unsqueeze(1)
    n = torch.clamp(mask.sum(), min=1.0)
    # One focal loss per heatmap, each over its own positives: with two, sub-solid nodules weigh as much
    # as all the others together.
    l_hm = sum(focal(hm[:, c : c + 1], t_hm[:, c : c + 1]) for c in range(hm.shape[1]))
    l_size = (torch.abs(size - t_size) * m).sum() / n / 5.0
    l_off = (torch.abs(off - t_off) * m).sum() / n
    sel = mask > 0
    if sel.any():
        p_type = typ.permute(0, 2, 3, 1)[sel]
        p_margin = margin.permute(0, 2, 3, 1)[sel]
        l_type = torch.nn.functional.nll_loss(torch.log(p_type.clamp(min=1e-6)), t_cls[sel])
        l_margin = torch.nn.functional.nll_loss(torch.log(p_margin.clamp(min=1e-6)), t_margin[sel])
    else:
        l_type = l_margin = hm.sum() * 0
    return l_hm + l_size + l_off + l_type + 0.5 * l_margin, (l_hm.item(), l_size.item(), l_type.item())


def add_snapshot(total, n: int, model: nn.Module):
    """Add the model's parameters to a running sum (float64, so that a hundred snapshots lose nothing)."""
    with torch.no_grad():
        # Copies (float32 parameters to float64), so the first snapshot can be the sum itself.
        params = {k: p.detach().to(torch.float64, copy=True) for k, p in model.named_parameters()}
        if total is None:
            return params, 1
        for k, v in params.items():
            total[k] += v
    return total, n + 1


BN_BATCHES = 60


def use_average(model: nn.Module, total: dict, n: int, sampler, batch_size: int) -> None:
    """Load the averaged parameters, then recompute the batch-norm statistics for them from training
    batches: the running statistics of the last weights do not fit the averaged ones."""
    with torch.no_grad():
        for k, p in model.named_parameters():
            p.copy_((total[k] / n).to(p.dtype))
        norms = [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
        momenta = [m.momentum for m in norms]
        for m in norms:
            m.reset_running_stats()
            m.momentum = None  # a plain average over the batches below
        model.train()
        for _ in range(BN_BATCHES):
            x, *_ = batch(sampler, batch_size, train=True)
            model(x.contiguous(memory_format=torch.channels_last))
        for m, momentum in zip(norms, momenta):
            m.momentum = momentum


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("cache")
    ap.add_argument("out")
    ap.add_argument("--minutes", type=float, default=30, help="budget in CPU-minutes per thread, when --steps is 0")
    ap.add_argument("--steps", type=int, default=0, help="budget in optimiser steps (the same recipe on any machine); 0: --minutes instead")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--threads", type=int, default=max(1, os.cpu_count() or 1))
    ap.add_argument("--batch", type=int, default=24)
    ap.add_argument("--paste", type=float, default=0.3, help="share of lung patches that get a pasted nodule; 0 (no pasting) gave 2.30.0, not adopted: independent CPM 0.529 against 0.608, development 0.613 against 0.626")
    ap.add_argument("--zoom", type=float, nargs=2, default=[0.8, 1.25], help="in-plane scale range of the anatomy")
    ap.add_argument("--drawn", type=float, default=0.0, help="share of the other lung patches that get a drawn nodule (drawn.py); 0.3 gave 2.3.0, not adopted: independent CPM 0.407 against 0.452")
    ap.add_argument("--across", type=float, default=0.0, help="share of the attached pasted nodules that touch tissue above or below them (the dome of the diaphragm, the apex, a vessel across the slices) instead of beside them; 0.4 gave 2.5.0, not adopted: 2 false positives on a demo case, ground glass 1 of 11 on the independent cases")
    ap.add_argument("--dense", type=float, default=0.35, help="share of lung patches centred on dense structures")
    ap.add_argument("--swa", type=float, default=0.0, help="share of the budget, at its end, over which the weights are averaged (stochastic weight averaging) at a constant learning rate; 0 for none. 0.25 gave 2.6.0, not adopted: independent CPM 0.435 against 0.452, ground glass 1 of 11")
    ap.add_argument("--swa-lr", type=float, default=0.25, help="that learning rate, as a share of the peak (the decay before it stops there)")
    ap.add_argument("--swa-every", type=int, default=25, help="steps between the snapshots averaged")
    ap.add_argument("--heads", type=int, choices=(1, 2), default=1, help="centre heatmaps: 1, or 2 (one for solid and calcified nodules, one for part-solid and ground-glass ones, their maximum exported as the one map); 2 gave 2.8.0, not adopted: independent CPM 0.408 at weight 0.75 against 0.455, ground glass 2 of 11")
    ap.add_argument("--mine-at", type=float, default=0.0, help="share of the budget after which the detector's own false peaks on the training cases are mined (hard.py); 0 for never. 0.5 gave 2.9.0, not adopted: independent CPM 0.449 against 0.452, ground glass 2 of 11")
    ap.add_argument("--hard", type=float, default=0.3, help="after mining, share of the negative patches centred near a mined false peak")
    ap.add_argument("--remap", type=float, default=0.0, help="share of the detector's patches whose tissue densities are remapped (dataset.remap_hu: a random monotone piecewise-linear map of HU); 0.5 gave 2.10.0, not adopted: independent CPM 0.397 at the development set's weight 1, 0.455 at 0.75, ground glass 1 of 11")
    ap.add_argument("--blur", action="store_true", help="anti-aliased downsampling: a fixed low-pass filter before each strided convolution (model.Blur); gave 2.14.0, not adopted: independent CPM 0.501 against 0.531, development 0.601 against 0.619, ground glass 2 of 11")
    ap.add_argument("--vessels", type=float, default=0.0, help="share of the detector's patches that get one or two procedurally drawn vessel or airway trees as negatives (vessels.py); 0 for none. 0.4 (32 CPU-minutes) gave 2.16.0, not adopted: independent CPM 0.548 against 0.531, development 0.636 against 0.619, but ground glass 2 of 11")
    ap.add_argument("--domain-adversarial", type=float, default=0.0, help="strength of the gradient reversal behind a classifier of which generator each patch came from (model.GradReverse), ramped up from 0 over training; 0 for none. 0.3 with --vessels 0.4 gave 2.17.0, not adopted: independent CPM 0.541 against 2.16.0's 0.548, development 0.58 against 0.636")
    ap.add_argument("--mixstyle", type=float, default=0.0, help="probability per batch of mixing the patches' feature statistics after the detector's stem and stride-4 stage (model.MixStyle); 0 for none. 0.5, stacked with the third generator and hard negatives from all three (2.19.0), not adopted: development CPM 0.555 against 2.16.0's 0.636, independent 0.55 against 0.548")
    ap.add_argument("--subsolid", type=float, default=0.0, help="share of the positive patches, and of the pasted nodules, drawn from the part-solid and ground-glass training nodules only (the rest uniformly over all nodules); 0 for none. 0.35 on 2.16.0's recipe gave 2.20.0, not adopted: 24 of 38 sub-solid development nodules with a candidate, as 2.16.0; development CPM 0.606 against 0.636, independent 0.519 against 0.548")
    ap.add_argument("--walls", type=float, default=0.0, help="share of the attached pasted nodules (those beside tissue in their own slice) placed only where that tissue has lung beyond it (dataset.inner_wall: the mediastinum, the heart, the dome of the diaphragm) instead of anywhere, the chest wall included; 0 for none. 0.5 gave 2.22.0, not adopted: independent CPM 0.524 against 0.531, and on gen3 cases with every nodule juxtapleural it found 18 of 31 non-costal ones against 19")
    ap.add_argument("--width", type=int, default=32, help="the detector's base channel count (model.NoduleNet): 32 since 1.0; 48 (about 2.2 times the multiply-adds per input, 48 CPU-minutes) gave 2.15.0, not adopted: held-out CPM 0.788 against 0.71, but independent 0.524 against 0.531 and development 0.609 against 0.619")
    ap.add_argument("--vary", type=float, default=0.0, help="share of the pasted nodules that are varied (dataset.varied): rescaled 0.75–1.33 times within 3–30 mm, noise made up to the donor's, contrast against lung scaled by 0.85–1.15 unless calcified; 0 for none. 0.75 with --paste-positive 0.35 gave 2.29.0, not adopted: independent CPM 0.511 against 2.27.0's 0.608 (paired -0.097), the same nodules found at the operating point, fewer at the low false-positive rates")
    ap.add_argument("--paste-positive", type=float, default=0.0, help="share of the positive patches that are lung patches with a pasted nodule instead of patches around one of the cases' own nodules; 0 for none. 0.35 with --vary 0.75 gave 2.29.0, not adopted (see --vary)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    metas = [json.load(open(os.path.join(args.cache, f), encoding="utf8")) for f in sorted(os.listdir(args.cache)) if f.endswith(".json")]
    sampler = PatchSampler(metas, args.cache, args.seed, paste=args.paste, zoom=tuple(args.zoom), dense=args.dense, drawn=args.drawn, across=args.across, heads=args.heads, hard=args.hard if args.mine_at > 0 else 0.0, remap=args.remap, vessels=args.vessels, subsolid=args.subsolid, walls=args.walls, vary=args.vary, paste_positive=args.paste_positive)
    # Channels-last convolutions: about 12% more steps per minute on 2 cores with this CPU build.
    model = NoduleNet(width=args.width, heads=args.heads, blur=args.blur, domains=sampler.n_domains if args.domain_adversarial > 0 else 0, mixstyle=args.mixstyle).to(memory_format=torch.channels_last)
    params = sum(p.numel() for p in model.parameters())
    print(f"model: {params} parameters; {len(metas)} cases, {sum(len(m['nodules']) for m in metas)} nodules", file=sys.stderr)
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
    budget = CpuBudget(args.minutes, args.threads, args.steps)
    step = 0
    avg = None
    # Stochastic weight averaging: the last `swa` of the budget runs at a constant learning rate and the
    # weights are averaged over it, a cheap stand-in for an ensemble of nearby models.
    decay_span = 1.0 - args.swa
    swa_lr = 2e-3 * args.swa_lr
    lr_floor = swa_lr if args.swa > 0 else 0.0
    swa_sum, swa_n = None, 0
    model.train()
    mined = -1
    dom_avg = None
    while budget.left(step):
        if mined < 0 and args.mine_at > 0 and budget.fraction(step) >= args.mine_at:
            t = budget.used()
            sampler.hard = mine(model, sampler)
            mined = len(sampler.hard)
            print(f"mining took {budget.used() - t:.0f} s CPU per thread", file=sys.stderr, flush=True)
        averaging = args.swa > 0 and budget.fraction(step) >= decay_span
        for g in opt.param_groups:  # warm-up, cosine decay, then (with SWA) a constant rate
            g["lr"] = swa_lr if averaging else max(budget.lr(2e-3, step, 100, decay_span), lr_floor)
        x, *targets = batch(sampler, args.batch, train=True)
        if model.domains > 1:
            # The reversal's strength rises as 2 / (1 + exp(-10 p)) - 1 over training (p from 0 to 1), so
            # the detector first learns its task, as in Ganin and Lempitsky's schedule.
            progress = min(1.0, budget.fraction(step))
            model.reverse = args.domain_adversarial * (2.0 / (1.0 + np.exp(-10 * progress)) - 1.0)
        out = model(x.contiguous(memory_format=torch.channels_last))
        loss, parts = losses(out, targets)
        if model.domains > 1:
            logits = out[5]
            labels = torch.tensor(sampler.batch_domains, dtype=torch.long)[:, None, None].expand(-1, logits.shape[2], logits.shape[3])
            l_domain = torch.nn.functional.cross_entropy(logits, labels)
            loss = loss + l_domain
            dom_avg = l_domain.item() if dom_avg is None else 0.98 * dom_avg + 0.02 * l_domain.item()
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        opt.step()
        avg = np.array(parts) if avg is None else 0.98 * avg + 0.02 * np.array(parts)
        step += 1
        if averaging and step % args.swa_every == 0:
            swa_sum, swa_n = add_snapshot(swa_sum, swa_n, model)
        if step % 50 == 0:
            dom = f" domain {dom_avg:.3f} (chance {np.log(model.domains):.3f}, reversal {model.reverse:.2f})" if dom_avg is not None else ""
            print(f"step {step} {budget.used():.0f}s loss hm {avg[0]:.3f} size {avg[1]:.3f} type {avg[2]:.3f}{dom}", file=sys.stderr, flush=True)
    if swa_n > 0:
        use_average(model, swa_sum, swa_n, sampler, args.batch)
        print(f"weights averaged over {swa_n} snapshots; batch-norm statistics recomputed", file=sys.stderr, flush=True)
    os.makedirs(args.out, exist_ok=True)
    torch.save(model.state_dict(), os.path.join(args.out, "model.pt"))
    model = model.to(memory_format=torch.contiguous_format).eval()
    dummy = torch.zeros(1, SLICES, 128, 160)
    torch.onnx.export(
        model,
        dummy,
        os.path.join(args.out, "model.fp32.onnx"),
        input_names=["input"],
        output_names=OUTPUT_NAMES,
        dynamic_axes={"input": {0: "n", 2: "h", 3: "w"}, **{o: {0: "n", 2: "h4", 3: "w4"} for o in OUTPUT_NAMES}},
        opset_version=17,
        do_constant_folding=True,
    )
    with open(os.path.join(args.out, "train.json"), "w", encoding="utf8") as f:
        json.dump({"steps": step, "stepBudget": args.steps, "seconds": round(budget.wall()), "cpuSecondsPerThread": round(budget.used()), "parameters": params, "slices": SLICES, "cases": len(metas), "batch": args.batch, "seed": args.seed, "paste": args.paste, "zoom": args.zoom, "dense": args.dense, "drawn": args.drawn, "across": args.across, "swa": args.swa, "swaLr": args.swa_lr, "swaSnapshots": swa_n, "heads": args.heads, "mineAt": args.mine_at, "hard": args.hard if args.mine_at > 0 else 0.0, "minedPeaks": max(0, mined), "remap": args.remap, "blur": args.blur, "width": args.width, "vessels": args.vessels, "domainAdversarial": args.domain_adversarial, "domains": model.domains, "mixstyle": args.mixstyle, "subsolid": args.subsolid, "walls": args.walls, "vary": args.vary, "pastePositive": args.paste_positive}, f)
    print(f"trained {step} steps in {budget.wall():.0f}s wall ({budget.used():.0f} s CPU per thread)", file=sys.stderr)


if __name__ == "__main__":
    main()
