/**
 * End-to-end setup: build the app, start Orthanc (DICOMweb) and the static server (with the DICOMweb
 * proxy), write the phantom CT series, fetch the pydicom corpus and compute independent reference pixel
 * statistics (pydicom's) for every file of it that pydicom decodes.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { TestProject } from 'vitest/node';
import { simplePhantomSeries } from '../../src/synth/simplePhantom';
import { pydicomTestFiles } from '../support/fixtures.mjs';
import { startOrthanc } from '../support/orthanc.mjs';
import { startServer } from '../../scripts/serve.mjs';
import { ensureDemo } from '../../scripts/demo.mjs';
import { walk } from '../support/corpus';

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
    orthancUrl: string;
    phantomDir: string;
    corpusDir: string;
    referenceFile: string;
  }
}

const root = resolve(import.meta.dirname, '../..');

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const corpusDir = pydicomTestFiles();
  // The demo set must exist before the build copies public/ into dist/.
  ensureDemo();
  if (process.env['LUCENT_E2E_SKIP_BUILD'] !== '1' || !existsSync(join(root, 'dist/index.html'))) {
    execFileSync(
      process.execPath,
      [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'],
      {
        cwd: root,
        stdio: 'inherit',
        // Vitest sets NODE_ENV=test, which Vite would carry into the bundle (React's development build,
        // import.meta.env.PROD false): the tests must drive the build users get.
        env: { ...process.env, NODE_ENV: 'production' },
      },
    );
  }
  const work = join(root, '.cache/e2e');
  const phantomDir = join(work, 'phantom');
  rmSync(phantomDir, { recursive: true, force: true });
  mkdirSync(phantomDir, { recursive: true });
  for (const s of simplePhantomSeries({
    slices: 40,
    size: 128,
    pixelSpacingMm: 2,
    sliceSpacingMm: 2.5,
    seed: 'e2e',
    noise: 8,
  })) {
    writeFileSync(join(phantomDir, s.fileName), s.bytes);
  }

  // Reference pixel statistics from pydicom (an independent decoder) for every file of the corpus it can
  // read pixels from. The list is pydicom's opinion alone, so a file Lucent starts refusing stays in the
  // comparison (and fails it unless it is on the corpus test's documented refusal list).
  const referenceFile = join(work, 'reference.json');
  const stats = execFileSync(
    '/usr/bin/python3',
    [join(root, 'test/reference/pixel_stats.py'), ...walk(corpusDir)],
    { encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'ignore'] },
  );
  const decodable = Object.fromEntries(
    Object.entries(JSON.parse(stats) as Record<string, { error?: string }>).filter(([, r]) => !r.error),
  );
  if (Object.keys(decodable).length < 40)
    throw new Error(`pydicom read pixels from only ${Object.keys(decodable).length} corpus files`);
  writeFileSync(referenceFile, JSON.stringify(decodable, null, 1));

  const orthanc = await startOrthanc();
  const { server, port } = await startServer({ root: join(root, 'dist'), proxy: orthanc.dicomweb });

  project.provide('baseUrl', `http://127.0.0.1:${port}`);
  project.provide('orthancUrl', orthanc.url);
  project.provide('phantomDir', phantomDir);
  project.provide('corpusDir', corpusDir);
  project.provide('referenceFile', referenceFile);

  return async () => {
    await new Promise<void>((ok) => server.close(() => ok()));
    await orthanc.stop();
  };
}
