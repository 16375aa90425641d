#!/usr/bin/env node
// `npm start`: prepare the bundled demo data and models (when present), then start the dev server on
// http://localhost:5173 (PORT honoured), with the headers threaded WebAssembly needs.
import { spawn } from 'node:child_process';
import { ensureDemo } from './demo.mjs';

ensureDemo();
const port = process.env.PORT ?? '5173';
const vite = spawn(process.execPath, ['node_modules/vite/bin/vite.js', '--port', port, '--strictPort'], {
  stdio: 'inherit',
  env: { ...process.env, PORT: port },
});
const stop = () => vite.kill('SIGTERM');
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
vite.on('exit', (code) => process.exit(code ?? 0));
