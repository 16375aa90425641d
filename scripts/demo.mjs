#!/usr/bin/env node
// Make sure the demo cases exist in public/demo (generated once, cached, never committed). The dev server
// serves them (scripts/vite-assets.ts) and the build copies public/ into dist/, so the static build works
// offline. `npm start` generates them in the background while the app is already served
// (startDemoInBackground); the build waits for them (ensureDemo).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { setPriority } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const DEMO_DIR = join(root, 'public/demo');
const SEED = 'lucent-demo-1';
// Keep in step with DEMO_INDEX_SCHEMA (src/cli/synth.ts) and the generator version (src/synth/case.ts).
const SCHEMA = 'lucent.demo/2';
const GENERATOR = 'lucent-synth/4';

/** Whether `dir` holds a demo set written by this version of the generator (else it is regenerated). */
export function demoIsCurrent(dir = DEMO_DIR) {
  const index = join(dir, 'index.json');
  if (!existsSync(index)) return false;
  try {
    const parsed = JSON.parse(readFileSync(index, 'utf8'));
    return (
      parsed.schema === SCHEMA &&
      parsed.seed === SEED &&
      parsed.generator === GENERATOR &&
      (parsed.status ?? 'complete') === 'complete' &&
      parsed.cases.length >= 5
    );
  } catch {
    return false;
  }
}

const generatorArgs = (dir) => [join(root, 'bin/lucent.mjs'), 'synth', '--demo', '--out', dir];

/** Generate the demo set into `dir` and wait for it (the build, the tests). */
export function ensureDemo(dir = DEMO_DIR) {
  if (demoIsCurrent(dir)) return;
  rmSync(dir, { recursive: true, force: true });
  console.log('Generating the demo cases (first start only)…');
  const started = Date.now();
  const r = spawnSync(process.execPath, generatorArgs(dir), { stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) {
    console.error('lucent: generating the demo cases failed; the app still works without them');
    return;
  }
  console.log(`Demo cases ready in ${((Date.now() - started) / 1000).toFixed(0)} s.`);
}

/**
 * Start generating the demo set into `dir` without waiting (`npm start`): the app is served at once and
 * lists each case as it is finished. An index saying "generating" is written first, so the app shows
 * progress from its first request. Returns the generator's process, or null when the set is current.
 */
export function startDemoInBackground(dir = DEMO_DIR) {
  if (demoIsCurrent(dir)) return null;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const index = {
    schema: SCHEMA,
    seed: SEED,
    generator: GENERATOR,
    status: 'generating',
    total: 5,
    cases: [],
  };
  writeFileSync(join(dir, '.index.start.json'), `${JSON.stringify(index, null, 2)}\n`);
  renameSync(join(dir, '.index.start.json'), join(dir, 'index.json'));
  console.log(
    'Generating the demo cases in the background (first start only); each appears in the app when ready.',
  );
  const started = Date.now();
  const child = spawn(process.execPath, generatorArgs(dir), { stdio: ['ignore', 'ignore', 'inherit'] });
  // The page comes first: on a small machine the dev server's first answer (dependency pre-bundling)
  // must not queue behind the generator for the CPU.
  try {
    if (child.pid !== undefined) setPriority(child.pid, 10);
  } catch {
    // not permitted here: the generator runs at normal priority
  }
  child.on('exit', (code) => {
    if (code === 0) console.log(`Demo cases ready in ${((Date.now() - started) / 1000).toFixed(0)} s.`);
    else if (code !== null)
      console.error('lucent: generating the demo cases failed; the app still works without them');
  });
  return child;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) ensureDemo();
