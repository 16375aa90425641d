"""Static int8 QDQ quantization written by hand with onnx.helper.

Activations (the outputs of Conv, Relu, Add and Resize, and the model input; not the heads' logits) get uint8 per-tensor
QuantizeLinear/DequantizeLinear pairs from calibration ranges; Conv weights get int8 symmetric per-channel
DequantizeLinear, biases int32. onnxruntime then fuses the patterns into QLinearConv. Resize's constant
inputs (scales) are never quantized: that breaks shapes.

usage: quantize.py WORK_DIR  (reads model.fp32.onnx and ranges.json, writes model.int8.onnx)
"""
import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

ACTIVATION_OPS = {"Conv", "Relu", "Add", "Resize"}


def quantizable_tensors(model: onnx.ModelProto) -> list:
    """The model input and every Conv/Relu/Add/Resize output that only feeds other quantized ops.

    The heads' logits (feeding Sigmoid, Softmax, Softplus) stay float: quantized, many heatmap logits
    near zero collapse onto exactly 0, i.e. a score of exactly 0.5, and scores tie at the threshold.
    """
    consumers: dict = {}
    for node in model.graph.node:
        for name in node.input:
            consumers.setdefault(name, []).append(node.op_type)
    outputs = {o.name for o in model.graph.output}
    names = [model.graph.input[0].name]
    for node in model.graph.node:
        out = node.output[0]
        if node.op_type in ACTIVATION_OPS and out not in outputs and all(op in ACTIVATION_OPS for op in consumers.get(out, [])):
            names.append(out)
    return names


def _act_qparams(lo: float, hi: float):
    lo = min(0.0, lo)
    hi = max(0.0, hi)
    if hi - lo < 1e-8:
        hi = lo + 1e-8
    scale = (hi - lo) / 255.0
    zp = int(round(-lo / scale))
    return np.float32(scale), np.uint8(min(255, max(0, zp)))


def quantize(work: str) -> None:
    model = onnx.load(os.path.join(work, "model.fp32.onnx"))
    ranges = json.load(open(os.path.join(work, "ranges.json"), encoding="utf8"))["ranges"]
    graph = model.graph
    inits = {i.name: i for i in graph.initializer}
    act_scale = {}
    new_nodes = []
    new_inits = []

    def qdq(name: str) -> str:
        lo, hi = ranges[name]
        scale, zp = _act_qparams(float(lo), float(hi))
        act_scale[name] = float(scale)
        s_name, z_name = name + "_scale", name + "_zp"
        new_inits.append(numpy_helper.from_array(np.array(scale, dtype=np.float32), s_name))
        new_inits.append(numpy_helper.from_array(np.array(zp, dtype=np.uint8), z_name))
        q_out, dq_out = name + "_q", name + "_dq"
        new_nodes.append(helper.make_node("QuantizeLinear", [name, s_name, z_name], [q_out], name=name + "_Q"))
        new_nodes.append(helper.make_node("DequantizeLinear", [q_out, s_name, z_name], [dq_out], name=name + "_DQ"))
        return dq_out

    # Activation QDQ pairs: consumers read the dequantized tensor; graph outputs keep their names.
    rename = {}
    graph_outputs = {o.name for o in graph.output}
    for name in quantizable_tensors(model):
        if name in ranges:
            rename[name] = qdq(name)
    for node in graph.node:
        for i, inp in enumerate(node.input):
            if inp in rename and node.op_type != "QuantizeLinear":
                node.input[i] = rename[inp]
    for o in list(graph.output):
        if o.name in rename:
            pass  # outputs stay float from their producers
    # Conv weights per channel (int8, symmetric) and biases (int32, input scale × weight scale).
    for node in graph.node:
        if node.op_type != "Conv":
            continue
        w_name = node.input[1]
        w = numpy_helper.to_array(inits[w_name]).astype(np.float32)
        w_scale = np.maximum(np.abs(w).reshape(w.shape[0], -1).max(axis=1), 1e-8) / 127.0
        w_q = np.clip(np.round(w / w_scale.reshape(-1, 1, 1, 1)), -127, 127).astype(np.int8)
        new_inits.append(numpy_helper.from_array(w_q, w_name + "_int8"))
        new_inits.append(numpy_helper.from_array(w_scale.astype(np.float32), w_name + "_wscale"))
        new_inits.append(numpy_helper.from_array(np.zeros(w.shape[0], dtype=np.int8), w_name + "_wzp"))
        new_nodes.append(helper.make_node("DequantizeLinear", [w_name + "_int8", w_name + "_wscale", w_name + "_wzp"], [w_name + "_dq"], axis=0, name=w_name + "_DQ"))
        node.input[1] = w_name + "_dq"
        if len(node.input) > 2 and node.input[2]:
            b_name = node.input[2]
            src = node.input[0]
            base = src[: -len("_dq")] if src.endswith("_dq") else src
            if base in act_scale:
                b = numpy_helper.to_array(inits[b_name]).astype(np.float32)
                b_scale = (act_scale[base] * w_scale).astype(np.float32)
                b_q = np.round(b / b_scale).astype(np.int32)
                new_inits.append(numpy_helper.from_array(b_q, b_name + "_int32"))
                new_inits.append(numpy_helper.from_array(b_scale, b_name + "_bscale"))
                new_inits.append(numpy_helper.from_array(np.zeros(w.shape[0], dtype=np.int32), b_name + "_bzp"))
                new_nodes.append(helper.make_node("DequantizeLinear", [b_name + "_int32", b_name + "_bscale", b_name + "_bzp"], [b_name + "_dq"], axis=0, name=b_name + "_DQ"))
                node.input[2] = b_name + "_dq"
    used = set()
    for node in list(graph.node) + new_nodes:
        used.update(node.input)
    kept = [i for i in graph.initializer if i.name in used]
    del graph.initializer[:]
    graph.initializer.extend(kept + [i for i in new_inits if i.name in used])
    nodes = new_nodes + list(graph.node)
    del graph.node[:]
    graph.node.extend(topological(nodes, graph))
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(work, "model.int8.onnx"))


def topological(nodes, graph):
    produced = {i.name for i in graph.input} | {i.name for i in graph.initializer}
    out, pending = [], list(nodes)
    while pending:
        progress = False
        rest = []
        for n in pending:
            if all((not x) or x in produced for x in n.input):
                out.append(n)
                produced.update(n.output)
                progress = True
            else:
                rest.append(n)
        pending = rest
        if not progress:
            raise RuntimeError("cycle or missing input while ordering the quantized graph")
    return out


if __name__ == "__main__":
    quantize(sys.argv[1])
    print("wrote model.int8.onnx")
