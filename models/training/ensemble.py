"""Merge several second-stage classifiers (fpr.onnx files with input `patch` [n, c, z, y, x] and output
`probability` [n, 1]) into one ONNX graph whose `probability` is the mean of theirs. The engine then loads
one file and runs one session, as for a single classifier; only the work per candidate grows.

usage: /usr/bin/python3 ensemble.py [--info OUT.json] OUT.onnx MEMBER.onnx MEMBER.onnx [...]
--info: also write the ensemble's training record (what finalize.mjs reads for the model card) from the
fpr.json beside each member: the first member's settings, the members' parameters and steps added up, and
each member's seed, steps and seconds under `members`.
"""
import json
import os
import sys

import onnx
from onnx import compose, helper


def merge(paths: list) -> onnx.ModelProto:
    if len(paths) < 2:
        raise ValueError("an ensemble needs at least two members")
    members = [onnx.load(p) for p in paths]
    first = members[0].graph
    for p, m in zip(paths, members):
        names_in = [i.name for i in m.graph.input if i.name not in {t.name for t in m.graph.initializer}]
        names_out = [o.name for o in m.graph.output]
        if names_in != ["patch"] or names_out != ["probability"]:
            raise ValueError(f"{p}: expected input 'patch' and output 'probability', found {names_in} and {names_out}")
        if m.graph.input[0].type != first.input[0].type:
            raise ValueError(f"{p}: its patch shape differs from {paths[0]}'s")
    nodes, inits, outs = [], [], []
    for k, m in enumerate(members):
        g = compose.add_prefix(m, f"m{k}_").graph
        # Every member reads the one shared input.
        for node in g.node:
            node.input[:] = ["patch" if name == f"m{k}_patch" else name for name in node.input]
        nodes.extend(g.node)
        inits.extend(g.initializer)
        outs.append(f"m{k}_probability")
    nodes.append(helper.make_node("Mean", outs, ["probability"], name="ensemble_mean"))
    graph = helper.make_graph(nodes, "fpr_ensemble", [first.input[0]], [first.output[0]], inits)
    opset = max(o.version for o in members[0].opset_import if o.domain in ("", "ai.onnx"))
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)], producer_name="lucent-ensemble")
    model.ir_version = members[0].ir_version
    onnx.checker.check_model(model)
    return model


def record(paths: list) -> dict:
    infos = []
    for p in paths:
        with open(os.path.join(os.path.dirname(p), "fpr.json"), encoding="utf8") as f:
            infos.append(json.load(f))
    out = dict(infos[0])
    out["parameters"] = sum(i["parameters"] for i in infos)
    out["steps"] = sum(i["steps"] for i in infos)
    out["seconds"] = sum(i["seconds"] for i in infos)
    out["members"] = [{"seed": i.get("seed"), "steps": i["steps"], "seconds": i["seconds"]} for i in infos]
    return out


def main() -> None:
    args = sys.argv[1:]
    info = None
    if args[:1] == ["--info"] and len(args) > 1:
        info, args = args[1], args[2:]
    if len(args) < 3:
        sys.exit(__doc__)
    model = merge(args[1:])
    onnx.save(model, args[0])
    if info:
        with open(info, "w", encoding="utf8") as f:
            json.dump(record(args[1:]), f)
    print(f"ensemble of {len(args) - 1} second stages written to {args[0]}", file=sys.stderr)


if __name__ == "__main__":
    main()
