/**
 * The fine structures drawn on every thin plane over its background: tubes (vessels, airways, ribs),
 * fissures, plates (scars, atelectasis, plaques, bone), holes (emphysema), blobs (lymph nodes,
 * granulomas) and nodules, each with partial-volume edges and clipped to the lung where it belongs.
 */
import type { Mat3 } from './anatomy';
import type { ValueNoise3 } from './noise';
import { noduleSdf, type Nodule } from './nodules';
import type { PBlob, PCapsule, PHole, PNodule, PPlate, Prepared } from './prepare';
import { bounds, clamp01, type SliceGrid } from './scanner';

function drawCapsule(img: Float32Array, depthMap: Float32Array, g: SliceGrid, c: PCapsule, z: number): void {
  const r = c.rMax;
  let tLo = 0;
  let tHi = 1;
  if (Math.abs(c.abz) > 1e-6) {
    const t1 = (z - r - c.az) / c.abz;
    const t2 = (z + r - c.az) / c.abz;
    tLo = Math.max(0, Math.min(t1, t2));
    tHi = Math.min(1, Math.max(t1, t2));
    if (tLo > tHi) return;
  } else if (Math.abs(z - c.az) > r) return;
  const xa = c.ax + c.abx * tLo;
  const xb = c.ax + c.abx * tHi;
  const ya = c.ay + c.aby * tLo;
  const yb = c.ay + c.aby * tHi;
  const px = g.spacing;
  const inv = 1 / px;
  const i0 = Math.max(0, Math.floor((Math.min(xa, xb) - r - px - g.x0) * inv));
  const i1 = Math.min(g.size - 1, Math.ceil((Math.max(xa, xb) + r + px - g.x0) * inv));
  const j0 = Math.max(0, Math.floor((Math.min(ya, yb) - r - px - g.y0) * inv));
  const j1 = Math.min(g.size - 1, Math.ceil((Math.max(ya, yb) + r + px - g.y0) * inv));
  if (i0 > i1 || j0 > j1) return;
  const apz = z - c.az;
  const il = 1 / c.len2;
  for (let j = j0; j <= j1; j++) {
    const apy = g.y0 + j * px - c.ay;
    const row = j * g.size;
    for (let i = i0; i <= i1; i++) {
      const apx = g.x0 + i * px - c.ax;
      let t = (apx * c.abx + apy * c.aby + apz * c.abz) * il;
      t = t < 0 ? 0 : t > 1 ? 1 : t;
      const qx = apx - c.abx * t;
      const qy = apy - c.aby * t;
      const qz = apz - c.abz * t;
      const d = Math.sqrt(qx * qx + qy * qy + qz * qz) - (c.r + c.dr * t);
      let alpha = 0.5 - d * inv;
      if (alpha <= 0) continue;
      if (alpha > 1) alpha = 1;
      const k = row + i;
      if (c.clip) {
        // Pulmonary vessels and bronchi stay inside the lungs (and the hilum).
        const depth = depthMap[k];
        if (depth < -6) continue;
        alpha *= clamp01(0.5 + (depth + 3) * inv);
      }
      img[k] += (c.hu - img[k]) * alpha;
    }
  }
}

function drawFissures(img: Float32Array, depthMap: Float32Array, g: SliceGrid, z: number, p: Prepared): void {
  const px = g.spacing;
  const B = 8;
  const blocks = Math.ceil(g.size / B);
  for (const s of p.fissures) {
    const f = s.f;
    const nxy = Math.hypot(f.normal[0], f.normal[1]);
    const half = f.thickness / 2;
    const contrast = f.mass / f.thickness;
    // Across one pixel the distance changes by about px·|n_xy|: the pixel's coverage of the sheet.
    const w = Math.max(0.05, px * nxy);
    const reach = half + w / 2;
    const lip = (B * px * 0.75 + 1) * (nxy + 0.6);
    for (let bj = 0; bj < blocks; bj++) {
      for (let bi = 0; bi < blocks; bi++) {
        const xc = g.x0 + (bi * B + B / 2) * px;
        const yc = g.y0 + (bj * B + B / 2) * px;
        if (Math.sign(xc) !== f.side && Math.abs(xc) > B * px) continue;
        if (Math.abs(s.distance(xc, yc, z)) > reach + lip) continue;
        const jEnd = Math.min(g.size, bj * B + B);
        const iEnd = Math.min(g.size, bi * B + B);
        for (let j = bj * B; j < jEnd; j++) {
          const y = g.y0 + j * px;
          for (let i = bi * B; i < iEnd; i++) {
            const x = g.x0 + i * px;
            if ((x < 0 ? -1 : 1) !== f.side) continue;
            const k = j * g.size + i;
            const depth = depthMap[k];
            if (depth < 0.5) continue;
            const d = Math.abs(s.distance(x, y, z));
            if (d >= reach) continue;
            const cover = Math.min(1, (Math.min(d + w / 2, half) - Math.max(d - w / 2, -half)) / w);
            if (cover <= 0) continue;
            const presence = s.presence(x, y, z);
            if (presence <= 0) continue;
            const alpha = cover * presence * clamp01(depth - 0.5);
            img[k] += alpha * contrast * (1 + 0.4 * s.density.at(x, y, z));
          }
        }
      }
    }
  }
}

function drawPlate(img: Float32Array, depthMap: Float32Array, g: SliceGrid, p: PPlate, z: number): void {
  if (z < p.zLo || z > p.zHi) return;
  const b = bounds(g, p.c[0], p.c[1], p.ext[0], p.ext[1]);
  if (!b) return;
  const px = g.spacing;
  const round = p.halfT * 0.9;
  const dz = z - p.c[2];
  for (let j = b[2]; j <= b[3]; j++) {
    const dy = g.y0 + j * px - p.c[1];
    for (let i = b[0]; i <= b[1]; i++) {
      const dx = g.x0 + i * px - p.c[0];
      const qu = Math.abs(dx * p.u[0] + dy * p.u[1] + dz * p.u[2]) - (p.halfU - round);
      const qv = Math.abs(dx * p.v[0] + dy * p.v[1] + dz * p.v[2]) - (p.halfV - round);
      const qn = Math.abs(dx * p.n[0] + dy * p.n[1] + dz * p.n[2]) - (p.halfT - round);
      const out = Math.hypot(Math.max(qu, 0), Math.max(qv, 0), Math.max(qn, 0));
      const d = out + Math.min(Math.max(qu, qv, qn), 0) - round;
      let alpha = clamp01(0.5 - d / px);
      if (alpha <= 0) continue;
      const k = j * g.size + i;
      if (p.clip === 'lung') alpha *= clamp01(0.5 + (depthMap[k] - 0.3) / px);
      img[k] += (p.hu - img[k]) * alpha;
    }
  }
}

function drawHole(img: Float32Array, depthMap: Float32Array, g: SliceGrid, h: PHole, z: number): void {
  const dz = z - h.c[2];
  const rr = h.r + 1;
  if (Math.abs(dz) > rr) return;
  const e = Math.sqrt(rr * rr - dz * dz);
  const b = bounds(g, h.c[0], h.c[1], e, e);
  if (!b) return;
  const px = g.spacing;
  for (let j = b[2]; j <= b[3]; j++) {
    const dy = g.y0 + j * px - h.c[1];
    for (let i = b[0]; i <= b[1]; i++) {
      const dx = g.x0 + i * px - h.c[0];
      const d = Math.sqrt(dx * dx + dy * dy + dz * dz) - h.r;
      const k = j * g.size + i;
      const lung = clamp01(0.5 + (depthMap[k] - 0.5) / px);
      if (lung <= 0) continue;
      if (h.rim !== null) {
        const rim = clamp01(1 - Math.abs(d - 0.35) / (0.3 + px / 2)) * 0.7 * lung;
        if (rim > 0) img[k] += (h.rim - img[k]) * rim;
      }
      const alpha = clamp01(0.5 - d / px) * lung;
      if (alpha > 0) img[k] += (h.hu - img[k]) * alpha;
    }
  }
}

/** Local coordinates of (dx, dy, dz) in a frame. */
function local(rot: Mat3, dx: number, dy: number, dz: number): [number, number, number] {
  const [a, b, c] = rot;
  return [
    dx * a[0] + dy * a[1] + dz * a[2],
    dx * b[0] + dy * b[1] + dz * b[2],
    dx * c[0] + dy * c[1] + dz * c[2],
  ];
}

function drawBlob(img: Float32Array, depthMap: Float32Array, g: SliceGrid, o: PBlob, z: number): void {
  const dz = z - o.c[2];
  if (Math.abs(dz) > o.ext) return;
  const b = bounds(g, o.c[0], o.c[1], o.ext, o.ext);
  if (!b) return;
  const px = g.spacing;
  const [ax, ay, az] = o.axes;
  for (let j = b[2]; j <= b[3]; j++) {
    const dy = g.y0 + j * px - o.c[1];
    for (let i = b[0]; i <= b[1]; i++) {
      const dx = g.x0 + i * px - o.c[0];
      const [u, v, w] = local(o.rot, dx, dy, dz);
      const q = Math.sqrt((u / ax) ** 2 + (v / ay) ** 2 + (w / az) ** 2);
      const len = Math.sqrt(u * u + v * v + w * w);
      const d = q > 1e-6 ? (q - 1) * (len / q) : -ax;
      let alpha = clamp01(0.5 - d / px);
      if (alpha <= 0) continue;
      const k = j * g.size + i;
      if (o.clip === 'lung') alpha *= clamp01(0.5 + depthMap[k] / px);
      const under = img[k];
      if (o.kind === 'lymph-node' && under > 120) continue;
      const v2 = under + (o.hu - under) * alpha;
      img[k] = o.kind === 'granuloma' ? Math.max(v2, under) : v2;
    }
  }
}

function noduleHU(n: Nodule, x: number, y: number, z: number, tex: ValueNoise3): number {
  switch (n.type) {
    case 'solid':
      return n.hu + 8 * tex.at(x * 3, y * 3, z * 3);
    case 'calcified':
      return n.hu + (n.calcifiedCore === null ? 40 : 8) * tex.at(x * 2, y * 2, z * 2);
    case 'ground-glass':
    case 'part-solid':
      // Ground glass is heterogeneous: a bubbly texture around the mean density.
      return n.hu + 70 * tex.at(x * 2.5, y * 2.5, z * 2.5);
  }
}

function drawNodule(
  img: Float32Array,
  depthMap: Float32Array,
  g: SliceGrid,
  pn: PNodule,
  z: number,
  tex: ValueNoise3,
): void {
  const n = pn.n;
  const ext = pn.ext;
  if (Math.abs(z - n.center[2]) > ext) return;
  const b = bounds(g, n.center[0], n.center[1], ext, ext);
  if (!b) return;
  const px = g.spacing;
  // A hazy ground-glass margin fades over its width; every other edge over one pixel.
  const ramp = Math.max(px, n.haze ?? 0);
  const core =
    n.solidDiameter !== null ? n.solidDiameter / 2 : n.calcifiedCore !== null ? n.calcifiedCore / 2 : 0;
  for (let j = b[2]; j <= b[3]; j++) {
    const y = g.y0 + j * px;
    for (let i = b[0]; i <= b[1]; i++) {
      const x = g.x0 + i * px;
      const d = noduleSdf(n, x, y, z);
      let alpha = clamp01(0.5 - d / ramp);
      if (alpha <= 0) continue;
      const k = j * g.size + i;
      if (n.clipToLung) alpha *= clamp01(0.5 + depthMap[k] / px);
      if (alpha <= 0) continue;
      let hu = noduleHU(n, x, y, z, tex);
      if (core > 0) {
        const dc = Math.hypot(x - n.center[0], y - n.center[1], z - n.center[2]) - core;
        const ac = clamp01(0.5 - dc / px);
        hu = hu * (1 - ac) + (n.solidHU + 8 * tex.at(x * 3, y * 3, z * 3)) * ac;
      }
      // Nodules displace lung; denser structures they touch (vessels, pleura, bone) stay visible.
      const under = img[k];
      img[k] = Math.max(under * (1 - alpha) + hu * alpha, under);
    }
  }
}

/** Draw the fine structures of height z over a background. */
export function drawFine(p: Prepared, g: SliceGrid, z: number, img: Float32Array, depth: Float32Array): void {
  for (const h of p.holes.at(z)) if (z >= h.zLo && z <= h.zHi) drawHole(img, depth, g, h, z);
  drawFissures(img, depth, g, z, p);
  for (const pl of p.plates.at(z)) drawPlate(img, depth, g, pl, z);
  for (const c of p.capsules.at(z)) if (z >= c.zLo && z <= c.zHi) drawCapsule(img, depth, g, c, z);
  for (const o of p.blobs.at(z)) if (z >= o.zLo && z <= o.zHi) drawBlob(img, depth, g, o, z);
  for (const n of p.noduleIndex.at(z)) if (z >= n.zLo && z <= n.zHi) drawNodule(img, depth, g, n, z, p.fine);
}
