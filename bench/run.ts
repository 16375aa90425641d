/** `npm run bench`: run every benchmark, print a table, write JSON to bench/results/. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { chest300, ct300, pydicomCorpus } from './data';
import { parseThroughput } from './parse';
import { viewerBench } from './viewer';
import { aiBench } from './ai';
import { aiOpsBench } from './aiOps';
import { synthBench } from './synth';
import { batchBench } from './batch';
import { llmBench } from './llm';
import { bigBench, bigData } from './big';
import { practiceBench } from './practice';

const root = resolve(import.meta.dirname, '..');
const only = process.argv.slice(2);
const want = (name: string): boolean => only.length === 0 || only.includes(name);
/** Benches too long for the default set (minutes): run only when named. */
const named = (name: string): boolean => only.includes(name);

const results: Record<string, unknown> = {
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', node: process.version },
};
const data = ct300();
if (data.generatedMs > 0) console.log(`generated 300 × 512² CT in ${(data.generatedMs / 1000).toFixed(1)} s`);

if (want('parse')) {
  const r = parseThroughput(data.files, pydicomCorpus());
  results['parse'] = r;
  for (const set of [r.ct, r.corpus]) {
    if (!set) continue;
    console.log(
      `\nDICOM parse throughput, MB/s: ${set.name} (${set.files} files, ${set.megabytes} MB, warm)`,
    );
    console.log('                      whole file   + describe   header only   + describe');
    const cell = (v: number | null, w: number): string => String(v ?? '—').padStart(w);
    for (const [label, p] of [
      ['Lucent', set.lucent],
      ['dicom-parser', set.dicomParser],
      ['dcmjs', set.dcmjs],
    ] as const) {
      console.log(
        `  ${label.padEnd(18)} ${cell(p.wholeMBps, 11)} ${cell(p.wholeDescribedMBps, 12)} ${cell(p.headerOnlyMBps, 13)} ${cell(p.headerDescribedMBps, 12)}`,
      );
    }
    for (const x of set.leftOut) console.log(`  left out ${x.file}: refused by ${x.refusedBy.join(', ')}`);
  }
}
if (want('viewer')) {
  const r = await viewerBench(data.files);
  results['viewer'] = { ...r, goals: { timeToFirstImageMs: 500, timeToScrollableMs: 3000 } };
  console.log(`\nViewer, ${r.slices} × 512² CT from local files (${r.renderer})`);
  console.log(`  time to first image      ${r.timeToFirstImageMs} ms   (goal ≤ 500 ms)`);
  console.log(`  time to scrollable       ${r.timeToScrollableMs} ms   (goal ≤ 3000 ms)`);
  console.log(`  peak JS heap (page)      ${r.peakJsHeapMB} MB`);
  if (r.totalMemoryMB !== null) console.log(`  memory, page + workers   ${r.totalMemoryMB} MB`);
}

if (want('synth')) {
  const r = synthBench();
  results['synth'] = r;
  console.log(`\nSynthetic CT generation: ${r.msPerSlice} ms per 512² slice (${r.slices} slices)`);
}
if (want('ai')) {
  const chest = chest300();
  if (chest.generatedMs > 0)
    console.log(`generated the 300 × 512² chest CT in ${(chest.generatedMs / 1000).toFixed(1)} s`);
  const r = await aiBench(data.files, chest.files);
  results['ai'] = { ...r, goals: { wasmThreadedRatioToNative: 2.5, sweepSeconds: 10 } };
  console.log(`\nAI model ${r.model}, input ${r.inputDims.join('×')}`);
  console.log(`  native onnxruntime-node (2 threads)   ${r.nativeMs} ms`);
  for (const b of r.browser) {
    const label = b.backend === 'webgpu' ? 'WebGPU' : `WASM ${b.threads} thread${b.threads === 1 ? '' : 's'}`;
    console.log(
      `  ${label.padEnd(36)} ${b.medianMs === null ? `n/a (${b.note ?? ''})` : `${b.medianMs} ms  (${b.ratioToNative}× native; first run ${b.firstMs} ms)`}`,
    );
  }
  for (const [name, sw] of [
    ['phantom', r.sweep],
    ['chest', r.sweepChest],
  ] as const) {
    if (sw.stagesMs)
      console.log(
        `    stages (ms): ${Object.entries(sw.stagesMs)
          .map(([k, v]) => `${k} ${v}`)
          .join(' · ')}`,
      );
    console.log(
      `  whole sweep, ${sw.slices} × 512² ${name.padEnd(8)} ${sw.seconds ?? 'n/a'} s click to findings (worker ${sw.engineSeconds ?? 'n/a'} s) ${sw.provider ?? ''}  (goal ≤ 10 s)`,
    );
  }
}

if (want('ai-ops')) {
  const r = await aiOpsBench();
  results['aiOps'] = r;
  console.log(
    `\nAI kernels, 1 thread: native ${r.nativeMs} ms, WebAssembly (onnxruntime-web in Node) ${r.wasmNodeMs} ms`,
  );
  for (const o of r.ops.slice(0, 6)) {
    console.log(
      `  ${o.op.padEnd(20)} native ${String(o.nativeMs).padStart(6)} ms   WebAssembly ${String(o.wasmMs).padStart(6)} ms  (${o.ratio}×)`,
    );
  }
  console.log(
    '\nSingle-operator models, 1 thread: native / WebAssembly, billions of multiply-adds per second',
  );
  for (const k of r.kernels) {
    console.log(
      `  ${k.kernel.padEnd(32)} ${String(k.nativeGmacs).padStart(6)} / ${String(k.wasmGmacs).padStart(5)}  (${k.ratio}×)`,
    );
  }
  console.log(
    `  whole model if every operator but the int8 convolutions ran as fast as natively: ${r.floorRatio}×`,
  );
  console.log(
    `  ${r.wasmSimd.file}: ${r.wasmSimd.relaxed} relaxed-SIMD instruction encodings, ${r.wasmSimd.dotI16} of i32x4.dot_i16x8_s`,
  );
}

if (want('batch')) {
  const r = await batchBench();
  results['batch'] = r;
  console.log(
    `\nBatch (BullMQ on Redis, Orthanc), ${r.studies} chest CT studies of ${r.slicesPerStudy} slices`,
  );
  const line = (label: string, perMinute: number, perStudy: number, seconds: number): void =>
    console.log(
      `  ${label.padEnd(30)} ${perMinute.toFixed(1).padStart(6)} studies/min   ${perStudy.toFixed(2)} s/study   (${seconds} s)`,
    );
  line('lucent analyze, directly', r.direct.studiesPerMinute, r.direct.secondsPerStudy, r.direct.seconds);
  for (const q of r.queue) {
    line(
      `queue, ${q.workers} worker${q.workers === 1 ? '' : 's'}`,
      q.studiesPerMinute,
      q.secondsPerStudy,
      q.seconds,
    );
    console.log(
      `    per job: retrieve ${q.job.retrieve} s, analyse ${q.job.analyze} s, total ${q.job.total} s (WADO-RS, analysis, SR by STOW-RS); worker peak memory ${q.workerPeakMB ?? '—'} MB`,
    );
  }
  console.log(`  queue overhead per job, 1 worker vs lucent analyze: ${r.overheadPerJobSeconds} s`);
}

if (want('llm')) {
  const r = await llmBench();
  results['llm'] = r;
  console.log(`\nReport language model ${r.model} in Node (onnxruntime-node), ${r.cases} held-out cases`);
  console.log(`  load (check the folder, tokenizer, session)   ${r.loadMs} ms`);
  for (const m of r.modes)
    console.log(
      `  ${m.mode.padEnd(8)} ${String(m.tokensPerSecond).padStart(7)} tokens/s   prompt ${m.prefillMsMedian} ms   full draft ${m.draftMsMedian} ms (median), ${m.draftMsMax} ms (longest)`,
    );
}

if (want('practice')) {
  const runs = await practiceBench();
  results['practice'] = { runs, goals: { sessionOfTenMinutes: 15 } };
  const median = (v: readonly number[]): number =>
    [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)] ?? 0;
  for (const r of runs) {
    console.log(`\nPractice, ${r.cases} ${r.kind} cases in a row (blind reads, no reading time)`);
    console.log(
      `  case ready: median ${median(r.openMs)} ms, longest ${Math.max(...r.openMs)} ms; result: median ${median(r.resultMs)} ms`,
    );
    console.log(
      `  machine time for the ${r.cases}: ${r.totalSeconds} s, leaving ${r.readerSecondsPerCase} s per case for the reader in 15 minutes`,
    );
  }
}

if (named('big')) {
  const d = bigData();
  for (const [label, set] of [
    ['1,000 × 512² CT', d.ct1000],
    ['3,000-image study', d.study3000],
  ] as const)
    if (set.generatedMs > 0) console.log(`generated ${label} in ${(set.generatedMs / 1000).toFixed(1)} s`);
  const r = await bigBench(d);
  results['big'] = { ...r, goals: { peakToVoxelRatio: 2, crashed: false } };
  for (const o of [r.ct1000, r.study3000]) {
    const ms = (v: number | null): string => (v === null ? 'n/a' : `${v} ms`);
    const m = o.memory;
    console.log(`\nBig study: ${o.name}, ${o.images} images, decoded voxels ${o.voxelMB} MB`);
    console.log(`  time to first image            ${ms(o.timeToFirstImageMs)}`);
    console.log(`  time until every file is read  ${ms(o.timeToAllReadMs)}`);
    console.log(`  time to scrollable (on screen) ${ms(o.timeToScrollableMs)}`);
    if (o.ai) console.log(`  AI sweep, click to findings    ${o.ai.seconds ?? 'n/a'} s  (${o.ai.status})`);
    if (o.ai?.sliceBuffers)
      console.log(
        `  slices to the AI worker        ${o.ai.sliceBuffers.sent}, in ${o.ai.sliceBuffers.allocated} buffers (the rest handed back and reused)`,
      );
    console.log(
      `  peak memory, largest renderer  ${m.rendererMB} MB (VmHWM ${m.rendererHwmMB} MB), ${o.ratio.renderer}× voxels; by phase: ${Object.entries(
        m.rendererByPhaseMB,
      )
        .map(([k, v]) => `${k} ${v} MB`)
        .join(' · ')}`,
    );
    console.log(
      `  added by the study, renderer   ${m.rendererMB - m.rendererBaselineMB} MB, ${o.ratio.rendererAdded}× voxels  (the app alone before opening: ${m.rendererBaselineMB} MB)`,
    );
    for (const [when, j] of Object.entries(o.jsMemoryMB))
      if (j)
        console.log(
          `  JavaScript memory, ${when.padEnd(8)}  ${Object.entries(j)
            .map(([k, v]) => `${k} ${v} MB`)
            .join(' · ')}`,
        );
    console.log(
      `  peak memory, all Chromium      ${m.totalMB} MB, ${o.ratio.total}× voxels  (goal ≤ 2×; before opening ${m.baselineMB} MB; anonymous + shared ${m.totalAnonMB} MB)`,
    );
    console.log(
      `  peak memory, all Chromium, PSS ${m.totalPssMB} MB (shared pages counted once), ${o.ratio.totalPss}× voxels; by phase: ${Object.entries(
        m.totalByPhaseMB,
      )
        .map(([k, v]) => `${k} ${v} MB`)
        .join(' · ')}`,
    );
    console.log(
      `    at the peak: ${Object.entries(m.byTypeMB)
        .map(([k, v]) => `${k} ${v} MB`)
        .join(' · ')}`,
    );
    console.log(
      `  tab crashed: ${o.crashed ? 'YES' : 'no'}; alerts: ${o.alerts.length ? o.alerts.join(' | ') : 'none'}${o.error ? `; stopped: ${o.error}` : ''}`,
    );
  }
}

const dir = join(root, 'bench/results');
mkdirSync(dir, { recursive: true });
const name = `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
writeFileSync(join(dir, name), `${JSON.stringify(results, null, 2)}\n`);
// A partial run (`npm run bench ai`) updates its own sections of latest.json and keeps the others.
const latestPath = join(dir, 'latest.json');
let latest: Record<string, unknown> = {};
if (only.length > 0 && existsSync(latestPath)) {
  try {
    latest = JSON.parse(readFileSync(latestPath, 'utf8')) as Record<string, unknown>;
  } catch {
    latest = {};
  }
}
writeFileSync(latestPath, `${JSON.stringify({ ...latest, ...results }, null, 2)}\n`);
console.log(`\nwrote bench/results/${name}`);
