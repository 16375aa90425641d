/**
 * What the offline service worker keeps, and how it answers: pure, so that Node tests can check it.
 *
 * Only the app's own static files are ever stored: the page, its hashed assets, the WebAssembly runtime,
 * the models and the demo cases. Nothing a user opens or receives from a PACS (`/dicomweb/…`, files read
 * from disk, which never pass through the network) is stored. Only GET and HEAD are answered (the engine
 * checks its runtime files with HEAD first), and only GET responses are stored.
 */

/** How the service worker answers one request. */
export type Strategy =
  /** Not the worker's business: the browser fetches as if there were no worker. */
  | 'pass'
  /** Hashed build assets never change under the same name: the stored copy first, else the network. */
  | 'cache-first'
  /** Everything else of the app's own: the network first (always fresh when online), the copy when not. */
  | 'network-first';

/** Folders of the app's own static files, served the same to everyone. */
const STATIC = ['/ort/', '/models/', '/demo/'];

export interface RequestFacts {
  readonly method: string;
  /** The request's URL, absolute. */
  readonly url: string;
  /** RequestMode: 'navigate' for the page itself. */
  readonly mode: string;
  /** Whether the request asks for part of a file (a Range header): never stored. */
  readonly range: boolean;
}

export function strategyFor(request: RequestFacts, origin: string): Strategy {
  if ((request.method !== 'GET' && request.method !== 'HEAD') || request.range) return 'pass';
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    return 'pass';
  }
  if (url.origin !== origin) return 'pass';
  const path = url.pathname;
  // The page: always stored under "/", whatever its query, so that a reload offline finds it.
  if (request.mode === 'navigate')
    return request.method === 'GET' && (path === '/' || path === '/index.html') ? 'network-first' : 'pass';
  if (url.search !== '') return 'pass';
  if (path.startsWith('/assets/') && !path.endsWith('.map')) return 'cache-first';
  if (STATIC.some((p) => path.startsWith(p))) return 'network-first';
  return 'pass';
}

/** The key a response is stored under: the page under "/", any other file under its own URL. */
export function cacheKey(request: RequestFacts, origin: string): string {
  return request.mode === 'navigate' ? `${origin}/` : request.url;
}

/** The name of this build's cache; a new build gets a new one and the old ones are deleted. */
export const CACHE_PREFIX = 'lucent-offline-';
export const cacheName = (build: string): string => `${CACHE_PREFIX}${build}`;

/** Caches that belong to older builds of the app (the models' own cache is not the worker's). */
export function staleCaches(names: readonly string[], build: string): string[] {
  return names.filter((n) => n.startsWith(CACHE_PREFIX) && n !== cacheName(build));
}

/** offline.json, written by the build: the files to store when the worker installs. */
export interface OfflineManifest {
  readonly schema: 'lucent.offline/1';
  readonly build: string;
  readonly files: readonly string[];
}

export function parseOfflineManifest(value: unknown): OfflineManifest {
  const v = value as Partial<OfflineManifest> | null;
  if (
    !v ||
    v.schema !== 'lucent.offline/1' ||
    typeof v.build !== 'string' ||
    !Array.isArray(v.files) ||
    !v.files.every((f) => typeof f === 'string' && f.startsWith('/'))
  )
    throw new Error('offline.json is not lucent.offline/1');
  return { schema: v.schema, build: v.build, files: v.files };
}
