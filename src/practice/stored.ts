/**
 * A versioned list kept under one key of a Web Storage-like store (`{ version, <field>: [...] }`): read
 * back with each item validated (an item that does not parse is dropped, a list of another version or one
 * that does not parse reads as empty), and written whole. The practice history and the reader-study plans
 * are kept this way.
 */

/** `getItem`/`setItem` of the Web Storage API. */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

export interface StoredList<T> {
  readonly key: string;
  readonly version: number;
  /** The name of the list in the stored object. */
  readonly field: string;
  /** An item as stored, validated: null when it is not one. */
  readonly parse: (raw: unknown) => T | null;
}

export function readList<T>(store: KeyValueStore | undefined, list: StoredList<T>): T[] {
  if (!store) return [];
  try {
    const raw = store.getItem(list.key);
    if (!raw) return [];
    const parsed = JSON.parse(raw) as Record<string, unknown>;
    const items = parsed[list.field];
    if (parsed['version'] !== list.version || !Array.isArray(items)) return [];
    return items.map(list.parse).filter((x): x is T => x !== null);
  } catch {
    return [];
  }
}

/** Write the list back; a full or disabled store keeps nothing (the caller keeps what it wrote in memory). */
export function writeList<T>(
  store: KeyValueStore | undefined,
  list: StoredList<T>,
  items: readonly T[],
): void {
  try {
    store?.setItem(list.key, JSON.stringify({ version: list.version, [list.field]: items }));
  } catch {
    // Storage full or disabled.
  }
}
