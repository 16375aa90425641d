"""One synthetic case: draws the patient and the scan from (seed, index), builds the anatomy, grows the
trees, places lesions, renders the clean slices and applies the scanner model."""
import math
import time
from types import SimpleNamespace

import numpy as np
import torch

from .anatomy import Anatomy
from .geom import FastSampler, Grid3
from .render import Renderer
from .lesions import COUNT_P, Placer, confusers
from .scanner import KERNEL_NAMES, Scanner
from .trees import Capsules, build_trees
from .tubes import TubeRenderer

THICKNESSES = np.array([0.625, 1.0, 1.25, 1.5, 2.0, 2.5, 3.0, 5.0])
THICK_P = np.array([0.06, 0.17, 0.18, 0.13, 0.14, 0.16, 0.08, 0.08])
MAGIC = 0x4C43_4732  # "LCG2"


def case_rng(seed, index):
    return np.random.default_rng([int(seed) & 0xFFFFFFFF, int(index), MAGIC])


def plan(seed, index, small=False, position=None, max_slices=None, thickness=None):
    """All per-case random choices that are not anatomy: position, contrast, scan geometry, kernel, dose."""
    rng = case_rng(seed, index)
    p = SimpleNamespace()
    p.rng = rng
    p.seed, p.index = int(seed), int(index)
    p.sex = "F" if rng.random() < 0.48 else "M"
    p.arms_down = rng.random() < 0.2
    u = rng.random()
    p.position = "HFP" if u < 0.08 else ("FFS" if u < 0.18 else "HFS")
    u_flip = rng.random()
    if position:
        p.position = position
    p.prone = p.position == "HFP"
    p.ffs_flip = p.position == "FFS" and u_flip < 0.5
    u = rng.random()
    p.contrast = "none" if u < 0.5 else ("arterial" if u < 0.75 else "venous")
    p.small = small
    p.n = 256 if small else 512
    p.targeted = (not small) and rng.random() < 0.1
    p.thickness = float(rng.choice(THICKNESSES, p=THICK_P))
    p.overlap = rng.random() < 0.35
    p.spacing = p.thickness * (float(rng.choice([0.5, 0.6, 0.75, 0.8])) if p.overlap else 1.0)
    p.forced_thickness = bool(thickness)
    if thickness:  # forced (testing): keep the overlap drawn above and every later draw
        p.spacing, p.thickness = p.spacing / p.thickness * float(thickness), float(thickness)
    p.plateau = float(rng.uniform(0.0, 0.6))
    u = rng.random()
    p.kernel = "soft" if u < 0.25 else ("standard" if u < 0.6 else "sharp")
    p.kernel_sigma = {"soft": rng.uniform(0.55, 0.9), "standard": rng.uniform(0.32, 0.5), "sharp": rng.uniform(0.18, 0.3)}[p.kernel]
    p.sharp_amount = rng.uniform(0.4, 1.0) if p.kernel == "sharp" else 0.0
    p.sharp_radius = rng.uniform(1.0, 3.0)
    p.kvp = int(rng.choice([100, 120, 120, 120, 140]))
    p.dose = float(np.exp(rng.normal(0, 0.55)))
    p.offset = rng.uniform(-20, 20)
    p.gain = rng.uniform(-0.04, 0.04)
    p.bits_stored = 12 if rng.random() < 0.7 else 16
    p.window = "lung" if rng.random() < 0.5 else "mediastinal"
    p.shuffle_names = rng.random() < 0.1
    p.max_slices = max_slices
    return p


class Geo(SimpleNamespace):
    pass


def geometry(p, anat, rng):
    """Field of view, pixel grid and slice positions."""
    n = p.n
    xc, yc = rng.uniform(-15, 15), rng.uniform(-40, 40)
    bx, by = xc + rng.uniform(-40, 40), yc + rng.uniform(-40, 40)
    z_apex = rng.uniform(-120, 180)
    anat.set_position(z_apex, bx, by)
    half = anat.A * float(np.max(anat.wprof))
    if anat.arm is not None:
        half += anat.arm["gap"] + 2 * anat.arm["ru"]
    if p.targeted:
        fov = rng.uniform(250, 330)
        xc, yc = bx + rng.uniform(-10, 10), by + rng.uniform(-15, 15)
    else:
        fov = 2 * (half + abs(bx - xc) + rng.uniform(8, 40))
        fov = float(np.clip(fov, 0.5 * 512, 0.98 * 512))
    s = round(fov / n, 4)
    g = Geo()
    g.n, g.s = n, s
    g.x0 = xc - (n - 1) / 2 * s
    g.y0 = yc - (n - 1) / 2 * s
    g.z_top = anat.z_apex + rng.uniform(8, 30)
    g.z_bot = anat.z_base - rng.uniform(6, 30)
    T, D = p.thickness, p.spacing
    cov = g.z_top - g.z_bot
    cap = p.max_slices or int(60e6 // (n * n * 2 + 2000))
    if p.small and not p.forced_thickness:
        T = min(max(T, 2.0), 3.0)
        D = max(D, T * 0.8)
        cap = min(cap, 110)
    if cov / D + 1 > cap:
        D = math.ceil(cov / (cap - 1) * 20) / 20
        if T < D:
            T = float(THICKNESSES[np.searchsorted(THICKNESSES, D - 1e-9)]) if D <= THICKNESSES[-1] else D
    g.thickness, g.spacing = float(T), float(D)
    n_s = int(math.floor(cov / D)) + 1
    g.z_out = g.z_bot + D * np.arange(n_s)
    g.plateau = p.plateau
    h_t = min(T / 3.0, 1.0)
    m = max(1, math.ceil(D / h_t - 1e-9))
    g.h = D / m
    q = T - p.plateau * T / 2
    pad = math.ceil(q / g.h) + 1
    g.z_sub = g.z_out[0] - pad * g.h + g.h * np.arange((n_s - 1) * m + 2 * pad + 1)
    g.mc = max(1, int(round(2.0 / g.h)))
    return g


def lung_points(anat, rng, target):
    cg = anat.grid
    m = (anat.lung_sdf < -1.5).numpy()
    k, j, i = np.nonzero(m)
    vox = cg.dx * cg.dy * cg.dz
    volume = len(k) * vox
    take = min(len(k), target)
    sel = rng.choice(len(k), take, replace=False)
    pts = np.stack(
        [cg.x0 + (i[sel] + rng.uniform(-0.5, 0.5, take)) * cg.dx, cg.y0 + (j[sel] + rng.uniform(-0.5, 0.5, take)) * cg.dy, cg.z0 + (k[sel] + rng.uniform(-0.5, 0.5, take)) * cg.dz],
        axis=1,
    )
    return anat.to_body(pts), take / max(volume, 1.0), volume


def build_case(seed, index, small=False, position=None, max_slices=None, stages=None, clean_only=False, thickness=None, extra_subsolid=0, extra_small=0):
    torch.set_num_threads(1)
    t0 = time.time()
    times = {}
    p = plan(seed, index, small, position, max_slices, thickness)
    rng = p.rng
    anat = Anatomy(np.random.default_rng(rng.integers(0, 2**63 - 1)), p.sex, p.arms_down, p.prone, p.contrast, small)
    g = geometry(p, anat, rng)
    anat.draw_fissures()
    # coarse grid: the body's bounding box at 2x the pixel spacing (aligned with even pixels), mc sub-slices in z
    xmin, xmax, ymin, ymax = anat.body_bounds()
    i0 = max(0, int(math.floor((xmin - g.x0) / g.s)))
    i1 = min(g.n - 1, int(math.ceil((xmax - g.x0) / g.s)))
    j0 = max(0, int(math.floor((ymin - g.y0) / g.s)))
    j1 = min(g.n - 1, int(math.ceil((ymax - g.y0) / g.s)))
    i0, j0 = i0 - i0 % 2, j0 - j0 % 2
    nxc, nyc = (i1 - i0) // 2 + 2, (j1 - j0) // 2 + 2
    g.box = (j0, min(g.n, j0 + 2 * (nyc - 1)), i0, min(g.n, i0 + 2 * (nxc - 1)))
    nzc = int(math.ceil((len(g.z_sub) - 1) / g.mc)) + 1
    cg = Grid3(g.x0 + i0 * g.s, g.y0 + j0 * g.s, g.z_sub[0], 2 * g.s, 2 * g.s, g.mc * g.h, nxc, nyc, nzc)
    anat.build(cg)
    times["anatomy"] = time.time() - t0
    caps = Capsules()
    anat.skeleton(caps)
    anat.devices(caps, np.random.default_rng(rng.integers(0, 2**63 - 1)))
    anat.paint_devices()
    body_caps_n = len(caps.rows)
    sample_sdf = FastSampler(cg, anat.lung_sdf, anat)

    pts, density, volume = lung_points(anat, np.random.default_rng(rng.integers(0, 2**63 - 1)), 24000 if small else 70000)
    lobes = anat.lobe_of(pts)
    tcaps, tinfo = build_trees(np.random.default_rng(rng.integers(0, 2**63 - 1)), anat, sample_sdf, pts, lobes, density, small)
    times["trees"] = time.time() - t0 - times["anatomy"]
    arr_t = tcaps.array()
    if len(arr_t):
        arr_t[:, 0:3] = anat.to_patient(arr_t[:, 0:3])
        arr_t[:, 3:6] = anat.to_patient(arr_t[:, 3:6])
    sigma = max(0.42 * g.s, 0.38 * g.h)
    # lesions: nodules (truth) and confusers
    lrng = np.random.default_rng(rng.integers(0, 2**63 - 1))
    psampler = FastSampler(cg, anat.lung_sdf, anat, patient=True)
    placer = Placer(lrng, anat, psampler, tinfo, pts, sigma, small)
    ccaps = Capsules()
    objs, kinds = confusers(lrng, anat, placer, tinfo, ccaps)
    n_nod = int(lrng.choice(len(COUNT_P), p=COUNT_P))
    nodules = []
    for _ in range(n_nod):
        nd = placer.nodule()
        if nd is not None:
            nodules.append(nd)
    # Training data may ask for `extra_subsolid` more sub-solid nodules a case (ground glass or part-solid,
    # 3 : 2), placed after the others (which stay as they were), from a stream of their own.
    if extra_subsolid:
        xrng = np.random.default_rng([int(seed) & 0xFFFFFFFF, int(index), MAGIC, 2])
        placer.rng = xrng
        for _ in range(extra_subsolid):
            nd = placer.nodule("ground-glass" if xrng.random() < 0.6 else "part-solid")
            if nd is not None:
                nodules.append(nd)
        placer.rng = lrng
    # ... and `extra_small` more small solid nodules (3-6 mm), after those, from a stream of their own.
    if extra_small:
        xrng = np.random.default_rng([int(seed) & 0xFFFFFFFF, int(index), MAGIC, 3])
        placer.rng = xrng
        for _ in range(extra_small):
            nd = placer.nodule("solid", diameter=xrng.uniform(3, 6))
            if nd is not None:
                nodules.append(nd)
        placer.rng = lrng
    allcaps = np.concatenate([caps.array(), arr_t, ccaps.array()], axis=0)
    times["lesions"] = time.time() - t0 - times["anatomy"] - times["trees"]
    hrng = np.random.default_rng(rng.integers(0, 2**63 - 1))
    hu = hu_table(anat, hrng)
    if hu["atel"] > 0:
        from .geom import lowres_noise, upsample

        hu["atel_patch"] = torch.clamp(0.6 + 0.6 * upsample(lowres_noise(hrng, (24, 24), 1.5), (g.n, g.n)), 0, 1)
    tr = TubeRenderer(allcaps, sigma=sigma)
    rend = Renderer(anat, g, tr, objs + nodules, hu)
    vol = rend.run()
    t1 = time.time()
    times["render"] = t1 - t0 - sum(times.values())
    info = dict(p=p, g=g, anat=anat, times=times, ncaps=len(allcaps), lung_volume=volume, tinfo=tinfo, confusers=kinds, nodules=nodules, n_drawn=n_nod)
    info["truth"] = [truth_entry(nd) for nd in nodules]
    if clean_only:
        return vol, info
    srng = np.random.default_rng(rng.integers(0, 2**63 - 1))
    sc = Scanner(p, g, anat, srng)
    info["kernel_name"] = str(srng.choice(KERNEL_NAMES[p.kernel]))
    info["noise_sigma"] = sc.sigma
    vol = sc.run(vol)
    times["scanner"] = time.time() - t1
    return vol, info


def truth_entry(nd):
    t = nd.truth
    r2 = lambda v: round(float(v), 2)  # noqa: E731
    return {
        "centerMm": [r2(v) for v in t["center"]],
        "diameterMm": r2(t["diameter"]),
        "type": nd.kind,
        "solidComponentMm": r2(t["solid"]) if nd.kind == "part-solid" else None,
        "margin": nd.margin,
        "location": nd.location,
    }


def hu_table(anat, rng):
    hb = anat.hu_blood
    ph = anat.contrast
    hu = dict(
        fissure=rng.uniform(-20, 30),
        emph=rng.uniform(-1000, -960),
        awall=rng.uniform(0, 50),
        air=anat.hu_air,
        art=hb["pa"],
        vein=hb["la"] if ph != "none" else hb["la"] + rng.uniform(-5, 5),
        soft=rng.uniform(10, 45),
        metal=getattr(anat, "lead_hu", 3000.0),
        cart=anat.hu_cart,
        cortex=anat.hu_cortex,
        marrow=anat.hu_cancel,
        atel=0.0,
    )
    if rng.random() < 0.3:
        hu["atel"] = rng.uniform(80, 350)
        hu["atel_w"] = rng.uniform(2.0, 5.0)
    return hu
