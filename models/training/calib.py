"""Calibration inputs and a calibration copy of the model.

Writes calib/input-NNN.bin (float32, [1, SLICES, 128, 128] model inputs from training patches) and
model.calib.onnx: the fp32 model with every tensor we will quantize exposed as an extra output, so that
onnxruntime-node (calibrate.mjs) can record their ranges.

usage: calib.py CACHE_DIR OUT_DIR [--count N]
"""
import argparse
import json
import os

import numpy as np
import onnx
import torch

from common import SLICES
from dataset import PatchSampler, batch
from quantize import quantizable_tensors

if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("cache")
    ap.add_argument("out")
    ap.add_argument("--count", type=int, default=256)
    args = ap.parse_args()
    metas = [json.load(open(os.path.join(args.cache, f), encoding="utf8")) for f in sorted(os.listdir(args.cache)) if f.endswith(".json")]
    sampler = PatchSampler(metas, args.cache, seed=99)
    os.makedirs(os.path.join(args.out, "calib"), exist_ok=True)
    for f in os.listdir(os.path.join(args.out, "calib")):  # no stale inputs from an earlier, larger run
        if f.endswith(".bin"):
            os.remove(os.path.join(args.out, "calib", f))
    for i in range(args.count):
        x, *_ = batch(sampler, 1, train=False)
        x.numpy().astype(np.float32).tofile(os.path.join(args.out, "calib", f"input-{i:03d}.bin"))
    model = onnx.load(os.path.join(args.out, "model.fp32.onnx"))
    names = quantizable_tensors(model)
    existing = {o.name for o in model.graph.output}
    for n in names:
        if n not in existing:
            model.graph.output.append(onnx.helper.make_tensor_value_info(n, onnx.TensorProto.FLOAT, None))
    onnx.save(model, os.path.join(args.out, "model.calib.onnx"))
    with open(os.path.join(args.out, "calib", "tensors.json"), "w", encoding="utf8") as f:
        json.dump({"tensors": names, "shape": [1, SLICES, 128, 128], "count": args.count}, f)
    print(f"calibration: {args.count} inputs, {len(names)} tensors")
