/**
 * The chest model's records: tubes (`Capsule`), plates, fissures, blood and contrast, arms, breasts, the
 * table, airway disease, the body outline's irregularity, and the `Chest` itself that `makeChest` builds
 * (`anatomy.ts`, which re-exports these names). Patient coordinates (DICOM LPS, mm).
 */
import type { Vec3 } from '../dicom/geometry';

export type CapsuleKind =
  | 'vessel'
  | 'bronchus-wall'
  | 'bronchus-lumen'
  | 'rib-cortex'
  | 'rib-marrow'
  | 'great-vessel'
  | 'airway-wall'
  | 'airway-lumen'
  | 'bone';

/** A tube segment (capsule) whose radius changes linearly from `r` at `a` to `rb` at `b`. */
export interface Capsule {
  readonly a: Vec3;
  readonly b: Vec3;
  readonly r: number;
  readonly rb: number;
  readonly hu: number;
  readonly kind: CapsuleKind;
  /** Only drawn where the lung (or the hilum next to it) is: pulmonary vessels and bronchi. */
  readonly clipToThorax: boolean;
}

/** A thin rounded plate (box) with centre, unit axes u, v (in its plane) and n (its normal). */
export interface Plate {
  readonly c: Vec3;
  readonly u: Vec3;
  readonly v: Vec3;
  readonly n: Vec3;
  readonly halfU: number;
  readonly halfV: number;
  readonly halfT: number;
  readonly hu: number;
  /** Drawn only inside the lung (scars, atelectasis) or everywhere (bone). */
  readonly clip: 'lung' | 'none';
}

export interface Fissure {
  readonly kind: 'oblique' | 'horizontal';
  /** Which lung it belongs to: -1 right (x < 0), +1 left. */
  readonly side: -1 | 1;
  /** A point on the mean plane and its unit normal. */
  readonly point: Vec3;
  readonly normal: Vec3;
  /** Low-frequency displacement of the plane along its normal: amplitude and lattice (mm). */
  readonly amp: number;
  readonly cell: number;
  readonly seed: number;
  /** Visible thickness (mm), and the excess density it carries (HU × mm: two thin pleural layers), so a
   * fissure crossed at right angles is a faint line and one lying in the slice a faint haze. */
  readonly thickness: number;
  readonly mass: number;
  /** Incompleteness: the fissure is missing where a smooth noise in [-1, 1] falls below this. */
  readonly gap: number;
}

/** Blood and contrast: HU of the pulmonary arteries and veins, aorta, heart chambers, myocardium, SVC. */
export interface Blood {
  readonly contrast: boolean;
  readonly artery: number;
  readonly vein: number;
  readonly aorta: number;
  readonly chambers: number;
  readonly myocardium: number;
  readonly svc: number;
}

export interface Arms {
  /** Arm radius (mm), gap to the chest wall, centre y, fat thickness, humerus radius and offset. */
  readonly r: number;
  readonly gap: number;
  readonly y: number;
  readonly fat: number;
  readonly humerusR: number;
  readonly humerusOffset: readonly [number, number];
  readonly cortexHU: number;
}

export interface Breasts {
  /** Centre of the right breast (the left one mirrors x) and its semi-axes. */
  readonly c: Vec3;
  readonly r: Vec3;
  /** Fraction of fibroglandular tissue and its HU. */
  readonly gland: number;
  readonly glandHU: number;
}

/** The patient couch: a curved shell with foam or air inside, maybe a pad, under the dependent side. */
export interface Table {
  readonly x: number;
  /** |y| of the top surface at the centre (patient coordinates, on the dependent side). */
  readonly top: number;
  readonly curve: number;
  readonly depth: number;
  readonly halfWidth: number;
  readonly shell: number;
  readonly shellHU: number;
  readonly coreHU: number;
  readonly pad: number;
  readonly padHU: number;
  readonly rails: boolean;
}

export interface Airways {
  /** Wall thickness factor (1 = normal; > 1.5 thickened), mucus-filled subtrees, bronchiectasis. */
  readonly wallFactor: number;
  readonly mucus: boolean;
  readonly bronchiectasis: boolean;
}

export interface ChestOptions {
  /** A clean clinical chest: no arms down, no airway disease, no contrast (the demo set, tests). */
  readonly clean?: boolean;
  readonly prone?: boolean;
  readonly sex?: 'M' | 'F';
}

export interface Chest {
  /** Half width and half depth of the body at mid-chest (mm). */
  readonly bodyA: number;
  readonly bodyB: number;
  readonly fat: number;
  readonly muscle: number;
  readonly zApex: number;
  readonly zDomeRight: number;
  readonly zDomeLeft: number;
  readonly recessDepth: number;
  readonly spineY: number;
  readonly heart: { c: Vec3; r: Vec3 };
  readonly mediastinumHalfWidth: number;
  readonly capsules: readonly Capsule[];
  readonly plates: readonly Plate[];
  readonly fissures: readonly Fissure[];
  /** Lung density gradient: HU added at the most dependent point. */
  readonly gravityHU: number;
  readonly lungHU: number;
  readonly lungTextureHU: number;
  readonly textureSeed: number;
  readonly zMin: number;
  readonly zMax: number;
  /** Great vessels, airway and oesophagus: the mediastinum is the fat envelope around them. */
  readonly tubes: readonly Capsule[];
  /** Cavity semi-axes at the height of the diaphragm domes (used for the dome shape). */
  readonly domeAxes: readonly [number, number];
  /** +1 supine (the back is dependent and on the table), -1 prone. */
  readonly dependent: 1 | -1;
  /** The body outline is flattened where it lies on the table: |y| of that flat. */
  readonly flat: number;
  readonly blood: Blood;
  readonly arms: Arms | null;
  readonly breasts: Breasts | null;
  readonly table: Table;
  readonly airways: Airways;
  readonly carina: Vec3;
  readonly outline: Outline;
}

/** Irregularity of the body outline and of the inner chest wall (fractions of their radii). */
export interface Outline {
  readonly seed: number;
  readonly body: number;
  readonly cavity: number;
}
