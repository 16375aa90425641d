/** Patient-space geometry (DICOM LPS, millimetres). Pure functions over small tuples. */
export type Vec3 = readonly [number, number, number];

export const dot = (a: Vec3, b: Vec3): number => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
export const sub = (a: Vec3, b: Vec3): Vec3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
export const add = (a: Vec3, b: Vec3): Vec3 => [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
export const scale = (a: Vec3, s: number): Vec3 => [a[0] * s, a[1] * s, a[2] * s];
export const cross = (a: Vec3, b: Vec3): Vec3 => [
  a[1] * b[2] - a[2] * b[1],
  a[2] * b[0] - a[0] * b[2],
  a[0] * b[1] - a[1] * b[0],
];
export const norm = (a: Vec3): number => Math.hypot(a[0], a[1], a[2]);
export const normalize = (a: Vec3): Vec3 => {
  const n = norm(a) || 1;
  return [a[0] / n, a[1] / n, a[2] / n];
};

/**
 * Map a (column, row) pixel index on an image plane to patient coordinates.
 * DICOM PS3.3 C.7.6.2.1.1: P = IPP + row direction × column spacing × c + column direction × row spacing × r.
 */
export function pixelToPatient(
  ipp: Vec3,
  iop: readonly number[],
  pixelSpacing: readonly [number, number],
  column: number,
  row: number,
): Vec3 {
  const rowDir: Vec3 = [iop[0] ?? 1, iop[1] ?? 0, iop[2] ?? 0];
  const colDir: Vec3 = [iop[3] ?? 0, iop[4] ?? 1, iop[5] ?? 0];
  const [rowSpacing, colSpacing] = pixelSpacing;
  return add(add(ipp, scale(rowDir, colSpacing * column)), scale(colDir, rowSpacing * row));
}

/** Anatomical label of a direction vector, e.g. "L", "P", "S" or a combination for obliques. */
export function orientationLabel(v: Vec3): string {
  const axes: [string, string][] = [
    ['L', 'R'],
    ['P', 'A'],
    ['S', 'I'],
  ];
  const order = [0, 1, 2].sort((a, b) => Math.abs(v[b]) - Math.abs(v[a]));
  let out = '';
  for (const i of order) {
    const c = v[i];
    if (Math.abs(c) < 0.25) continue;
    const pair = axes[i];
    out += c > 0 ? pair[0] : pair[1];
  }
  return out;
}
