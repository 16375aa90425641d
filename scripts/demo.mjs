#!/usr/bin/env node
// Make sure the demo cases exist in public/demo (generated once, cached, never committed). Vite serves
// public/ in development and copies it into dist/ on build, so the static build works offline.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const DEMO_DIR = join(root, 'public/demo');
const SEED = 'lucent-demo-1';
// Keep in step with DEMO_INDEX_SCHEMA (src/cli/synth.ts) and the generator version (src/synth/case.ts).
const SCHEMA = 'lucent.demo/2';
const GENERATOR = 'lucent-synth/3';

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
      parsed.cases.length >= 5
    );
  } catch {
    return false;
  }
}

export function ensureDemo() {
  if (demoIsCurrent()) return;
  rmSync(DEMO_DIR, { recursive: true, force: true });
  console.log('Generating the demo cases (first start only)…');
  const started = Date.now();
  const r = spawnSync(
    process.execPath,
    [join(root, 'bin/lucent.mjs'), 'synth', '--demo', '--out', DEMO_DIR],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  if (r.status !== 0) {
    console.error('lucent: generating the demo cases failed; the app still works without them');
    return;
  }
  console.log(`Demo cases ready in ${((Date.now() - started) / 1000).toFixed(0)} s.`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) ensureDemo();
