#!/usr/bin/env python3
"""Lucent's second synthetic chest-CT generator (independent of src/synth): writes CT series with nodule
truth for detector training.

    generate.py --out DIR --cases N --seed S [--first I] [--prefix g2-] [--small] [--position HFS|HFP|FFS]

Writes cases I .. I+N-1 as DIR/<prefix>NNNN (NNNN = index + 1), each with IM0001.dcm ... and truth.json.
Case k depends only on (seed, k), so any split of the index range gives identical cases.
See README.md in this folder for the model.
"""
import argparse
import os
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import warnings  # noqa: E402

warnings.filterwarnings("ignore", message=".*scatter_reduce.*")

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import torch  # noqa: E402

from chestgen.case import build_case  # noqa: E402
from chestgen.dicomio import write_case  # noqa: E402


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True, help="dataset folder")
    ap.add_argument("--cases", type=int, required=True, help="number of cases to write")
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--first", type=int, default=0, help="index of the first case (0-based; its folder is first+1)")
    ap.add_argument("--prefix", default="g2-")
    ap.add_argument("--small", action="store_true", help="256x256 slices, >= 2 mm: quick cases for tests")
    ap.add_argument("--position", choices=["HFS", "HFP", "FFS"], help="force the patient position (testing)")
    ap.add_argument("--thickness", type=float, default=None, help="force the slice thickness in mm (testing)")
    ap.add_argument("--max-slices", type=int, default=None, help="slice cap (default: what fits 60 MB)")
    ap.add_argument("--extra-subsolid", type=int, default=0, help="training data: this many more sub-solid nodules a case")
    ap.add_argument("--extra-small", type=int, default=0, help="training data: this many more small solid nodules (3-6 mm) a case")
    args = ap.parse_args(argv)
    if not 0 <= args.extra_subsolid <= 20:
        ap.error("--extra-subsolid must be from 0 to 20")
    if not 0 <= args.extra_small <= 20:
        ap.error("--extra-small must be from 0 to 20")
    torch.set_num_threads(1)
    os.makedirs(args.out, exist_ok=True)
    for k in range(args.first, args.first + args.cases):
        t0 = time.time()
        vol, info = build_case(args.seed, k, small=args.small, position=args.position, max_slices=args.max_slices, thickness=args.thickness, extra_subsolid=args.extra_subsolid, extra_small=args.extra_small)
        name = f"{args.prefix}{k + 1:04d}"
        write_case(os.path.join(args.out, name), name, vol, info)
        p, g = info["p"], info["g"]
        print(
            f"chestgen {name}: {len(g.z_out)}x{g.n}x{g.n} px {g.s:.3f} mm, {g.thickness:g}/{g.spacing:g} mm, "
            f"{info['kernel_name']} ({p.kernel}), {p.contrast}, {p.position}, noise {info['noise_sigma']:.0f} HU, "
            f"{len(info['truth'])} nodules, {time.time() - t0:.1f} s",
            file=sys.stderr,
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
