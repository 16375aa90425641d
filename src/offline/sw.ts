/**
 * The offline service worker (production build only; registered by app/main.tsx). On install it stores
 * the files the build lists in offline.json (the page, its assets, the WebAssembly runtime, the models);
 * afterwards it stores the demo cases and runtime files the app fetches. Offline, the app then opens, runs
 * AI and drafts reports from what it stored. It never stores anything from a PACS or any other origin
 * (see policy.ts). The build writes its id into BUILD, so each new build installs afresh and deletes the
 * previous build's copies.
 */
import {
  cacheKey,
  cacheName,
  parseOfflineManifest,
  staleCaches,
  strategyFor,
  type RequestFacts,
} from './policy';

/** Replaced by the build (scripts/vite-assets.ts) with a digest of the files it lists. */
const BUILD = '__LUCENT_BUILD__';
const CACHE = cacheName(BUILD);

// The service worker's global scope, as far as this file uses it (the DOM library in tsconfig has no
// ServiceWorkerGlobalScope).
interface ExtendableEvent extends Event {
  waitUntil(p: Promise<unknown>): void;
}
interface FetchEvent extends ExtendableEvent {
  readonly request: Request;
  respondWith(r: Promise<Response>): void;
}
interface WorkerScope {
  readonly location: Location;
  skipWaiting(): Promise<void>;
  readonly clients: { claim(): Promise<void> };
  addEventListener(type: 'install' | 'activate', listener: (e: ExtendableEvent) => void): void;
  addEventListener(type: 'fetch', listener: (e: FetchEvent) => void): void;
}
const scope = self as unknown as WorkerScope;
const origin = scope.location.origin;

async function precache(): Promise<void> {
  const res = await fetch('/offline.json', { cache: 'no-store' });
  if (!res.ok) throw new Error(`offline.json: HTTP ${res.status}`);
  const manifest = parseOfflineManifest(await res.json());
  const cache = await caches.open(CACHE);
  // All or nothing: a half-stored app would fail offline in ways that are hard to explain.
  await cache.addAll(manifest.files.map((f) => new Request(f, { cache: 'no-cache' })));
}

scope.addEventListener('install', (e) => {
  e.waitUntil(precache().then(() => scope.skipWaiting()));
});

scope.addEventListener('activate', (e) => {
  e.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(staleCaches(names, BUILD).map((n) => caches.delete(n))))
      .then(() => scope.clients.claim()),
  );
});

function storable(res: Response): boolean {
  return res.status === 200 && res.type === 'basic';
}

async function networkFirst(request: Request, key: string): Promise<Response> {
  const cache = await caches.open(CACHE);
  const head = request.method === 'HEAD';
  try {
    const res = await fetch(request);
    if (!head && storable(res)) await cache.put(key, res.clone());
    return res;
  } catch (e) {
    // Offline: the stored copy; for HEAD, its status and headers without the body.
    const stored = await cache.match(key);
    if (!stored) throw e;
    return head
      ? new Response(null, { status: stored.status, statusText: stored.statusText, headers: stored.headers })
      : stored;
  }
}

async function cacheFirst(request: Request, key: string): Promise<Response> {
  const cache = await caches.open(CACHE);
  const stored = await cache.match(key);
  if (stored && request.method === 'GET') return stored;
  const res = await fetch(request);
  if (storable(res)) await cache.put(key, res.clone());
  return res;
}

scope.addEventListener('fetch', (e) => {
  const request = e.request;
  const facts: RequestFacts = {
    method: request.method,
    url: request.url,
    mode: request.mode,
    range: request.headers.has('range'),
  };
  const strategy = strategyFor(facts, origin);
  if (strategy === 'pass') return;
  const key = cacheKey(facts, origin);
  e.respondWith(strategy === 'cache-first' ? cacheFirst(request, key) : networkFirst(request, key));
});
