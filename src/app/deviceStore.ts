/**
 * What a reader produces on this device (reviews with their report text and sign-offs, practice results)
 * is kept in IndexedDB: database `lucent`, one object store of versioned JSON records under the keys the
 * store/ and practice/ modules already use. The records are read into memory once, when the app starts,
 * so reading stays synchronous (the `KeyValueStorage` the rest of the code is written against); every
 * write goes to IndexedDB at once, in its own transaction committed without waiting for the end of the
 * task, in the order it was made.
 *
 * Versions: the database's own version numbers the layout (DB_VERSION; `upgrade` moves an older layout
 * forward step by step); each record carries its own schema version, checked when it is read. Records
 * kept in localStorage by earlier versions of Lucent are moved here on first start and removed there.
 *
 * A write that fails (the device's quota is full, storage blocked by the browser) is reported through
 * `onProblem`, with the record left in memory: the page says so and points to clearing old data. Where
 * IndexedDB cannot be opened at all (some private modes), localStorage is used instead, and said.
 */
import { LucentError, messageOf, problemOf } from '../lib/errors';
import type { KeyValueStorage, StorageProblem } from '../store/persist';

export const DB_NAME = 'lucent';
/** 1: the `records` store (key → JSON text). */
export const DB_VERSION = 1;
const RECORDS = 'records';
/** The keys of earlier versions' localStorage records that belong here (settings stay in localStorage). */
const MOVED_PREFIXES = ['lucent.review', 'lucent.practice'];
/** The longest the database may take to open before the app starts without it (ms). */
const OPEN_TIMEOUT_MS = 5_000;

export interface DeviceStore extends KeyValueStorage {
  /** Where the records live: IndexedDB, or localStorage when IndexedDB could not be opened. */
  readonly backend: 'indexeddb' | 'localstorage';
  /** Resolves when every write made so far has been committed (or has failed). */
  settled(): Promise<void>;
  /** Close the database (before it is deleted by Clear all local data). */
  close(): void;
}

export interface DeviceStoreOptions {
  readonly indexedDB?: IDBFactory;
  /** Where earlier versions kept the records; they are moved from here. */
  readonly legacy?: Storage;
  readonly onProblem?: (p: StorageProblem) => void;
}

const done = (r: IDBRequest | IDBTransaction): Promise<void> =>
  new Promise((resolve, reject) => {
    if ('oncomplete' in r) {
      r.oncomplete = () => resolve();
      r.onabort = () => reject(r.error ?? new Error('the transaction was aborted'));
      r.onerror = () => reject(r.error ?? new Error('the transaction failed'));
    } else {
      r.onsuccess = () => resolve();
      r.onerror = () => reject(r.error ?? new Error('the request failed'));
    }
  });

/** Bring a database from `oldVersion` to DB_VERSION, one step at a time. */
function upgrade(db: IDBDatabase, oldVersion: number): void {
  if (oldVersion < 1) db.createObjectStore(RECORDS);
}

function openDb(factory: IDBFactory): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(
          new LucentError('storage', `the database did not open within ${OPEN_TIMEOUT_MS / 1000} s`, {
            kind: 'timeout',
            seconds: OPEN_TIMEOUT_MS / 1000,
          }),
        ),
      OPEN_TIMEOUT_MS,
    );
    const request = factory.open(DB_NAME, DB_VERSION);
    request.onupgradeneeded = (e) => upgrade(request.result, e.oldVersion);
    request.onsuccess = () => {
      clearTimeout(timer);
      const db = request.result;
      // Let a newer version or Clear all local data (deleteDatabase) proceed instead of being blocked.
      db.onversionchange = () => db.close();
      resolve(db);
    };
    request.onerror = () => {
      clearTimeout(timer);
      reject(request.error ?? new Error('the database could not be opened'));
    };
    request.onblocked = () => {
      clearTimeout(timer);
      reject(
        new LucentError('storage', 'the database is held by an older version of Lucent open in another tab', {
          kind: 'blocked',
        }),
      );
    };
  });
}

async function readAll(db: IDBDatabase): Promise<Map<string, string>> {
  const tx = db.transaction(RECORDS, 'readonly');
  const store = tx.objectStore(RECORDS);
  const keys = store.getAllKeys();
  const values = store.getAll();
  await done(tx);
  const out = new Map<string, string>();
  keys.result.forEach((k, i) => {
    const v: unknown = (values.result as unknown[])[i];
    if (typeof k === 'string' && typeof v === 'string') out.set(k, v);
  });
  return out;
}

function legacyKeys(legacy: Storage): string[] {
  const keys: string[] = [];
  for (let i = 0; i < legacy.length; i++) {
    const k = legacy.key(i);
    if (k !== null && MOVED_PREFIXES.some((p) => k.startsWith(p))) keys.push(k);
  }
  return keys;
}

/** Move earlier versions' records from localStorage: written here first, removed there once committed. */
async function migrate(db: IDBDatabase, records: Map<string, string>, legacy: Storage): Promise<void> {
  const keys = legacyKeys(legacy);
  if (keys.length === 0) return;
  const tx = db.transaction(RECORDS, 'readwrite');
  const store = tx.objectStore(RECORDS);
  for (const k of keys) {
    const v = legacy.getItem(k);
    // A record already here is newer than the one left behind.
    if (v !== null && !records.has(k)) {
      store.put(v, k);
      records.set(k, v);
    }
  }
  await done(tx);
  for (const k of keys) legacy.removeItem(k);
}

/** A storage problem with `code`: why in detail (Lucent's own `kind`) and the browser's English message. */
function storageProblem(code: StorageProblem['code'], e: unknown): StorageProblem {
  return { code, detail: problemOf(e).detail, message: messageOf(e) };
}

function writeProblem(e: unknown): StorageProblem {
  const name = e instanceof DOMException ? e.name : '';
  return storageProblem(name === 'QuotaExceededError' ? 'quota' : 'write-failed', e);
}

/** localStorage as the device store, where IndexedDB cannot be used. */
function fallback(legacy: Storage | undefined, onProblem?: (p: StorageProblem) => void): DeviceStore {
  const report = (e: unknown): void => onProblem?.(writeProblem(e));
  return {
    backend: 'localstorage',
    getItem: (k) => legacy?.getItem(k) ?? null,
    setItem: (k, v) => {
      try {
        legacy?.setItem(k, v);
      } catch (e) {
        report(e);
      }
    },
    removeItem: (k) => legacy?.removeItem(k),
    settled: () => Promise.resolve(),
    close: () => undefined,
  };
}

export async function openDeviceStore(options: DeviceStoreOptions = {}): Promise<DeviceStore> {
  const factory = options.indexedDB ?? globalThis.indexedDB;
  const legacy = options.legacy ?? globalThis.localStorage;
  const { onProblem } = options;
  let db: IDBDatabase;
  let records: Map<string, string>;
  try {
    if (!factory) throw new LucentError('storage', 'this browser has no IndexedDB', { kind: 'no-indexeddb' });
    db = await openDb(factory);
    records = await readAll(db);
  } catch (e) {
    onProblem?.(storageProblem('unavailable', e));
    return fallback(legacy, onProblem);
  }
  try {
    if (legacy) await migrate(db, records, legacy);
  } catch (e) {
    // The records stay where they were, and are moved on a later start.
    onProblem?.(writeProblem(e));
  }
  let last: Promise<void> = Promise.resolve();
  let closed = false;
  const write = (apply: (store: IDBObjectStore) => void): void => {
    if (closed) return;
    let tx: IDBTransaction;
    try {
      tx = db.transaction(RECORDS, 'readwrite', { durability: 'strict' });
      apply(tx.objectStore(RECORDS));
      // Committed now, not at the end of this task: a tab killed a moment later keeps the write.
      tx.commit();
    } catch (e) {
      onProblem?.(writeProblem(e));
      return;
    }
    const committed = done(tx).catch((e: unknown) => onProblem?.(writeProblem(e)));
    last = last.then(() => committed);
  };
  return {
    backend: 'indexeddb',
    getItem: (k) => records.get(k) ?? null,
    setItem: (k, v) => {
      records.set(k, v);
      write((s) => s.put(v, k));
    },
    removeItem: (k) => {
      records.delete(k);
      write((s) => s.delete(k));
    },
    settled: () => last,
    close: () => {
      closed = true;
      db.close();
    },
  };
}
