"""Runs models/training/hard.py's mining of a detector's false peaks on a synthetic case with a stand-in
detector whose centre heatmap is the middle input slice's brightness, pooled to the output grid; prints one
JSON object. Used by test/unit/hard-negatives.test.ts, which states what the answers must be.
Usage: hard_negatives.py TRAINING_DIR
"""
import json
import sys

import numpy as np
import torch

sys.path.insert(0, sys.argv[1])
from common import SLICES, STRIDE  # noqa: E402
from hard import mine  # noqa: E402


class Brightness(torch.nn.Module):
    """Heatmap = sigmoid of the middle slice's mean over each output cell (normalised units): high on
    anything denser than lung, near zero on lung."""

    def forward(self, x):
        mid = x[:, SLICES // 2 : SLICES // 2 + 1]
        return (torch.sigmoid(10 * torch.nn.functional.avg_pool2d(mid, STRIDE)),)


Z, H, W = 40, 112, 112
vol = np.full((Z, H, W), -850, dtype=np.int16)
lung = np.zeros((Z, H, W), dtype=bool)
# Two lungs with the mediastinum between them (columns 50-65).
lung[2:38, 20:92, 20:50] = True
lung[2:38, 20:92, 66:92] = True
# Dense blobs, three slices deep, 6 x 6 pixels: (k, j, i) of their centres.
blobs = {
    "falseA": (10, 34, 44),
    "falseB": (29, 70, 33),
    "nodule": (20, 56, 78),
    "outsideLung": (20, 56, 58),
}
for k, j, i in blobs.values():
    vol[k - 1 : k + 2, j - 3 : j + 3, i - 3 : i + 3] = 60
meta = {"nodules": [{"k": 20.0, "j": 56.0, "i": 78.0, "diameter": 6.0}]}


class Sampler:
    vols = [vol]
    lungs = [lung]
    metas = [meta]


model = Brightness()
model.train()
peaks = mine(model, Sampler())
print(
    json.dumps(
        {
            "blobs": blobs,
            "peaks": [{"k": k, "j": j, "i": i, "score": s, "case": c} for c, k, j, i, s in peaks],
            "trainingModeAfter": model.training,
        }
    )
)
