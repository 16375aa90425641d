#!/usr/bin/python3
"""lucent-gen3: a synthetic chest-CT generator (DICOM series + lucent.truth/1 truth.json per case).

usage: generate.py --out DIR --cases N --seed S [--first I] [--prefix g3-] [--small]
Case k depends only on (seed, k).
"""
import argparse
import copy
import json
import math
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402

from anatomy import sample_case, lung_sd  # noqa: E402
from dicomio import make_series_meta, uid, write_slice  # noqa: E402
from lesions import confuser_blobs, make_nodule  # noqa: E402
from render import Geometry, synthesize  # noqa: E402
from scanner import Scanner  # noqa: E402
from structures import LAB, add_confusers, add_metal, build  # noqa: E402

GENERATOR = 'lucent-gen3/1'
POSITIONS = {'HFS': (1, 1), 'HFP': (-1, -1), 'FFS': (-1, 1), 'FFP': (1, -1)}
KERNEL_NAMES = {'soft': ['SOFT', 'B20f', 'STND-S', 'FC08'], 'standard': ['STANDARD', 'B31f', 'FC18', 'KS40'],
                'lung': ['LUNG', 'B60f', 'FC52', 'KL70'], 'sharp': ['BONEPLUS', 'B70f', 'FC86', 'KL80']}


LOCATIONS = ['intraparenchymal', 'juxtavascular', 'juxtapleural', 'perifissural']


def texture_fn(c, g):
    """Smooth parenchymal density variation: a few 3D cosines, separable per plane (one small matmul)."""
    terms = c['tex']
    xs = g.x[0].astype(np.float64)
    ys = g.y[:, 0].astype(np.float64)

    def tex(z):
        cols, rows = [], []
        for k, ph, a in terms:
            arg = k[0] * xs + k[2] * z + ph
            rows.append(6.0 * a * np.cos(k[1] * ys))
            cols.append(np.cos(arg))
            rows.append(-6.0 * a * np.sin(k[1] * ys))
            cols.append(np.sin(arg))
        return (np.stack(rows, axis=1) @ np.stack(cols, axis=0)).astype(np.float32)
    return tex


def generate_case(k, seed, out_dir, prefix, small, force_position=None, force_thickness=None, force_location=None):
    t0 = time.time()
    rng = np.random.default_rng([int(seed), int(k)])
    c = sample_case(rng, small)
    c['breast_gland'] = rng.uniform(10, 40)
    c['cart_calc'] = rng.uniform(0.5, 3) if rng.random() < 0.35 else 0
    c['cardiac_motion'] = rng.uniform(1.5, 4.0) if rng.random() < 0.2 else 0
    pos_name = str(rng.choice(['HFS', 'HFP', 'FFS', 'FFP'], p=[0.55, 0.15, 0.15, 0.15]))
    if force_position:
        pos_name = force_position
    sx, sy = POSITIONS[pos_name]
    N = 256 if small else 512
    H = c['H']
    zmin = -rng.uniform(10, 25)
    zmax = H + rng.uniform(10, 25)
    if small:
        T = rng.uniform(2.0, 3.0)
        spacing = T * rng.uniform(0.7, 1.0)
        cap = 100
    else:
        T = float(rng.choice([0.625, 1.0, 1.25, 1.5, 2.0, 2.5, 3.0]))
        spacing = T * float(rng.choice([1.0, 1.0, 0.8, 0.5]))
        cap = 114
    if (zmax - zmin) / spacing + 1 > cap:
        spacing = (zmax - zmin) / (cap - 1)
        T = max(T, spacing)
        if T > 3.0:
            T = 3.0
            spacing = min(spacing, 3.0)
            extra_z = (zmax - zmin) - spacing * (cap - 1)
            zmin += 0.5 * extra_z
            zmax -= 0.5 * extra_z
    if force_thickness:  # testing: same draws, thicker slices at the same overlap
        spacing, T = spacing / T * force_thickness, force_thickness
    T = round(T, 3)
    spacing = round(spacing, 4)
    nsl = int(math.floor((zmax - zmin) / spacing)) + 1
    zs = zmin + spacing * np.arange(nsl)
    # field of view
    width = 2 * c['A'] + (2 * (10 + 2 * c['arm_r'][0]) if c['arms_down'] else 0)
    if rng.random() < 0.12:
        fov = float(np.clip(2 * c['Ac'] + 50, 250, 480))
    else:
        fov = float(np.clip(width + rng.uniform(15, 70), 250, 480))
    pix = round(fov / N, 6)
    mattress = c['mattress']
    v_table = c['B'] * rng.uniform(0.94, 0.98) + mattress
    cu = rng.uniform(-12, 12)
    cv = rng.uniform(5, 30)
    g = Geometry(N, pix, cu, cv, sx, sy, v_table)
    off = np.array([rng.uniform(-20, 20), rng.uniform(-40, 40), rng.uniform(-450, 150)])
    # structures
    tubes, vsegs, ribs = build(rng, c, small, zmin, zmax)
    p, r, lab = tubes.arrays()
    vmask = (lab == LAB['pa']) | (lab == LAB['pv'])
    vsamp = (p[vmask], r[vmask])
    vin = lung_sd(c, vsamp[0][:, 0], vsamp[0][:, 1], vsamp[0][:, 2]) < -3
    vsamp = (vsamp[0][vin], vsamp[1][vin])
    # nodules
    nn = 0 if rng.random() < 0.2 else int(rng.integers(1, 7))
    nodules, truth, placed = [], [], []
    for _ in range(nn):
        ntype = str(rng.choice(['solid', 'part-solid', 'ground-glass', 'calcified'], p=[0.5, 0.15, 0.2, 0.15]))
        loc = str(rng.choice(LOCATIONS, p=[0.45, 0.2, 0.25, 0.1]))
        if force_location:
            loc = force_location  # drawn anyway: what was drawn before the nodules (body, scanner) stays
        d = 3.0 * 10 ** rng.uniform(0, 1) if loc != 'perifissural' else rng.uniform(3.5, 10)
        if ntype == 'part-solid':
            d = max(d, rng.uniform(6, 14))
        made = make_nodule(rng, c, ntype, loc, d, vsamp, placed)
        if made is None:
            continue
        b, t = made
        # nodule centres must lie inside the scanned range with a margin
        if not (zs[0] + 3 < b.c[2] < zs[-1] - 3):
            continue
        nodules.append(b)
        placed.append((b.c, b.extent()))
        t['center'] = [round(float(v), 2) for v in (b.c + off)]
        truth.append(t)
    info = add_confusers(rng, c, tubes, ribs, vsamp, placed)
    cb, cinfo = confuser_blobs(rng, c, placed)
    info += cinfo + add_metal(rng, c, tubes)
    p, r, lab = tubes.arrays()
    blobs = nodules + cb
    # breathing step near the diaphragm in some cases
    breath = None
    if rng.random() < 0.15:
        breath = (c['domeR'] + rng.uniform(-20, 30), rng.uniform(3, 9) * rng.choice([-1, 1]))
        info.append('breathing')
    if c['cardiac_motion']:
        info.append('cardiac-motion')

    def cslice(z):
        if breath is None or z > breath[0]:
            return c
        cc = copy.copy(c)
        cc['domeL'] = c['domeL'] + breath[1]
        cc['domeR'] = c['domeR'] + breath[1]
        return cc

    lab_hu = {'emph': -1000.0, 'pa': c['hu_pa'], 'pv': c['hu_pv'], 'soft': c['hu_mus'] - 5, 'ao': c['hu_ao'],
              'svc': c['hu_svc'], 'aw': 25.0, 'al': -1000.0, 'mucus': 25.0, 'cart': c['hu_cart'],
              'bc': c['hu_cort'], 'bm': c['hu_marrow'], 'calc': rng.uniform(350, 900), 'metal': 3500.0}
    tex = texture_fn(c, g)
    extra = dict(table_th=rng.uniform(40, 60), hu_shell=rng.uniform(150, 450), hu_core=rng.uniform(-950, -750),
                 hu_mattress=rng.uniform(-850, -600), label_hu=lab_hu, cslice=cslice,
                 texture=tex)
    scan = Scanner(rng, c, g, spacing, T)
    # storage
    sr = rng.random()
    if sr < 0.4:
        store = dict(signed=False, intercept=-1024, bits=int(rng.choice([12, 16])), padding=None, pad_hu=-1024)
    elif sr < 0.8:
        bits = int(rng.choice([12, 16]))
        pad = float(rng.choice([-2048, -3024, -2000, -1024])) if bits == 16 else -2048.0
        store = dict(signed=True, intercept=0, bits=bits, padding=None, pad_hu=pad)
    else:
        pad = float(rng.choice([-3024, -2000, -2048]))
        store = dict(signed=True, intercept=-1000, bits=16, padding=None, pad_hu=pad)
    if store['pad_hu'] < -1024 and rng.random() < 0.6:
        store['padding'] = int(store['pad_hu'] - store['intercept'])
    if store['signed']:
        lo_s, hi_s = -(1 << (store['bits'] - 1)), (1 << (store['bits'] - 1)) - 1
    else:
        lo_s, hi_s = 0, (1 << store['bits']) - 1
    store['N'] = N
    store['kernel_name'] = str(rng.choice(KERNEL_NAMES[scan.kind]))
    store['position'] = pos_name
    store['series_no'] = int(rng.integers(2, 9))
    store['table_height'] = float(rng.uniform(120, 200))
    hf = pos_name.startswith('HF')
    order = np.argsort(-zs if hf else zs, kind='stable')
    inst = np.empty(nsl, dtype=int)
    inst[order] = np.arange(1, nsl + 1)
    store['instance'] = [int(v) for v in inst]
    case_no = k + 1
    meta = make_series_meta(rng, case_no, c, scan)
    meta['sops'] = [uid(rng) for _ in range(nsl)]
    names = set()
    while len(names) < nsl:
        names.add(rng.bytes(8).hex())
    names = sorted(names)
    perm = rng.permutation(nsl)
    names = [names[i] for i in perm]
    folder = os.path.join(out_dir, f'{prefix}{case_no:04d}')
    os.makedirs(folder, exist_ok=True)
    for old in os.listdir(folder):  # a rerun replaces an earlier case of the same name
        if old == 'truth.json' or (len(old) == 16 and all(ch in '0123456789abcdef' for ch in old)):
            os.remove(os.path.join(folder, old))
    iop = [sx, 0, 0, 0, sy, 0]
    circle = scan.r2 > (N / 2 * pix) ** 2
    u0 = g.u[0]
    v0 = g.v[0]

    def finish(i, img, lungf, body):
        hu = scan.apply(img, body, extra.get('metal'))
        hu = np.maximum(hu, -1024.0)
        hu[circle] = store['pad_hu']
        st = np.rint(hu - store['intercept'])
        st = np.clip(st, lo_s, hi_s)
        pos = [sx * u0 + off[0], sy * v0 + off[1], float(zs[i]) + off[2]]
        write_slice(os.path.join(folder, names[i]), meta, case_no, i, nsl, pos, iop, pix, T, spacing,
                    st, store, c, scan)

    synthesize(c, g, zs, T, (p, r, lab), blobs, extra, finish)
    tj = {'schema': 'lucent.truth/1', 'generator': GENERATOR,
          'nodules': [{'centerMm': t['center'], 'diameterMm': t['diameter'], 'type': t['type'],
                       'solidComponentMm': t['solid'], 'location': t['location']} for t in truth]}
    with open(os.path.join(folder, 'truth.json'), 'w') as f:
        json.dump(tj, f, indent=1)
        f.write('\n')
    dt = time.time() - t0
    size = sum(os.path.getsize(os.path.join(folder, n)) for n in os.listdir(folder)) / 1e6
    sys.stderr.write(f'gen3 {prefix}{case_no:04d}: {nsl} slices {N}x{N} pix {pix:.3f} T {T:g} sp {spacing:g} '
                     f'{pos_name} {scan.kind} sigma {scan.sigma:.0f} contrast {c["contrast"]} '
                     f'nodules {len(truth)} extras [{",".join(info)}] {size:.1f} MB {dt:.1f}s\n')
    sys.stderr.flush()


def main(argv=None):
    ap = argparse.ArgumentParser(description='lucent-gen3 synthetic chest CT generator')
    ap.add_argument('--out', required=True)
    ap.add_argument('--cases', type=int, required=True)
    ap.add_argument('--seed', type=int, required=True)
    ap.add_argument('--first', type=int, default=0)
    ap.add_argument('--prefix', default='g3-')
    ap.add_argument('--small', action='store_true')
    ap.add_argument('--position', choices=sorted(POSITIONS), help=argparse.SUPPRESS)
    ap.add_argument('--thickness', type=float, default=None, help='force the slice thickness in mm (testing)')
    ap.add_argument('--location', choices=LOCATIONS, default=None,
                    help='give every nodule this location (measurement: e.g. a set of juxtapleural nodules only)')
    a = ap.parse_args(argv)
    os.makedirs(a.out, exist_ok=True)
    for k in range(a.first, a.first + a.cases):
        generate_case(k, a.seed, a.out, a.prefix, a.small, a.position, a.thickness, a.location)


if __name__ == '__main__':
    main()
