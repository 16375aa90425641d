// Helpers for tests over the real pydicom corpus and dcmtk as an independent reference.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { memorySource, type ByteSource } from '../../src/dicom/source';
import { pydicomTestFiles } from './fixtures.mjs';

export function corpusDir(): string {
  return process.env['LUCENT_PYDICOM_DIR'] ?? pydicomTestFiles();
}

export function corpusFile(name: string): string {
  return join(corpusDir(), name);
}

export function sourceOf(path: string, name = path.split('/').pop() ?? path): ByteSource {
  return memorySource(name, new Uint8Array(readFileSync(path)));
}

export function walk(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((f) => {
      const p = join(dir, f);
      return statSync(p).isDirectory() ? walk(p) : [p];
    });
}

/** The value dcmtk's dcmdump prints for a tag, e.g. "0028,0010" → "128"; undefined when absent. */
export function dcmdumpValue(path: string, tagText: string): string | undefined {
  let out: string;
  try {
    out = execFileSync('dcmdump', ['-q', '+P', tagText, path], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
  } catch (e) {
    out = (e as { stdout?: string }).stdout ?? '';
  }
  const line = out.split('\n').find((l) => l.startsWith(`(${tagText.toLowerCase()})`));
  if (!line) return undefined;
  const m = /^\([0-9a-f,]+\) [A-Z]{2} (?:\[(.*?)\]|=(\S+)|(.*?))\s+#/.exec(line);
  if (!m) return undefined;
  return (m[1] ?? m[2] ?? m[3] ?? '').trim();
}
