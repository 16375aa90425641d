/** Write one synthetic case to a folder: its DICOM slices and truth.json (Node host). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeCase, type CaseOptions, type Truth } from './case';

export interface WrittenCase {
  readonly name: string;
  readonly dir: string;
  readonly files: readonly string[];
  readonly truth: Truth;
  readonly ms: number;
}

export function writeCase(
  outDir: string,
  seed: string,
  index: number,
  options: CaseOptions = {},
  folder?: string,
): WrittenCase {
  const started = performance.now();
  const c = makeCase(seed, index, options);
  const dir = join(outDir, folder ?? c.name);
  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  for (const s of c.slices()) {
    writeFileSync(join(dir, s.fileName), s.bytes);
    files.push(s.fileName);
  }
  writeFileSync(join(dir, 'truth.json'), `${JSON.stringify(c.truth, null, 2)}\n`);
  return { name: c.name, dir, files, truth: c.truth, ms: performance.now() - started };
}
