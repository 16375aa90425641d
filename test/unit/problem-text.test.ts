/**
 * Failures outside the AI run speak the reader's language: a file that cannot be loaded, a DICOMweb
 * server that fails, storage that cannot be written, a report that cannot be exported, a language model
 * or a practice case that cannot start. Each reaches the interface as a code, its detail and the English
 * message (lib/errors Failure) and is worded by ui/failureText. Every failure here comes from the code
 * that raises it (the real parser on real and synthetic files, the DICOMweb client, the device store,
 * the report host, the model-folder check, the practice truth), and is rendered the way the Load errors
 * panel, the PACS dialog, the banner and the report render it.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openDeviceStore } from '../../src/app/deviceStore';
import { parseTruthText, truthOf } from '../../src/app/practiceMarks';
import { ReportHost } from '../../src/app/report';
import { expandArchive } from '../../src/dicom/archive';
import { checkFrameSize } from '../../src/dicom/codestream';
import { decodeOwn, monochromeSamples, type FrameFormat } from '../../src/dicom/decode';
import { DicomWebClient } from '../../src/dicom/dicomweb';
import { LOAD_ERROR_KINDS, type LoadErrorCode } from '../../src/dicom/errors';
import { workerLostError } from '../../src/dicom/ingest/client';
import {
  fetchLoadError,
  listedLoadError,
  readInstance,
  toLoadError,
  type LoadError,
} from '../../src/dicom/read';
import { memorySource, type ByteSource } from '../../src/dicom/source';
import { en } from '../../src/i18n/en';
import { translate, type Language } from '../../src/i18n';
import { zhCN } from '../../src/i18n/zh-CN';
import { decoderLostError } from '../../src/imaging/decoder/client';
import { failureOf, type Failure } from '../../src/lib/errors';
import { SILENT_DEATH } from '../../src/lib/liveness';
import { describeFolder } from '../../src/report/llm/folder';
import { createAppStore } from '../../src/store';
import type { StorageProblem } from '../../src/store/persist';
import { writeCtSlice, type CtSlice } from '../../src/synth/dicomWriter';
import { failureText, fileLabel, storageProblemText } from '../../src/ui/failureText';
import { expectChinese, translator } from '../support/chineseText';
import { thrown } from '../support/thrown';
import { corpusFile, sourceOf } from '../support/corpus';
import { pacsInstanceName, pacsInstanceOf } from '../../src/lib/sourceNames';

const t = translator;
const said = (language: Language, f: Failure): string => failureText(t(language), language, f);

const PATIENT = 'QUENTIN^TESTPERSON';

/** A real 8×8 CT slice from the synthetic writer; `change` alters its header. */
function slice(change: Partial<CtSlice> = {}): Uint8Array {
  return writeCtSlice({
    patientName: PATIENT,
    patientId: 'PID-4471',
    studyInstanceUID: '1.2.826.0.1.3680043.8.498.9001',
    seriesInstanceUID: '1.2.826.0.1.3680043.8.498.9002',
    sopInstanceUID: '1.2.826.0.1.3680043.8.498.9003',
    frameOfReferenceUID: '1.2.826.0.1.3680043.8.498.9004',
    studyDate: '20261201',
    studyTime: '101500',
    seriesNumber: 1,
    instanceNumber: 1,
    rows: 8,
    columns: 8,
    pixelSpacing: [0.7, 0.7],
    sliceThickness: 1,
    imagePositionPatient: [0, 0, 0],
    imageOrientationPatient: [1, 0, 0, 0, 1, 0],
    rescaleIntercept: -1024,
    rescaleSlope: 1,
    windowCenter: -600,
    windowWidth: 1500,
    pixels: Int16Array.from({ length: 64 }, (_, i) => i),
    ...change,
  });
}

async function loadError(source: ByteSource): Promise<LoadError> {
  const r = await readInstance(source);
  if (r.ok) throw new Error(`${source.name} was read`);
  return r.error;
}

/** A source whose file shrank after it was opened: it says `size` but holds fewer bytes. */
function shrunk(name: string, bytes: Uint8Array, size: number): ByteSource {
  return {
    name,
    size,
    read: (start, end) => Promise.resolve(bytes.slice(start, Math.min(end, bytes.length))),
  };
}

/** A frame the loader could not decode, listed as app/loading lists it: its own code as the cause. */
const listedDecodeFailure = (p: Failure): LoadError => ({
  file: 'x.dcm',
  code: 'decode-failed',
  message: `The image could not be decoded: ${p.message}`,
  detail: { ...p.detail, cause: p.code },
});

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('the catalogues', () => {
  const codes = Object.keys(LOAD_ERROR_KINDS) as LoadErrorCode[];

  it.each(codes.map((c) => [c]))('load error %s: a generic sentence and one per kind, in both', (code) => {
    const keys = [`problem.${code}`, ...LOAD_ERROR_KINDS[code].map((k) => `problem.${code}.${k}`)];
    expect(keys.filter((k) => !(k in en))).toEqual([]);
    expect(keys.filter((k) => !(k in zhCN))).toEqual([]);
  });

  it('every failure sentence has the same parameters in English and Chinese', () => {
    const params = (s: string): string[] => [...s.matchAll(/\{(\w+)[}|]/g)].map((m) => m[1] ?? '').sort();
    const keys = Object.keys(en).filter((k) => k.startsWith('problem.') || k.startsWith('storage.'));
    expect(keys.length).toBeGreaterThan(80);
    const differ = keys.filter(
      (k) => params(en[k as keyof typeof en]).join() !== params(zhCN[k as keyof typeof zhCN]).join(),
    );
    expect(differ).toEqual([]);
  });
});

describe('a file that cannot be loaded, from the real reader', () => {
  const cases: [string, () => ByteSource, LoadErrorCode, string][] = [
    ['an empty file', () => memorySource('empty.dcm', new Uint8Array(0)), 'empty-file', 'empty'],
    [
      'a text file',
      () => memorySource('notes.txt', new TextEncoder().encode('not an image\n'.repeat(20))),
      'not-dicom',
      'no-marker',
    ],
    [
      'a preamble and nothing readable after it',
      () => {
        const b = new Uint8Array(200).fill(0xff);
        b.set([0x44, 0x49, 0x43, 0x4d], 128);
        return memorySource('preamble.dcm', b);
      },
      'not-dicom',
      'preamble-only',
    ],
    [
      'a slice cut short in its pixel data',
      () => {
        const b = slice();
        return memorySource('cut.dcm', b.slice(0, b.length - 40));
      },
      'truncated',
      'pixel-data',
    ],
    [
      'a slice cut short in an attribute',
      () => memorySource('cut-header.dcm', slice().slice(0, 300)),
      'truncated',
      'attribute',
    ],
    [
      'a file that shrank while it was read',
      () => shrunk('shrunk.dcm', slice().slice(0, 100), 5000),
      'truncated',
      'header',
    ],
    [
      'a slice without its study and series UIDs',
      () => memorySource('no-uids.dcm', slice({ studyInstanceUID: '', seriesInstanceUID: '' })),
      'invalid-attribute',
      'no-uids',
    ],
    ['pydicom MR_truncated.dcm', () => sourceOf(corpusFile('MR_truncated.dcm')), 'truncated', ''],
    ['pydicom rtplan_truncated.dcm', () => sourceOf(corpusFile('rtplan_truncated.dcm')), 'truncated', ''],
    ['pydicom README.txt', () => sourceOf(corpusFile('README.txt')), 'not-dicom', ''],
  ];

  it.each(cases)(
    '%s: English is the reader’s sentence, Chinese is Chinese',
    async (_, source, code, kind) => {
      const e = await loadError(source());
      expect(e.code).toBe(code);
      if (kind !== '') expect(e.detail['kind']).toBe(kind);
      // Every kind a real file gets is worded: the English is the message the CLI prints.
      expect(e.detail['kind'], e.message).toBeDefined();
      expect(said('en', e)).toBe(e.message);
      const zh = said('zh-CN', e);
      expectChinese(zh, ['DICOM', 'DICM', 'Study Instance UID', 'Series Instance UID']);
      for (const text of [e.message, zh, said('en', e)]) expect(text).not.toContain('QUENTIN');
    },
  );

  it('a damaged archive and a file the parser cannot follow: the English message in English only', async () => {
    const zip = new Uint8Array(64);
    zip.set([0x50, 0x4b, 0x03, 0x04]);
    const archive = toLoadError('case.zip', await thrown(() => expandArchive(memorySource('case.zip', zip))));
    expect(archive.code).toBe('archive-error');
    expect(said('en', archive)).toBe(archive.message);
    expectChinese(said('zh-CN', archive));

    // A RangeError from deep in the parser has no wording of its own: the generic sentence in Chinese.
    const odd = toLoadError('odd.dcm', new RangeError('Offset is outside the bounds of the DataView'));
    expect(said('en', odd)).toBe(odd.message);
    const zh = said('zh-CN', odd);
    expect(zh).toBe(translate('zh-CN', 'problem.not-dicom'));
    expectChinese(zh, ['DICOM']);
    expect(zh).not.toContain('Offset');
  });

  it('the file reader or the image decoder stopped: worded however it stopped', () => {
    for (const [detail, how] of [
      [SILENT_DEATH, 'silent'],
      [' (a message from it could not be read)', 'unreadable'],
    ] as const) {
      const lost = workerLostError('a.dcm', detail, how);
      expect(said('en', lost)).toBe(lost.message);
      expectChinese(said('zh-CN', lost));
      const decoder = failureOf(decoderLostError(detail, how));
      expect(said('en', decoder)).toBe(decoder.message);
      expectChinese(said('zh-CN', decoder));
    }
    // The worker's own error text stays out of the sentence, in both languages.
    const crashed = workerLostError('a.dcm', ' (Uncaught SyntaxError: x)');
    expect(said('en', crashed)).toMatch(/^The file reader \(a background worker\) stopped before/);
    expect(said('zh-CN', crashed)).not.toContain('Syntax');
    expectChinese(said('zh-CN', crashed));
  });

  it('a frame Lucent refuses while drawing it is listed as decode-failed and worded as its reason', async () => {
    const format: FrameFormat = {
      rows: 8,
      columns: 8,
      samplesPerPixel: 3,
      bitsAllocated: 16,
      bitsStored: 16,
      pixelRepresentation: 0,
      photometricInterpretation: 'RGB',
      encapsulated: false,
    };
    const refusals = [
      await thrown(() => monochromeSamples(format, new Uint8Array(384))),
      await thrown(() => checkFrameSize(100_000, 100_000, 1, 16)),
    ];
    for (const e of refusals) {
      const p = failureOf(e);
      const listed = listedDecodeFailure(p);
      expect(said('en', listed)).toBe(p.message);
      expectChinese(said('zh-CN', listed), ['Lucent']);
    }
    // An RLE frame whose header lies: too specific to translate; the English detail in English only.
    const rle = failureOf(
      await thrown(() =>
        decodeOwn({ ...format, encapsulated: true }, '1.2.840.10008.1.2.5', new Uint8Array(70)),
      ),
    );
    const listed = listedDecodeFailure(rle);
    expect(said('en', listed)).toBe(listed.message);
    expect(said('zh-CN', listed)).toBe(translate('zh-CN', 'problem.decode-failed'));
  });

  it('the CLI’s JSON keeps file, code and message only', async () => {
    const e = await loadError(memorySource('empty.dcm', new Uint8Array(0)));
    expect(Object.keys(listedLoadError(e)).sort()).toEqual(['code', 'file', 'message']);
  });
});

describe('a DICOMweb server that fails', () => {
  const instance = { studyInstanceUID: '1.2', seriesInstanceUID: '1.3', sopInstanceUID: '1.4' };
  const client = (respond: () => Promise<Response>): DicomWebClient =>
    new DicomWebClient('http://127.0.0.1:9/dicom-web', () => respond());

  it('the PACS search: no answer, an HTTP error, not a DICOM JSON list', async () => {
    const failures = [
      await thrown(() => client(() => Promise.reject(new TypeError('Failed to fetch'))).searchStudies({})),
      await thrown(() => client(() => Promise.resolve(new Response('', { status: 502 }))).searchStudies({})),
      await thrown(() =>
        client(() => Promise.resolve(new Response('<html>login</html>', { status: 200 }))).searchStudies({}),
      ),
    ].map((e) => failureOf(e, 'fetch-failed'));
    expect(failures.map((f) => f.detail['kind'])).toEqual(['no-answer', 'http', 'not-list']);
    for (const f of failures) {
      const zh = translate('zh-CN', 'pacs.error', { message: said('zh-CN', f) });
      expectChinese(zh, ['PACS', 'DICOMweb', 'HTTP', 'CORS', 'DICOM', 'JSON']);
      expect(zh).not.toContain('Failed to fetch');
      expect(translate('en', 'pacs.error', { message: said('en', f) })).toMatch(/^The PACS search failed: /);
    }
    expect(said('en', failures[1])).toBe('The DICOMweb server answered HTTP 502.');
  });

  it('retrieving an instance (a load error) and storing the report', async () => {
    const retrieved = fetchLoadError(
      pacsInstanceName(1, 2),
      await thrown(() =>
        client(() => Promise.resolve(new Response('', { status: 404 }))).retrieveInstance(instance),
      ),
    );
    expect(retrieved.code).toBe('fetch-failed');
    // The instance has no file name: a neutral key, worded in the reader's language where it is shown.
    const at = pacsInstanceOf(retrieved.file);
    expect(at).toEqual({ n: 1, total: 2 });
    expect(fileLabel(translator('en'), retrieved.file)).toBe('PACS instance 1 of 2');
    expectChinese(fileLabel(translator('zh-CN'), retrieved.file), ['PACS']);
    expect(fileLabel(translator('zh-CN'), 'IM-0001.dcm')).toBe('IM-0001.dcm');
    expect(pacsInstanceOf('pacs-instance:1/2.dcm')).toBeNull();
    expect(pacsInstanceOf('IM-0001.dcm')).toBeNull();
    expectChinese(said('zh-CN', retrieved), ['HTTP']);
    const refused = failureOf(
      await thrown(() =>
        client(() =>
          Promise.resolve(
            new Response(
              JSON.stringify({
                '00081198': { vr: 'SQ', Value: [{ '00081197': { vr: 'US', Value: [272] } }] },
              }),
              { status: 409 },
            ),
          ),
        ).store([slice()]),
      ),
    );
    const zh = translate('zh-CN', 'report.export.failed', { detail: said('zh-CN', refused) });
    expectChinese(zh, ['DICOMweb', 'HTTP']);
    expect(zh).toContain('409');
  });
});

describe('storage that cannot be written', () => {
  it('no IndexedDB, then a full device: the banner in Chinese, the browser’s words in English only', async () => {
    const problems: StorageProblem[] = [];
    const full = {
      getItem: () => null,
      setItem: () => {
        throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      },
      removeItem: () => undefined,
      key: () => null,
      length: 0,
      clear: () => undefined,
    } satisfies Storage;
    vi.stubGlobal('indexedDB', undefined);
    const store = await openDeviceStore({ legacy: full, onProblem: (p) => problems.push(p) });
    store.setItem('lucent.review.x', '{}');
    expect(problems.map((p) => p.code)).toEqual(['unavailable', 'quota']);
    const [unavailable, quota] = problems as [StorageProblem, StorageProblem];
    expectChinese(storageProblemText(t('zh-CN'), 'zh-CN', unavailable), ['Lucent', 'IndexedDB']);
    expect(storageProblemText(t('en'), 'en', unavailable)).toMatch(/\(this browser has no IndexedDB\)$/);
    const zh = storageProblemText(t('zh-CN'), 'zh-CN', quota);
    expectChinese(zh, ['Lucent']);
    expect(zh).not.toContain('quota');
    expect(storageProblemText(t('en'), 'en', quota)).toMatch(/\(The quota has been exceeded\.\)$/);
  });
});

describe('the report, the language model and practice', () => {
  it('exporting a report that is not signed', () => {
    const store = createAppStore();
    const host = new ReportHost({ store, viewer: () => null });
    host.exportSr();
    const failure = store.getState().reportExport?.failure;
    if (!failure) throw new Error('the export did not fail');
    const zh = translate('zh-CN', 'report.export.failed', { detail: said('zh-CN', failure) });
    expectChinese(zh);
    expect(said('en', failure)).toBe('Sign the report first.');
  });

  it('a language model folder the worker refuses: missing file, bad JSON, unknown dtype, wrong checksum', async () => {
    const folder = (files: Record<string, string>) => ({
      name: 'my-model',
      read: (path: string) => Promise.resolve(path in files ? new TextEncoder().encode(files[path]) : null),
    });
    const complete = {
      'config.json': '{"model_type":"gpt2"}',
      'tokenizer.json': '{}',
      'tokenizer_config.json': '{}',
      'onnx/model.onnx': 'onnx bytes',
    };
    const failures = await Promise.all(
      [
        { 'config.json': '{}' },
        { ...complete, 'config.json': 'not json' },
        { ...complete, 'config.json': '{"transformers.js_config":{"dtype":"int3"}}' },
        {
          ...complete,
          'manifest.json': JSON.stringify({ files: { 'onnx/model.onnx': { sha256: '12'.repeat(32) } } }),
        },
      ].map(async (files) => failureOf(await thrown(() => describeFolder(folder(files))))),
    );
    expect(failures.map((f) => `${f.code}.${String(f.detail['kind'])}`)).toEqual([
      'llm-folder.missing-file',
      'llm-folder.not-json',
      'llm-folder.unknown-dtype',
      'llm-checksum.mismatch',
    ]);
    for (const f of failures) {
      expect(said('en', f)).toBe(f.message);
      const zh = translate('zh-CN', 'report.llm.error', { message: said('zh-CN', f) });
      expectChinese(zh, [
        'my-model',
        'tokenizer.json',
        'tokenizer_config.json',
        'config.json',
        'transformers.js',
        'onnx/model*.onnx',
        'dtype',
        'int3',
        'JSON',
        'SHA',
      ]);
    }
  });

  it('a truth.json that is not lucent.truth/1, or not JSON', async () => {
    const schema = failureOf(await thrown(() => truthOf({ schema: 'lucent.analysis/1' })));
    const json = failureOf(await thrown(() => truthOf(parseTruthText('{ nodules: ['))));
    const invalid = failureOf(
      await thrown(() => truthOf({ schema: 'lucent.truth/1', nodules: [{ centerMm: [1, 2] }] })),
    );
    for (const f of [schema, json, invalid]) {
      expect(f.code).toBe('truth-json');
      const zh = translate('zh-CN', 'practice.error', { message: said('zh-CN', f) });
      expectChinese(zh, ['truth.json', 'lucent.truth/1']);
      expect(said('en', f)).toBe(f.message);
    }
  });

  it('an error without a code (a viewer or codec error): generic in Chinese, its words in English', () => {
    const cell = failureOf(new Error('Cannot read properties of undefined'), 'display-failed');
    expectChinese(said('zh-CN', cell));
    expect(said('en', cell)).toBe('Cannot read properties of undefined');
    const viewer = failureOf(new Error('WebGL context lost'), 'viewer-failed');
    expectChinese(translate('zh-CN', 'viewport.renderError', { message: said('zh-CN', viewer) }));
    // A code no catalogue has: the generic sentence names it.
    const odd = { code: 'lungrads-no-row', detail: {}, message: 'No row' };
    expectChinese(said('zh-CN', odd), ['lungrads-no-row']);
    expect(said('zh-CN', odd)).toContain('lungrads-no-row');
  });
});
