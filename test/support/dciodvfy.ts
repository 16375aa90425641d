/** dicom3tools' dciodvfy (Debian's dicom3tools), the IOD, module and template checker, on bytes. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Verdict {
  /** The IOD dciodvfy recognised and checked against (its first line), e.g. "Comprehensive3DSR". */
  readonly iod: string;
  /** Its "Error - …" lines; warnings are left out. */
  readonly errors: string[];
}

export function dciodvfy(bytes: Uint8Array): Verdict {
  const dir = mkdtempSync(join(tmpdir(), 'lucent-dciodvfy-'));
  try {
    const file = join(dir, 'file.dcm');
    writeFileSync(file, bytes);
    const r = spawnSync('dciodvfy', [file], { encoding: 'utf8' });
    if (r.error) throw r.error;
    const lines = `${r.stdout}${r.stderr}`.split('\n');
    return {
      iod: lines.find((l) => l.trim() && !l.startsWith('Error') && !l.startsWith('Warning'))?.trim() ?? '',
      errors: lines.filter((l) => l.startsWith('Error')),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
