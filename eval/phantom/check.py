#!/usr/bin/python3
"""Realism measurements for generated cases (for the README / SPEC checks).

usage: /usr/bin/python3 eval/phantom/check.py CASE_DIR [CASE_DIR ...]

Rebuilds the noise-free object of a few slices from (seed, case) in truth.json, reads the written
DICOM slices, and reports per tissue the mean HU and SD inside uniform regions (mask eroded by
3 px), the noise SD, the noise power spectrum peak, and vessel calibres of the pulmonary trees.
"""
import json
import os
import sys

import numpy as np
import pydicom

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from case import Case  # noqa: E402


def erode(m, k=3):
    out = m.copy()
    for _ in range(k):
        e = out.copy()
        e[1:] &= out[:-1]
        e[:-1] &= out[1:]
        e[:, 1:] &= out[:, :-1]
        e[:, :-1] &= out[:, 1:]
        out = e
    return out


def read_series(case_dir):
    sl = {}
    for root, _, names in os.walk(case_dir):
        for n in names:
            if n == "truth.json":
                continue
            ds = pydicom.dcmread(os.path.join(root, n))
            z = float(ds.ImagePositionPatient[2])
            sl[round(z, 3)] = ds.pixel_array.astype(np.float32) * float(ds.RescaleSlope) + float(ds.RescaleIntercept)
    return sl


def nearest(sl, z):
    keys = np.array(sorted(sl))
    return sl[float(keys[np.argmin(np.abs(keys - z))])]


def main(dirs):
    for d in dirs:
        t = json.load(open(os.path.join(d, "truth.json")))
        c = Case(t["seed"], t["case"], t["quick"])
        sl = read_series(d)
        n = len(c.zs)
        ks = [int(n * f) for f in (0.3, 0.45, 0.6)]
        hu = c.pt.hu
        tissues = {"air": hu["air"], "fat": hu["fat"], "muscle": hu["muscle"], "liver": hu["liver"],
                   "blood(aorta)": hu["sysa"], "lung": None}
        acc = {k: [] for k in tissues}
        noise = []
        for k in ks:
            obj0 = c.object_chunk(k, k + 1, texture=False)[0]
            obj = c.object_chunk(k, k + 1)[0]
            img = nearest(sl, float(c.zs[k]))
            lung_m = erode((obj0 > hu["lung"] - 5) & (obj0 < hu["lung"] + hu["lung_grad"] * 0.3), 3)
            for name, v in tissues.items():
                if name == "lung":
                    m = lung_m
                elif name == "air":
                    m = erode(np.abs(obj0 - v) < 0.5, 3) & (np.abs(img) < 1500)
                else:
                    m = erode(np.abs(obj0 - v) < 1.0, 3)
                m &= ~c.imager.outside
                if m.sum() > 50:
                    acc[name].append(img[m])
            ref = np.fft.irfft2(np.fft.rfft2(obj) * c.imager.MTF, s=obj.shape) + c.imager.cup
            nz = img - ref
            cen = np.zeros_like(obj0, bool)
            ci, cj = c.grid.row_range(c.pt.yc - 60, c.pt.yc + 60), c.grid.col_range(c.pt.xc - 60, c.pt.xc + 60)
            cen[ci[0]:ci[1], cj[0]:cj[1]] = True
            soft = erode(np.abs(obj0 - hu["myo"]) < 1.0, 4) | erode(np.abs(obj0 - hu["sysa"]) < 1.0, 4) | \
                erode(np.abs(obj0 - hu["liver"]) < 1.0, 4)
            m = soft & cen
            if m.sum() > 100:
                noise.append(("centre soft tissue", nz[m].std()))
            m = lung_m & ~cen
            if m.sum() > 100:
                noise.append(("lung", nz[m].std()))
            m = erode(np.abs(obj0 - hu["air"]) < 0.5, 3) & (np.abs(img) < 1500)
            if m.sum() > 100:
                noise.append(("air", nz[m].std()))
        sc = t["scanner"]
        print(f"{d}: {sc['manufacturer']} {sc['kernel']} ({sc['kernelClass']}, MTF50 {sc['mtf50LpCm']} lp/cm), "
              f"T {sc['sliceThicknessMm']}/{sc['spacingMm']} mm, px {sc['pixelMm']} mm, CTDIvol {sc['ctdiVolMGy']} mGy, "
              f"Dw {t['patient']['waterEqDiameterMm']} mm, contrast {t['patient']['contrast']}")
        for name, v in tissues.items():
            if acc[name]:
                a = np.concatenate(acc[name])
                exp = "" if v is None else f" (model {v:.0f})"
                print(f"   {name:13s} mean {a.mean():7.1f}  SD {a.std():6.1f}  n={len(a)}{exp}")
        for name in ("centre soft tissue", "lung", "air"):
            v = [x for nm, x in noise if nm == name]
            if v:
                print(f"   noise SD ({name}, image minus blurred object): {np.mean(v):.1f} HU"
                      + (f" (scanner sigma {sc['noiseSdHu']})" if name.startswith("centre") else ""))
        # NPS from the noise-only image inside the body
        obj = c.object_chunk(ks[1], ks[1] + 1)[0]
        img = nearest(sl, float(c.zs[ks[1]]))
        nz = img - np.fft.irfft2(np.fft.rfft2(obj) * c.imager.MTF, s=obj.shape) - c.imager.cup
        ci = int(np.mean(c.grid.row_range(c.pt.yc - 1, c.pt.yc + 1)))
        cj = int(np.mean(c.grid.col_range(c.pt.xc - 1, c.pt.xc + 1)))
        q = nz[max(ci - 64, 0):ci + 64, max(cj - 64, 0):cj + 64]
        F = np.abs(np.fft.fft2(q - q.mean())) ** 2
        fx = np.fft.fftfreq(q.shape[0], d=c.grid.px / 10)
        fy = np.fft.fftfreq(q.shape[1], d=c.grid.px / 10)
        fr = np.sqrt(fx[:, None] ** 2 + fy[None, :] ** 2)
        bins = np.linspace(0, fr.max(), 40)
        idx = np.digitize(fr.ravel(), bins)
        prof = np.bincount(idx, F.ravel(), minlength=41)[1:40] / np.maximum(np.bincount(idx, minlength=41)[1:40], 1)
        print(f"   NPS peak at {bins[np.argmax(prof)]:.2f} lp/cm (Nyquist {10 / (2 * c.grid.px):.2f})")
        # vessel calibres vs distance to the pleura (arteries)
        b = c.bld
        P, R_ = [], []
        for pts, rr, br in b.art_branches:
            P.append(pts.mean(0))
            R_.append(rr.mean())
        P, R_ = np.array(P), np.array(R_)
        pt = c.pt
        th = np.arctan2(P[:, 1] - pt.yc, P[:, 0] - pt.xc)
        dpl = pt.tab(pt.rcav, P[:, 2], th) - np.hypot(P[:, 0] - pt.xc, P[:, 1] - pt.yc)
        for lo, hi in ((0, 10), (10, 20), (20, 40), (40, 80)):
            m = (dpl >= lo) & (dpl < hi)
            if m.any():
                print(f"   arteries {lo:2d}-{hi:2d} mm from costal pleura: n={m.sum():5d}, median diameter {2 * np.median(R_[m]):.2f} mm, 90th pct {2 * np.percentile(R_[m], 90):.2f} mm")
        # truth centre vs centroid of the rendered nodule (slice fractions mapped to LPS)
        for nod, vx, tr in zip(c.nodules, c.nod_vox, c.truth()):
            if vx is None or vx["K"] <= 0:
                continue
            f = sum(vx["comps"][k] for k in vx["comps"])
            K, H, W = f.shape
            zz = c.ssp.z[vx["k0"]:vx["k0"] + K][:, None, None]
            yy = c.grid.yr[vx["i0"]:vx["i0"] + H][None, :, None]
            xx = c.grid.xc[vx["j0"]:vx["j0"] + W][None, None, :]
            m = f.sum()
            cen = np.array([(f * xx).sum() / m, (f * yy).sum() / m, (f * zz).sum() / m])
            err = cen - np.array(tr["centerMm"])
            print(f"   nodule {tr['type']:12s} {tr['shape']:10s} {tr['location']:16s} D {tr['diameterMm']:5.2f} mm: "
                  f"rendered centroid - truth = ({err[0]:+.2f}, {err[1]:+.2f}, {err[2]:+.2f}) mm")
        tips = [pts[-1] for pts, rr, br in b.art_branches if br.terminal]
        tips = np.array(tips)
        th = np.arctan2(tips[:, 1] - pt.yc, tips[:, 0] - pt.xc)
        dt = pt.tab(pt.rcav, tips[:, 2], th) - np.hypot(tips[:, 0] - pt.xc, tips[:, 1] - pt.yc)
        dt = dt[dt > -5]
        print(f"   terminal arteries: {len(tips)}, distance of tips to the costal pleura median {np.median(dt):.1f} mm (10th pct {np.percentile(dt, 10):.1f})")


if __name__ == "__main__":
    main(sys.argv[1:])
