"""Runs the second training generator (models/training/chestgen) on a few small cases and checks what
could go wrong; prints one JSON object that test/unit/chestgen.test.ts asserts on.

  A: cases 1-2 in one run; B: case 2 alone (--first 1); C: case 1 forced prone (--position HFP);
  D: case 1 with its slices forced to 5 mm (--thickness 5): the same patient's plan, thicker slices.

For each case in A and C: the series reads back through models/training/common.py read_series, the
DICOM header is the required one, truth.json has the contract's shape, and every truth nodule centre,
mapped through the DICOM geometry, lies on nodule-dense voxels inside the lungs. B's case must equal A's
case 2 pixel for pixel (cases depend only on the seed and their index).

Usage: chestgen_check.py REPO_ROOT TMPDIR
"""
import json
import math
import os
import subprocess
import sys

import numpy as np
import pydicom

ROOT, TMP = sys.argv[1], sys.argv[2]
sys.path.insert(0, os.path.join(ROOT, "models/training"))
from common import read_series, read_truth  # noqa: E402

GEN = os.path.join(ROOT, "models/training/chestgen/generate.py")
SEED = 31
TYPES = {"solid", "part-solid", "ground-glass", "calcified"}
MARGINS = {"smooth", "lobulated", "spiculated"}
LOCATIONS = {"isolated", "juxtavascular", "juxtapleural", "perifissural"}
KEYS = {"centerMm", "diameterMm", "type", "solidComponentMm", "margin", "location"}


def run(out, *extra):
    r = subprocess.run([sys.executable, GEN, "--out", out, "--seed", str(SEED), "--small", *extra], capture_output=True, text=True)
    return r.returncode, r.stderr.strip().splitlines()


def two_decimals(v):
    return isinstance(v, (int, float)) and abs(round(v, 2) - v) < 1e-9


def truth_problems(truth, name):
    p = []
    if truth.get("schema") != "lucent.truth/1":
        p.append("schema")
    if truth.get("case") != name:
        p.append("case name")
    if truth.get("generator") != "lucent-chestgen/1":
        p.append("generator")
    nods = truth.get("nodules")
    if not isinstance(nods, list):
        return p + ["nodules not a list"]
    for n in nods:
        if set(n) != KEYS:
            p.append(f"keys {sorted(n)}")
            continue
        c = n["centerMm"]
        if not (isinstance(c, list) and len(c) == 3 and all(two_decimals(v) for v in c)):
            p.append("centerMm")
        if not (two_decimals(n["diameterMm"]) and 2.5 <= n["diameterMm"] <= 35):
            p.append(f"diameterMm {n['diameterMm']}")
        if n["type"] not in TYPES or n["margin"] not in MARGINS or n["location"] not in LOCATIONS:
            p.append("enum")
        s = n["solidComponentMm"]
        if n["type"] == "part-solid":
            if not (two_decimals(s) and 0 < s < n["diameterMm"]):
                p.append(f"solidComponentMm {s}")
        elif s is not None:
            p.append("solidComponentMm not null")
    return p


def header_problems(folder, position):
    files = sorted(f for f in os.listdir(folder) if f.endswith(".dcm"))
    ds = pydicom.dcmread(os.path.join(folder, files[0]))
    p = []
    want_iop = {"HFP": [-1, 0, 0, 0, -1, 0]}.get(position)
    checks = {
        "SOPClassUID": ds.SOPClassUID == "1.2.840.10008.5.1.4.1.1.2",
        "TransferSyntax": ds.file_meta.TransferSyntaxUID == "1.2.840.10008.1.2.1",
        "Modality": ds.Modality == "CT",
        "BodyPart": ds.BodyPartExamined == "CHEST",
        "PatientName": str(ds.PatientName) == "SYNTH^CHESTGEN",
        "Rescale": float(ds.RescaleIntercept) == -1024 and float(ds.RescaleSlope) == 1,
        "PixelRepresentation": ds.PixelRepresentation == 0 and ds.BitsAllocated == 16,
        "Kernel": bool(str(ds.ConvolutionKernel)),
        "PatientPosition": ds.PatientPosition in ("HFS", "HFP", "FFS") and (position is None or ds.PatientPosition == position),
        "Orientation": want_iop is None or [round(float(v)) for v in ds.ImageOrientationPatient] == want_iop,
        "UIDs": all(str(getattr(ds, k, "")) for k in ("StudyInstanceUID", "SeriesInstanceUID", "FrameOfReferenceUID", "SOPInstanceUID")),
    }
    p += [k for k, ok in checks.items() if not ok]
    return p, ds


def ball(hu, spacing, kji, radius_mm):
    k, j, i = kji
    sz, sy, sx = spacing[2], spacing[1], spacing[0]
    rk, rj, ri = (max(0, int(math.ceil(radius_mm / s))) for s in (sz, sy, sx))
    kk, jj, ii = np.mgrid[-rk : rk + 1, -rj : rj + 1, -ri : ri + 1]
    d = np.sqrt((kk * sz) ** 2 + (jj * sy) ** 2 + (ii * sx) ** 2)
    sel = d <= max(radius_mm, 0.5 * min(sx, sy))
    z, y, x = hu.shape
    vals = hu[np.clip(k + kk[sel], 0, z - 1), np.clip(j + jj[sel], 0, y - 1), np.clip(i + ii[sel], 0, x - 1)]
    return vals


def nodule_checks(vol, truth):
    """One dict per nodule with what was measured and whether it passed."""
    hu, o, sp = vol.hu, vol.origin, vol.spacing
    out = []
    for n in truth["nodules"]:
        x, y, z = n["centerMm"]
        fk, fj, fi = (z - o[2]) / sp[2], (y - o[1]) / sp[1], (x - o[0]) / sp[0]
        k, j, i = int(round(fk)), int(round(fj)), int(round(fi))
        inside = 0 <= k < hu.shape[0] and 0 <= j < hu.shape[1] and 0 <= i < hu.shape[2]
        r = n["diameterMm"] / 2
        res = {"type": n["type"], "location": n["location"], "diameter": n["diameterMm"], "inVolume": inside}
        if not inside:
            res["ok"] = False
            out.append(res)
            continue
        core = ball(hu, sp, (k, j, i), max(0.6, 0.3 * r))
        # lung around the nodule in its slice: a ring r+2 .. r+9 mm
        jj, ii = np.mgrid[0 : hu.shape[1], 0 : hu.shape[2]]
        d = np.hypot((jj - fj) * sp[1], (ii - fi) * sp[0])
        ring = hu[k][(d > r + 2) & (d < r + 9)]
        lung_frac = float((ring < -500).mean()) if ring.size else 0.0
        lung_ref = float(np.median(ring[ring < -500])) if (ring < -500).any() else -850.0
        mean, peak = float(core.mean()), float(core.max())
        if n["type"] in ("solid", "calcified"):
            dense = (mean if n["diameterMm"] >= 5 else peak) > -300
        else:
            need = 80 if n["diameterMm"] >= 6 else 25
            dense = mean - lung_ref > need
        # inside the thorax: soft tissue on all four in-plane sides, and lung around
        enclosed = True
        row, col = hu[k, j, :], hu[k, :, i]
        for line, c in ((row, i), (col, j)):
            left, right = line[: max(0, c - int(r / sp[0]) - 1)], line[c + int(r / sp[0]) + 2 :]
            enclosed &= bool((left > -300).any()) and bool((right > -300).any())
        res.update(mean=round(mean, 1), peak=round(peak, 1), lungRef=round(lung_ref, 1), lungFraction=round(lung_frac, 2), dense=bool(dense), enclosed=bool(enclosed))
        res["ok"] = bool(dense and enclosed and lung_frac >= 0.25)
        out.append(res)
    return out


def spine_offset(a, spacing):
    """Rows from the body's centroid to the centroid of dense bone near the midline (positive: bone lies at
    larger row indices). Table rows (dense across most of the width) are left out."""
    table = (a > 150).mean(1) > 0.4
    body = (a > -300) & ~table[:, None]
    cols = np.nonzero(body.any(0))[0]
    mid, half = (cols.min() + cols.max()) // 2, max(3, int(15 / spacing))
    bone = (a > 450) & ~table[:, None]
    bone[:, : mid - half] = False
    bone[:, mid + half :] = False
    if not bone.any():
        return None
    return float(np.nonzero(bone)[0].mean() - np.nonzero(body)[0].mean())


def spine_posterior(vol):
    """Canonical orientation (rows along +y, posterior): the spine is posterior to the body's centre."""
    off = spine_offset(vol.hu[vol.hu.shape[0] // 2], vol.spacing[1])
    return off is not None and off > 0


def raw_back_up(folder):
    """Stored (display) pixels of the middle slice: is the spine in the upper half (prone: back up)?"""
    files = sorted(f for f in os.listdir(folder) if f.endswith(".dcm"))
    dss = sorted((pydicom.dcmread(os.path.join(folder, f)) for f in files), key=lambda d: float(d.ImagePositionPatient[2]))
    ds = dss[len(dss) // 2]
    off = spine_offset(ds.pixel_array.astype(np.float32) - 1024, float(ds.PixelSpacing[0]))
    return off is not None and off < 0


def case_report(folder, name, position=None):
    rep = {"name": name}
    vol = read_series(folder)
    truth = read_truth(folder)
    rep["shape"] = list(vol.hu.shape)
    rep["truthProblems"] = truth_problems(truth, name)
    rep["headerProblems"], ds = header_problems(folder, position)
    rep["position"] = str(ds.PatientPosition)
    rep["thickness"], rep["spacing"] = float(ds.SliceThickness), round(float(vol.spacing[2]), 3)
    rep["nodules"] = nodule_checks(vol, truth)
    rep["spinePosterior"] = spine_posterior(vol)
    rep["rawBackUp"] = raw_back_up(folder)
    rep["sizeMB"] = round(sum(os.path.getsize(os.path.join(folder, f)) for f in os.listdir(folder)) / 1e6, 2)
    return rep


def pixels(folder):
    out = {}
    for f in os.listdir(folder):
        if f.endswith(".dcm"):
            ds = pydicom.dcmread(os.path.join(folder, f))
            out[int(ds.InstanceNumber)] = (ds.pixel_array.tobytes(), str(ds.SOPInstanceUID), tuple(float(v) for v in ds.ImagePositionPatient))
    return out


a, b, c = (os.path.join(TMP, x) for x in ("A", "B", "C"))
result = {}
rc_a, log_a = run(a, "--cases", "2")
rc_b, log_b = run(b, "--cases", "1", "--first", "1")
rc_c, log_c = run(c, "--cases", "1", "--position", "HFP")
d = os.path.join(TMP, "D")
rc_d, log_d = run(d, "--cases", "1", "--thickness", "5")
result["exitCodes"] = [rc_a, rc_b, rc_c, rc_d]
result["progressLines"] = [len(log_a), len(log_b), len(log_c), len(log_d)]
result["folders"] = sorted(os.listdir(a)) if os.path.isdir(a) else []
result["cases"] = [case_report(os.path.join(a, n), n) for n in ("g2-0001", "g2-0002")]
result["prone"] = case_report(os.path.join(c, "g2-0001"), "g2-0001", "HFP")
pa, pb = pixels(os.path.join(a, "g2-0002")), pixels(os.path.join(b, "g2-0002"))
result["splitIdentical"] = bool(pa) and pa == pb
with open(os.path.join(a, "g2-0002", "truth.json")) as f1, open(os.path.join(b, "g2-0002", "truth.json")) as f2:
    result["splitTruthIdentical"] = f1.read() == f2.read()
result["casesDiffer"] = pixels(os.path.join(a, "g2-0001")) != pa

result["thick"] = case_report(os.path.join(d, "g2-0001"), "g2-0001")
print(json.dumps(result))
