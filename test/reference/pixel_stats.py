#!/usr/bin/python3
"""Independent reference for pixel statistics: decode each file with pydicom (GDCM / Pillow / NumPy
handlers from Debian) and print per-frame, per-channel min/max/mean/SD as JSON.

Monochrome values are in modality units (Rescale Slope/Intercept, or Dose Grid Scaling for RT Dose).
Colour values are RGB: YBR_FULL and YBR_FULL_422 data (which the NumPy, RLE and GDCM JPEG handlers return
still in YCbCr) is converted; YBR_RCT/YBR_ICT JPEG 2000 data comes back from the decoder as RGB.

usage: pixel_stats.py FILE... > stats.json
"""
import json
import sys
import warnings

import numpy as np
import pydicom
from pydicom.pixel_data_handlers.util import convert_color_space

warnings.filterwarnings("ignore")

def stats(a):
    a = a.astype(np.float64)
    return {"min": float(a.min()), "max": float(a.max()), "mean": float(a.mean()), "sd": float(a.std())}


def describe(path):
    ds = pydicom.dcmread(path)
    arr = ds.pixel_array
    frames = int(getattr(ds, "NumberOfFrames", 1) or 1)
    spp = int(getattr(ds, "SamplesPerPixel", 1))
    if frames == 1:
        arr = arr[np.newaxis, ...]
    pi = str(ds.PhotometricInterpretation)
    ts = str(ds.file_meta.TransferSyntaxUID)
    out = []
    for f in arr:
        if spp == 1:
            slope = float(getattr(ds, "RescaleSlope", 1) or 1)
            intercept = float(getattr(ds, "RescaleIntercept", 0) or 0)
            if "DoseGridScaling" in ds and "RescaleSlope" not in ds:
                slope = float(ds.DoseGridScaling)
            v = f.astype(np.float64) * slope + intercept
            out.append({"channels": [stats(v)]})
        else:
            rgb = f
            if pi in ("YBR_FULL", "YBR_FULL_422"):
                rgb = convert_color_space(f, "YBR_FULL", "RGB")
            out.append({"channels": [stats(rgb[..., c]) for c in range(3)]})
    return {
        "rows": int(ds.Rows),
        "columns": int(ds.Columns),
        "frames": out,
        "photometric": pi,
        "transferSyntax": ts,
        "bitsStored": int(getattr(ds, "BitsStored", 0)),
    }


result = {}
for p in sys.argv[1:]:
    try:
        result[p] = describe(p)
    except Exception as e:  # a file the reference cannot decode is reported, not hidden
        result[p] = {"error": f"{type(e).__name__}: {e}"}
json.dump(result, sys.stdout, indent=1)
