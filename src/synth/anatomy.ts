/**
 * A procedural chest: body wall (skin, fat, muscle), thoracic cavity, two lungs above a domed diaphragm,
 * mediastinum with heart, aorta, pulmonary trunk, SVC, trachea and bronchi, curving and tapering 3D
 * vessel and airway trees, spine, ribs, sternum, clavicles and scapulae, and what lies around the body:
 * arms (when down at the sides), breasts, the patient table. Everything is in patient coordinates
 * (DICOM LPS, mm): x to the patient's left, y posterior, z superior. The model is continuous;
 * `render.ts` samples it on any scanner's grid. Prone patients keep the same anatomy; only what gravity
 * and the table act on (the dependent side) changes.
 *
 * This file builds the chest (`makeChest`); its records are in `chestTypes.ts`, the shape queries (body
 * and cavity outline, lung depth, diaphragm…) in `chestShape.ts`, the fissure surfaces in `fissures.ts`,
 * all re-exported here.
 */
import { cross, normalize, type Vec3 } from '../dicom/geometry';
import type {
  Airways,
  Arms,
  Blood,
  Breasts,
  Capsule,
  CapsuleKind,
  Chest,
  ChestOptions,
  Fissure,
  Outline,
  Plate,
  Table,
} from './chestTypes';
import { cavityAxes, lungDepth, wobble, type Frame } from './chestShape';
import { fissureSurfaces } from './fissures';
import { frameAround, perpendiculars, randomRotation, type Mat3 } from './geom';
import { growTrees } from './vessels';
import type { Rng } from './rng';

export type {
  Airways,
  Arms,
  Blood,
  Breasts,
  Capsule,
  CapsuleKind,
  Chest,
  ChestOptions,
  Fissure,
  Outline,
  Plate,
  Table,
} from './chestTypes';
export {
  bodyAxes,
  capsuleDistance,
  cavityAxes,
  cavityDistance,
  diaphragmZ,
  inMediastinum,
  lungDepth,
  lungNormal,
  randomLungPoint,
  segmentDistance,
  tubesNear,
  wobble,
} from './chestShape';
export { FissureSurface, fissureSurfaces } from './fissures';
export { frameAround, perpendiculars, randomRotation, type Mat3 };

const v = (x: number, y: number, z: number): Vec3 => [x, y, z];

function sampleBlood(rng: Rng, clean: boolean): Blood {
  const blood = rng.uniform(30, 55);
  if (clean || !rng.chance(0.25)) {
    return {
      contrast: false,
      artery: blood,
      vein: blood + rng.normal(0, 2),
      aorta: blood + rng.normal(0, 3),
      chambers: blood,
      myocardium: blood + rng.uniform(0, 14),
      svc: blood,
    };
  }
  const artery = rng.uniform(150, 350);
  const vein = blood + (artery - blood) * rng.uniform(0.15, 0.65);
  const aorta = blood + (artery - blood) * rng.uniform(0.3, 1.1);
  return {
    contrast: true,
    artery,
    vein,
    aorta,
    chambers: (artery + aorta) / 2,
    myocardium: rng.uniform(70, 130),
    svc: rng.chance(0.4) ? rng.uniform(400, 1400) : rng.uniform(artery * 0.5, artery),
  };
}

/** Build a chest from a random stream. */
export function makeChest(rng: Rng, options: ChestOptions = {}): Chest {
  const clean = options.clean === true;
  const dependent: 1 | -1 = options.prone === true ? -1 : 1;
  const bodyA = rng.uniform(128, 172);
  const bodyB = bodyA * rng.uniform(0.64, 0.8);
  const fat = rng.uniform(5, 28);
  const muscle = rng.uniform(8, 15);
  const zApex = rng.uniform(125, 150);
  const zDomeRight = rng.uniform(-85, -60);
  const zDomeLeft = zDomeRight - rng.uniform(8, 22);
  const recessDepth = rng.uniform(35, 55);
  const spineY = bodyB - fat - muscle - rng.uniform(38, 48);
  const heart: Chest['heart'] = {
    c: v(rng.uniform(14, 28), -bodyB * rng.uniform(0.22, 0.32), zDomeLeft + rng.uniform(38, 50)),
    r: v(rng.uniform(52, 64), rng.uniform(40, 50), rng.uniform(45, 55)),
  };
  const carina = v(0, spineY - 45, rng.uniform(15, 30));
  const hila = ([-1, 1] as const).map((side) =>
    v(side * rng.uniform(38, 48), carina[1] + 5, carina[2] - rng.uniform(12, 22)),
  );
  const blood = sampleBlood(rng.fork('blood'), clean);

  // Mediastinal tubes: trachea, main bronchi, aorta, pulmonary trunk and arteries, SVC, oesophagus.
  const tubes: Capsule[] = [];
  const tube = (a: Vec3, b: Vec3, r: number, hu: number, kind: CapsuleKind): void => {
    tubes.push({ a, b, r, rb: r, hu, kind, clipToThorax: false });
  };
  const tracheaTop = v(0, carina[1] - 8, zApex + 40);
  tube(tracheaTop, carina, 10, 25, 'airway-wall');
  for (const hilum of hila) tube(carina, hilum, 7.5, 25, 'airway-wall');
  const aortaR = rng.uniform(12, 16);
  const asc0 = v(heart.c[0] - 20, heart.c[1] + 15, heart.c[2] + 20);
  const asc1 = v(-8, carina[1] - 25, carina[2] + 30);
  const arch = v(18, spineY - 30, carina[2] + 38);
  const desc0 = v(22, spineY - 18, carina[2] + 15);
  const zMin = zDomeLeft - recessDepth - 25;
  const desc1 = v(18, spineY - 22, zMin - 10);
  for (const [a, b] of [
    [asc0, asc1],
    [asc1, arch],
    [arch, desc0],
    [desc0, desc1],
  ] as const) {
    tube(a, b, aortaR, blood.aorta, 'great-vessel');
  }
  const trunk0 = v(heart.c[0] - 5, heart.c[1] - 10, heart.c[2] + heart.r[2] * 0.6);
  const trunk1 = v(2, carina[1] - 15, carina[2] - 8);
  tube(trunk0, trunk1, 13, blood.artery, 'great-vessel');
  for (const hilum of hila) {
    tube(trunk1, v(hilum[0], hilum[1] - 7, hilum[2] - 4), 10, blood.artery, 'great-vessel');
  }
  tube(
    v(-24, carina[1] - 18, zApex + 30),
    v(-24, carina[1] - 14, heart.c[2] + heart.r[2] * 0.5),
    10,
    blood.svc,
    'great-vessel',
  );
  tube(v(5, spineY - 26, zApex + 40), v(8, spineY - 24, zMin), 7, 35, 'great-vessel');

  const outlineRng = rng.fork('outline');
  const outline: Outline = clean
    ? { seed: Math.floor(outlineRng.next() * 2 ** 31), body: 0.012, cavity: 0.01 }
    : {
        seed: Math.floor(outlineRng.next() * 2 ** 31),
        body: outlineRng.uniform(0.015, 0.045),
        cavity: outlineRng.uniform(0.01, 0.03),
      };
  const frame: Frame = {
    outline,
    bodyA,
    bodyB,
    fat,
    muscle,
    zApex,
    zDomeRight,
    zDomeLeft,
    recessDepth,
    spineY,
    heart,
    tubes,
    domeAxes: [0, 0],
  };
  const [da, db] = cavityAxes(frame, zDomeRight);
  const chestFrame: Frame = { ...frame, domeAxes: [da, db] };

  // Airways: wall thickness varies between patients (and is thickened in some), some bronchial subtrees
  // are plugged with mucus, some lobes have bronchiectasis.
  const airRng = rng.fork('airway-disease');
  const airways: Airways = clean
    ? { wallFactor: airRng.uniform(0.85, 1.15), mucus: false, bronchiectasis: false }
    : {
        wallFactor: airRng.chance(0.18) ? airRng.uniform(1.5, 2.4) : airRng.uniform(0.7, 1.3),
        mucus: airRng.chance(0.15),
        bronchiectasis: airRng.chance(0.12),
      };

  // Fissures: an oblique one in each lung and the horizontal one on the right, curved, of varying
  // thickness and density, and sometimes incomplete.
  const fisRng = rng.fork('fissures');
  const fissures: Fissure[] = [];
  const fissure = (kind: Fissure['kind'], side: -1 | 1, point: Vec3, normal: Vec3): Fissure => ({
    kind,
    side,
    point,
    normal: normalize(normal),
    amp: fisRng.uniform(2, 9),
    cell: fisRng.uniform(35, 80),
    seed: Math.floor(fisRng.next() * 2 ** 31),
    thickness: fisRng.uniform(0.5, 1.5),
    mass: fisRng.uniform(150, 320),
    gap: clean ? -1 : fisRng.chance(0.45) ? fisRng.uniform(-0.6, 0.1) : -1,
  });
  for (const side of [-1, 1] as const) {
    fissures.push(
      fissure(
        'oblique',
        side,
        v(side * 70, fisRng.normal(0, 6), carina[2] - 25 + fisRng.normal(0, 8)),
        v(-side * fisRng.uniform(0.25, 0.55), -fisRng.uniform(0.66, 0.86), fisRng.uniform(0.5, 0.72)),
      ),
    );
  }
  if (clean || fisRng.chance(0.9)) {
    fissures.push(
      fissure(
        'horizontal',
        -1,
        v(-70, -20, carina[2] - 18 + fisRng.normal(0, 6)),
        v(fisRng.normal(0, 0.06), -fisRng.uniform(0.03, 0.2), 1),
      ),
    );
  }

  const capsules: Capsule[] = [...tubes];
  capsules.push({
    a: tracheaTop,
    b: carina,
    r: 8,
    rb: 8,
    hu: -1000,
    kind: 'airway-lumen',
    clipToThorax: false,
  });
  for (const hilum of hila) {
    capsules.push({ a: carina, b: hilum, r: 6, rb: 6, hu: -1000, kind: 'airway-lumen', clipToThorax: false });
  }
  // Pulmonary arteries with their bronchi, and veins: space-filling trees per lobe (vessels.ts).
  const trees = growTrees(rng.fork('trees'), {
    chest: chestFrame,
    depth: (x, y, z) => lungDepth(chestFrame, x, y, z),
    carina,
    hila,
    fissures: fissureSurfaces({ fissures }),
    blood,
    airways,
  });
  capsules.push(...trees.bronchusWalls, ...trees.bronchusLumens, ...trees.vessels);

  // Ribs: 12 pairs hugging the inner chest wall, falling towards the front; cortex and marrow.
  for (let i = 0; i < 12; i++) {
    const zBack = zApex - 8 - i * rng.uniform(22, 27);
    for (const side of [-1, 1]) {
      const points: Vec3[] = [];
      for (let k = 0; k <= 14; k++) {
        const t = k / 14;
        const angle = 0.3 + (Math.PI - 0.75) * t; // 0 = straight back, π = straight front
        const z = zBack - 62 * t * t - 14 * t;
        const [ca, cb] = cavityAxes(frame, z);
        const w = wobble(frame, side * Math.sin(angle), Math.cos(angle), z, true);
        const x = side * (ca * w + 7) * Math.sin(angle);
        const y = (cb * w + 7) * Math.cos(angle);
        if (i < 2 && t > 0.6) break; // short upper ribs
        points.push(v(x, y, z));
      }
      for (let k = 1; k < points.length; k++) {
        const a = points[k - 1];
        const b = points[k];
        const cartilage = k > points.length - 4 && i > 1;
        const cortex = cartilage ? 140 : 650;
        capsules.push({ a, b, r: 5.2, rb: 5.2, hu: cortex, kind: 'rib-cortex', clipToThorax: false });
        if (!cartilage) {
          capsules.push({ a, b, r: 3.4, rb: 3.4, hu: 220, kind: 'rib-marrow', clipToThorax: false });
        }
      }
    }
  }

  // Clavicles (at the top of the scan) and the blades of the scapulae behind the upper ribs.
  const plates: Plate[] = [];
  const boneRng = rng.fork('bones');
  for (const side of [-1, 1]) {
    const [ca0, cb0] = cavityAxes(frame, zApex);
    const medial = v(side * 18, -cb0 - 12, zApex + 8);
    const lateral = v(side * (ca0 + 35), -cb0 * 0.35, zApex + boneRng.uniform(12, 22));
    capsules.push({ a: medial, b: lateral, r: 6.5, rb: 5.5, hu: 620, kind: 'bone', clipToThorax: false });
    capsules.push({ a: medial, b: lateral, r: 4, rb: 3.2, hu: 230, kind: 'bone', clipToThorax: false });
    const zs = zApex - boneRng.uniform(55, 75);
    const [ca, cb] = cavityAxes(frame, zs);
    const angle = boneRng.uniform(0.55, 0.85); // from straight back towards the side
    // In the muscle just outside the ribs (and inside the skin, however thin the patient).
    const out = Math.min(17, (fat + muscle + 6) * 0.6);
    const c = v(side * (ca + out) * Math.sin(angle), (cb + out) * Math.cos(angle), zs);
    const n = normalize(v(side * Math.sin(angle) * 0.8, Math.cos(angle), 0));
    const u = v(0, 0, 1);
    const w = normalize(cross(n, u));
    plates.push({
      c,
      u,
      v: w,
      n,
      halfU: 55,
      halfV: 38,
      halfT: boneRng.uniform(0.9, 1.5),
      hu: boneRng.uniform(350, 480),
      clip: 'none',
    });
  }

  // Around the body: arms down at the sides in some patients, breasts, the table under the dependent side.
  const bodyRng = rng.fork('body');
  const arms: Arms | null =
    !clean && bodyRng.chance(0.3)
      ? {
          r: bodyRng.uniform(36, 52),
          gap: bodyRng.uniform(-4, 18),
          y: bodyRng.uniform(-15, 25),
          fat: bodyRng.uniform(4, 18),
          humerusR: bodyRng.uniform(9.5, 13),
          humerusOffset: [bodyRng.uniform(-6, 6), bodyRng.uniform(-6, 6)],
          cortexHU: bodyRng.uniform(800, 1300),
        }
      : null;
  // Supine breasts spread sideways: broad and low, centred a little inside the front of the body.
  const breastX = bodyA * bodyRng.uniform(0.5, 0.64);
  const breasts: Breasts | null =
    options.sex === 'F'
      ? {
          c: v(
            -breastX,
            -bodyB * Math.sqrt(1 - (breastX / bodyA) ** 2) + bodyRng.uniform(4, 14),
            heart.c[2] + bodyRng.uniform(-10, 25),
          ),
          r: v(bodyRng.uniform(38, 60), bodyRng.uniform(18, 50), bodyRng.uniform(40, 60)),
          gland: bodyRng.uniform(0.05, 0.6),
          glandHU: bodyRng.uniform(-40, 40),
        }
      : null;
  const flat = Math.max(bodyB * bodyRng.uniform(0.92, 0.98), dependent > 0 ? spineY + 72 : 0);
  const table: Table = {
    x: bodyRng.normal(0, 6),
    top: flat + bodyRng.uniform(5, 30),
    curve: bodyRng.uniform(0.0003, 0.0012),
    depth: bodyRng.uniform(25, 55),
    halfWidth: bodyRng.uniform(190, 240),
    shell: bodyRng.uniform(1.5, 3.5),
    shellHU: bodyRng.uniform(-200, 300),
    coreHU: bodyRng.chance(0.4) ? -1000 : bodyRng.uniform(-960, -700),
    pad: bodyRng.chance(0.4) ? 1 : 0,
    padHU: bodyRng.uniform(-920, -650),
    rails: bodyRng.chance(0.5),
  };

  const texRng = rng.fork('lung');
  return {
    ...chestFrame,
    mediastinumHalfWidth: texRng.uniform(22, 30),
    gravityHU: clean ? texRng.uniform(35, 80) : texRng.uniform(25, 110),
    lungHU: clean ? texRng.uniform(-875, -840) : texRng.uniform(-895, -805),
    lungTextureHU: texRng.uniform(10, 24),
    textureSeed: Math.floor(texRng.next() * 2 ** 31),
    zMin,
    zMax: zApex + 20,
    capsules,
    plates,
    fissures,
    dependent,
    flat,
    blood,
    arms,
    breasts,
    table,
    airways,
    carina,
    outline,
  };
}
