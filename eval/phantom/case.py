"""One case: draw patient and scanner, build the attenuation model, image it slice by slice."""
import time

import numpy as np

from anatomy import Patient
from imaging import Scanner, Imager
from nodules import draw_specs, Nodule, voxelize, LOBES
from placement import Placer
from planes import Table, PlaneRenderer
from render import Grid, Prims, Raster, rasterize, rasterize_filter, Expanded
from structures import Builder, COMPOSITE
from util import stream, SSP, unit

N = 512
KCH = 32


class Case:
    def __init__(self, seed, idx, quick=False, log=None):
        self.seed, self.idx, self.quick = seed, idx, quick
        self.t0 = time.time()
        self.timing = {}
        S = lambda name: stream(seed, idx, name)
        sc = Scanner(S("scanner"), quick)
        self.sc = sc
        pt = Patient(S("patient"), gs=sc.gs, arms_up=True if sc.gs < 0 else None)
        self.pt = pt
        table = Table(S("table"))
        pt.place_on_table(table.V_surface - table.mattress)
        # ---- z range and slices
        m0, m1 = sc.margins
        z_lo, z_hi = pt.zb - m0, pt.za + m1
        if quick:
            rq = S("quick")
            c = rq.uniform(pt.zb + 70, pt.za - 70)
            z_lo, z_hi = c - 75, c + 75
        s = sc.spacing
        n = int(np.floor((z_hi - z_lo) / s)) + 1
        if n > 400:
            s = float(np.ceil((z_hi - z_lo) / 399 / 0.05) * 0.05)
            sc.spacing = s
            n = int(np.floor((z_hi - z_lo) / s)) + 1
        zs = z_lo + s * np.arange(n)
        self.zs = zs
        # nominal profiles (used for placement); respiratory motion is applied after the nodules
        self.ssp = SSP(zs, sc.T)
        # ---- anatomy primitives
        t = time.time()
        prims = Prims()
        self.prims = prims
        bld = Builder(pt, prims, S("anatomy"))
        bld.build(z_hi, z_lo)
        bld.lung_trees(S("vessels"))
        self.distractors = bld.distractors(S("distractors"))
        self.bld = bld
        self.timing["anatomy"] = time.time() - t
        # ---- pixel grid
        D = sc.fov(pt)
        px = D / N
        if sc.targeted:
            xr, yr = pt.xc, pt.yc
        else:
            yb0 = pt.gs * pt.V_top - pt.gs * pt.down_ext  # body centre-ish
            xr, yr = pt.xc, 0.5 * (pt.yc + yb0)
        xr += sc.offset[0] * (0.3 if sc.targeted else 1)
        yr += sc.offset[1] * (0.3 if sc.targeted else 1)
        x0 = xr - sc.sx * px * (N - 1) / 2
        y0 = yr - sc.cy * px * (N - 1) / 2
        self.grid = Grid(N, px, x0, y0, sc.sx, sc.cy)
        self.timing["setup"] = time.time() - self.t0
        # ---- nodules
        t = time.time()
        specs = draw_specs(S("nodules"))
        placer = Placer(pt, bld, S("placement"), zlim=(z_lo, z_hi))
        rn = S("nodule-shapes")
        self.nodules = []
        for sp in specs:
            nod = Nodule(sp, rn)
            if placer.place(nod):
                self.nodules.append(nod)
        self.timing["nodules"] = time.time() - t
        # ---- respiratory motion (a basal slab blurred in z, or shifted where there is no nodule)
        if sc.resp is not None:
            kind, amp, sh = sc.resp
            zc = pt.zb + pt.H * 0.25
            w = np.clip((zc - zs) / 40 + 0.5, 0, 1)
            if kind == "blur":
                self.ssp = SSP(zs, sc.T, extra_blur=w * amp)
            else:
                for nod in self.nodules:
                    w[np.abs(zs - nod.c[2]) < nod.extent() + sc.T + 3] = 0
                self.ssp = SSP(zs, sc.T, shift=w * sh * np.sign(S("resp").normal()))
        # ---- rasterise
        t = time.time()
        prims.finalize()
        hb = float(self.ssp.hb.max()) + 2 + self.ssp.smax
        rasterize_filter(prims, zs[0] - hb, zs[-1] + hb)
        raster = rasterize(prims, self.grid)
        self._fissures(raster, S("fissures"))
        self.raster = raster.finish()
        self.timing["raster"] = time.time() - t
        t = time.time()
        self.nod_vox = []
        keep = []
        for nod in self.nodules:
            v = voxelize(nod, self.grid, self.ssp, sc.T)
            # the truth lists nodules measuring 3-30 mm; smaller ones are not rendered at all
            if v is not None and v["truth"]["diam"] >= 3.0:
                keep.append(nod)
                self.nod_vox.append(v)
        self.nodules = keep
        self.timing["voxelize"] = time.time() - t
        # ---- planes
        self.planes = PlaneRenderer(pt, self.grid, table, sc.cy, sc.sx, S("planes"))
        self.table = table
        dzb = min(1.0, max(sc.T / 3, s))
        hbm = float(self.ssp.hb.max()) + self.ssp.smax
        zp = np.arange(zs[0] - hbm - dzb, zs[-1] + hbm + dzb, dzb)
        self.zp, self.dzb = zp, dzb
        # ---- noise level
        P, lf, th, _ = self.planes.render(pt.zb + 0.45 * pt.H)
        body = P > -500
        area = ((P[body] + 1000) / 1000).sum() * px * px
        self.Dw = float(2 * np.sqrt(area / np.pi))
        sigma0 = 15.0 * np.sqrt(8.0 / sc.ctdi) * np.sqrt(2.0 / sc.T) * np.exp(0.0095 * (self.Dw - 280))
        self.imager = Imager(sc, self.grid, self.ssp, seed, idx, sigma0, self.Dw, pt)
        self.imager.set_table(self.planes.table_only, pt.hu["air"])
        self.sigma = self.imager.sigma
        # cardiac motion params
        self.card = None
        if sc.cardiac:
            self.card = (pt.h_c, pt.h_ext, sc.cardiac_shift, sc.cardiac_a)

    # ------------------------------------------------------------------ fissures
    def _fissures(self, raster, rng):
        pt, grid = self.pt, self.grid
        px = grid.px
        gi = self.prims.gid("fissure")
        j0, j1 = (int(v) for v in grid.col_range(pt.xc - pt.a_c0 * 1.15, pt.xc + pt.a_c0 * 1.15))
        i0, i1 = (int(v) for v in grid.row_range(pt.yc - pt.b_c0 * 1.3, pt.yc + pt.b_c0 * 1.3))
        X = grid.xc[j0:j1][None, :] + 0 * grid.yr[i0:i1][:, None]
        Y = grid.yr[i0:i1][:, None] + 0 * grid.xc[j0:j1][None, :]
        II, JJ = np.meshgrid(np.arange(i0, i1), np.arange(j0, j1), indexing="ij")
        self.fissure_info = {}
        for key, side in (("OR", 1), ("OL", 2), ("H", 1)):
            Z = pt.fissure_z(key, X, Y)
            gy, gx = np.gradient(Z, grid.sy * px, grid.sx * px)
            g = np.hypot(gx, gy)
            ok = pt.fissure_present(key, X, Y) & (g < 6)
            if key == "H":
                ok &= Z > pt.fissure_z("OR", X, Y)
            ok &= (Z > self.zs[0] - 5) & (Z < self.zs[-1] + 5)
            idx = np.nonzero(ok)
            if not len(idx[0]):
                continue
            pts = np.stack([X[idx], Y[idx], Z[idx]], 1)
            lab = pt.lung_label(pts, env=False)
            keep = lab == side
            ii, jj = II[idx][keep], JJ[idx][keep]
            z = Z[idx][keep]
            gg = g[idx][keep]
            h = rng.uniform(0.5, 1.0)
            hv = h * np.sqrt(1 + gg ** 2)
            halves = [np.maximum(hv / 2 + d * gg * px, 0) for d in (-0.3, 0.3)]
            mean_len = sum(2 * hh for hh in halves) / 2
            w = (hv / np.maximum(mean_len, 1e-6) / 2).astype(np.float32)
            zl = np.stack([z - hh for hh in halves], 1).astype(np.float32)
            zh = np.stack([z + hh for hh in halves], 1).astype(np.float32)
            raster.add(ii.astype(np.int32), jj.astype(np.int32), np.full(len(ii), gi, np.int16), w, zl, zh)
            self.fissure_info[key] = {"thicknessMm": round(h, 2), "pixels": int(len(ii))}

    # ------------------------------------------------------------------ object
    def object_chunk(self, klo, khi, texture=True):
        pt, grid, ssp = self.pt, self.grid, self.ssp
        K = khi - klo
        P = np.zeros((K, N, N), np.float32)
        lung = np.zeros((K, N, N), np.float32)
        thor = np.zeros((K, N, N), np.float32)
        eff = None
        pl = self.planes
        r0, r1, c0, c1 = pl.r0, pl.r1, pl.c0, pl.c1
        W = np.zeros((K, len(self.zp)), np.float32)
        for k in range(K):
            W[k] = ssp.weights(klo + k, self.zp, self.dzb)
            W[k] /= max(W[k].sum(), 1e-9)
        for m in np.nonzero(W.max(0) > 1e-6)[0]:
            plane, lf, th, ef = pl.render(self.zp[m])
            for k in np.nonzero(W[:, m] > 1e-6)[0]:
                w = W[k, m]
                P[k] += w * plane
                lung[k, r0:r1, c0:c1] += w * lf
                thor[k, r0:r1, c0:c1] += w * th
                if ef is not None:
                    if eff is None:
                        eff = np.zeros((K, N, N), np.float32)
                    eff[k, r0:r1, c0:c1] += w * ef
        tex = np.stack([self.imager.texture_field(k) for k in range(klo, khi)])
        Xf = tex.reshape(-1)
        a_bone = np.float32(self.imager.tex_amp[2] if texture else 0.0)
        ex = Expanded(self.raster, ssp, klo, khi)
        Pf, Lf, Tf = P.reshape(-1), lung.reshape(-1), thor.reshape(-1)
        hu = pt.hu
        groups = self.prims.groups
        for grp, key, mask, node in COMPOSITE:
            parts = []
            if grp in groups:
                parts.append(ex.sparse(groups.index(grp), "sum"))
            if node and node in groups:
                parts.append(ex.sparse(groups.index(node), "max"))
            parts = [p for p in parts if p is not None]
            if not parts:
                continue
            if len(parts) == 1:
                idx, f = parts[0]
            else:
                (ia, fa_), (ib, fb_) = parts
                if isinstance(ia, slice) or isinstance(ib, slice):
                    ra = np.arange(ia.start, ia.stop) if isinstance(ia, slice) else ia
                    rb = np.arange(ib.start, ib.stop) if isinstance(ib, slice) else ib
                    lo, hi = int(min(ra[0], rb[0])), int(max(ra[-1], rb[-1])) + 1
                    f = np.zeros(hi - lo, np.float32)
                    f[ra - lo] = fa_
                    f[rb - lo] = np.maximum(f[rb - lo], fb_)
                    idx = slice(lo, hi)
                else:
                    idx = np.union1d(ia, ib)
                    f = np.zeros(len(idx), np.float32)
                    f[np.searchsorted(idx, ia)] = fa_
                    pos = np.searchsorted(idx, ib)
                    f[pos] = np.maximum(f[pos], fb_)
            val = hu[key] + a_bone * Xf[idx] if grp == "marrow" else hu[key]
            if isinstance(idx, slice):
                if mask == "lung":
                    f = f * Lf[idx]
                elif mask == "thorax":
                    f = f * Tf[idx]
                pv = Pf[idx]
                pv += f * (val - pv)
                if grp == "medfat":
                    Lf[idx] *= (1 - f)
                continue
            if mask == "lung":
                f = f * Lf[idx]
            elif mask == "thorax":
                f = f * Tf[idx]
            pv = Pf[idx]
            Pf[idx] = pv + f * (val - pv)
            if grp == "medfat":
                Lf[idx] *= (1 - f)
        if eff is not None:
            eff *= lung
            P += eff * (hu["effusion"] - P)
        # nodules
        for nod, vx in zip(self.nodules, self.nod_vox):
            if vx is None or vx["K"] <= 0:
                continue
            ka, kb = max(vx["k0"], klo), min(vx["k0"] + vx["K"], khi)
            if ka >= kb:
                continue
            i0, j0, H, Wd = vx["i0"], vx["j0"], vx["H"], vx["W"]
            for key in ("ggo", "solid", "calc"):
                if key not in vx["comps"]:
                    continue
                f = vx["comps"][key][ka - vx["k0"]:kb - vx["k0"]]
                h = nod.hu[key]
                reg = P[ka - klo:kb - klo, i0:i0 + H, j0:j0 + Wd]
                reg += f * np.maximum(h - reg, 0)
        if self.card is not None:
            self._cardiac(P, klo)
        if texture:
            for k in range(P.shape[0]):
                self.imager.texture(P[k], tex[k])
        return P

    def _cardiac(self, P, klo):
        hc, ext, shift, amp = self.card
        grid = self.grid
        px = grid.px
        for k in range(P.shape[0]):
            z = self.ssp.zobj[klo + k]
            u = (z - hc[2]) / ext[2]
            if abs(u) >= 0.95:
                continue
            half = ext[0] * np.sqrt(1 - u * u)
            xe = hc[0] + 0.9 * half
            j0, j1 = (int(v) for v in grid.col_range(xe - 25, xe + 25))
            i0, i1 = (int(v) for v in grid.row_range(hc[1] - ext[1], hc[1] + ext[1]))
            if j1 - j0 < 4 or i1 - i0 < 4:
                continue
            d = int(round(shift / px))
            reg = P[k, i0:i1, j0:j1]
            sh = np.roll(P[k, i0:i1, :], d * grid.sx, axis=1)[:, j0:j1]
            xx = grid.xc[j0:j1][None, :]
            w = amp * np.exp(-((xx - xe) / 12.0) ** 2) * np.sqrt(1 - u * u)
            reg += w * (sh - reg)

    # ------------------------------------------------------------------ truth
    def truth(self):
        out = []
        for nod, vx in zip(self.nodules, self.nod_vox):
            if vx is None:
                continue
            tr = vx["truth"]
            c = tr["center"]
            d = {
                "centerMm": [round(float(v), 2) for v in c],
                "diameterMm": round(float(tr["diam"]), 2),
                "type": nod.type,
                "solidComponentMm": round(float(tr["core"]), 2) if nod.type == "part-solid" and "core" in tr else None,
                "location": nod.loc,
                "shape": nod.shape,
                "longAxisMm": round(float(tr["long"]), 2),
                "shortAxisMm": round(float(tr["short"]), 2),
                "volumeMm3": round(float(tr["volume"]), 1),
                "nominalDiameterMm": round(float(nod.D), 2),
                "hu": {k: round(float(v), 1) for k, v in nod.hu.items()},
                "lobe": LOBES.get(int(self.pt.lobe(c[None])[0]), None),
                "zRangeMm": [round(float(tr["zrange"][0]), 2), round(float(tr["zrange"][1]), 2)],
            }
            if nod.type == "calcified":
                d["calcification"] = nod.calc
            if nod.loc == "juxtapleural":
                d["pleura"] = nod.surface
            if nod.loc == "juxtavascular":
                d["site"] = nod.site
            if nod.loc == "perifissural":
                d["fissure"] = {"OR": "right oblique", "OL": "left oblique", "H": "horizontal"}[nod.fissure]
            out.append(d)
        return out
