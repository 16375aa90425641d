// Independent pixel access for assertions: dcmtk writes the raw Pixel Data value of a file; we read the
// int16 samples and apply the rescale that dcmtk reports. Nothing of Lucent's parser is involved.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dcmdumpValue } from './corpus';

export interface RawImage {
  rows: number;
  columns: number;
  /** Modality values (HU for CT), row-major. */
  values: Float64Array;
}

export function rawCtImage(path: string): RawImage {
  const dir = mkdtempSync(join(tmpdir(), 'lucent-raw-'));
  try {
    execFileSync('dcmdump', ['-q', '+W', dir, path], { stdio: 'ignore' });
    const file = readdirSync(dir).find((f) => f.endsWith('.raw'));
    if (!file) throw new Error(`dcmtk wrote no pixel data for ${path}`);
    const bytes = readFileSync(join(dir, file));
    const stored = new Int16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 2);
    const slope = Number(dcmdumpValue(path, '0028,1053') ?? 1);
    const intercept = Number(dcmdumpValue(path, '0028,1052') ?? 0);
    const values = Float64Array.from(stored, (v) => v * slope + intercept);
    return {
      rows: Number(dcmdumpValue(path, '0028,0010')),
      columns: Number(dcmdumpValue(path, '0028,0011')),
      values,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Mean, SD and count of the pixels whose centres lie inside an axis-aligned ellipse (image coordinates). */
export function ellipseStats(
  img: RawImage,
  cx: number,
  cy: number,
  a: number,
  b: number,
): { mean: number; sd: number; count: number } {
  let n = 0;
  let sum = 0;
  let sum2 = 0;
  for (let j = 0; j < img.rows; j++) {
    for (let i = 0; i < img.columns; i++) {
      const x = i + 0.5;
      const y = j + 0.5;
      if (((x - cx) / a) ** 2 + ((y - cy) / b) ** 2 <= 1) {
        const v = img.values[j * img.columns + i];
        n++;
        sum += v;
        sum2 += v * v;
      }
    }
  }
  const mean = sum / n;
  return { mean, sd: Math.sqrt(sum2 / n - mean * mean), count: n };
}
