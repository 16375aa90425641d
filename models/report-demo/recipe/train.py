"""Step 4 of the demo language model's recipe: a tiny LLaMA-architecture decoder (RMSNorm, rotary
positions, SwiGLU, causal attention with a key/value cache) trained on the encoded corpus with Debian's
python3-torch, then exported to ONNX with `past_key_values` inputs and `present` outputs, the layout
transformers.js runs (config.json, generation_config.json, onnx/model.onnx).

Usage: /usr/bin/python3 train.py WORK_DIR MODEL_DIR
Environment: REPORT_MODEL_SECONDS (training time, default 660), REPORT_MODEL_STEPS (at most, default
3000), REPORT_MODEL_SEED (default 7), REPORT_MODEL_BATCH_TOKENS (tokens per step, default 2048: fewer
give more, noisier steps in the same time, which a busy machine needs). The learning-rate schedule follows whichever of time and steps runs
out first, so the recipe fits its time on a slower machine (with fewer steps: the step count is recorded).
"""
import json
import math
import os
import random
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(2)

CONFIG = {
    "hidden_size": 96,
    "intermediate_size": 256,
    "num_hidden_layers": 3,
    "num_attention_heads": 4,
    "num_key_value_heads": 4,
    "max_position_embeddings": 1024,
    "rms_norm_eps": 1e-5,
    "rope_theta": 10000.0,
}
BATCH_TOKENS = int(os.environ.get("REPORT_MODEL_BATCH_TOKENS", "2048"))  # per optimiser step (padded)
LR = 3e-3
WARMUP = 30


class RMSNorm(nn.Module):
    def __init__(self, dim, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.eps = eps

    def forward(self, x):
        return self.weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps))


def rotate_half(x):
    a, b = x.chunk(2, dim=-1)
    return torch.cat((-b, a), dim=-1)


class Attention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.h = c["num_attention_heads"]
        self.d = c["hidden_size"] // self.h
        dim = c["hidden_size"]
        self.q_proj = nn.Linear(dim, dim, bias=False)
        self.k_proj = nn.Linear(dim, dim, bias=False)
        self.v_proj = nn.Linear(dim, dim, bias=False)
        self.o_proj = nn.Linear(dim, dim, bias=False)
        inv = 1.0 / (c["rope_theta"] ** (torch.arange(0, self.d, 2).float() / self.d))
        self.register_buffer("inv_freq", inv, persistent=False)

    def forward(self, x, position_ids, mask, past_k=None, past_v=None):
        b, s, _ = x.shape
        q = self.q_proj(x).view(b, s, self.h, self.d).transpose(1, 2)
        k = self.k_proj(x).view(b, s, self.h, self.d).transpose(1, 2)
        v = self.v_proj(x).view(b, s, self.h, self.d).transpose(1, 2)
        freqs = position_ids[:, None, :, None].float() * self.inv_freq[None, None, None, :]
        emb = torch.cat((freqs, freqs), dim=-1)
        cos, sin = emb.cos(), emb.sin()
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        if past_k is not None:
            k = torch.cat([past_k, k], dim=2)
            v = torch.cat([past_v, v], dim=2)
        att = (q @ k.transpose(-1, -2)) / math.sqrt(self.d) + mask
        y = torch.softmax(att, dim=-1) @ v
        return self.o_proj(y.transpose(1, 2).reshape(b, s, -1)), k, v


class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        dim, hid = c["hidden_size"], c["intermediate_size"]
        self.input_layernorm = RMSNorm(dim, c["rms_norm_eps"])
        self.self_attn = Attention(c)
        self.post_attention_layernorm = RMSNorm(dim, c["rms_norm_eps"])
        self.gate_proj = nn.Linear(dim, hid, bias=False)
        self.up_proj = nn.Linear(dim, hid, bias=False)
        self.down_proj = nn.Linear(hid, dim, bias=False)

    def forward(self, x, position_ids, mask, past_k=None, past_v=None):
        a, k, v = self.self_attn(self.input_layernorm(x), position_ids, mask, past_k, past_v)
        x = x + a
        h = self.post_attention_layernorm(x)
        return x + self.down_proj(F.silu(self.gate_proj(h)) * self.up_proj(h)), k, v


class Llama(nn.Module):
    def __init__(self, c, vocab):
        super().__init__()
        self.embed_tokens = nn.Embedding(vocab, c["hidden_size"])
        self.layers = nn.ModuleList([Block(c) for _ in range(c["num_hidden_layers"])])
        self.norm = RMSNorm(c["hidden_size"], c["rms_norm_eps"])
        self.lm_head = nn.Linear(c["hidden_size"], vocab, bias=False)
        for m in self.modules():
            if isinstance(m, (nn.Linear, nn.Embedding)):
                nn.init.normal_(m.weight, std=0.02)

    def forward(self, input_ids, attention_mask, position_ids, past=None):
        """attention_mask covers past + current tokens (1 = attend); returns logits and the new cache."""
        x = self.embed_tokens(input_ids)
        s = input_ids.shape[1]
        total = attention_mask.shape[1]
        # Query i (at absolute index total - s + i) sees keys j <= its index, and only unmasked keys.
        q_index = torch.arange(s, device=x.device)[:, None] + (total - s)
        k_index = torch.arange(total, device=x.device)[None, :]
        causal = k_index <= q_index
        allowed = causal[None, None, :, :] & (attention_mask[:, None, None, :] > 0)
        mask = torch.where(allowed, torch.zeros((), dtype=x.dtype), torch.full((), -1e9, dtype=x.dtype))
        present = []
        for i, layer in enumerate(self.layers):
            pk, pv = (past[2 * i], past[2 * i + 1]) if past is not None else (None, None)
            x, k, v = layer(x, position_ids, mask, pk, pv)
            present += [k, v]
        return self.lm_head(self.norm(x)), present


class Export(nn.Module):
    """The ONNX signature transformers.js expects of a decoder with a cache."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask, position_ids, *past):
        logits, present = self.model(input_ids, attention_mask, position_ids, list(past))
        return (logits, *present)


def batches(tokens, index, rng):
    """Samples grouped by length into batches of about BATCH_TOKENS tokens (padded), shuffled."""
    order = sorted(range(len(index)), key=lambda i: index[i][1] + rng.random() * 20)
    out, cur = [], []
    for i in order:
        longest = max([index[j][1] for j in cur] + [index[i][1]])
        if cur and longest * (len(cur) + 1) > BATCH_TOKENS:
            out.append(cur)
            cur = []
        cur.append(i)
    if cur:
        out.append(cur)
    rng.shuffle(out)
    return out


def tensors(tokens, index, batch):
    longest = max(index[i][1] for i in batch)
    ids = np.zeros((len(batch), longest), dtype=np.int64)
    mask = np.zeros((len(batch), longest), dtype=np.int64)
    labels = np.full((len(batch), longest), -100, dtype=np.int64)
    for r, i in enumerate(batch):
        off, n, p = index[i]
        seq = tokens[off : off + n].astype(np.int64)
        ids[r, :n] = seq
        mask[r, :n] = 1
        # Loss on the answer only: the model learns to write the report, not the facts.
        labels[r, p - 1 : n - 1] = seq[p:n]
    return torch.from_numpy(ids), torch.from_numpy(mask), torch.from_numpy(labels)


def main():
    work, out = Path(sys.argv[1]), Path(sys.argv[2])
    steps = int(os.environ.get("REPORT_MODEL_STEPS", "3000"))
    budget = float(os.environ.get("REPORT_MODEL_SECONDS", "660"))
    seed = int(os.environ.get("REPORT_MODEL_SEED", "7"))
    torch.manual_seed(seed)
    rng = random.Random(seed)
    tok = json.loads((out / "tokenizer.json").read_text(encoding="utf-8"))
    vocab = len(tok["model"]["vocab"])
    tokens = np.fromfile(work / "tokens.bin", dtype=np.uint16)
    index = json.loads((work / "tokens.json").read_text())["samples"]
    model = Llama(CONFIG, vocab)
    params = sum(p.numel() for p in model.parameters())
    opt = torch.optim.AdamW(model.parameters(), lr=LR, betas=(0.9, 0.95), weight_decay=0.01)
    print(f"train: {params / 1e6:.2f} M parameters, vocabulary {vocab}, {budget:.0f} s or {steps} steps of ~{BATCH_TOKENS} tokens", flush=True)
    queue = []
    t0 = time.time()
    log = []
    step = 0
    # REPORT_MODEL_RESUME=1 goes on from the previous run's weights and optimiser (WORK_DIR/checkpoint.pt),
    # with a new warm-up and schedule: training can be spread over several short runs on a busy machine.
    checkpoint = work / "checkpoint.pt"
    done_before = 0
    if os.environ.get("REPORT_MODEL_RESUME") == "1" and checkpoint.exists():
        state = torch.load(checkpoint)
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["opt"])
        done_before = state["steps"]
        log = state["log"]
        print(f"resumed after {done_before} steps", flush=True)
    while True:
        progress = max(step / steps, (time.time() - t0) / budget)
        if progress >= 1:
            break
        if not queue:
            queue = batches(tokens, index, rng)
        ids, mask, labels = tensors(tokens, index, queue.pop())
        lr = LR * min(1.0, (step + 1) / WARMUP) * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress)))
        for g in opt.param_groups:
            g["lr"] = lr
        pos = (mask.cumsum(-1) - 1).clamp(min=0)
        logits, _ = model(ids, mask, pos)
        loss = F.cross_entropy(logits.view(-1, vocab), labels.view(-1), ignore_index=-100)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        if step % 25 == 0:
            el = time.time() - t0
            log.append({"step": done_before + step, "loss": round(loss.item(), 4), "seconds": round(el, 1)})
            print(f"  step {done_before + step:4d}  loss {loss.item():.3f}  {el:6.0f} s", flush=True)
        step += 1
    log.append({"step": done_before + step, "loss": round(loss.item(), 4), "seconds": round(time.time() - t0, 1)})
    step += done_before
    torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "steps": step, "log": log}, checkpoint)
    model.eval()
    export(model, vocab, out, tok)
    (work / "train_log.json").write_text(json.dumps({"parameters": params, "steps": step, "batchTokens": BATCH_TOKENS, "log": log}, indent=1))


def export(model, vocab, out, tok):
    c = CONFIG
    h = c["num_attention_heads"]
    d = c["hidden_size"] // h
    layers = c["num_hidden_layers"]
    (out / "onnx").mkdir(parents=True, exist_ok=True)
    past_len, s = 3, 2
    ids = torch.tensor([[5, 6]], dtype=torch.int64)
    mask = torch.ones((1, past_len + s), dtype=torch.int64)
    pos = torch.tensor([[past_len, past_len + 1]], dtype=torch.int64)
    past = [torch.zeros((1, h, past_len, d)) for _ in range(2 * layers)]
    names_in = ["input_ids", "attention_mask", "position_ids"]
    names_out = ["logits"]
    axes = {
        "input_ids": {0: "batch_size", 1: "sequence_length"},
        "attention_mask": {0: "batch_size", 1: "total_sequence_length"},
        "position_ids": {0: "batch_size", 1: "sequence_length"},
        "logits": {0: "batch_size", 1: "sequence_length"},
    }
    for i in range(layers):
        for kv in ("key", "value"):
            names_in.append(f"past_key_values.{i}.{kv}")
            names_out.append(f"present.{i}.{kv}")
            axes[f"past_key_values.{i}.{kv}"] = {0: "batch_size", 2: "past_sequence_length"}
            axes[f"present.{i}.{kv}"] = {0: "batch_size", 2: "total_sequence_length"}
    with torch.no_grad():
        torch.onnx.export(
            Export(model),
            (ids, mask, pos, *past),
            str(out / "onnx" / "model.onnx"),
            input_names=names_in,
            output_names=names_out,
            dynamic_axes=axes,
            opset_version=17,
            do_constant_folding=True,
        )
        # A reference for the runtime parity check: the logits of a prompt run in one pass.
        ref_ids = torch.tensor([[1, 40, 41, 42, 43, 44, 45, 46]], dtype=torch.int64)
        ref_mask = torch.ones_like(ref_ids)
        ref_pos = torch.arange(ref_ids.shape[1])[None, :]
        logits, _ = model(ref_ids, ref_mask, ref_pos)
    (out.parent / "recipe").mkdir(exist_ok=True)
    specials = {t["content"]: t["id"] for t in tok["added_tokens"]}
    config = {
        "architectures": ["LlamaForCausalLM"],
        "model_type": "llama",
        "vocab_size": vocab,
        **c,
        "head_dim": d,
        "hidden_act": "silu",
        "tie_word_embeddings": False,
        "bos_token_id": specials["<s>"],
        "eos_token_id": specials["</s>"],
        "pad_token_id": specials["<pad>"],
        "torch_dtype": "float32",
        "transformers.js_config": {"dtype": "fp32", "use_external_data_format": False},
    }
    (out / "config.json").write_text(json.dumps(config, indent=2) + "\n")
    gen = {
        "bos_token_id": specials["<s>"],
        "eos_token_id": specials["</s>"],
        "pad_token_id": specials["<pad>"],
        "do_sample": False,
        "max_new_tokens": 640,
    }
    (out / "generation_config.json").write_text(json.dumps(gen, indent=2) + "\n")
    ref = {"input_ids": ref_ids[0].tolist(), "last_logits": [round(v, 5) for v in logits[0, -1].tolist()]}
    (Path(sys.argv[1]) / "reference.json").write_text(json.dumps(ref))
    print(f"export: {out / 'onnx' / 'model.onnx'} ({(out / 'onnx' / 'model.onnx').stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
