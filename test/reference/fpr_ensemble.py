"""Makes tiny second-stage classifiers for test/unit/fpr-ensemble.test.ts: each maps a patch
[n, 1, 15, 31, 31] to probability [n, 1] = sigmoid(a * mean(patch) + b * max(patch) + c), with its own
a, b, c, so the members disagree. Also one whose output has the wrong name, which a merge must refuse.
usage: fpr_ensemble.py OUT_DIR"""
import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def member(a: float, b: float, c: float, output: str = "probability") -> onnx.ModelProto:
    x = helper.make_tensor_value_info("patch", TensorProto.FLOAT, ["n", 1, 15, 31, 31])
    y = helper.make_tensor_value_info(output, TensorProto.FLOAT, ["n", 1])
    const = lambda name, v: numpy_helper.from_array(np.array([v], dtype=np.float32), name)
    nodes = [
        helper.make_node("ReduceMean", ["patch"], ["mean"], axes=[2, 3, 4], keepdims=0),
        helper.make_node("ReduceMax", ["patch"], ["max"], axes=[2, 3, 4], keepdims=0),
        helper.make_node("Mul", ["mean", "a"], ["am"]),
        helper.make_node("Mul", ["max", "b"], ["bm"]),
        helper.make_node("Add", ["am", "bm"], ["s"]),
        helper.make_node("Add", ["s", "c"], ["t"]),
        helper.make_node("Sigmoid", ["t"], [output]),
    ]
    graph = helper.make_graph(nodes, "member", [x], [y], [const("a", a), const("b", b), const("c", c)])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


out = sys.argv[1]
# Each member in its own folder with the training record fpr.py writes beside it, as in the pipeline.
for k, (a, b, c) in enumerate([(3.0, 0.5, -0.2), (-2.0, 1.5, 0.4), (0.7, -0.3, 1.1)]):
    os.makedirs(os.path.join(out, f"m{k}"), exist_ok=True)
    onnx.save(member(a, b, c), os.path.join(out, f"m{k}", "fpr.onnx"))
    record = {"steps": 100 * (k + 1), "seconds": 60 + k, "parameters": 3, "patch": [15, 31, 31], "seed": 11 + 10 * k}
    with open(os.path.join(out, f"m{k}", "fpr.json"), "w", encoding="utf8") as f:
        json.dump(record, f)
onnx.save(member(1.0, 1.0, 0.0, output="score"), os.path.join(out, "wrong-output.onnx"))
