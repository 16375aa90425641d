/**
 * A chest made ready to render: every capsule, plate, hole, blob and nodule with its z extent, bucketed by
 * z (`ZIndex`) so that a plane visits only the items that reach it, plus the fissure surfaces and the two
 * texture noises. Built once per case by `prepare`.
 */
import {
  fissureSurfaces,
  type Capsule,
  type CapsuleKind,
  type Chest,
  type FissureSurface,
  type Plate,
} from './anatomy';
import { NO_FINDINGS, type Blob, type Findings, type Hole } from './findings';
import { ValueNoise3 } from './noise';
import { noduleExtent, type Nodule } from './nodules';
import type { Vec3 } from '../dicom/geometry';

/** Items bucketed by z so that a plane visits only those that reach it. */
export class ZIndex<T extends { zLo: number; zHi: number }> {
  private readonly bins: T[][] = [];
  private readonly z0: number;
  private static readonly BIN = 4;

  constructor(items: readonly T[]) {
    this.z0 = items.reduce((m, t) => Math.min(m, t.zLo), Infinity);
    for (const t of items) {
      const lo = Math.floor((t.zLo - this.z0) / ZIndex.BIN);
      const hi = Math.floor((t.zHi - this.z0) / ZIndex.BIN);
      for (let b = lo; b <= hi; b++) {
        while (this.bins.length <= b) this.bins.push([]);
        this.bins[b].push(t);
      }
    }
  }

  at(z: number): readonly T[] {
    const b = Math.floor((z - this.z0) / ZIndex.BIN);
    return b >= 0 && b < this.bins.length ? this.bins[b] : [];
  }
}

export interface PCapsule {
  readonly ax: number;
  readonly ay: number;
  readonly az: number;
  readonly abx: number;
  readonly aby: number;
  readonly abz: number;
  readonly len2: number;
  readonly r: number;
  readonly dr: number;
  readonly rMax: number;
  readonly hu: number;
  readonly kind: CapsuleKind;
  readonly clip: boolean;
  readonly zLo: number;
  readonly zHi: number;
}

export interface PPlate extends Plate {
  readonly ext: Vec3;
  readonly zLo: number;
  readonly zHi: number;
}

export interface PHole extends Hole {
  readonly zLo: number;
  readonly zHi: number;
}

export interface PBlob extends Blob {
  readonly ext: number;
  readonly zLo: number;
  readonly zHi: number;
}

export interface PNodule {
  readonly n: Nodule;
  readonly ext: number;
  readonly zLo: number;
  readonly zHi: number;
}

export interface Prepared {
  readonly chest: Chest;
  readonly nodules: readonly Nodule[];
  readonly findings: Findings;
  readonly capsules: ZIndex<PCapsule>;
  readonly plates: ZIndex<PPlate>;
  readonly holes: ZIndex<PHole>;
  readonly blobs: ZIndex<PBlob>;
  readonly noduleIndex: ZIndex<PNodule>;
  readonly fissures: readonly FissureSurface[];
  readonly tex: ValueNoise3;
  readonly fine: ValueNoise3;
}

function prepCapsule(c: Capsule): PCapsule {
  const rMax = Math.max(c.r, c.rb);
  return {
    ax: c.a[0],
    ay: c.a[1],
    az: c.a[2],
    abx: c.b[0] - c.a[0],
    aby: c.b[1] - c.a[1],
    abz: c.b[2] - c.a[2],
    len2: (c.b[0] - c.a[0]) ** 2 + (c.b[1] - c.a[1]) ** 2 + (c.b[2] - c.a[2]) ** 2 || 1e-9,
    r: c.r,
    dr: c.rb - c.r,
    rMax,
    hu: c.hu,
    kind: c.kind,
    clip: c.clipToThorax,
    zLo: Math.min(c.a[2], c.b[2]) - rMax - 0.5,
    zHi: Math.max(c.a[2], c.b[2]) + rMax + 0.5,
  };
}

function prepPlate(p: Plate): PPlate {
  const ext: Vec3 = [0, 1, 2].map(
    (k) => Math.abs(p.u[k]) * p.halfU + Math.abs(p.v[k]) * p.halfV + Math.abs(p.n[k]) * p.halfT + 1,
  ) as unknown as Vec3;
  return { ...p, ext, zLo: p.c[2] - ext[2], zHi: p.c[2] + ext[2] };
}

export function prepare(
  chest: Chest,
  nodules: readonly Nodule[],
  findings: Findings = NO_FINDINGS,
): Prepared {
  return {
    chest,
    nodules,
    findings,
    capsules: new ZIndex(chest.capsules.map(prepCapsule)),
    plates: new ZIndex([...chest.plates, ...findings.plates].map(prepPlate)),
    holes: new ZIndex(findings.holes.map((h) => ({ ...h, zLo: h.c[2] - h.r - 1, zHi: h.c[2] + h.r + 1 }))),
    blobs: new ZIndex(
      findings.blobs.map((b) => {
        const ext = Math.max(...b.axes) + 1;
        return { ...b, ext, zLo: b.c[2] - ext, zHi: b.c[2] + ext };
      }),
    ),
    noduleIndex: new ZIndex(
      nodules.map((n) => {
        const ext = noduleExtent(n);
        return { n, ext, zLo: n.center[2] - ext, zHi: n.center[2] + ext };
      }),
    ),
    fissures: fissureSurfaces(chest),
    tex: new ValueNoise3(chest.textureSeed, 7),
    fine: new ValueNoise3(chest.textureSeed ^ 0x5bd1e995, 2.2),
  };
}
