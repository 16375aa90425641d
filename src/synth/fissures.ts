/** The lung fissures as curved, incomplete surfaces: distance, presence and normal at any point. */
import { normalize, type Vec3 } from '../dicom/geometry';
import type { Chest, Fissure } from './chestTypes';
import { ValueNoise3 } from './noise';

/** A fissure's curved surface, with the noise fields that bend it, thin it out and vary its density. */
export class FissureSurface {
  private readonly bend: ValueNoise3;
  private readonly holes: ValueNoise3;
  readonly density: ValueNoise3;
  /** The horizontal fissure exists only in front of (above) the right oblique fissure. */
  bound: FissureSurface | null = null;

  constructor(readonly f: Fissure) {
    this.bend = new ValueNoise3(f.seed, f.cell);
    this.holes = new ValueNoise3(f.seed ^ 0x3c6ef372, 45);
    this.density = new ValueNoise3(f.seed ^ 0x1f83d9ab, 18);
  }

  /** Signed distance-like value (mm) from the curved fissure surface. */
  distance(x: number, y: number, z: number): number {
    const f = this.f;
    const n = f.normal;
    const d = (x - f.point[0]) * n[0] + (y - f.point[1]) * n[1] + (z - f.point[2]) * n[2];
    return d + f.amp * this.bend.at(x, y, z);
  }

  /** How present the fissure is here (0 missing … 1 complete), fading at the edges of its gaps. */
  presence(x: number, y: number, z: number): number {
    let p = 1;
    if (this.bound) {
      const b = this.bound.distance(x, y, z) / 2;
      if (b <= 0) return 0;
      if (b < 1) p = b;
    }
    if (this.f.gap <= -1) return p;
    const t = (this.holes.at(x, y, z) - this.f.gap) / 0.15;
    return t <= 0 ? 0 : t >= 1 ? p : t * p;
  }

  /** Unit normal of the curved surface (numerical gradient). */
  normalAt(x: number, y: number, z: number): Vec3 {
    const e = 0.5;
    return normalize([
      this.distance(x + e, y, z) - this.distance(x - e, y, z),
      this.distance(x, y + e, z) - this.distance(x, y - e, z),
      this.distance(x, y, z + e) - this.distance(x, y, z - e),
    ]);
  }
}

/** The chest's fissure surfaces, the horizontal one bounded by the right oblique one. */
export function fissureSurfaces(c: Pick<Chest, 'fissures'>): FissureSurface[] {
  const s = c.fissures.map((f) => new FissureSurface(f));
  const rightOblique = s.find((x) => x.f.kind === 'oblique' && x.f.side === -1) ?? null;
  for (const x of s) if (x.f.kind === 'horizontal') x.bound = rightOblique;
  return s;
}
