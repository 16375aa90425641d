/**
 * The demo cases served with the app (public/demo): their index, followed while a first `npm start` is
 * still generating them, and opening one (its files are fetched from the app's own origin and loaded
 * like any others). A reload during a demo brings the same case back (this tab only).
 */
import { DicomError } from '../dicom/errors';
import { messageOf } from '../lib/errors';
import { DEMO_INDEX_SCHEMA } from '../synth/demo';
import type { DemoCaseSummary } from '../store';
import type { Host } from './host';
import type { Loading } from './loading';

const SESSION_KEY = 'lucent.session.demo';
const POLL_MS = 2000;
/** An index that has not changed for this long while "generating" is reported as stalled. */
const STALL_MS = 180_000;

function sessionStorageOrNull(): Storage | null {
  try {
    return globalThis.sessionStorage ?? null;
  } catch {
    return null;
  }
}

function isDemoCase(v: unknown): v is DemoCaseSummary {
  const c = v as Partial<DemoCaseSummary> | null;
  return (
    typeof c?.id === 'string' &&
    typeof c.label === 'string' &&
    Array.isArray(c.files) &&
    Array.isArray(c.nodules) &&
    (c.nodules as unknown[]).every((n) => {
      const x = n as { type?: unknown; diameterMm?: unknown } | null;
      return typeof x?.type === 'string' && typeof x.diameterMm === 'number';
    })
  );
}

export class Demo {
  /** When the index last changed while it was being generated, and what it said then. */
  private watch = { changedAt: 0, ready: -1 };
  /** Whether the demo case of a reload was brought back already (the index may be read many times). */
  private restored = false;

  constructor(
    private readonly host: Host,
    private readonly loading: Loading,
  ) {}

  /** Another study was opened: a reload no longer brings a demo case back. */
  forget(): void {
    try {
      sessionStorageOrNull()?.removeItem(SESSION_KEY);
    } catch {
      // Storage disabled.
    }
  }

  /**
   * Read the demo index, if this build has one. While the set is being generated, read it again every
   * 2 s so that each finished case appears; an index that stops changing for 3 minutes is reported as
   * stalled instead of waited on.
   */
  async loadIndex(): Promise<void> {
    const { store } = this.host;
    let status: unknown = 'complete';
    let total = 0;
    try {
      const res = await fetch('demo/index.json', { cache: 'no-cache' });
      if (!res.ok) throw new Error(String(res.status));
      const index = (await res.json()) as {
        schema?: unknown;
        cases?: unknown;
        status?: unknown;
        total?: unknown;
      };
      // An index from another version of the generator (a stale public/demo) lists no cases.
      const current = index.schema === DEMO_INDEX_SCHEMA && Array.isArray(index.cases);
      const cases = current && Array.isArray(index.cases) ? index.cases : [];
      status = current ? (index.status ?? 'complete') : 'complete';
      total = typeof index.total === 'number' ? index.total : cases.length;
      store.setState({ demoCases: cases.filter(isDemoCase) });
    } catch {
      store.setState({ demoCases: [] });
    }
    const ready = store.getState().demoCases?.length ?? 0;
    const now = Date.now();
    if (ready !== this.watch.ready) this.watch = { changedAt: now, ready };
    if (status === 'generating' && now - this.watch.changedAt < STALL_MS) {
      store.setState({ demoProgress: { state: 'generating', ready, total } });
      setTimeout(() => void this.loadIndex(), POLL_MS);
    } else if (status === 'generating' || status === 'failed') {
      store.setState({ demoProgress: { state: status === 'failed' ? 'failed' : 'stalled', ready, total } });
    } else {
      store.setState({ demoProgress: null });
    }
    const again = this.restored ? null : sessionStorageOrNull()?.getItem(SESSION_KEY);
    const idle = store.getState().studies.length === 0 && !this.loading.busy();
    if (again && idle && store.getState().demoCases?.some((d) => d.id === again)) {
      this.restored = true;
      void this.open(again);
    }
  }

  async open(id: string): Promise<void> {
    const demo = this.host.store.getState().demoCases?.find((d) => d.id === id);
    if (!demo) return;
    this.restored = true;
    const abort = this.loading.openFetched();
    try {
      sessionStorageOrNull()?.setItem(SESSION_KEY, demo.id);
    } catch {
      // Storage disabled: a reload simply starts empty.
    }
    await this.loading.streamIn(
      demo.files.length,
      async (n) => {
        let res: Response;
        try {
          res = await fetch(
            `demo/${encodeURIComponent(demo.id)}/${encodeURIComponent(demo.files[n] ?? '')}`,
            {
              signal: abort.signal,
            },
          );
        } catch (e) {
          if (abort.signal.aborted) throw e;
          throw new DicomError('fetch-failed', `The file could not be downloaded: ${messageOf(e)}`, {
            kind: 'download-no-answer',
          });
        }
        if (!res.ok)
          throw new DicomError('fetch-failed', `The file could not be downloaded (HTTP ${res.status}).`, {
            kind: 'download-http',
            status: res.status,
          });
        return new Uint8Array(await res.arrayBuffer());
      },
      (n) => `${demo.id}/${demo.files[n] ?? n}`,
      abort.signal,
      'demo',
    );
  }
}
