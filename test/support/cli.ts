// The `lucent` command as a script runs it (`npx lucent …`, CONTRACTS.md): its exit code, stdout and
// stderr, whether it succeeds or not.
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run `lucent ARGS…` and collect what it printed (up to 64 MB of output). */
export async function lucent(...args: string[]): Promise<Outcome> {
  try {
    const { stdout, stderr } = await run('npx', ['--no-install', 'lucent', ...args], { maxBuffer: 64 << 20 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const x = e as Outcome;
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
}

/** Run `lucent ARGS…` with `input` on its standard input. */
export function lucentWithStdin(input: string, ...args: string[]): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['--no-install', 'lucent', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input);
  });
}
