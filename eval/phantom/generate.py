#!/usr/bin/python3
"""lucent-indep/1: independent synthetic chest-CT generator for *evaluation only* (see SPEC.md).

usage: /usr/bin/python3 eval/phantom/generate.py --out DIR --cases N --seed S [--first K] [--quick]
"""
import argparse
import json
import os
import shutil
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402

from case import Case, KCH  # noqa: E402
from dicomio import SeriesWriter  # noqa: E402
from util import GENERATOR_ID  # noqa: E402


def run_case(seed, idx, quick, out_root):
    t0 = time.time()
    c0 = time.process_time()
    case = Case(seed, idx, quick)
    t_build = time.time() - t0
    case_dir = os.path.join(out_root, f"case-{idx:04d}")
    if os.path.isdir(case_dir):
        shutil.rmtree(case_dir)
    os.makedirs(case_dir)
    wr = SeriesWriter(case, case_dir)
    n = len(case.zs)
    t_obj = t_img = t_io = 0.0
    for klo in range(0, n, KCH):
        khi = min(n, klo + KCH)
        t = time.time()
        obj = case.object_chunk(klo, khi)
        t_obj += time.time() - t
        for k in range(klo, khi):
            t = time.time()
            img = case.imager.finish(case.imager.image(obj[k - klo], k))
            t_img += time.time() - t
            t = time.time()
            wr.write(k, img)
            t_io += time.time() - t
    sc, pt = case.sc, case.pt
    truth = {
        "schema": "lucent.truth/1",
        "generator": GENERATOR_ID,
        "nodules": case.truth(),
        "seed": seed,
        "case": idx,
        "quick": bool(quick),
        "patient": {"sex": pt.sex, "age": pt.age, "widthMm": round(pt.W, 1), "depthMm": round(pt.D, 1),
                    "lungHeightMm": round(pt.H, 1), "position": sc.position, "armsUp": bool(pt.arms_up),
                    "contrast": bool(pt.contrast), "waterEqDiameterMm": round(case.Dw, 1)},
        "scanner": {"manufacturer": sc.vendor[0], "kernel": sc.kernel, "kernelClass": sc.kclass,
                    "mtf50LpCm": round(sc.f50, 2), "sliceThicknessMm": sc.T, "spacingMm": sc.spacing,
                    "slices": n, "pixelMm": round(case.grid.px, 4), "ctdiVolMGy": round(sc.ctdi, 2),
                    "kvp": sc.kvp, "noiseSdHu": round(float(case.sigma), 1), "iterative": bool(sc.ir),
                    "storage": sc.storage, "explicitVR": bool(sc.explicit), "padding": bool(sc.pad),
                    "cardiacMotion": bool(sc.cardiac), "respiratoryMotion": sc.resp[0] if sc.resp else None,
                    "zRangeMm": [round(float(case.zs[0]), 2), round(float(case.zs[-1]), 2)]},
        "distractors": case.distractors,
        "fissures": case.fissure_info,
        "seriesInstanceUID": wr.uids["series"],
        "dicomDir": wr.rel,
    }
    with open(os.path.join(case_dir, "truth.json"), "w") as f:
        json.dump(truth, f, indent=1)
    dt = time.time() - t0
    cpu = time.process_time() - c0
    print(f"case-{idx:04d}: {n} slices {sc.T:g}/{sc.spacing:g} mm, {len(truth['nodules'])} nodules, "
          f"{dt:.1f} s wall, {cpu:.1f} s cpu (build {t_build:.1f}, object {t_obj:.1f}, imaging {t_img:.1f}, "
          f"write {t_io:.1f})",
          file=sys.stderr, flush=True)
    return dt


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--cases", type=int, required=True)
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--first", type=int, default=0)
    ap.add_argument("--quick", action="store_true")
    a = ap.parse_args(argv)
    os.makedirs(a.out, exist_ok=True)
    for i in range(a.first, a.first + a.cases):
        run_case(a.seed, i, a.quick, a.out)


if __name__ == "__main__":
    main()
