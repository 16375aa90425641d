#!/usr/bin/env node
// `npm start`: serve the app at once on http://localhost:5173 (PORT honoured) with the headers threaded
// WebAssembly needs, and generate the demo cases in the background on a first start (the app lists each
// case as soon as it is ready). LUCENT_DEMO_DIR chooses another folder for the demo cases (tests).
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { DEMO_DIR, startDemoInBackground } from './demo.mjs';

const demoDir = resolve(process.env.LUCENT_DEMO_DIR ?? DEMO_DIR);
const port = process.env.PORT ?? '5173';
const vite = spawn(process.execPath, ['node_modules/vite/bin/vite.js', '--port', port, '--strictPort'], {
  stdio: 'inherit',
  env: { ...process.env, PORT: port, LUCENT_DEMO_DIR: demoDir },
});
const generator = startDemoInBackground(demoDir);
const stop = () => {
  generator?.kill('SIGTERM');
  vite.kill('SIGTERM');
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
vite.on('exit', (code) => {
  generator?.kill('SIGTERM');
  process.exit(code ?? 0);
});
