/**
 * Where the browser's time goes: the committed model on onnxruntime-node (native) and on onnxruntime-web's
 * WebAssembly build run in Node (the same kernels the browser runs, without the browser), per operator
 * type, from onnxruntime's own profiler, at steady state. One thread each, so that kernels compare.
 */
import fs, { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as native from 'onnxruntime-node';
import type * as WebOrt from 'onnxruntime-web/wasm';
import { installedModels, verifiedModelBytes } from '../src/ai/node/models';
import { DIMS } from './ai';
import { oneNodeModel, type ElemType, type Initializer } from './onnxWriter';

export interface KernelBench {
  kernel: string;
  /** One of the model's own int8 convolution shapes. */
  int8Conv: boolean;
  macs: number;
  nativeMs: number;
  wasmMs: number;
  nativeGmacs: number;
  wasmGmacs: number;
  ratio: number;
}

export interface OpsBench {
  threads: number;
  /** Median whole-run latency (ms). */
  nativeMs: number;
  wasmNodeMs: number;
  /** Mean ms per run by operator type, largest WebAssembly share first. */
  ops: { op: string; nativeMs: number; wasmMs: number; ratio: number }[];
  /** Single-operator models at the model's own layer sizes, and a large GEMM for each kernel's peak. */
  kernels: KernelBench[];
  /**
   * The whole-model ratio if every operator but the int8 convolutions ran as fast as natively (the
   * convolutions at their profiled WebAssembly time): the lowest ratio onnxruntime-web's int8 convolution
   * kernels allow on this processor, at one thread.
   */
  floorRatio: number;
  /** Instruction encodings in onnxruntime-web's WebAssembly (see `simdEncodings`). */
  wasmSimd: { file: string; relaxed: number; dotI16: number };
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

/** Median run time after a warm-up: `MEASURED` runs, and more until `minMs` have been measured. */
async function timedRuns(session: Session, feeds: Record<string, unknown>, minMs = 0): Promise<number> {
  const times: number[] = [];
  let total = 0;
  for (let i = 0; i < WARMUP + MEASURED || total < minMs; i++) {
    const t = performance.now();
    await session.run(feeds);
    const dt = performance.now() - t;
    if (i >= WARMUP) {
      times.push(dt);
      total += dt;
    }
  }
  return median(times);
}

/**
 * Count the encodings of WebAssembly relaxed-SIMD instructions (prefix 0xFD, opcode 0x100–0x113 as LEB128:
 * 0x80–0x93 then 0x02) in a binary, and of the 16-bit dot product (i32x4.dot_i16x8_s, 0xFD 0xBA 0x01) for
 * comparison. A byte pattern can also occur in data, so zero proves absence; more than zero proves nothing.
 */
export function simdEncodings(bytes: Uint8Array): { relaxed: number; dotI16: number } {
  let relaxed = 0;
  let dotI16 = 0;
  for (let i = 0; i + 2 < bytes.length; i++) {
    if (bytes[i] !== 0xfd) continue;
    const a = bytes[i + 1] ?? 0;
    const b = bytes[i + 2] ?? 0;
    if (a >= 0x80 && a <= 0x93 && b === 0x02) relaxed++;
    if (a === 0xba && b === 0x01) dotI16++;
  }
  return { relaxed, dotI16 };
}

interface KernelCase {
  kernel: string;
  macs: number;
  model: Uint8Array;
  feed: { name: string; type: 'uint8' | 'float32'; dims: number[] };
  int8Conv: boolean;
}

function filled<T extends Uint8Array | Int8Array | Float32Array>(a: T, f: (i: number) => number): T {
  for (let i = 0; i < a.length; i++) a[i] = f(i);
  return a;
}

const scalar = (name: string, type: ElemType, v: number): Initializer => ({
  name,
  type,
  dims: [],
  data: type === 'float' ? Float32Array.of(v) : type === 'uint8' ? Uint8Array.of(v) : Int8Array.of(v),
});

/** Deterministic int8 weights spread over the whole range. */
const int8Weights = (n: number): Int8Array => filled(new Int8Array(n), (i) => ((i * 37) % 255) - 127);

interface ConvShape {
  cin: number;
  cout: number;
  k: 1 | 3;
  stride: 1 | 2;
  /** Input height and width. */
  h: number;
  w: number;
}

/** A same-padded convolution, int8 (QLinearConv, per-channel weights, as the model has) or fp32. */
function convCase({ cin, cout, k, stride, h, w }: ConvShape, int8: boolean): KernelCase {
  const wDims = [cout, cin, k, k];
  const wCount = cout * cin * k * k;
  const dims = [1, cin, h, w];
  const outDims = [1, cout, Math.ceil(h / stride), Math.ceil(w / stride)];
  const macs = wCount * (outDims[2] ?? 0) * (outDims[3] ?? 0);
  const p = (k - 1) / 2;
  const attrs = { pads: [p, p, p, p], kernel_shape: [k, k], strides: [stride, stride] };
  const kernel = `${int8 ? 'int8' : 'fp32'} conv ${k}×${k}${stride > 1 ? '/2' : ''}, ${cin}→${cout} ch, ${h}×${w}`;
  if (!int8) {
    return {
      kernel,
      macs,
      int8Conv: false,
      feed: { name: 'x', type: 'float32', dims },
      model: oneNodeModel({
        op: 'Conv',
        inputs: ['x', 'w'],
        output: { name: 'y', type: 'float', dims: outDims },
        feeds: [{ name: 'x', type: 'float', dims }],
        initializers: [
          {
            name: 'w',
            type: 'float',
            dims: wDims,
            data: filled(new Float32Array(wCount), (i) => Math.sin(i) / 10),
          },
        ],
        intsAttributes: attrs,
      }),
    };
  }
  return {
    kernel,
    macs,
    int8Conv: true,
    feed: { name: 'x', type: 'uint8', dims },
    model: oneNodeModel({
      op: 'QLinearConv',
      inputs: ['x', 'xs', 'xz', 'w', 'ws', 'wz', 'ys', 'yz'],
      output: { name: 'y', type: 'uint8', dims: outDims },
      feeds: [{ name: 'x', type: 'uint8', dims }],
      initializers: [
        scalar('xs', 'float', 0.02),
        scalar('xz', 'uint8', 128),
        { name: 'w', type: 'int8', dims: wDims, data: int8Weights(wCount) },
        { name: 'ws', type: 'float', dims: [cout], data: new Float32Array(cout).fill(0.01) },
        { name: 'wz', type: 'int8', dims: [cout], data: new Int8Array(cout) },
        scalar('ys', 'float', 0.5),
        scalar('yz', 'uint8', 128),
      ],
      intsAttributes: attrs,
    }),
  };
}

/** An n × n × n matrix product, int8 (QLinearMatMul, uint8 × int8) or fp32: each kernel's peak rate. */
function gemmCase(n: number, int8: boolean): KernelCase {
  const dims = [n, n];
  const type = int8 ? 'uint8' : 'float';
  return {
    kernel: `${int8 ? 'int8' : 'fp32'} matrix product ${n}³`,
    macs: n ** 3,
    int8Conv: false,
    feed: { name: 'a', type: int8 ? 'uint8' : 'float32', dims },
    model: oneNodeModel({
      op: int8 ? 'QLinearMatMul' : 'MatMul',
      inputs: int8 ? ['a', 'as', 'az', 'b', 'bs', 'bz', 'ys', 'yz'] : ['a', 'b'],
      output: { name: 'y', type, dims },
      feeds: [{ name: 'a', type, dims }],
      initializers: int8
        ? [
            scalar('as', 'float', 0.02),
            scalar('az', 'uint8', 128),
            {
              name: 'b',
              type: 'int8',
              dims,
              data: int8Weights(n * n),
            },
            scalar('bs', 'float', 0.01),
            scalar('bz', 'int8', 0),
            scalar('ys', 'float', 0.5),
            scalar('yz', 'uint8', 128),
          ]
        : [{ name: 'b', type: 'float', dims, data: filled(new Float32Array(n * n), (i) => Math.sin(i)) }],
    }),
  };
}

/**
 * Every kind of convolution the model has (models/training/model.py, input 256×320): the stem, the
 * stride-2 downsamplings, the 3×3 convolutions of each level and a 1×1 lateral; then fp32 and the peaks.
 */
function kernelCases(): KernelCase[] {
  const [, slices = 5, h = 256, w = 320] = DIMS;
  const convs: ConvShape[] = [
    { cin: slices, cout: 16, k: 3, stride: 2, h, w },
    { cin: 16, cout: 32, k: 3, stride: 2, h: h / 2, w: w / 2 },
    { cin: 32, cout: 32, k: 3, stride: 1, h: h / 4, w: w / 4 },
    { cin: 32, cout: 64, k: 3, stride: 2, h: h / 4, w: w / 4 },
    { cin: 64, cout: 64, k: 3, stride: 1, h: h / 8, w: w / 8 },
    { cin: 96, cout: 96, k: 3, stride: 1, h: h / 16, w: w / 16 },
    { cin: 64, cout: 32, k: 1, stride: 1, h: h / 8, w: w / 8 },
  ];
  return [
    ...convs.map((c) => convCase(c, true)),
    convCase({ cin: 32, cout: 32, k: 3, stride: 1, h: h / 4, w: w / 4 }, false),
    gemmCase(1024, true),
    gemmCase(1024, false),
  ];
}

type WebModule = typeof WebOrt;

async function kernelBench(web: WebModule): Promise<KernelBench[]> {
  const out: KernelBench[] = [];
  for (const k of kernelCases()) {
    const count = k.feed.dims.reduce((a, b) => a * b, 1);
    const data =
      k.feed.type === 'uint8'
        ? filled(new Uint8Array(count), (i) => (i * 91) % 256)
        : filled(new Float32Array(count), (i) => Math.sin(i));
    const n = await native.InferenceSession.create(k.model, {
      intraOpNumThreads: 1,
      graphOptimizationLevel: 'all',
    });
    const nativeMs = await timedRuns(
      n,
      { [k.feed.name]: new native.Tensor(k.feed.type, data, k.feed.dims) },
      300,
    );
    await n.release();
    const w = await web.InferenceSession.create(k.model, {
      executionProviders: ['wasm'],
      graphOptimizationLevel: 'all',
    });
    const wasmMs = await timedRuns(w, { [k.feed.name]: new web.Tensor(k.feed.type, data, k.feed.dims) }, 300);
    await w.release();
    const rate = (ms: number): number => Math.round(k.macs / ms / 1e5) / 10;
    out.push({
      kernel: k.kernel,
      int8Conv: k.int8Conv,
      macs: k.macs,
      nativeMs: Math.round(nativeMs * 100) / 100,
      wasmMs: Math.round(wasmMs * 100) / 100,
      nativeGmacs: rate(nativeMs),
      wasmGmacs: rate(wasmMs),
      ratio: Math.round((wasmMs / nativeMs) * 10) / 10,
    });
  }
  return out;
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
  const web = await import('onnxruntime-web/wasm');
  try {
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
  const kernels = await kernelBench(web);
  const nativeConv = nativeOps.get('QLinearConv') ?? 0;
  const wasmConv = wasmOps.get('QLinearConv') ?? 0;
  const floorRatio = Math.round(((wasmConv + Math.max(0, nativeMs - nativeConv)) / nativeMs) * 10) / 10;
  const file = 'ort-wasm-simd-threaded.wasm';
  const binary = readFileSync(new URL(`../node_modules/onnxruntime-web/dist/${file}`, import.meta.url));
  const wasmSimd = { file, ...simdEncodings(binary) };
  return { threads: 1, nativeMs: r2(nativeMs), wasmNodeMs: r2(wasmMs), ops, kernels, floorRatio, wasmSimd };
}
