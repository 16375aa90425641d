/**
 * Load many sources: expand archives, read each file, and account for every one of them, either as a
 * loaded instance or as a load error. Used by the browser's ingest worker and by the CLI.
 */
import { expandArchive } from './archive';
import { FIRST_READ, WHOLE_FILE_BELOW, readInstance, toLoadError, type LoadError } from './read';
import type { LoadedInstance } from './series';
import { withReadAhead, type ByteSource } from './source';

export interface LoadProgress {
  readonly done: number;
  readonly total: number;
  /** Index (in `items`) of the item just finished: all its events have been emitted. */
  readonly index: number;
}

export interface LoadItem {
  readonly source: ByteSource;
  /** Host key for this source's bytes (e.g. an index into the host's file table). */
  readonly key: string;
}

export type LoadEvent =
  | { readonly type: 'instance'; readonly instance: LoadedInstance; readonly source: ByteSource }
  | { readonly type: 'error'; readonly error: LoadError };

/** Every file of a set of sources: the instances read, the source of each (by instance key), the errors. */
export interface LoadedSources {
  readonly instances: LoadedInstance[];
  readonly sources: Map<string, ByteSource>;
  /** Sorted by file name. */
  readonly errors: LoadError[];
}

/** Load every source (its key is its index) and collect the outcome: the CLI's and the batch's loading. */
export async function loadAll(sources: readonly ByteSource[]): Promise<LoadedSources> {
  const instances: LoadedInstance[] = [];
  const byKey = new Map<string, ByteSource>();
  const errors: LoadError[] = [];
  await loadSources(
    sources.map((source, i) => ({ source, key: String(i) })),
    (event) => {
      if (event.type === 'instance') {
        instances.push(event.instance);
        byKey.set(event.instance.key, event.source);
      } else errors.push(event.error);
    },
  );
  errors.sort((a, b) => a.file.localeCompare(b.file));
  return { instances, sources: byKey, errors };
}

/**
 * Read sources with bounded concurrency, emitting one event per file (archives are expanded in place,
 * each entry becoming a file). Never throws for a bad file.
 */
export async function loadSources(
  items: readonly LoadItem[],
  emit: (event: LoadEvent) => void,
  options: { concurrency?: number; onProgress?: (p: LoadProgress) => void; signal?: AbortSignal } = {},
): Promise<void> {
  const concurrency = options.concurrency ?? 8;
  let next = 0;
  let done = 0;
  const readOne = async (source: ByteSource, key: string): Promise<void> => {
    const r = await readInstance(source);
    if (r.ok) emit({ type: 'instance', instance: { key, fileName: source.name, info: r.info }, source });
    else emit({ type: 'error', error: r.error });
  };
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      if (options.signal?.aborted) return;
      const index = next++;
      const item = items[index];
      // One read serves both the archive check and, for small files, the whole parse.
      const source = withReadAhead(
        item.source,
        item.source.size <= WHOLE_FILE_BELOW ? item.source.size : FIRST_READ,
      );
      let entries: ByteSource[] | null = null;
      try {
        entries = await expandArchive(source);
      } catch (e) {
        emit({ type: 'error', error: toLoadError(source.name, e) });
      }
      if (entries) {
        for (const [j, entry] of entries.entries()) await readOne(entry, `${item.key}.${j}`);
      } else {
        await readOne(source, item.key);
      }
      done++;
      options.onProgress?.({ done, total: items.length, index });
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}
