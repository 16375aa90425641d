/**
 * Big studies (issue 13), opt-in (`npm run bench big`): a 1,000-slice 512² CT opened from local files and
 * swept by the AI, then a 3,000-image study of six series in a fresh browser. For each: time to first
 * image, to every file read, to the active series scrollable, the AI sweep; and the peak resident memory
 * of Debian's Chromium (every process of the browser, sampled from /proc every 250 ms) against the
 * decoded voxel bytes (slices × rows × columns × 2). A crashed tab or an error alert is recorded, not
 * thrown: it is the finding.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { simplePhantomSeries, type SimplePhantomOptions } from '../src/synth/simplePhantom';
import { buildAndServe } from './data';
import { launchBrowser } from '../test/support/browser.mjs';

const root = resolve(import.meta.dirname, '..');
const SIZE = 512;
const MB = 1e6;

interface SeriesSpec {
  readonly prefix: string;
  readonly options: SimplePhantomOptions;
}

/** The 1,000-slice CT: 0.625 mm slices (a thin reconstruction), the bench CT's 0.7 mm pixels. */
const CT1000: readonly SeriesSpec[] = [
  {
    prefix: '',
    options: {
      slices: 1000,
      size: SIZE,
      pixelSpacingMm: 0.7,
      sliceSpacingMm: 0.625,
      seed: 'bench-ct1000',
      noise: 12,
      seriesDescription: 'Bench 1000 × 512²',
    },
  },
];

/** One study of one patient (shared study seed): six series of 500 slices, 3,000 images. */
const STUDY3000: readonly SeriesSpec[] = Array.from({ length: 6 }, (_, n) => ({
  prefix: `S${n + 1}_`,
  options: {
    slices: 500,
    size: SIZE,
    pixelSpacingMm: 0.7,
    sliceSpacingMm: n % 2 === 0 ? 0.625 : 1.25,
    seed: `bench-study3000/series-${n + 1}`,
    studySeed: 'bench-study3000',
    seriesNumber: n + 1,
    noise: 12,
    seriesDescription: `Bench study, series ${n + 1} of 6`,
  },
}));

export interface BigDataSet {
  readonly dir: string;
  readonly files: string[];
  readonly series: number;
  /** Slices × rows × columns × 2 bytes (16-bit voxels, as decoded). */
  readonly voxelBytes: number;
  /** 0 when it was on disk already. */
  readonly generatedMs: number;
}

function dataSet(name: string, specs: readonly SeriesSpec[]): BigDataSet {
  const dir = join(root, '.cache/bench', name);
  const total = specs.reduce((n, s) => n + s.options.slices, 0);
  let generatedMs = 0;
  if (!existsSync(dir) || readdirSync(dir).length !== total) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const t = performance.now();
    for (const spec of specs)
      for (const s of simplePhantomSeries(spec.options))
        writeFileSync(join(dir, spec.prefix + s.fileName), s.bytes);
    generatedMs = performance.now() - t;
  }
  const files = readdirSync(dir)
    .sort()
    .map((f) => join(dir, f));
  return {
    dir,
    files,
    series: specs.length,
    voxelBytes: specs.reduce((n, s) => n + s.options.slices * s.options.size ** 2 * 2, 0),
    generatedMs,
  };
}

/** The big datasets, generated once into .cache/bench (never committed). */
export function bigData(): { ct1000: BigDataSet; study3000: BigDataSet } {
  return { ct1000: dataSet('ct1000-512', CT1000), study3000: dataSet('study3000-512', STUDY3000) };
}

// ---- Memory of the browser's processes, from /proc ----

interface ProcSample {
  readonly type: string;
  readonly rss: number;
  readonly pss: number;
  readonly anon: number;
  readonly hwm: number;
}

function statusField(status: string, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  return m ? Number(m[1]) * 1024 : 0;
}

/** Every process below `ancestor` (this Node process), by parent pid from /proc/PID/stat. */
function descendants(ancestor: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // "pid (comm) state ppid …": comm may hold spaces and parentheses.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(entry));
      children.set(ppid, list);
    } catch {
      // The process ended while we looked.
    }
  }
  const out: number[] = [];
  const queue = [...(children.get(ancestor) ?? [])];
  for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
    out.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return out;
}

export interface MemoryPeak {
  /** Largest resident set of one renderer process (the tab and its dedicated workers), sampled. */
  readonly rendererMB: number;
  /** The kernel's own high-water mark (VmHWM) of the largest renderer. */
  readonly rendererHwmMB: number;
  /** Largest sum of resident sets over every Chromium process (shared pages counted in each). */
  readonly totalMB: number;
  /** Largest sum of proportional set sizes (a page shared by n processes counts 1/n in each). */
  readonly totalPssMB: number;
  /** Largest sum of anonymous and shared-memory resident pages (no shared-library pages). */
  readonly totalAnonMB: number;
  /** Largest sum of resident sets in each phase (load: opening the study; ai: from the click on Run AI). */
  readonly totalByPhaseMB: Record<string, number>;
  /** The largest renderer in each phase. */
  readonly rendererByPhaseMB: Record<string, number>;
  /** At the largest total, by process type. */
  readonly byTypeMB: Record<string, number>;
  /** Sum of resident sets with the app loaded, before the study was opened. */
  readonly baselineMB: number;
  /** The largest renderer with the app loaded, before the study was opened (the app's own footprint). */
  readonly rendererBaselineMB: number;
  readonly samples: number;
}

/** Samples the resident memory of every Chromium process started by this process. */
class MemorySampler {
  private readonly types = new Map<number, string>();
  private readonly hwm = new Map<number, { type: string; bytes: number }>();
  private timer: ReturnType<typeof setInterval> | null = null;
  private peakRenderer = 0;
  private peakTotal = 0;
  private peakAnon = 0;
  private peakPss = 0;
  private readonly phases: Record<string, number> = {};
  private readonly rendererPhases: Record<string, number> = {};
  phase = 'load';
  private byType: Record<string, number> = {};
  private samples = 0;
  baseline = 0;
  rendererBaseline = 0;

  private typeOf(pid: number): string | null {
    const known = this.types.get(pid);
    if (known !== undefined) return known;
    let cmd: string;
    try {
      cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      return null;
    }
    // Chromium's child processes rewrite their command line as one space-separated string.
    const argv = cmd.split(/[\0 ]/);
    const type = !/chrom/i.test(argv[0] ?? '')
      ? 'other'
      : (/^--type=(.+)$/.exec(argv.find((a) => a.startsWith('--type=')) ?? '')?.[1] ?? 'browser');
    // A process forked by the zygote reads as a zygote until it has set its own title.
    if (type !== 'zygote') this.types.set(pid, type);
    return type;
  }

  /** One sample: resident sets now, per process. */
  read(): ProcSample[] {
    const out: ProcSample[] = [];
    for (const pid of descendants(process.pid)) {
      const type = this.typeOf(pid);
      if (type === null || type === 'other') continue;
      try {
        const status = readFileSync(`/proc/${pid}/status`, 'utf8');
        let pss = 0;
        try {
          pss = statusField(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'), 'Pss');
        } catch {
          pss = 0;
        }
        const sample = {
          type,
          rss: statusField(status, 'VmRSS'),
          pss,
          anon: statusField(status, 'RssAnon') + statusField(status, 'RssShmem'),
          hwm: statusField(status, 'VmHWM'),
        };
        this.hwm.set(pid, { type, bytes: sample.hwm });
        out.push(sample);
      } catch {
        // Ended between the listing and the read.
      }
    }
    return out;
  }

  private sample(): void {
    const procs = this.read();
    this.samples++;
    const total = procs.reduce((n, p) => n + p.rss, 0);
    const anon = procs.reduce((n, p) => n + p.anon, 0);
    this.peakPss = Math.max(
      this.peakPss,
      procs.reduce((n, p) => n + p.pss, 0),
    );
    this.phases[this.phase] = Math.max(this.phases[this.phase] ?? 0, total);
    const renderer = Math.max(0, ...procs.filter((p) => p.type === 'renderer').map((p) => p.rss));
    this.peakRenderer = Math.max(this.peakRenderer, renderer);
    this.rendererPhases[this.phase] = Math.max(this.rendererPhases[this.phase] ?? 0, renderer);
    this.peakAnon = Math.max(this.peakAnon, anon);
    if (total > this.peakTotal) {
      this.peakTotal = total;
      const byType: Record<string, number> = {};
      for (const p of procs) byType[p.type] = (byType[p.type] ?? 0) + p.rss;
      this.byType = byType;
    }
  }

  start(): void {
    const procs = this.read();
    this.baseline = procs.reduce((n, p) => n + p.rss, 0);
    this.rendererBaseline = Math.max(0, ...procs.filter((p) => p.type === 'renderer').map((p) => p.rss));
    this.sample();
    this.timer = setInterval(() => this.sample(), 250);
  }

  stop(): MemoryPeak {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.sample();
    const mb = (b: number): number => Math.round(b / MB);
    const rendererHwm = Math.max(
      0,
      ...[...this.hwm.values()].filter((h) => h.type === 'renderer').map((h) => h.bytes),
    );
    return {
      rendererMB: mb(this.peakRenderer),
      rendererHwmMB: mb(rendererHwm),
      totalMB: mb(this.peakTotal),
      totalPssMB: mb(this.peakPss),
      totalAnonMB: mb(this.peakAnon),
      totalByPhaseMB: Object.fromEntries(Object.entries(this.phases).map(([k, v]) => [k, mb(v)])),
      rendererByPhaseMB: Object.fromEntries(Object.entries(this.rendererPhases).map(([k, v]) => [k, mb(v)])),
      byTypeMB: Object.fromEntries(Object.entries(this.byType).map(([k, v]) => [k, mb(v)])),
      baselineMB: mb(this.baseline),
      rendererBaselineMB: mb(this.rendererBaseline),
      samples: this.samples,
    };
  }
}

// ---- The runs ----

export interface BigOpen {
  readonly name: string;
  readonly images: number;
  readonly series: number;
  readonly voxelMB: number;
  /** From the file input to the first image on screen (the app's performance marks). */
  readonly timeToFirstImageMs: number | null;
  /** From the file input until every file is read and the study assembled ("Loaded … images"). */
  readonly timeToAllReadMs: number | null;
  /** From the file input until every slice of the series on screen is decoded and cached. */
  readonly timeToScrollableMs: number | null;
  readonly ai: {
    readonly seconds: number | null;
    readonly status: string;
    readonly stagesMs: Record<string, number> | null;
    /** Slices sent to the worker, and the buffers the page allocated for their copies (the rest reused). */
    readonly sliceBuffers?: { sent: number; allocated: number } | null;
  } | null;
  readonly memory: MemoryPeak;
  /**
   * What JavaScript holds (heaps, typed arrays, WebAssembly memories) by context, in MB, from
   * `performance.measureUserAgentSpecificMemory`: once the series is scrollable, and once AI is done
   * (null where the browser does not measure it).
   */
  readonly jsMemoryMB: {
    readonly loaded: Record<string, number> | null;
    readonly aiDone: Record<string, number> | null;
  };
  /**
   * Peak / decoded voxel bytes: the largest renderer, and every Chromium process together; and what the
   * study added to the renderer (its peak less the app's own footprint before the study was opened).
   */
  readonly ratio: {
    readonly renderer: number;
    readonly rendererAdded: number;
    readonly total: number;
    readonly totalPss: number;
  };
  readonly crashed: boolean;
  readonly alerts: string[];
  /** The first wait that failed, if any. */
  readonly error: string | null;
}

/** JavaScript memory by context (the page, each worker by its script's name), in MB. */
async function jsMemory(page: Page): Promise<Record<string, number> | null> {
  return page
    .evaluate(async () => {
      interface Entry {
        bytes: number;
        attribution: { url?: string; scope?: string }[];
      }
      const p = performance as Performance & {
        measureUserAgentSpecificMemory?: () => Promise<{ bytes: number; breakdown: Entry[] }>;
      };
      if (!crossOriginIsolated || !p.measureUserAgentSpecificMemory) return null;
      const r = await p.measureUserAgentSpecificMemory();
      const out: Record<string, number> = { total: r.bytes };
      for (const b of r.breakdown) {
        const a = b.attribution[0];
        if (b.bytes === 0) continue;
        const file = (a?.url ?? '').split('?')[0]?.split('/').pop() ?? '';
        // Vite names a worker's chunk <name>-<hash>.js.
        const key = !a
          ? 'shared'
          : a.scope === 'Window'
            ? 'page'
            : file.replace(/-[\w-]{8}\.js$/, '') || 'worker';
        out[key] = (out[key] ?? 0) + b.bytes;
      }
      return out;
    })
    .then((m) =>
      m === null ? null : Object.fromEntries(Object.entries(m).map(([k, v]) => [k, Math.round(v / MB)])),
    )
    .catch(() => null);
}

const LOAD_TIMEOUT_MS = 600_000;
const AI_TIMEOUT_MS = 1_200_000;

async function openOne(port: number, set: BigDataSet, name: string, runAi: boolean): Promise<BigOpen> {
  const { context, close } = await launchBrowser();
  const sampler = new MemorySampler();
  let crashed = false;
  let error: string | null = null;
  let timeToAllReadMs: number | null = null;
  let ai: BigOpen['ai'] = null;
  let marks: { first: number | null; scrollable: number | null } = { first: null, scrollable: null };
  let alerts: string[] = [];
  let page: Page | null = null;
  const js: { loaded: Record<string, number> | null; aiDone: Record<string, number> | null } = {
    loaded: null,
    aiDone: null,
  };
  try {
    page = await context.newPage();
    page.on('crash', () => {
      crashed = true;
    });
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.getByRole('region', { name: 'Viewport' }).waitFor();
    await page.waitForFunction(() => (window as unknown as { __lucent?: unknown }).__lucent !== undefined);
    sampler.start();
    const n = set.files.length;
    const t0 = Date.now();
    await page.getByLabel('Open files').setInputFiles(set.files);
    await page
      .getByRole('status')
      .filter({ hasText: new RegExp(`Loaded (?:${n}|${n.toLocaleString('en')}) images`) })
      .first()
      .waitFor({ timeout: LOAD_TIMEOUT_MS });
    timeToAllReadMs = Date.now() - t0;
    await page.waitForFunction(
      () => performance.getEntriesByName('lucent:scrollable').length > 0,
      undefined,
      { timeout: LOAD_TIMEOUT_MS, polling: 250 },
    );
    const [open, first, scrollable] = await page.evaluate(() =>
      ['open', 'first-image', 'scrollable'].map(
        (n) => performance.getEntriesByName(`lucent:${n}`).at(-1)?.startTime ?? NaN,
      ),
    );
    const since = (t: number | undefined): number | null =>
      t === undefined || open === undefined || !Number.isFinite(t - open) ? null : Math.round(t - open);
    marks = { first: since(first), scrollable: since(scrollable) };
    js.loaded = await jsMemory(page);
    if (runAi) {
      sampler.phase = 'ai';
      const clicked = Date.now();
      await page.getByRole('button', { name: 'Run AI' }).click();
      const status = page.getByRole('status').filter({ hasText: /AI (done|failed|not run)/ });
      await status.waitFor({ timeout: AI_TIMEOUT_MS });
      const seconds = Math.round((Date.now() - clicked) / 100) / 10;
      const text = ((await status.first().textContent()) ?? '').trim();
      const stagesMs = await page.evaluate(() =>
        (
          window as unknown as { __lucent: { aiTiming(): Record<string, number> | null } }
        ).__lucent.aiTiming(),
      );
      const sliceBuffers = await page.evaluate(() =>
        (
          window as unknown as {
            __lucent: { aiSliceBuffers(): { sent: number; allocated: number } | null };
          }
        ).__lucent.aiSliceBuffers(),
      );
      ai = { seconds: /AI done/.test(text) ? seconds : null, status: text, stagesMs, sliceBuffers };
      js.aiDone = await jsMemory(page);
    }
  } catch (e) {
    error = e instanceof Error ? (e.message.split('\n')[0] ?? e.message) : String(e);
    if (runAi && ai === null && marks.scrollable !== null)
      ai = { seconds: null, status: `not finished: ${error}`, stagesMs: null };
  }
  const memory = sampler.stop();
  if (page && !crashed) {
    alerts = await page
      .getByRole('alert')
      .allTextContents()
      .then((t) => t.map((s) => s.trim()).filter((s) => s.length > 0))
      .catch(() => []);
  }
  await close();
  return {
    name,
    images: set.files.length,
    series: set.series,
    voxelMB: Math.round(set.voxelBytes / MB),
    timeToFirstImageMs: marks.first,
    timeToAllReadMs,
    timeToScrollableMs: marks.scrollable,
    ai,
    memory,
    jsMemoryMB: js,
    ratio: {
      renderer: Math.round(((memory.rendererMB * MB) / set.voxelBytes) * 100) / 100,
      rendererAdded:
        Math.round((((memory.rendererMB - memory.rendererBaselineMB) * MB) / set.voxelBytes) * 100) / 100,
      total: Math.round(((memory.totalMB * MB) / set.voxelBytes) * 100) / 100,
      totalPss: Math.round(((memory.totalPssMB * MB) / set.voxelBytes) * 100) / 100,
    },
    crashed,
    alerts,
    error,
  };
}

export interface BigBench {
  readonly ct1000: BigOpen;
  readonly study3000: BigOpen;
}

export async function bigBench(data: { ct1000: BigDataSet; study3000: BigDataSet }): Promise<BigBench> {
  const { server, port } = await buildAndServe();
  try {
    const ct1000 = await openOne(port, data.ct1000, '1,000-slice 512² CT', true);
    // A fresh browser for the study: its peaks are its own.
    const study3000 = await openOne(port, data.study3000, '3,000-image study, 6 series', false);
    return { ct1000, study3000 };
  } finally {
    server.close();
  }
}
