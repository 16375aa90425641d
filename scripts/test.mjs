#!/usr/bin/env node
// `npm test`: everything, in order: system packages, types, lint, formatting, unit tests (Node, real
// onnxruntime/DICOM/Orthanc), then end-to-end tests (production build, Debian Chromium, Orthanc).
// `npm test unit e2e` runs only the steps named; an unknown name is an error, so a typo never passes.
// The three checks (types, lint, format) each use one core and read the same files: they run side by side,
// each one's output printed whole when it ends; the test steps run one after another.
import { spawn } from 'node:child_process';
import { ensureSystemPackages } from './system-deps.mjs';

const checks = [
  ['types', ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json', '--noEmit']],
  ['lint', ['node_modules/eslint/bin/eslint.js', '.', '--max-warnings', '0']],
  ['format', ['node_modules/prettier/bin/prettier.cjs', '--check', '.', '--log-level', 'warn']],
];
const tests = [
  ['unit', ['node_modules/vitest/vitest.mjs', 'run']],
  ['e2e', ['node_modules/vitest/vitest.mjs', 'run', '-c', 'vitest.e2e.config.ts']],
];
const names = [...checks, ...tests].map(([step]) => step);
const only = process.argv.slice(2);
const unknown = only.filter((name) => !names.includes(name));
if (unknown.length > 0) {
  console.error(`lucent: no test step named ${unknown.join(', ')}; the steps are: ${names.join(', ')}`);
  process.exit(2);
}
const wanted = ([name]) => only.length === 0 || only.includes(name);

/** Run one step; `capture` keeps its output to print at the end instead of streaming it. */
function run([name, args], capture) {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, {
      stdio: capture ? ['ignore', 'pipe', 'pipe'] : 'inherit',
      env: { ...process.env, FORCE_COLOR: '1' },
    });
    const output = [];
    child.stdout?.on('data', (b) => output.push(b));
    child.stderr?.on('data', (b) => output.push(b));
    child.on('close', (code, signal) => {
      const seconds = ((Date.now() - started) / 1000).toFixed(0);
      resolve({ name, status: code ?? (signal ? 1 : 0), seconds, output: Buffer.concat(output) });
    });
  });
}

function report(r) {
  if (r.output.length > 0) process.stdout.write(r.output);
  if (r.status !== 0) console.error(`\n✖ ${r.name} failed (${r.seconds} s)`);
  else console.log(`✔ ${r.name} (${r.seconds} s)`);
}

ensureSystemPackages();

const parallel = checks.filter(wanted);
if (parallel.length > 0) {
  console.log(`\n▶ ${parallel.map(([n]) => n).join(', ')} (side by side)`);
  const results = await Promise.all(parallel.map((step) => run(step, parallel.length > 1)));
  results.forEach(report);
  const failed = results.find((r) => r.status !== 0);
  if (failed) process.exit(failed.status);
}
for (const step of tests.filter(wanted)) {
  console.log(`\n▶ ${step[0]}`);
  const r = await run(step, false);
  report(r);
  if (r.status !== 0) process.exit(r.status);
}
