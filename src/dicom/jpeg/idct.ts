/**
 * The inverse DCT of T.81 A.3.3, computed in double precision as two passes of 8-point transforms, then
 * level-shifted, rounded and clamped to the sample range.
 */

/** `BASIS[x * 8 + u]` = C(u)/2 · cos((2x + 1)uπ/16), with C(0) = 1/√2 and C(u) = 1 otherwise. */
const BASIS = new Float64Array(64);
for (let x = 0; x < 8; x++) {
  for (let u = 0; u < 8; u++) {
    const c = u === 0 ? Math.SQRT1_2 : 1;
    BASIS[x * 8 + u] = (c / 2) * Math.cos(((2 * x + 1) * u * Math.PI) / 16);
  }
}

/** Where blocks' samples go: a component plane, its row length, and the sample range. */
export interface BlockTarget {
  readonly plane: Uint16Array;
  readonly stride: number;
  /** 2^(P−1). */
  readonly levelShift: number;
  /** 2^P − 1. */
  readonly maxValue: number;
}

/** Row pass: `rows[v * 8 + x]` = Σu F(v, u) · BASIS[x, u], skipping rows with no AC coefficients. */
function rowPass(coefficients: Float64Array, rows: Float64Array): void {
  for (let v = 0; v < 64; v += 8) {
    let ac = false;
    for (let u = 1; u < 8; u++) {
      if (coefficients[v + u] !== 0) {
        ac = true;
        break;
      }
    }
    if (!ac) {
      rows.fill(coefficients[v] * BASIS[0], v, v + 8);
      continue;
    }
    for (let x = 0; x < 8; x++) {
      let sum = 0;
      for (let u = 0; u < 8; u++) sum += coefficients[v + u] * BASIS[x * 8 + u];
      rows[v + x] = sum;
    }
  }
}

/**
 * Transform one block of dequantized coefficients (natural order) and write its 8×8 samples into the
 * target plane at `offset`. `rows` is scratch space of 64 entries.
 */
export function idctBlock(
  coefficients: Float64Array,
  rows: Float64Array,
  target: BlockTarget,
  offset: number,
): void {
  rowPass(coefficients, rows);
  const { plane, stride, levelShift, maxValue } = target;
  for (let y = 0; y < 8; y++) {
    const line = offset + y * stride;
    for (let x = 0; x < 8; x++) {
      let sum = levelShift;
      for (let v = 0; v < 8; v++) sum += rows[v * 8 + x] * BASIS[y * 8 + v];
      const s = Math.round(sum);
      plane[line + x] = s < 0 ? 0 : s > maxValue ? maxValue : s;
    }
  }
}
