/** Benchmark datasets, generated once into .cache/bench (never committed). */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { simplePhantomSeries } from '../src/synth/simplePhantom';

const root = resolve(import.meta.dirname, '..');

export function ct300(): { dir: string; files: string[]; generatedMs: number } {
  const dir = join(root, '.cache/bench/ct300-512');
  let generatedMs = 0;
  if (!existsSync(dir) || readdirSync(dir).length !== 300) {
    mkdirSync(dir, { recursive: true });
    const t = performance.now();
    for (const s of simplePhantomSeries({
      slices: 300,
      size: 512,
      pixelSpacingMm: 0.7,
      sliceSpacingMm: 1,
      seed: 'bench-ct300',
      noise: 12,
      seriesDescription: 'Bench 300 × 512²',
    })) {
      writeFileSync(join(dir, s.fileName), s.bytes);
    }
    generatedMs = performance.now() - t;
  }
  const files = readdirSync(dir)
    .sort()
    .map((f) => join(dir, f));
  return { dir, files, generatedMs };
}
