// The `lucent` command as a script runs it (CONTRACTS.md): its exit code, stdout and stderr, whether it
// succeeds or not. It runs the package's bin file with node, as `npx lucent` does once npx has found it
// (npx itself adds a second of npm start-up per call); `npxLucent` goes through npx, for the test that
// the package's bin entry is wired up.
import { execFile, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import pkg from '../../package.json' with { type: 'json' };

const run = promisify(execFile);
const bin = resolve(import.meta.dirname, '../..', pkg.bin.lucent);

async function outcome(command: string, args: string[]): Promise<Outcome> {
  try {
    const { stdout, stderr } = await run(command, args, { maxBuffer: 64 << 20 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const x = e as Outcome;
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
}

export interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run `lucent ARGS…` and collect what it printed (up to 64 MB of output). */
export function lucent(...args: string[]): Promise<Outcome> {
  return outcome(process.execPath, [bin, ...args]);
}

/** Run `npx --no-install lucent ARGS…`: the command as the package installs it. */
export function npxLucent(...args: string[]): Promise<Outcome> {
  return outcome('npx', ['--no-install', 'lucent', ...args]);
}

/** Run `lucent ARGS…` with `input` on its standard input. */
export function lucentWithStdin(input: string, ...args: string[]): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input);
  });
}
