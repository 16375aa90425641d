/**
 * The AI panel speaks the reader's language: why a run failed or did not run reaches the store as a code and
 * its detail (never an English sentence) and is worded from the catalogue. Each problem here comes from the
 * code that raises it (applicability, the grid's size check, the model files' checks, the runtime's file
 * checks, the worker's conversion, the page's slice reader), and is rendered the way the status bar and the
 * findings panel render it (ui/aiText aiStatusText).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { InferenceError, unreadableSlice } from '../../src/ai/browser/client';
import { modelBytes, verify } from '../../src/ai/browser/modelBytes';
import { RUN_PROBLEM_CODES, workerProblem } from '../../src/ai/browser/protocol';
import { createSession, fileBytes } from '../../src/ai/browser/runtime';
import { contractRefusal, modelContractProblems, type SessionIo } from '../../src/ai/registry/contract';
import type { Manifest } from '../../src/ai/registry/manifest';
import { applicability, SKIP_CODES, type SeriesFacts, type Skip } from '../../src/ai/shared/applicability';
import { checkGridSize } from '../../src/ai/shared/modelGrid';
import { DicomError } from '../../src/dicom/errors';
import { en } from '../../src/i18n/en';
import { zhCN } from '../../src/i18n/zh-CN';
import { LucentError, problemOf, type Problem } from '../../src/lib/errors';
import { planVolume } from '../../src/lib/volume';
import type { AiState } from '../../src/store';
import { aiStatusText, problemText } from '../../src/ui/aiText';
import { expectChinese, translator } from '../support/chineseText';
import { thrown } from '../support/thrown';
import { chest, ct, thin } from '../support/modelFacts';

const t = translator;

const state = (status: 'error' | 'not-applicable', problem: Problem): AiState => ({
  status,
  done: 0,
  total: 0,
  startedAt: 0,
  problem,
});

const skipOf = (m: Manifest, facts: SeriesFacts): Skip => {
  const s = applicability(m, facts);
  if (!s) throw new Error('the model applies');
  return s;
};

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('every code the AI path can produce is in both catalogues', () => {
  const has = (catalogue: Record<string, string>, family: string, code: string): boolean =>
    Object.keys(catalogue).some((k) => k === `${family}.${code}` || k.startsWith(`${family}.${code}.`));

  it.each(SKIP_CODES.map((c) => [c]))('not applicable: %s', (code) => {
    expect(has(en, 'ai.skip', code)).toBe(true);
    expect(has(zhCN, 'ai.skip', code)).toBe(true);
  });

  it.each(RUN_PROBLEM_CODES.map((c) => [c]))('run failed: %s', (code) => {
    expect(has(en, 'ai.problem', code)).toBe(true);
    expect(has(zhCN, 'ai.problem', code)).toBe(true);
  });
});

describe('why the AI did not run, from applicability itself', () => {
  const cases: [string, Manifest, SeriesFacts][] = [
    ['modality', chest, { ...ct, modality: 'MR' }],
    ['body-part', chest, { ...ct, bodyPartExamined: 'HEAD' }],
    ['not-a-volume', chest, { ...ct, isVolume: false }],
    ['not-axial', chest, { ...ct, normal: [0, 1, 0] }],
    ['too-few-slices', chest, { ...ct, slices: 5 }],
    ['pixel-spacing', chest, { ...ct, pixelSpacingMm: 2 }],
    ['pixel-spacing (none)', chest, { ...ct, pixelSpacingMm: undefined }],
    ['slice-thickness', thin, ct],
  ];

  it.each(cases)('%s: English is the CLI’s sentence, Chinese is Chinese', (_, m, facts) => {
    const skip = skipOf(m, facts);
    const problem = { code: skip.code, detail: skip.detail };
    expect(problemText(t('en'), 'ai.skip', problem)).toBe(skip.message);
    expectChinese(problemText(t('zh-CN'), 'ai.skip', problem), [
      m.id,
      'CHEST',
      'HEAD',
      'MR',
      'LUNG',
      'THORAX',
    ]);
  });

  it('the panel shows a slice-thickness refusal in Chinese, with the numbers', () => {
    const skip = skipOf(thin, ct);
    const text = aiStatusText(state('not-applicable', { code: skip.code, detail: skip.detail }), t('zh-CN'));
    expect(text).toMatch(/^未运行 AI：/);
    expect(text).toContain('thin-only');
    expect(text).toMatch(/0\.5–1 mm.*2 mm/);
    expect(text).toContain('层厚');
    expectChinese(text ?? '', ['thin-only']);
  });
});

describe('why a run failed, from the code that raised it', () => {
  it('a series too large for its grid: the panel says so in Chinese, with the sizes', async () => {
    const source = {
      columns: 512,
      rows: 512,
      slices: 400,
      origin: [0, 0, 0],
      spacing: [0.7, 0.7, 1],
    } as const;
    const problem = workerProblem(
      await thrown(() => checkGridSize(source, { pixelSpacingMm: 0.002, sliceSpacingMm: 1 })),
    );
    expect(problem.code).toBe('too-large');
    const zh = aiStatusText(state('error', problem), t('zh-CN')) ?? '';
    expect(zh).toMatch(/^AI 失败：/);
    expect(zh).toContain('过大');
    expect(zh).toContain(`${String(problem.detail['neededMb'])} MB`);
    expect(zh).toContain('750 MB');
    expectChinese(zh);
    const english = aiStatusText(state('error', problem), t('en')) ?? '';
    expect(english).toMatch(/too large to analyse/);
    expect(english).toContain(`${String(problem.detail['neededMb'])} MB`);
  });

  it('a model file whose checksum does not match', async () => {
    const error = await thrown(() =>
      verify(new Uint8Array([1, 2, 3]).buffer, {
        id: 'm',
        file: 'model.onnx',
        sha256: '0'.repeat(64),
        bytes: 3,
      }),
    );
    const zh = problemText(t('zh-CN'), 'ai.problem', workerProblem(error));
    expect(zh).toContain('model.onnx');
    expectChinese(zh, ['SHA', 'model.onnx']);
  });

  it('a model file that cannot be fetched, or has no source', async () => {
    vi.stubGlobal('fetch', () => Promise.resolve(new Response('', { status: 404 })));
    const file = { id: 'm', file: 'model.onnx', sha256: '0'.repeat(64), bytes: 3 };
    const http = workerProblem(await thrown(() => modelBytes('https://lucent.invalid/model.onnx', file)));
    expect(problemText(t('en'), 'ai.problem', http)).toBe(
      'The model file model.onnx could not be fetched (HTTP 404).',
    );
    expectChinese(problemText(t('zh-CN'), 'ai.problem', http), ['HTTP', 'model.onnx']);
    const none = workerProblem(await thrown(() => fileBytes(file, undefined, undefined, () => {})));
    expectChinese(problemText(t('zh-CN'), 'ai.problem', none), ['model.onnx']);
  });

  it('a runtime file that is missing or served with the wrong type', async () => {
    vi.stubGlobal('self', { crossOriginIsolated: false });
    vi.stubGlobal('fetch', () => Promise.resolve(new Response('', { status: 404 })));
    const missing = workerProblem(await thrown(() => createSession(new ArrayBuffer(8), false)));
    expect(problemText(t('en'), 'ai.problem', missing)).toMatch(
      /^The AI runtime file \/ort\/ort-wasm-simd-threaded\.(mjs|wasm) could not be loaded \(HTTP 404\)\.$/,
    );
    expectChinese(problemText(t('zh-CN'), 'ai.problem', missing), [
      'HTTP',
      '/ort/ort-wasm-simd-threaded.mjs.wasm',
    ]);
    vi.stubGlobal('fetch', () =>
      Promise.resolve(new Response('', { status: 200, headers: { 'content-type': 'text/html' } })),
    );
    const type = workerProblem(await thrown(() => createSession(new ArrayBuffer(8), false)));
    expect(type.code).toBe('runtime-unavailable');
    expectChinese(problemText(t('zh-CN'), 'ai.problem', type), [
      '/ort/ort-wasm-simd-threaded.wasm',
      'text/html',
      'application/wasm',
    ]);
  });

  it('a model file whose inputs and outputs break its manifest: the first problem, and how many more', () => {
    if (chest.output.decoder !== 'centernet') throw new Error('the committed model is a CenterNet');
    const o = chest.output;
    const io: SessionIo = {
      inputNames: [chest.input.name],
      outputNames: [o.heatmap, o.size, o.offset, o.classes.output, ...o.attributes.map((a) => a.output)],
    };
    const lying: Manifest = { ...chest, output: { ...chest.output, heatmap: 'heatmaps', size: 'sizes' } };
    const refused = contractRefusal(lying, io, null);
    if (!refused) throw new Error('the contract was kept');
    const problem = workerProblem(new LucentError('shape-mismatch', refused.message, { ...refused.detail }));
    const english = problemText(t('en'), 'ai.problem', problem);
    expect(english).toContain(modelContractProblems(lying, io)[0]);
    expect(english).toMatch(/1 more problem in the same file/);
    const zh = problemText(t('zh-CN'), 'ai.problem', problem);
    expect(zh).toContain('输出');
    expect(zh).toContain('另有 1 处');
    expectChinese(zh, [chest.id, chest.file, 'heatmaps', ...io.outputNames]);
  });

  it('a slice that cannot be decoded names the load error in the reader’s language', () => {
    const e = unreadableSlice(new DicomError('decode-failed', 'The RLE compressed frame cannot be decoded.'));
    const zh = problemText(t('zh-CN'), 'ai.problem', problemOf(e));
    expect(zh).toContain(t('zh-CN')('errors.code.decode-failed'));
    expectChinese(zh);
  });

  it('slices that do not make a volume', async () => {
    const e = await thrown(() => planVolume([]));
    expectChinese(problemText(t('zh-CN'), 'ai.problem', workerProblem(e)));
  });

  it('the worker lost, the engine out of memory, an error without a code', () => {
    for (const problem of [
      problemOf(new InferenceError('worker-stopped', 'The analysis worker stopped without an error.')),
      workerProblem(new RangeError('Array buffer allocation failed')),
      workerProblem(new Error('something broke')),
    ]) {
      const zh = aiStatusText(state('error', problem), t('zh-CN')) ?? '';
      expectChinese(zh, ['AI']);
      expect(zh).not.toContain('代码');
    }
  });

  it('an unknown code: a generic sentence with the code, never the English message', () => {
    const problem = workerProblem(
      new LucentError('lungrads-no-row', 'No Lung-RADS v2022 row matches this nodule'),
    );
    const zh = aiStatusText(state('error', problem), t('zh-CN')) ?? '';
    expect(zh).toContain('lungrads-no-row');
    expectChinese(zh, ['AI', 'lungrads-no-row']);
    const english = aiStatusText(state('error', problem), t('en')) ?? '';
    expect(english).toContain('lungrads-no-row');
    expect(english).not.toContain('Lung-RADS v2022');
    const skip = problemText(t('zh-CN'), 'ai.skip', { code: 'not-a-chest', detail: {} });
    expectChinese(skip, ['not-a-chest']);
  });

  it('fewer threads: the runtime’s note is worded too', () => {
    const ai: AiState = {
      status: 'running',
      done: 1,
      total: 2,
      startedAt: Date.now(),
      provider: 'wasm',
      threads: 1,
      note: { code: 'no-coep', detail: { file: '/ort/ort-wasm-simd-threaded.mjs' } },
    };
    const zh = aiStatusText(ai, t('zh-CN')) ?? '';
    expectChinese(zh, ['AI', 'WASM', '/ort/ort-wasm-simd-threaded.mjs', 'Cross-Origin-Embedder-Policy']);
  });
});
