"""Build the two third-party-format example models that prove the manifest plugs in other exports.

- yolo-detector: a YOLO-style export, one output [N, K, 5 + C] of (cx, cy, w, h, objectness, class
  scores) in input pixels. Here a hand-weighted "bright blob" detector on 8×8 tiles: objectness is high
  where a tile's mean density is soft tissue inside lung-window air. Built with onnx.helper, so the test
  knows exactly what it must find.
- classifier: class probabilities [N, 2] for a slice ("no lung" / "lung"), from the fraction of air-like
  pixels, as a tiny hand-weighted network.

Both are built by this script (no download); run it with /usr/bin/python3 and commit the outputs.
"""
import hashlib
import json
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
TILE = 8


def save(model: onnx.ModelProto, folder: str, manifest: dict) -> None:
    os.makedirs(folder, exist_ok=True)
    onnx.checker.check_model(model)
    path = os.path.join(folder, "model.onnx")
    onnx.save(model, path)
    data = open(path, "rb").read()
    manifest["sha256"] = hashlib.sha256(data).hexdigest()
    manifest["bytes"] = len(data)
    with open(os.path.join(folder, "manifest.json"), "w", encoding="utf8") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")


def common(id_: str, name: str, task: str, input_spec: dict, output: dict, labels: dict, op: float, card: str) -> dict:
    return {
        "schema": "lucent.model/1",
        "id": id_,
        "version": "0.1.0",
        "name": name,
        "file": "model.onnx",
        "sha256": "0" * 64,
        "bytes": 1,
        "task": task,
        "intendedUse": "Format example for tests: proves a third-party export plugs in through the manifest. Not a medical model.",
        "trainingData": "None: the weights are set by hand in models/examples/build.py.",
        "applicability": {"modality": ["CT"], "bodyPart": [], "pixelSpacingMm": [0.3, 3.0], "sliceThicknessMm": [0.5, 6.0], "minSlices": 3},
        "input": input_spec,
        "output": output,
        "labels": labels,
        "operatingPoint": {"score": op},
        "metrics": [],
        "card": card,
    }


def yolo() -> None:
    # input [N, 1, H, W] (normalised HU: (clip(hu, -1100, 500) + 300) / 800 → air ≈ -1, soft tissue ≈ 0.4)
    x = helper.make_tensor_value_info("images", TensorProto.FLOAT, ["n", 1, "h", "w"])
    out = helper.make_tensor_value_info("output0", TensorProto.FLOAT, ["n", "k", 6])
    nodes = []
    inits = [
        numpy_helper.from_array(np.full((1, 1, TILE, TILE), 1.0 / (TILE * TILE), dtype=np.float32), "mean_kernel"),
        numpy_helper.from_array(np.array([12.0], dtype=np.float32), "gain"),
        numpy_helper.from_array(np.array([0.1], dtype=np.float32), "level"),
        numpy_helper.from_array(np.array([TILE], dtype=np.float32), "tile"),
        numpy_helper.from_array(np.array([TILE / 2], dtype=np.float32), "half"),
    ]
    # Tile means → objectness = sigmoid(gain × (mean − level)).
    nodes.append(helper.make_node("Conv", ["images", "mean_kernel"], ["tile_mean"], strides=[TILE, TILE]))
    nodes.append(helper.make_node("Sub", ["tile_mean", "level"], ["centred"]))
    nodes.append(helper.make_node("Mul", ["centred", "gain"], ["logit"]))
    nodes.append(helper.make_node("Sigmoid", ["logit"], ["obj"]))  # [N,1,h8,w8]
    # Tile centres in input pixels from the tile grid indices.
    nodes.append(helper.make_node("Shape", ["obj"], ["oshape"]))
    inits += [
        numpy_helper.from_array(np.array([2], dtype=np.int64), "i2"),
        numpy_helper.from_array(np.array([3], dtype=np.int64), "i3"),
        numpy_helper.from_array(np.array([4], dtype=np.int64), "i4"),
        numpy_helper.from_array(np.array(0, dtype=np.int64), "zero"),
        numpy_helper.from_array(np.array(1, dtype=np.int64), "one"),
        numpy_helper.from_array(np.array([-1], dtype=np.int64), "minus1"),
    ]
    nodes.append(helper.make_node("Slice", ["oshape", "i2", "i3"], ["h8"]))
    nodes.append(helper.make_node("Slice", ["oshape", "i3", "i4"], ["w8"]))
    nodes.append(helper.make_node("Squeeze", ["h8"], ["h8s"]))
    nodes.append(helper.make_node("Squeeze", ["w8"], ["w8s"]))
    nodes.append(helper.make_node("Range", ["zero", "h8s", "one"], ["ry"]))
    nodes.append(helper.make_node("Range", ["zero", "w8s", "one"], ["rx"]))
    nodes.append(helper.make_node("Cast", ["ry"], ["ryf"], to=TensorProto.FLOAT))
    nodes.append(helper.make_node("Cast", ["rx"], ["rxf"], to=TensorProto.FLOAT))
    nodes.append(helper.make_node("Mul", ["ryf", "tile"], ["ry8"]))
    nodes.append(helper.make_node("Mul", ["rxf", "tile"], ["rx8"]))
    nodes.append(helper.make_node("Add", ["ry8", "half"], ["cy1"]))
    nodes.append(helper.make_node("Add", ["rx8", "half"], ["cx1"]))
    inits += [
        numpy_helper.from_array(np.array([1, -1, 1], dtype=np.int64), "shape_col"),
        numpy_helper.from_array(np.array([1, 1, -1], dtype=np.int64), "shape_row"),
    ]
    nodes.append(helper.make_node("Reshape", ["cy1", "shape_col"], ["cy2"]))  # [1,h8,1]
    nodes.append(helper.make_node("Reshape", ["cx1", "shape_row"], ["cx2"]))  # [1,1,w8]
    nodes.append(helper.make_node("Squeeze", ["obj", "one_axes"], ["obj3"]))  # [N,h8,w8]
    inits.append(numpy_helper.from_array(np.array([1], dtype=np.int64), "one_axes"))
    nodes.append(helper.make_node("Mul", ["obj3", "zero_f"], ["zeros"]))
    inits.append(numpy_helper.from_array(np.array([0.0], dtype=np.float32), "zero_f"))
    nodes.append(helper.make_node("Add", ["zeros", "cx2"], ["cx"]))
    nodes.append(helper.make_node("Add", ["zeros", "cy2"], ["cy"]))
    nodes.append(helper.make_node("Add", ["zeros", "tile"], ["bw"]))
    nodes.append(helper.make_node("Add", ["zeros", "tile"], ["bh"]))
    nodes.append(helper.make_node("Add", ["zeros", "one_f"], ["cls"]))
    inits.append(numpy_helper.from_array(np.array([1.0], dtype=np.float32), "one_f"))
    for n in ["cx", "cy", "bw", "bh", "obj3", "cls"]:
        nodes.append(helper.make_node("Unsqueeze", [n, "minus1"], [n + "_u"]))
    nodes.append(helper.make_node("Concat", ["cx_u", "cy_u", "bw_u", "bh_u", "obj3_u", "cls_u"], ["stacked"], axis=-1))
    inits.append(numpy_helper.from_array(np.array([0, -1, 6], dtype=np.int64), "out_shape"))
    nodes.append(helper.make_node("Reshape", ["stacked", "out_shape"], ["output0"]))
    graph = helper.make_graph(nodes, "bright_blob_yolo", [x], [out], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    spec = {
        "name": "images",
        "layout": "NCHW",
        "dtype": "float32",
        "slices": 1,
        "sliceSpacingMm": 2.0,
        "pixelSpacingMm": 1.0,
        "window": {"lower": -1100, "upper": 500},
        "normalize": {"offset": 300, "scale": 800},
        "multipleOf": TILE,
        "crop": "lungs",
    }
    output = {"decoder": "yolo", "output": "output0", "labels": ["blob"], "iouThreshold": 0.4}
    save(model, os.path.join(HERE, "yolo-detector"), common("example-yolo", "Example YOLO-style export (bright blob)", "detection", spec, output, {"blob": "solid"}, 0.5, "README.md"))


def classifier() -> None:
    x = helper.make_tensor_value_info("pixel_values", TensorProto.FLOAT, ["n", 1, "h", "w"])
    out = helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["n", 2])
    inits = [
        numpy_helper.from_array(np.array([-0.5], dtype=np.float32), "air_level"),
        numpy_helper.from_array(np.array([-30.0], dtype=np.float32), "steep"),
        numpy_helper.from_array(np.array([[-8.0, 8.0]], dtype=np.float32), "w"),
        numpy_helper.from_array(np.array([0.8, -0.8], dtype=np.float32), "b"),
    ]
    nodes = [
        # air-like pixels → ~1, others → ~0; the mean is the air fraction of the slice.
        helper.make_node("Sub", ["pixel_values", "air_level"], ["d"]),
        helper.make_node("Mul", ["d", "steep"], ["z"]),
        helper.make_node("Sigmoid", ["z"], ["air"]),
        helper.make_node("GlobalAveragePool", ["air"], ["frac4"]),
        helper.make_node("Flatten", ["frac4"], ["frac"]),
        helper.make_node("MatMul", ["frac", "w"], ["zl"]),
        helper.make_node("Add", ["zl", "b"], ["logits"]),
    ]
    graph = helper.make_graph(nodes, "air_fraction_classifier", [x], [out], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    spec = {
        "name": "pixel_values",
        "layout": "NCHW",
        "dtype": "float32",
        "slices": 1,
        "sliceSpacingMm": 5.0,
        "pixelSpacingMm": 2.0,
        "window": {"lower": -1100, "upper": 500},
        "normalize": {"offset": 300, "scale": 800},
        "multipleOf": 8,
        "crop": "none",
    }
    output = {"decoder": "classifier", "output": "logits", "labels": ["no-lung", "lung"], "softmax": True}
    save(model, os.path.join(HERE, "classifier"), common("example-classifier", "Example classifier export (lung / no lung per slice)", "classification", spec, output, {"no-lung": "no-lung", "lung": "lung"}, 0.5, "README.md"))


if __name__ == "__main__":
    yolo()
    classifier()
    print("built models/examples/yolo-detector and models/examples/classifier")
