/** Benchmark datasets: a synthetic CT generated once into .cache/bench (never committed), and the
 * pydicom test corpus when it is on this machine (never fetched by the bench). */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { makeCase } from '../src/synth/case';
import { simplePhantomSeries } from '../src/synth/simplePhantom';
import { startServer } from '../scripts/serve.mjs';

const root = resolve(import.meta.dirname, '..');

type BenchSeries = { dir: string; files: string[]; generatedMs: number };

/** A 300-slice series that `write` generates once into .cache/bench/`name`, and its files in order. */
function cached300(
  name: string,
  write: (put: (fileName: string, bytes: Uint8Array) => void) => void,
): BenchSeries {
  const dir = join(root, '.cache/bench', name);
  let generatedMs = 0;
  if (!existsSync(dir) || readdirSync(dir).length !== 300) {
    mkdirSync(dir, { recursive: true });
    const t = performance.now();
    write((fileName, bytes) => writeFileSync(join(dir, fileName), bytes));
    generatedMs = performance.now() - t;
    const written = readdirSync(dir).length;
    if (written !== 300) throw new Error(`bench series ${name}: ${written} slices, not 300`);
  }
  const files = readdirSync(dir)
    .sort()
    .map((f) => join(dir, f));
  return { dir, files, generatedMs };
}

export function ct300(): BenchSeries {
  return cached300('ct300-512', (put) => {
    for (const s of simplePhantomSeries({
      slices: 300,
      size: 512,
      pixelSpacingMm: 0.7,
      sliceSpacingMm: 1,
      seed: 'bench-ct300',
      noise: 12,
      seriesDescription: 'Bench 300 × 512²',
    }))
      put(s.fileName, s.bytes);
  });
}

/**
 * A 300-slice 512² chest CT from Lucent's synthetic case generator (1 mm slices over the middle 299 mm of
 * the chest, full field of view, a clean supine scan with its nodules): unlike the phantom, whose lungs
 * keep one size from the first slice to the last, its lungs grow and shrink along z as a patient's do, so
 * what depends on the lungs' extent per slice (the detector's per-batch crops) costs here what it costs on
 * a real series.
 */
export function chest300(): BenchSeries {
  return cached300('chest300-512', (put) => {
    const { chest } = makeCase('bench-chest', 0, { clean: true, fullField: true });
    const mid = (chest.zMin + chest.zMax) / 2;
    const c = makeCase('bench-chest', 0, {
      clean: true,
      fullField: true,
      scanner: { matrix: 512, sliceSpacing: 1, sliceThickness: 1 },
      zRange: [mid - 149.5, mid + 149.5],
      seriesDescription: 'Bench chest 300 × 512²',
    });
    for (const s of c.slices()) put(s.fileName, s.bytes);
  });
}

/** Where the pydicom test files may be: unpacked by the tests into .cache/, or Debian's package. */
const PYDICOM_DIRS = [
  join(root, '.cache/pydicom/usr/lib/python3/dist-packages/pydicom/data/test_files'),
  '/usr/lib/python3/dist-packages/pydicom/data/test_files',
];

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
}

/** Every file of the pydicom corpus, or null when it is not on this machine. */
export function pydicomCorpus(): { dir: string; files: string[] } | null {
  const dir = PYDICOM_DIRS.find((d) => existsSync(d));
  return dir ? { dir, files: walk(dir) } : null;
}

/** Build the app as users get it and serve dist/ with the production server's headers (browser benches). */
export async function buildAndServe(): Promise<Awaited<ReturnType<typeof startServer>>> {
  execFileSync(
    process.execPath,
    [resolve(root, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'error'],
    { cwd: root, stdio: 'inherit' },
  );
  return startServer({ root: resolve(root, 'dist') });
}
