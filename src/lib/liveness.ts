/**
 * Knowing that a Web Worker has died, however it died. A worker that throws is reported by its `error`
 * event, but one that is closed (`self.close()`), killed by the browser for memory, or whose thread
 * stops otherwise says nothing: its page would wait for it forever. So each worker holds a Web Lock
 * named after itself for its whole life (`holdLifeLock`), and the page waits for that lock
 * (`watchLife`): the browser releases a lock when the context holding it ends, which hands it to the
 * page, which then knows the worker is gone. Where Web Locks are missing both do nothing.
 */

/** How a message says that a worker stopped with no error event (after "stopped"). */
export const SILENT_DEATH = ' without an error (closed by the browser, or out of memory)';

/** A lock name for a new worker: its kind and a random part, given to the worker as its `name`. */
export function lifeLockName(kind: string): string {
  const random = globalThis.crypto?.randomUUID?.() ?? `${Date.now()}-${Math.random()}`;
  return `${kind}#life-${random}`;
}

interface LockManagerLike {
  request(name: string, options: { signal?: AbortSignal }, fn: () => unknown): Promise<unknown>;
  request(name: string, fn: () => unknown): Promise<unknown>;
  query(): Promise<{ held?: { name?: string }[] }>;
}

function lockManager(): LockManagerLike | null {
  const nav = (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator;
  return nav?.locks ?? null;
}

/** Worker side: hold the lock named by this worker's `name` until the worker ends. */
export function holdLifeLock(name: string): void {
  const locks = lockManager();
  if (!locks || !name.includes('#life-')) return;
  void locks.request(name, () => new Promise<never>(() => {})).catch(() => {});
}

/**
 * Page side: call `onDeath` once when the worker given `name` stops holding its life lock. The page
 * waits until the worker has taken the lock (it may still be starting) before waiting for it to go.
 * Returns `stop`: call it before the page itself terminates the worker.
 */
export function watchLife(name: string, onDeath: () => void): () => void {
  const locks = lockManager();
  if (!locks) return () => {};
  let stopped = false;
  const abort = new AbortController();
  const held = async (): Promise<boolean> => ((await locks.query()).held ?? []).some((l) => l.name === name);
  void (async () => {
    // Until the worker holds its lock: look again, less and less often (a worker starts in milliseconds
    // but may take seconds on a busy machine).
    for (let wait = 10; !(await held()); wait = Math.min(1000, wait * 2)) {
      if (stopped) return;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
    if (stopped) return;
    await locks.request(name, { signal: abort.signal }, () => {
      if (!stopped) onDeath();
    });
  })().catch(() => {
    // Aborted by stop(), or no lock service after all: nothing to report.
  });
  return () => {
    stopped = true;
    abort.abort();
  };
}
