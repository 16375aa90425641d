/**
 * Archives: a .zip (any nesting of folders, and zips inside zips) or a gzip-compressed file expands
 * into byte sources; anything else passes through unchanged.
 */
import { gunzipSync, unzipSync } from 'fflate';
import { DicomError } from './parse';
import { memorySource, type ByteSource } from './source';

const isZip = (b: Uint8Array): boolean => b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04;
const isEmptyZip = (b: Uint8Array): boolean =>
  b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x05 && b[3] === 0x06;
const isGzip = (b: Uint8Array): boolean => b[0] === 0x1f && b[1] === 0x8b;

const MAX_DEPTH = 3;
/** Refuse archives that would expand beyond this (zip bombs, or more than a browser tab can hold). */
export const MAX_EXPANDED_BYTES = 4 * 1024 * 1024 * 1024;

function skipEntry(path: string): boolean {
  const base = path.split('/').pop() ?? '';
  return path.endsWith('/') || path.startsWith('__MACOSX/') || base === '.DS_Store' || base === 'Thumbs.db';
}

/** Is this source an archive Lucent expands? Reads 4 bytes. */
export async function isArchive(source: ByteSource): Promise<boolean> {
  if (source.size < 4) return false;
  const head = await source.read(0, 4);
  return isZip(head) || isEmptyZip(head) || isGzip(head);
}

/**
 * Expand a source that is an archive. Returns the entries as sources named `archive/entry`, or null when
 * the source is not an archive. Throws {@link DicomError} ('archive-error') for a damaged archive.
 */
export async function expandArchive(source: ByteSource, depth = 0): Promise<ByteSource[] | null> {
  if (!(await isArchive(source))) return null;
  const bytes = await source.read(0, source.size);
  if (depth >= MAX_DEPTH)
    throw new DicomError('archive-error', 'Archives nested more than three deep are not opened.', {
      kind: 'too-deep',
    });
  let entries: [string, Uint8Array][];
  try {
    if (isGzip(bytes)) {
      const out = gunzipSync(bytes);
      const inner = source.name.replace(/\.gz$/i, '') || `${source.name}.ungz`;
      entries = [[inner, out]];
    } else {
      let total = 0;
      const files = unzipSync(bytes, {
        filter: (f) => {
          total += f.originalSize;
          if (total > MAX_EXPANDED_BYTES)
            throw new DicomError('archive-error', 'The archive expands to more than 4 GB.', {
              kind: 'too-large',
            });
          return !skipEntry(f.name);
        },
      });
      entries = Object.entries(files).map(([name, data]) => [`${source.name}/${name}`, data]);
    }
  } catch (e) {
    if (e instanceof DicomError) throw e;
    throw new DicomError(
      'archive-error',
      'The archive is damaged or uses an unsupported compression method.',
      { kind: 'damaged' },
    );
  }
  const out: ByteSource[] = [];
  for (const [name, data] of entries) {
    const inner = memorySource(name, data);
    const nested = await expandArchive(inner, depth + 1);
    if (nested) out.push(...nested);
    else out.push(inner);
  }
  return out;
}
