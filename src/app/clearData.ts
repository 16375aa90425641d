/**
 * "Clear all local data": everything this origin keeps in the browser is removed (local and session
 * storage: settings, reviews, practice history; Cache Storage: model files; every IndexedDB database;
 * service worker registrations). The caller stops saving first and reloads the page after, so that
 * nothing in memory is written back.
 */

export interface Cleared {
  /** Keys removed from local and session storage. */
  readonly storageKeys: number;
  readonly caches: number;
  readonly databases: number;
}

function deleteDatabase(name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.deleteDatabase(name);
    request.onsuccess = () => resolve();
    // Another tab still has it open: it is deleted once that tab lets go; nothing more to wait for here.
    request.onblocked = () => resolve();
    request.onerror = () => reject(request.error ?? new Error(`IndexedDB database ${name} was not deleted`));
  });
}

export async function clearAllLocalData(): Promise<Cleared> {
  let storageKeys = 0;
  for (const storage of [globalThis.localStorage, globalThis.sessionStorage]) {
    if (!storage) continue;
    storageKeys += storage.length;
    storage.clear();
  }
  const cacheNames = globalThis.caches ? await caches.keys() : [];
  await Promise.all(cacheNames.map((name) => caches.delete(name)));
  const databases = 'indexedDB' in globalThis ? await indexedDB.databases() : [];
  const names = databases.flatMap((d) => (d.name ? [d.name] : []));
  await Promise.all(names.map(deleteDatabase));
  const registrations = (await navigator.serviceWorker?.getRegistrations()) ?? [];
  await Promise.all(registrations.map((r) => r.unregister()));
  return { storageKeys, caches: cacheNames.length, databases: names.length };
}
