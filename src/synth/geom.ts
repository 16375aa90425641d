/** Small geometry helpers for the generator: perpendicular vectors and rotations. */
import { add, cross, normalize, scale, type Vec3 } from '../dicom/geometry';
import type { Rng } from './rng';

/** Two unit vectors perpendicular to d (and to each other). */
export function perpendiculars(d: Vec3): [Vec3, Vec3] {
  const helper: Vec3 = Math.abs(d[2]) < 0.9 ? [0, 0, 1] : [1, 0, 0];
  const u = normalize(cross(d, helper));
  return [u, normalize(cross(d, u))];
}

/** A rotation as its three rows: the local axes expressed in patient coordinates. */
export type Mat3 = readonly [Vec3, Vec3, Vec3];

export const IDENTITY: Mat3 = [
  [1, 0, 0],
  [0, 1, 0],
  [0, 0, 1],
];

/** A uniformly random rotation (from a random unit quaternion). */
export function randomRotation(rng: Rng): Mat3 {
  const q = normalize4([rng.normal(), rng.normal(), rng.normal(), rng.normal()]);
  const [w, x, y, z] = q;
  return [
    [1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)],
    [2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)],
    [2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)],
  ];
}

function normalize4(q: readonly [number, number, number, number]): [number, number, number, number] {
  const l = Math.hypot(q[0], q[1], q[2], q[3]) || 1;
  return [q[0] / l, q[1] / l, q[2] / l, q[3] / l];
}

/** A frame whose third axis is n, the other two random about it. */
export function frameAround(rng: Rng, n: Vec3): Mat3 {
  const [p, q] = perpendiculars(n);
  const a = rng.uniform(0, 2 * Math.PI);
  const u = add(scale(p, Math.cos(a)), scale(q, Math.sin(a)));
  return [u, normalize(cross(n, u)), n];
}
