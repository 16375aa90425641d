// A real Redis for tests: Debian's redis-server on a free loopback port, with its own folder and
// append-only persistence (what BullMQ needs to survive a restart), started and stopped by the test.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './orthanc.mjs';

export const REDIS_BIN = process.env.LUCENT_REDIS ?? '/usr/bin/redis-server';

function answers(port) {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    let data = '';
    s.setTimeout(1000);
    s.on('connect', () => s.write('PING\r\n'));
    s.on('data', (d) => {
      data += d.toString();
      // +PONG once the data set is loaded; -LOADING while it is being read back.
      if (data.includes('\r\n')) {
        s.destroy();
        resolve(data.startsWith('+PONG'));
      }
    });
    s.on('timeout', () => {
      s.destroy();
      resolve(false);
    });
    s.on('error', () => resolve(false));
  });
}

export async function startRedis() {
  if (!existsSync(REDIS_BIN))
    throw new Error(`${REDIS_BIN} not found: install it with "apt-get install redis-server"`);
  const dir = mkdtempSync(join(tmpdir(), 'lucent-redis-'));
  const port = await freePort();
  let child = null;
  let stderr = '';
  const launch = async () => {
    child = spawn(
      REDIS_BIN,
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--appendonly',
        'yes',
        '--appendfsync',
        'always',
        '--save',
        '',
        '--maxmemory-policy',
        'noeviction',
        '--protected-mode',
        'yes',
        '--daemonize',
        'no',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout.on('data', (d) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });
    child.stderr.on('data', (d) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });
    const deadline = Date.now() + 20_000;
    for (;;) {
      if (child.exitCode !== null)
        throw new Error(`redis-server exited early (${child.exitCode}): ${stderr}`);
      if (await answers(port)) return;
      if (Date.now() > deadline) throw new Error(`redis-server did not start within 20 s: ${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const halt = async () => {
    const c = child;
    if (!c || c.exitCode !== null) return;
    c.kill('SIGTERM');
    await new Promise((r) => {
      const t = setTimeout(() => {
        c.kill('SIGKILL');
        r();
      }, 10_000);
      c.once('exit', () => {
        clearTimeout(t);
        r();
      });
    });
  };
  await launch();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    /** Stop Redis (SIGTERM: it writes its append-only file) and start it again on the same port. */
    async restart(downMs = 0) {
      await halt();
      if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
      await launch();
    },
    async stop() {
      await halt();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
