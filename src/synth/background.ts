/**
 * The smooth tissue of a plane (body wall, arms, breasts, table, mediastinum, heart, upper abdomen, lung
 * parenchyma with its gravity gradient, effusion and dependent density), computed on a coarse grid and
 * upsampled, with the signed lung depth per pixel that the fine structures clip against.
 */
import { bodyAxes, cavityAxes, cavityDistance, diaphragmZ, lungDepth, tubesNear, wobble } from './anatomy';
import type { Prepared } from './prepare';
import { bounds, clamp01, type SliceGrid } from './scanner';

/** A background plane: smooth tissue HU and the signed lung depth (mm) per pixel. */
export interface Background {
  readonly hu: Float32Array;
  readonly depth: Float32Array;
}

const COARSE = 4;

/** Bilinear upsampling of a field sampled every COARSE pixels (m × m samples) to n × n. */
function upsample(c: Float32Array, m: number, n: number, out: Float32Array): void {
  for (let y = 0; y < n; y++) {
    const jy = (y / COARSE) | 0;
    const fy = (y - jy * COARSE) / COARSE;
    const r0 = jy * m;
    const r1 = r0 + m;
    for (let x = 0; x < n; x++) {
      const ix = (x / COARSE) | 0;
      const fx = (x - ix * COARSE) / COARSE;
      const a = c[r0 + ix];
      const b = c[r0 + ix + 1];
      const d = c[r1 + ix];
      const e = c[r1 + ix + 1];
      out[y * n + x] = (a + (b - a) * fx) * (1 - fy) + (d + (e - d) * fx) * fy;
    }
  }
}

/** Smooth tissue at height z: body wall, arms, breasts, table, mediastinum, heart, abdomen, lung. */
export function renderBackground(
  p: Prepared,
  g: SliceGrid,
  z: number,
  alloc: () => Float32Array = () => new Float32Array(g.size * g.size),
): Background {
  const c = p.chest;
  const n = g.size;
  const px = g.spacing;
  const m = Math.ceil((n - 1) / COARSE) + 2;
  const body = bodyAxes(c, z);
  const cavity = cavityAxes(c, z);
  const tubes = tubesNear(c, z);
  const dep = c.dependent;
  // Coarse smooth fields.
  const cDepth = new Float32Array(m * m);
  const cBody = new Float32Array(m * m);
  const cCav = new Float32Array(m * m);
  const cFloor = new Float32Array(m * m);
  const cTex = new Float32Array(m * m);
  const cFine = new Float32Array(m * m);
  for (let j = 0; j < m; j++) {
    const y = g.y0 + j * COARSE * px;
    for (let i = 0; i < m; i++) {
      const x = g.x0 + i * COARSE * px;
      const k = j * m + i;
      const cav = cavityDistance(c, x, y, cavity, z);
      cCav[k] = cav;
      cBody[k] = 1 / wobble(c, x, y, z, false);
      cFloor[k] = z - diaphragmZ(c, x, y);
      cDepth[k] = cav > -12 ? lungDepth(c, x, y, z, cavity, tubes) : cav;
      const inBody = (x / (body[0] + 8)) ** 2 + (y / (body[1] + 8)) ** 2 < 1;
      cTex[k] = inBody ? p.tex.at(x, y, z) : 0;
      cFine[k] = inBody ? p.fine.at(x, y, z) : 0;
    }
  }
  const depth = alloc();
  upsample(cDepth, m, n, depth);
  const hu = alloc().fill(-1000);

  const [ba, bb] = body;
  const cb = cavity[1];
  const flat = c.flat;
  const h = c.heart;
  const blood = c.blood;
  const hzt = (z - h.c[2]) / h.r[2];
  const hmin = Math.min(h.r[0], h.r[1]);
  const spineY = c.spineY;
  const sternumY = -(cb + 7);
  const sternum = z < c.zApex - 25 && z > h.c[2] - h.r[2] * 0.6;
  const disc = ((z % 27) + 27) % 27 < 5;
  const f = p.findings;
  const eff = f.effusion;
  const effThick = eff ? eff.thick * clamp01((eff.zTop - z) / eff.span) : 0;
  // Fluid lies in the most dependent part of each pleural space: its level is measured from there.
  const deepest = [-Infinity, -Infinity];
  if (eff && effThick > 0) {
    for (let j = 0; j < m; j++) {
      const y = dep * (g.y0 + j * COARSE * px);
      for (let i = 0; i < m; i++) {
        if (cDepth[j * m + i] > 0 && y > deepest[g.x0 + i * COARSE * px < 0 ? 0 : 1]) {
          deepest[g.x0 + i * COARSE * px < 0 ? 0 : 1] = y;
        }
      }
    }
  }
  const dd = f.dependentDensity;
  const ddW = dd ? clamp01((dd.zTop - z) / 40) : 0;
  const ddLambda = dd ? dd.lambda : 1;
  const lungTex = c.lungTextureHU;
  const posteriorMuscle = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const x = g.x0 + i * px;
    posteriorMuscle[i] = 25 * Math.exp(-((x / 55) ** 2));
  }

  for (let j = 0; j < n; j++) {
    const y = g.y0 + j * px;
    const ey = y / bb;
    if (Math.abs(ey) >= 1.1 + (px + 1) / bb) continue;
    if (dep * y > flat + px) continue;
    const halfRow = ba * 1.1 * Math.sqrt(Math.max(0, 1 - Math.min(1, (ey / 1.1) ** 2))) + 2 * px + 1;
    const i0 = Math.max(0, Math.floor((-halfRow - g.x0) / px));
    const i1 = Math.min(n - 1, Math.ceil((halfRow - g.x0) / px));
    const jy = (j / COARSE) | 0;
    const fy = (j - jy * COARSE) / COARSE;
    const r0 = jy * m;
    const r1 = r0 + m;
    // Dependent fraction of the lung (0 at the non-dependent side, 1 at the dependent one).
    const tDep = clamp01(dep > 0 ? (y + cb) / (2 * cb) : (cb - y) / (2 * cb));
    const gravity = c.gravityHU * tDep * tDep;
    const ddRow = dd ? dd.amp * ddW * clamp01((tDep - 0.62) / 0.25) : 0;
    const nearSpineRow = y > spineY - 20 && y < spineY + 66;
    const nearSternumRow = sternum && Math.abs(y - sternumY) < 6.5;
    const hy = (y - h.c[1]) / h.r[1];
    for (let i = i0; i <= i1; i++) {
      const x = g.x0 + i * px;
      const k = j * n + i;
      const ix = (i / COARSE) | 0;
      const fx = (i - ix * COARSE) / COARSE;
      const k00 = r0 + ix;
      const k10 = r1 + ix;
      const w00 = (1 - fx) * (1 - fy);
      const w01 = fx * (1 - fy);
      const w10 = (1 - fx) * fy;
      const w11 = fx * fy;
      const inv = cBody[k00] * w00 + cBody[k00 + 1] * w01 + cBody[k10] * w10 + cBody[k10 + 1] * w11;
      const ex = (x / ba) * inv;
      const eyw = ey * inv;
      const skin = Math.min((1 - Math.sqrt(ex * ex + eyw * eyw)) * Math.min(ba, bb), flat - dep * y);
      if (skin < -px) continue;
      const airAlpha = clamp01(0.5 + skin / px);
      const cav = cCav[k00] * w00 + cCav[k00 + 1] * w01 + cCav[k10] * w10 + cCav[k10 + 1] * w11;
      const fine = cFine[k00] * w00 + cFine[k00 + 1] * w01 + cFine[k10] * w10 + cFine[k10 + 1] * w11;
      let v: number;
      if (cav < -px) {
        // Chest wall: skin, subcutaneous fat, muscle (thicker beside the spine).
        const pm = y > 0 ? posteriorMuscle[i] : 0;
        if (skin < 1.5) v = 25;
        else if (skin < c.fat) v = -105 + 12 * fine;
        else if (skin < c.fat + c.muscle + pm) v = 48 + 8 * fine;
        else v = 38;
      } else {
        const tex = cTex[k00] * w00 + cTex[k00 + 1] * w01 + cTex[k10] * w10 + cTex[k10 + 1] * w11;
        const floor = cFloor[k00] * w00 + cFloor[k00 + 1] * w01 + cFloor[k10] * w10 + cFloor[k10 + 1] * w11;
        // Upper abdomen under the diaphragm: liver on the right, spleen and stomach on the left.
        let abdomen = 0;
        if (floor < px) {
          abdomen = x < 15 ? 58 + 6 * tex : y > 0 ? 48 : 35;
          if (x > 30 && y < -20 && floor > -30 && (x - 60) ** 2 + (y + 45) ** 2 < 784) abdomen = -990;
        }
        let thorax = 0;
        if (floor > -px) {
          // Heart: chambers, myocardium, pericardial fat; mediastinal fat around it.
          const hx = (x - h.c[0]) / h.r[0];
          const hq = Math.sqrt(hx * hx + hy * hy + hzt * hzt);
          const hd = (hq - 1) * hmin; // mm outside the heart
          let soft: number;
          if (hd < 3) {
            const inner = hd + 0.22 * hmin; // mm outside the chambers
            const ch = blood.chambers + 5 * tex;
            const wall = blood.myocardium;
            const inHeart = clamp01(0.5 - hd / px);
            const chamber = clamp01(0.5 - inner / px);
            const heart = ch * chamber + wall * (1 - chamber);
            const around = hd < 1.5 ? -95 : -85 + 6 * fine;
            soft = heart * inHeart + around * (1 - inHeart);
          } else {
            soft = -85 + 6 * fine;
          }
          const d = depth[k];
          if (d > -px) {
            let lung = c.lungHU + gravity + lungTex * tex + 6 * fine;
            if (ddRow > 0) lung += ddRow * Math.exp(-d / ddLambda) * (0.65 + 0.35 * tex);
            if (eff && effThick > 0 && (eff.side === 0 || (x < 0 ? -1 : 1) === eff.side)) {
              const below = dep * y - (deepest[x < 0 ? 0 : 1] + 2 - effThick); // mm into the fluid
              if (below > -8) {
                const a = clamp01(0.5 + below / px);
                lung += 220 * Math.exp(Math.min(0, below) / 2.5);
                lung = lung * (1 - a) + (eff.hu + 4 * tex) * a;
              }
            }
            const a = clamp01(0.5 + d / px);
            thorax = lung * a + soft * (1 - a);
          } else {
            thorax = soft;
          }
        }
        v =
          floor >= px
            ? thorax
            : floor <= -px
              ? abdomen
              : (thorax - abdomen) * (0.5 + floor / (2 * px)) + abdomen;
        if (cav < px && cav >= -px) {
          // Partial volume with the innermost chest wall layer.
          const a = clamp01(0.5 + cav / px);
          v = v * a + 38 * (1 - a);
        }
      }
      if (nearSpineRow && Math.abs(x) < 40) v = spine(spineY, disc, x, y, v);
      if (nearSternumRow && Math.abs(x) < 15)
        v = Math.abs(x) > 12.5 || Math.abs(y - sternumY) > 4 ? 480 : 170;
      hu[k] = v * airAlpha - 1000 * (1 - airAlpha);
    }
  }
  drawBreasts(p, g, z, hu, body);
  drawArms(p, g, z, hu, body);
  drawTable(p, g, hu);
  return { hu, depth };
}

function spine(spineY: number, disc: boolean, x: number, y: number, hu: number): number {
  // Vertebral body with cortex, discs, canal and posterior elements.
  const dx = x / 21;
  const dy = (y - spineY) / 17;
  const r = Math.sqrt(dx * dx + dy * dy);
  if (r < 1) {
    if (disc) return 85;
    return r > 0.86 ? 720 : 230 + 30 * Math.sin(x * 0.9) * Math.sin(y * 0.7);
  }
  const cy = y - (spineY + 27);
  if (x * x + cy * cy < 81) return 12;
  if (Math.abs(x) < 5 && y > spineY + 36 && y < spineY + 62) return 620;
  if (Math.abs(Math.abs(x) - 14) < 4.5 && y > spineY + 14 && y < spineY + 38) return 560;
  return hu;
}

function drawBreasts(
  p: Prepared,
  g: SliceGrid,
  z: number,
  hu: Float32Array,
  body: readonly [number, number],
): void {
  const b = p.chest.breasts;
  if (!b) return;
  const tz = (z - b.c[2]) / b.r[2];
  if (Math.abs(tz) >= 1) return;
  const s = Math.sqrt(1 - tz * tz);
  const rx = b.r[0] * s;
  const ry = b.r[1] * s;
  const px = g.spacing;
  const [ba, bb] = body;
  for (const side of [-1, 1]) {
    const cx = side * Math.abs(b.c[0]);
    const cy = b.c[1];
    const box = bounds(g, cx, cy, rx + 2, ry + 2);
    if (!box) continue;
    for (let j = box[2]; j <= box[3]; j++) {
      const y = g.y0 + j * px;
      if (y > 0) continue;
      for (let i = box[0]; i <= box[1]; i++) {
        const x = g.x0 + i * px;
        const q = Math.sqrt(((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2);
        const skin = (1 - q) * Math.min(rx, ry);
        const a = clamp01(0.5 + skin / px);
        if (a <= 0) continue;
        const k = j * g.size + i;
        const gland = q < 0.8 && p.fine.at(x * 1.7, y * 1.7, z * 1.7) > 1 - 2 * b.gland;
        const v = skin < 1.5 ? 25 : gland ? b.glandHU : -100 + 10 * p.fine.at(x, y, z);
        const bodySkin = (1 - Math.sqrt((x / ba) ** 2 + (y / bb) ** 2)) * Math.min(ba, bb);
        if (hu[k] < -300) hu[k] = hu[k] * (1 - a) + v * a;
        else if (bodySkin < 2.5 && skin > 2) hu[k] = v; // the body's skin line runs inside the breast
      }
    }
  }
}

function drawArms(
  p: Prepared,
  g: SliceGrid,
  z: number,
  hu: Float32Array,
  body: readonly [number, number],
): void {
  const arm = p.chest.arms;
  if (!arm) return;
  const px = g.spacing;
  const rx = arm.r * 0.85;
  const ry = arm.r * 1.12;
  for (const side of [-1, 1]) {
    const cx = side * (body[0] + arm.gap + rx);
    const cy = arm.y;
    const hx = cx + side * arm.humerusOffset[0];
    const hy = cy + arm.humerusOffset[1];
    const i0 = Math.max(0, Math.floor((cx - rx - 2 - g.x0) / px));
    const i1 = Math.min(g.size - 1, Math.ceil((cx + rx + 2 - g.x0) / px));
    const j0 = Math.max(0, Math.floor((cy - ry - 2 - g.y0) / px));
    const j1 = Math.min(g.size - 1, Math.ceil((cy + ry + 2 - g.y0) / px));
    for (let j = j0; j <= j1; j++) {
      const y = g.y0 + j * px;
      for (let i = i0; i <= i1; i++) {
        const x = g.x0 + i * px;
        const q = Math.sqrt(((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2);
        const skin = (1 - q) * Math.min(rx, ry);
        const a = clamp01(0.5 + skin / px);
        if (a <= 0) continue;
        let v: number;
        if (skin < 1.5) v = 25;
        else if (skin < arm.fat) v = -100 + 10 * p.fine.at(x, y, z);
        else v = 52 + 8 * p.fine.at(x, y, z);
        const hd = Math.hypot(x - hx, y - hy) - arm.humerusR;
        if (hd < px) {
          const inBone = clamp01(0.5 - hd / px);
          const inMarrow = clamp01(0.5 - (hd + 2.8) / px);
          const bone = arm.cortexHU * (1 - inMarrow) + 40 * inMarrow;
          v = v * (1 - inBone) + bone * inBone;
        }
        const k = j * g.size + i;
        hu[k] = hu[k] * (1 - a) + v * a;
      }
    }
  }
}

function drawTable(p: Prepared, g: SliceGrid, hu: Float32Array): void {
  const t = p.chest.table;
  const dep = p.chest.dependent;
  const px = g.spacing;
  const gap = t.top - p.chest.flat;
  for (let i = 0; i < g.size; i++) {
    const x = g.x0 + i * px;
    const dx = x - t.x;
    const edge = t.halfWidth - Math.abs(dx);
    const rail = t.rails && Math.abs(Math.abs(dx) - t.halfWidth * 0.62) < 7;
    if (edge < -px && !rail) continue;
    const top = t.top - t.curve * dx * dx;
    const bottom = t.top + t.depth - 0.4 * t.curve * dx * dx;
    const lo = top - (t.pad > 0 ? gap : 0) - 1;
    const hi = bottom + (rail ? 18 : 0) + 1;
    // Rows whose |y| on the dependent side is within [lo, hi].
    const ya = dep > 0 ? lo : -hi;
    const yb = dep > 0 ? hi : -lo;
    const j0 = Math.max(0, Math.floor((ya - g.y0) / px));
    const j1 = Math.min(g.size - 1, Math.ceil((yb - g.y0) / px));
    for (let j = j0; j <= j1; j++) {
      const y = dep * (g.y0 + j * px);
      const k = j * g.size + i;
      if (hu[k] > -990) continue;
      let v = -1000;
      let a = 0;
      if (edge > -px && y > top - px / 2 && y < bottom + px / 2) {
        const inside = Math.min(y - top, bottom - y, edge);
        a = clamp01(0.5 + inside / px);
        v = inside < t.shell ? t.shellHU : t.coreHU;
      } else if (t.pad > 0 && edge > 0 && y < top && y > top - gap) {
        a = clamp01(0.5 + Math.min(top - y, y - (top - gap)) / px);
        v = t.padHU;
      } else if (rail && y >= bottom && y < bottom + 18) {
        a = 1;
        v = 900;
      }
      hu[k] = -1000 * (1 - a) + v * a;
    }
  }
}
