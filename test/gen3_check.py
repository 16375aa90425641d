#!/usr/bin/python3
"""Checker for the third training generator (models/training/gen3).

usage: gen3_check.py ROOT TMP
Generates small cases (one forced prone), reads them back with pydicom only through their DICOM geometry,
and prints JSON measurements that test/unit/gen3.test.ts asserts.
"""
import hashlib
import json
import math
import os
import subprocess
import sys

import numpy as np
import pydicom

ROOT, TMP = sys.argv[1], sys.argv[2]
GEN = os.path.join(ROOT, 'models/training/gen3/generate.py')
SEED = 11
TYPES = {'solid', 'part-solid', 'ground-glass', 'calcified'}
LOCS = {'intraparenchymal', 'juxtavascular', 'juxtapleural', 'perifissural'}
IOPS = {'HFS': [1, 0, 0, 0, 1, 0], 'HFP': [-1, 0, 0, 0, -1, 0], 'FFS': [-1, 0, 0, 0, 1, 0], 'FFP': [1, 0, 0, 0, -1, 0]}


def run(args):
    p = subprocess.run(['/usr/bin/python3', GEN] + args, capture_output=True, text=True)
    lines = [ln for ln in p.stderr.splitlines() if ln.startswith('gen3 ')]
    return p.returncode, len(lines)


def digest(folder):
    h = {}
    for name in sorted(os.listdir(folder)):
        with open(os.path.join(folder, name), 'rb') as f:
            h[name] = hashlib.sha256(f.read()).hexdigest()
    return h


def load(folder):
    files = [f for f in os.listdir(folder) if f != 'truth.json']
    dss = [pydicom.dcmread(os.path.join(folder, f)) for f in files]
    return dss


def header_problems(dss):
    probs = []
    first = dss[0]
    for key in ('StudyInstanceUID', 'SeriesInstanceUID', 'FrameOfReferenceUID'):
        vals = {str(getattr(d, key, '')) for d in dss}
        if len(vals) != 1 or not next(iter(vals)).startswith('2.25.'):
            probs.append(f'{key} not one 2.25 UID')
    sops = {str(d.SOPInstanceUID) for d in dss}
    if len(sops) != len(dss):
        probs.append('SOPInstanceUID not unique')
    if len({int(d.InstanceNumber) for d in dss}) != len(dss):
        probs.append('InstanceNumber not unique')
    for d in dss[:3] + dss[-2:]:
        if str(d.SOPClassUID) != '1.2.840.10008.5.1.4.1.1.2' or d.Modality != 'CT':
            probs.append('not CT Image Storage')
        ts = str(d.file_meta.TransferSyntaxUID)
        if ts not in ('1.2.840.10008.1.2', '1.2.840.10008.1.2.1'):
            probs.append(f'transfer syntax {ts}')
        if str(d.file_meta.MediaStorageSOPInstanceUID) != str(d.SOPInstanceUID):
            probs.append('file meta SOP mismatch')
        for tag in ('SliceThickness', 'PixelSpacing', 'ImagePositionPatient', 'ImageOrientationPatient', 'KVP',
                    'ConvolutionKernel', 'Manufacturer', 'RescaleSlope', 'RescaleIntercept', 'PatientPosition'):
            if tag not in d:
                probs.append(f'missing {tag}')
        if int(d.BitsStored) not in (12, 16) or int(d.BitsAllocated) != 16:
            probs.append('bits')
        if float(d.RescaleIntercept) not in (-1024.0, 0.0, -1000.0):
            probs.append('intercept')
        if float(d.RescaleIntercept) == -1024.0 and int(d.PixelRepresentation) != 0:
            probs.append('intercept -1024 with signed pixels')
        if [round(float(v)) for v in d.ImageOrientationPatient] != IOPS.get(str(d.PatientPosition)):
            probs.append('orientation does not match PatientPosition')
        if 'Synthetic' not in str(d.PatientName):
            probs.append('patient name not synthetic')
    if float(first.SliceThickness) > 3.0 + 1e-6 or float(first.SliceThickness) < 0.5:
        probs.append('slice thickness out of range')
    return sorted(set(probs))


def truth_problems(t):
    probs = []
    if set(t) - {'schema', 'generator', 'nodules'} or t.get('schema') != 'lucent.truth/1':
        probs.append('schema/keys')
    if t.get('generator') != 'lucent-gen3/1':
        probs.append('generator')
    nods = t.get('nodules')
    if not isinstance(nods, list):
        return probs + ['nodules not a list']
    for n in nods:
        if set(n) != {'centerMm', 'diameterMm', 'type', 'solidComponentMm', 'location'}:
            probs.append('nodule keys')
        c = n.get('centerMm')
        if not (isinstance(c, list) and len(c) == 3 and all(isinstance(v, (int, float)) for v in c)):
            probs.append('centerMm')
        d = n.get('diameterMm')
        if not (isinstance(d, (int, float)) and 3 <= d <= 30):
            probs.append('diameterMm')
        if n.get('type') not in TYPES:
            probs.append('type')
        if n.get('location') not in LOCS:
            probs.append('location')
        s = n.get('solidComponentMm')
        if n.get('type') == 'part-solid':
            if not (isinstance(s, (int, float)) and 0 < s < d):
                probs.append('solidComponentMm')
        elif s is not None:
            probs.append('solidComponentMm not null')
    for i in range(len(nods)):
        for j in range(i + 1, len(nods)):
            a, b = np.array(nods[i]['centerMm']), np.array(nods[j]['centerMm'])
            if np.linalg.norm(a - b) < 0.5 * (nods[i]['diameterMm'] + nods[j]['diameterMm']):
                probs.append('overlapping nodules')
    return probs


def measure(folder):
    dss = load(folder)
    first = dss[0]
    iop = np.array([float(v) for v in first.ImageOrientationPatient])
    rdir, cdir = iop[:3], iop[3:]
    nrm = np.cross(rdir, cdir)
    dss.sort(key=lambda d: float(np.dot(nrm, [float(v) for v in d.ImagePositionPatient])))
    ipps = np.array([[float(v) for v in d.ImagePositionPatient] for d in dss])
    sp = [float(v) for v in first.PixelSpacing]  # row spacing, column spacing
    vol = np.stack([d.pixel_array.astype(np.float32) * float(d.RescaleSlope) + float(d.RescaleIntercept) for d in dss])
    nz, nr, nc = vol.shape
    svals = ipps @ nrm
    T = float(first.SliceThickness)
    with open(os.path.join(folder, 'truth.json')) as f:
        truth = json.load(f)
    # voxel centre positions (patient) as separable pieces
    rr = np.arange(nr)[:, None]
    cc = np.arange(nc)[None, :]
    out = []
    for n in truth['nodules']:
        ctr = np.array(n['centerMm'], dtype=float)
        R = n['diameterMm'] / 2
        k = int(np.argmin(np.abs(svals - ctr @ nrm)))
        rel = ctr - ipps[k]
        col = rel @ rdir / sp[1]
        row = rel @ cdir / sp[0]
        inv = 0 <= col < nc and 0 <= row < nr and abs(svals[k] - ctr @ nrm) <= abs(svals[1] - svals[0])
        rec = dict(type=n['type'], location=n['location'], diameter=n['diameterMm'], inVolume=bool(inv), ok=False)
        if not inv:
            out.append(rec)
            continue
        half, shell_in, shell_out = 0.5 * R, R + 3.0, R + 8.0
        box = int(math.ceil(shell_out / min(sp))) + 1
        ks = [q for q in range(nz) if abs(svals[q] - ctr @ nrm) <= shell_out]
        r0, r1 = max(0, int(row) - box), min(nr, int(row) + box + 2)
        c0, c1 = max(0, int(col) - box), min(nc, int(col) + box + 2)
        inner, shell = [], []
        for q in ks:
            P = ipps[q][None, None, :] + (rr[r0:r1, :, None] * sp[0]) * cdir + (cc[:, c0:c1, None] * sp[1]) * rdir
            dist = np.linalg.norm(P - ctr, axis=2)
            sl = vol[q, r0:r1, c0:c1]
            inner.append(sl[dist <= half])
            shell.append(sl[(dist >= shell_in) & (dist <= shell_out)])
        inner = np.concatenate(inner)
        if inner.size == 0:  # smaller than the voxel grid: the nearest voxel
            inner = np.array([vol[k, int(round(row)), int(round(col))]])
        shell = np.concatenate(shell)
        mean = float(inner.mean())
        lungf = float((shell < -500).mean()) if shell.size else 0.0
        lung_ref = float(np.median(shell[shell < -500])) if (shell < -500).any() else -850.0
        dense = mean - lung_ref >= 80
        big = n['diameterMm'] >= 2.5 * T and n['diameterMm'] >= 3 * max(sp)
        t = n['type']
        if t == 'solid':
            typed = mean >= -150
        elif t == 'part-solid':
            typed = mean >= -600
        elif t == 'ground-glass':
            typed = -800 <= mean <= -250
        else:
            typed = mean >= 150
        need_lung = 0.5 if n['location'] == 'intraparenchymal' else 0.2
        rec.update(mean=round(mean, 1), lungRef=round(lung_ref, 1), lungFraction=round(lungf, 3), dense=bool(dense),
                   typeMatch=bool(typed), checkedType=bool(big), slice=k, row=round(float(row), 2), col=round(float(col), 2))
        rec['ok'] = bool(dense and (typed or not big) and lungf >= need_lung)
        out.append(rec)
    # orientation: the vertebral column lies posterior (patient +y) of the body centre on the midline
    mid = vol[nz // 2]
    bone = mid > 500
    ii, jj = np.nonzero(bone)
    jc = int(round(jj.mean()))
    band = bone[:, max(0, jc - nc // 12): jc + nc // 12 + 1]
    spine_row = float(np.nonzero(band)[0].mean())
    colv = mid[:, jc]
    run, best, start, bs = 0, 0, 0, 0
    for i, m in enumerate(colv > -500):
        run = run + 1 if m else 0
        if run == 1:
            start = i
        if run > best:
            best, bs = run, start
    body_row = bs + best / 2
    y_of = lambda r: float((ipps[nz // 2] + r * sp[0] * cdir + jc * sp[1] * rdir)[1])
    spine_post = y_of(spine_row) > y_of(body_row)
    raw_back_up = spine_row < body_row
    size = sum(os.path.getsize(os.path.join(folder, f)) for f in os.listdir(folder)) / 1e6
    return dict(name=os.path.basename(folder), shape=list(vol.shape), truthProblems=truth_problems(truth),
                headerProblems=header_problems(dss), position=str(first.PatientPosition), nodules=out,
                spinePosterior=bool(spine_post), rawBackUp=bool(raw_back_up), sizeMB=round(size, 2),
                thickness=T, pixel=sp[0])


def main():
    a_dir, b_dir, p_dir = (os.path.join(TMP, s) for s in ('a', 'b', 'p'))
    codes, lines = [], []
    for args in (['--out', a_dir, '--cases', '2', '--seed', str(SEED), '--small'],
                 ['--out', b_dir, '--cases', '1', '--seed', str(SEED), '--small', '--first', '1'],
                 ['--out', b_dir, '--cases', '1', '--seed', str(SEED), '--small', '--first', '0']):
        c, n = run(args)
        codes.append(c)
        lines.append(n)
    c, _ = run(['--out', p_dir, '--cases', '1', '--seed', str(SEED + 1), '--small', '--position', 'HFP', '--prefix', 'p-'])
    codes.append(c)
    t_dir = os.path.join(TMP, 't')
    c, _ = run(['--out', t_dir, '--cases', '1', '--seed', str(SEED), '--small', '--thickness', '5'])
    codes.append(c)
    j_dir = os.path.join(TMP, 'j')
    c, _ = run(['--out', j_dir, '--cases', '1', '--seed', str(SEED), '--small', '--location', 'juxtapleural'])
    codes.append(c)
    folders = sorted(os.listdir(a_dir))
    split_same = sorted(os.listdir(b_dir)) == folders and all(
        digest(os.path.join(a_dir, f)) == digest(os.path.join(b_dir, f)) for f in folders)
    truth_same = all(open(os.path.join(a_dir, f, 'truth.json')).read() == open(os.path.join(b_dir, f, 'truth.json')).read()
                     for f in folders)
    differ = digest(os.path.join(a_dir, folders[0])) != digest(os.path.join(a_dir, folders[1]))
    cases = [measure(os.path.join(a_dir, f)) for f in folders]
    prone = measure(os.path.join(p_dir, sorted(os.listdir(p_dir))[0]))
    thick = measure(os.path.join(t_dir, 'g3-0001'))
    juxta = measure(os.path.join(j_dir, 'g3-0001'))
    print(json.dumps(dict(exitCodes=codes, progressLines=lines, folders=folders, cases=cases, prone=prone, thick=thick, juxta=juxta,
                          splitIdentical=bool(split_same), splitTruthIdentical=bool(truth_same),
                          casesDiffer=bool(differ)), indent=1))


if __name__ == '__main__':
    main()
