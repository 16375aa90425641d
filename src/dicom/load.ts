/**
 * Load many sources: expand archives, read each file, and account for every one of them, either as a
 * loaded instance or as a load error. Used by the browser's ingest worker and by the CLI.
 */
import { expandArchive } from './archive';
import { DicomError } from './parse';
import { readInstance, toLoadError, type LoadError } from './read';
import type { LoadedInstance } from './series';
import type { ByteSource } from './source';

export interface LoadProgress {
  readonly done: number;
  readonly total: number;
}

export interface LoadItem {
  readonly source: ByteSource;
  /** Host key for this source's bytes (e.g. an index into the host's file table). */
  readonly key: string;
}

export type LoadEvent =
  | { readonly type: 'instance'; readonly instance: LoadedInstance; readonly source: ByteSource }
  | { readonly type: 'error'; readonly error: LoadError };

/** Expand archives into their entries; a damaged archive becomes an error, the rest goes on. */
export async function expandAll(
  sources: readonly ByteSource[],
  onError: (e: LoadError) => void,
): Promise<ByteSource[]> {
  const out: ByteSource[] = [];
  for (const s of sources) {
    try {
      const entries = await expandArchive(s);
      if (entries) out.push(...entries);
      else out.push(s);
    } catch (e) {
      onError(e instanceof DicomError ? toLoadError(s.name, e) : toLoadError(s.name, e));
    }
  }
  return out;
}

/**
 * Read sources with bounded concurrency, emitting one event per file. Never throws for a bad file.
 */
export async function loadSources(
  items: readonly LoadItem[],
  emit: (event: LoadEvent) => void,
  options: { concurrency?: number; onProgress?: (p: LoadProgress) => void; signal?: AbortSignal } = {},
): Promise<void> {
  const concurrency = options.concurrency ?? 8;
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      if (options.signal?.aborted) return;
      const item = items[next++];
      const r = await readInstance(item.source);
      if (r.ok) {
        emit({
          type: 'instance',
          instance: { key: item.key, fileName: item.source.name, info: r.info },
          source: item.source,
        });
      } else {
        emit({ type: 'error', error: r.error });
      }
      done++;
      options.onProgress?.({ done, total: items.length });
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}
