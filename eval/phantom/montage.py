#!/usr/bin/python3
"""Render a case for human review: axial slices through each nodule (lung window, truth circled),
magnified crops, a mediastinal-window slice, a coronal and a sagittal reformat.

usage: /usr/bin/python3 eval/phantom/montage.py CASE_DIR OUT.png
Reads the DICOM files back (independently of the generator) and maps truth.json's LPS centres
through ImagePositionPatient / ImageOrientationPatient / PixelSpacing.
"""
import json
import os
import sys

import numpy as np
import pydicom

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pngio import write_png, window  # noqa: E402


def load(case_dir):
    files = []
    for root, _, names in os.walk(case_dir):
        for n in names:
            if n == "truth.json":
                continue
            files.append(os.path.join(root, n))
    sl = []
    for f in files:
        ds = pydicom.dcmread(f)
        a = ds.pixel_array.astype(np.float32) * float(ds.RescaleSlope) + float(ds.RescaleIntercept)
        sl.append((float(ds.ImagePositionPatient[2]), a, ds))
    sl.sort(key=lambda t: t[0])
    vol = np.stack([s[1] for s in sl])
    ds0 = sl[0][2]
    z = np.array([s[0] for s in sl])
    return vol, z, ds0


def to_ijk(p, z, ds):
    ipp = [float(v) for v in ds.ImagePositionPatient]
    iop = [float(v) for v in ds.ImageOrientationPatient]
    ps = [float(v) for v in ds.PixelSpacing]  # row spacing, column spacing
    d = np.array(p) - np.array(ipp)
    col = d @ np.array(iop[:3]) / ps[1]
    row = d @ np.array(iop[3:]) / ps[0]
    k = int(np.argmin(np.abs(z - p[2])))
    return k, row, col


def rgb(g):
    return np.repeat(g[..., None], 3, axis=2)


def circle(img, r0, c0, rad, color=(255, 40, 40)):
    h, w = img.shape[:2]
    t = np.linspace(0, 2 * np.pi, max(int(rad * 8), 32))
    rr = np.round(r0 + rad * np.sin(t)).astype(int)
    cc = np.round(c0 + rad * np.cos(t)).astype(int)
    ok = (rr >= 0) & (rr < h) & (cc >= 0) & (cc < w)
    img[rr[ok], cc[ok]] = color
    return img


def resize(img, h, w):
    ri = (np.arange(h) * img.shape[0] / h).astype(int)
    ci = (np.arange(w) * img.shape[1] / w).astype(int)
    return img[ri][:, ci]


def label(img, text):
    """Tiny 3x5 pixel font for digits/letters used in captions."""
    font = {
        "0": "111101101101111", "1": "010110010010111", "2": "111001111100111", "3": "111001111001111",
        "4": "101101111001001", "5": "111100111001111", "6": "111100111101111", "7": "111001001001001",
        "8": "111101111101111", "9": "111101111001111", ".": "000000000000010", " ": "000000000000000",
        "m": "000000111111101", "-": "000000111000000", "S": "111100111001111", "P": "111101111100100",
        "G": "111100101101111", "C": "111100100100111", "V": "101101101101010", "L": "100100100100111",
        "F": "111100111100100", "I": "111010010010111", "A": "010101111101101", "X": "101101010101101",
        "Z": "111001010100111", "N": "101111111111101", "O": "111101101101111", "R": "110101110101101",
        "T": "111010010010010", "H": "101101111101101", "/": "001001010100100", "J": "001001001101111",
        "U": "101101101101111", "B": "110101110101110", "D": "110101101101110", "E": "111100111100111",
        "K": "101101110101101", "M": "101111111101101", "Q": "111101101111001", "W": "101101111111101",
        "Y": "101101010010010",
    }
    x = 4
    for ch in text:
        pat = font.get(ch, font[" "])
        for i in range(5):
            for j in range(3):
                if pat[i * 3 + j] == "1":
                    img[4 + i * 2:6 + i * 2, x + j * 2:x + j * 2 + 2] = (255, 255, 0)
        x += 8
    return img


def main(case_dir, out):
    vol, z, ds = load(case_dir)
    truth = json.load(open(os.path.join(case_dir, "truth.json")))
    nods = truth.get("nodules", [])
    px = float(ds.PixelSpacing[0])
    n = vol.shape[1]
    tiles = []
    caps = []
    if nods:
        for nd in nods[:6]:
            k, r, c = to_ijk(nd["centerMm"], z, ds)
            img = rgb(window(vol[k], -600, 1500))
            rad = nd["diameterMm"] / 2 / px + 6
            circle(img, r, c, rad)
            tiles.append(img)
            caps.append(f"{nd['type'][:4].upper()} {nd['diameterMm']:.1f}MM {nd['location'][:5].upper()}")
            half = int(round(32 / px))
            r0, c0 = int(round(r)), int(round(c))
            pad = np.pad(vol[k], half, constant_values=-1000)
            crop = pad[r0:r0 + 2 * half, c0:c0 + 2 * half]
            tiles.append(resize(rgb(window(crop, -600, 1500)), n, n))
            caps.append(f"ZOOM SL {k} Z {z[k]:.1f}")
    else:
        for f in (0.3, 0.5, 0.7):
            k = int(f * (len(z) - 1))
            tiles.append(rgb(window(vol[k], -600, 1500)))
            caps.append(f"SL {k} NO NODULES")
    k = len(z) // 2
    tiles.append(rgb(window(vol[k], 40, 400)))
    caps.append("MEDIASTINUM")
    # coronal through the row with most lung
    mid = vol[k]
    b = 8
    blk = mid[:n - n % b, :n - n % b].reshape(n // b, b, n // b, b).mean((1, 3))
    soft = blk > -200
    nb_ = blk.shape[0]
    ar = np.arange(nb_)
    inside = np.zeros_like(soft)
    for i in range(nb_):
        w = np.nonzero(soft[i])[0]
        if len(w) >= 2:
            inside[i, w[0]:w[-1]] = True
    for j in range(nb_):
        w = np.nonzero(soft[:, j])[0]
        if len(w) >= 2:
            inside[:w[0], j] = False
            inside[w[-1]:, j] = False
        else:
            inside[:, j] = False
    lung = (blk > -950) & (blk < -600) & inside
    row = int(np.argmax(lung.sum(1))) * b + b // 2
    colsum = lung.sum(0)
    cor = vol[:, row, :][::-1]
    dz = abs(z[-1] - z[0]) / max(len(z) - 1, 1)
    h = max(int(round(len(z) * dz / px)), 1)
    cimg = rgb(window(resize(cor, h, n), -600, 1500))
    ccol = vol[k].shape[1] // 2
    sag = vol[:, :, int(np.argmax(colsum[: len(colsum) // 2])) * b + b // 2][::-1]
    simg = rgb(window(resize(sag, h, n), -600, 1500))
    for nd in nods:
        kk, r, c = to_ijk(nd["centerMm"], z, ds)
        if abs(r - row) < nd["diameterMm"] / px:
            circle(cimg, (len(z) - 1 - kk) * h / len(z), c, nd["diameterMm"] / 2 / px + 6)
    for im, cap in ((cimg, "CORONAL"), (simg, "SAGITTAL")):
        if h > n:
            im = resize(im, n, int(n * n / h))
        canvas = np.zeros((n, n, 3), np.uint8)
        canvas[:im.shape[0], :im.shape[1]] = im[:n, :n]
        tiles.append(canvas)
        caps.append(cap)
    for t, cap in zip(tiles, caps):
        label(t, cap)
    cols = 4
    rows = (len(tiles) + cols - 1) // cols
    sheet = np.zeros((rows * n, cols * n, 3), np.uint8)
    for i, t in enumerate(tiles):
        r, c = divmod(i, cols)
        sheet[r * n:(r + 1) * n, c * n:(c + 1) * n] = t[:n, :n]
    write_png(out, sheet)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    main(sys.argv[1], sys.argv[2])
