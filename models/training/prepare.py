"""Cache every training case on the model grid (int16 .npy + nodules in voxel coordinates).

usage: prepare.py DATA_DIR CACHE_DIR
"""
import sys

import torch

from dataset import cache_all

if __name__ == "__main__":
    torch.set_num_threads(2)
    metas = cache_all(sys.argv[1], sys.argv[2])
    print(f"cached {len(metas)} cases, {sum(len(m['nodules']) for m in metas)} nodules", file=sys.stderr)
