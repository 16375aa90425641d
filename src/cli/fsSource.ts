/** Node host: byte sources from files, recursing into folders. */
import { open, readdir, stat } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import type { ByteSource } from '../dicom/source';

export function fileSource(path: string, name: string, size: number): ByteSource {
  return {
    name,
    size,
    async read(start, end) {
      const handle = await open(path, 'r');
      try {
        const length = Math.max(0, Math.min(end, size) - start);
        const buffer = new Uint8Array(length);
        let read = 0;
        while (read < length) {
          const { bytesRead } = await handle.read(buffer, read, length - read, start + read);
          if (bytesRead === 0) break;
          read += bytesRead;
        }
        return read === length ? buffer : buffer.subarray(0, read);
      } finally {
        await handle.close();
      }
    },
  };
}

/** Every file under the given paths, named relative to the folder given (or by its path for files). */
export async function collectSources(paths: readonly string[]): Promise<ByteSource[]> {
  const out: ByteSource[] = [];
  const visit = async (path: string, base: string | null): Promise<void> => {
    const s = await stat(path);
    if (s.isDirectory()) {
      const entries = (await readdir(path)).sort();
      for (const e of entries) await visit(join(path, e), base ?? resolve(path, '..'));
    } else if (s.isFile()) {
      out.push(fileSource(path, base ? relative(base, resolve(path)) : path, s.size));
    }
  };
  for (const p of paths) await visit(p, null);
  return out;
}
