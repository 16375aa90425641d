/**
 * Small synthetic chest CT studies for the batch tests and benchmark: 21 slices of 512² (a 42 mm slab
 * through the hila, 2 mm apart, enough for the model's 20-slice minimum), most with one or two nodules
 * placed inside the slab. Written once per generator version into .cache and reused.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { GENERATOR, makeCase, type CaseOptions } from '../../src/synth/case';
import type { NoduleType } from '../../src/findings/types';

const root = resolve(import.meta.dirname, '../..');
const TYPES: readonly NoduleType[] = ['solid', 'part-solid', 'ground-glass', 'solid'];

export function studyOptions(index: number): CaseOptions {
  const count = index % 3;
  return {
    zRange: [-20, 22],
    clean: true,
    scanner: { matrix: 512, sliceThickness: 2, sliceSpacing: 2, noiseSigma: 10 },
    nodules: Array.from({ length: count }, (_, k) => ({
      type: TYPES[(index + k) % TYPES.length] ?? 'solid',
      diameter: 7 + ((index * 3 + k * 5) % 8),
    })),
  };
}

/** The folder of study `index` (its DICOM files), written if it is not there yet. */
export function batchStudy(seed: string, index: number): string {
  const dir = join(root, '.cache/batch-studies', GENERATOR.replace('/', '-'), seed, `case-${index}`);
  if (existsSync(join(dir, '.complete'))) return dir;
  const partial = `${dir}.partial`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  const c = makeCase(seed, index, studyOptions(index));
  for (const s of c.slices()) writeFileSync(join(partial, s.fileName), s.bytes);
  writeFileSync(join(partial, 'truth.json'), JSON.stringify(c.truth));
  writeFileSync(join(partial, '.complete'), '');
  rmSync(dir, { recursive: true, force: true });
  renameSync(partial, dir);
  return dir;
}

/** The DICOM files of a study folder, in name order. */
export function studyFiles(dir: string): Uint8Array[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.dcm'))
    .sort()
    .map((f) => new Uint8Array(readFileSync(join(dir, f))));
}
