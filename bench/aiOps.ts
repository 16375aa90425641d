/**
 * Where the browser's time goes: the committed model on onnxruntime-node (native) and on onnxruntime-web's
 * WebAssembly build run in Node (the same kernels the browser runs, without the browser), per operator
 * type, from onnxruntime's own profiler, at steady state. One thread each, so that kernels compare.
 */
import fs, { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as native from 'onnxruntime-node';
import { installedModels, verifiedModelBytes } from '../src/ai/node/models';
import { DIMS } from './ai';

export interface OpsBench {
  threads: number;
  /** Median whole-run latency (ms). */
  nativeMs: number;
  wasmNodeMs: number;
  /** Mean ms per run by operator type, largest WebAssembly share first. */
  ops: { op: string; nativeMs: number; wasmMs: number; ratio: number }[];
}

interface ProfileEvent {
  cat?: string;
  name?: string;
  ts?: number;
  dur?: number;
  args?: { op_name?: string };
}

const WARMUP = 30;
const MEASURED = 10;

/** Kernel time per operator type over the runs after warm-up. */
function byOp(events: ProfileEvent[]): Map<string, number> {
  const runs = events.filter((e) => e.name === 'model_run').sort((a, b) => (a.ts ?? 0) - (b.ts ?? 0));
  const from = runs[WARMUP]?.ts ?? 0;
  const n = Math.max(1, runs.length - WARMUP);
  const out = new Map<string, number>();
  for (const e of events) {
    if (e.cat !== 'Node' || !e.name?.endsWith('_kernel_time') || (e.ts ?? 0) < from) continue;
    const op = e.args?.op_name ?? '?';
    out.set(op, (out.get(op) ?? 0) + (e.dur ?? 0) / 1000 / n);
  }
  return out;
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

interface Session {
  run(feeds: Record<string, unknown>): Promise<unknown>;
  endProfiling(): unknown;
  release(): Promise<void>;
}

async function timedRuns(session: Session, feeds: Record<string, unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < WARMUP + MEASURED; i++) {
    const t = performance.now();
    await session.run(feeds);
    if (i >= WARMUP) times.push(performance.now() - t);
  }
  return median(times);
}

export async function aiOpsBench(): Promise<OpsBench> {
  const model = installedModels().find((m) => m.manifest.task === 'detection');
  if (!model) throw new Error('no detection model installed');
  const bytes = verifiedModelBytes(model);
  const name = model.manifest.input.name;
  const size = DIMS.reduce((a, b) => a * b, 1);
  const input = new Float32Array(size).map((_, i) => 0.5 * Math.sin(i));

  const dir = mkdtempSync(join(tmpdir(), 'lucent-ops-'));
  let nativeMs: number;
  let nativeOps: Map<string, number>;
  try {
    const s = await native.InferenceSession.create(bytes, {
      intraOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      enableProfiling: true,
      profileFilePrefix: join(dir, 'native'),
    });
    nativeMs = await timedRuns(s, { [name]: new native.Tensor('float32', input, DIMS) });
    s.endProfiling();
    await s.release();
    const file = readdirSync(dir).find((f) => f.startsWith('native'));
    if (!file) throw new Error('onnxruntime-node wrote no profile');
    nativeOps = byOp(JSON.parse(readFileSync(join(dir, file), 'utf8')) as ProfileEvent[]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  // onnxruntime-web's WebAssembly build prints its profile to stdout through Emscripten, which writes
  // with fs.writeSync(1, …): capture it there.
  const lines: string[] = [];
  let partial = '';
  const writeSync = fs.writeSync;
  const patched = (fd: number, data: string | NodeJS.ArrayBufferView, ...rest: unknown[]): number => {
    if (fd !== 1) return (writeSync as (...a: unknown[]) => number)(fd, data, ...rest);
    partial +=
      typeof data === 'string'
        ? data
        : Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8');
    const parts = partial.split('\n');
    partial = parts.pop() ?? '';
    for (const l of parts) if (l.trimStart().startsWith('{')) lines.push(l.trim().replace(/,$/, ''));
    return typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
  };
  (fs as { writeSync: unknown }).writeSync = patched;
  let wasmMs: number;
  try {
    const web = await import('onnxruntime-web/wasm');
    web.env.wasm.numThreads = 1;
    const s = await web.InferenceSession.create(bytes, {
      executionProviders: ['wasm'],
      graphOptimizationLevel: 'all',
      enableProfiling: true,
    });
    wasmMs = await timedRuns(s, { [name]: new web.Tensor('float32', input, DIMS) });
    s.endProfiling();
    await s.release();
  } finally {
    (fs as { writeSync: unknown }).writeSync = writeSync;
  }
  const wasmOps = byOp(
    lines.flatMap((l) => {
      try {
        return [JSON.parse(l) as ProfileEvent];
      } catch {
        return [];
      }
    }),
  );
  const r2 = (v: number): number => Math.round(v * 100) / 100;
  const ops = [...new Set([...nativeOps.keys(), ...wasmOps.keys()])]
    .map((op) => {
      const n = nativeOps.get(op) ?? 0;
      const w = wasmOps.get(op) ?? 0;
      return { op, nativeMs: r2(n), wasmMs: r2(w), ratio: n > 0 ? Math.round((w / n) * 10) / 10 : NaN };
    })
    .sort((a, b) => b.wasmMs - a.wasmMs);
  return { threads: 1, nativeMs: r2(nativeMs), wasmNodeMs: r2(wasmMs), ops };
}
