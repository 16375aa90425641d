// A real DICOMweb server for tests: Debian's Orthanc with its DICOMweb plugin, on a free loopback port,
// with its own storage folder. Started and stopped by the test harness.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ORTHANC_BIN = process.env.LUCENT_ORTHANC ?? '/usr/sbin/Orthanc';
export const DICOMWEB_PLUGIN = '/usr/share/orthanc/plugins/libOrthancDicomWeb.so';

export function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

export async function startOrthanc() {
  for (const [path, pkg] of [
    [ORTHANC_BIN, 'orthanc'],
    [DICOMWEB_PLUGIN, 'orthanc-dicomweb'],
  ]) {
    if (!existsSync(path)) throw new Error(`${path} not found: install it with "apt-get install ${pkg}"`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'lucent-orthanc-'));
  const port = await freePort();
  const config = {
    Name: 'LucentTest',
    StorageDirectory: join(dir, 'db'),
    IndexDirectory: join(dir, 'db'),
    HttpPort: port,
    HttpServerEnabled: true,
    DicomServerEnabled: false,
    RemoteAccessAllowed: false,
    AuthenticationEnabled: false,
    HttpTimeout: 60,
    Plugins: [DICOMWEB_PLUGIN],
    DicomWeb: { Enable: true, Root: '/dicom-web/', EnableWado: true },
    StableAge: 1,
  };
  writeFileSync(join(dir, 'orthanc.json'), JSON.stringify(config));
  const child = spawn(ORTHANC_BIN, [join(dir, 'orthanc.json')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Orthanc exited early (${child.exitCode}): ${stderr}`);
    try {
      const r = await fetch(`${url}/system`);
      if (r.ok) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`Orthanc did not start within 30 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    dicomweb: `${url}/dicom-web`,
    /** Store one DICOM file through Orthanc's REST API. */
    async store(bytes) {
      const r = await fetch(`${url}/instances`, {
        method: 'POST',
        body: bytes,
        headers: { 'content-type': 'application/dicom' },
      });
      if (!r.ok) throw new Error(`Orthanc refused an instance: ${r.status} ${await r.text()}`);
      return r.json();
    },
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => {
        const t = setTimeout(() => {
          child.kill('SIGKILL');
          r();
        }, 5000);
        child.once('exit', () => {
          clearTimeout(t);
          r();
        });
      });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
