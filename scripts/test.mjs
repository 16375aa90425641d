#!/usr/bin/env node
// `npm test`: everything, in order: system packages, types, lint, formatting, unit tests (Node, real
// onnxruntime/DICOM/Orthanc), then end-to-end tests (production build, Debian Chromium, Orthanc).
// `npm test unit e2e` runs only the steps named; an unknown name is an error, so a typo never passes.
import { spawnSync } from 'node:child_process';
import { ensureSystemPackages } from './system-deps.mjs';

const steps = [
  ['types', ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json', '--noEmit']],
  ['lint', ['node_modules/eslint/bin/eslint.js', '.', '--max-warnings', '0']],
  ['format', ['node_modules/prettier/bin/prettier.cjs', '--check', '.', '--log-level', 'warn']],
  ['unit', ['node_modules/vitest/vitest.mjs', 'run']],
  ['e2e', ['node_modules/vitest/vitest.mjs', 'run', '-c', 'vitest.e2e.config.ts']],
];
const only = process.argv.slice(2);
const unknown = only.filter((name) => !steps.some(([step]) => step === name));
if (unknown.length > 0) {
  const list = steps.map(([step]) => step).join(', ');
  console.error(`lucent: no test step named ${unknown.join(', ')}; the steps are: ${list}`);
  process.exit(2);
}

ensureSystemPackages();

for (const [name, args] of steps) {
  if (only.length > 0 && !only.includes(name)) continue;
  const started = Date.now();
  console.log(`\n▶ ${name}`);
  const r = spawnSync(process.execPath, args, {
    stdio: 'inherit',
    env: { ...process.env, FORCE_COLOR: '1' },
  });
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  if (r.status !== 0) {
    console.error(`\n✖ ${name} failed (${seconds} s)`);
    process.exit(r.status ?? 1);
  }
  console.log(`✔ ${name} (${seconds} s)`);
}
