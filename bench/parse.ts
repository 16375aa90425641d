/**
 * DICOM parse throughput: Lucent's parser, dicom-parser (Cornerstone's) and dcmjs, on the same files in
 * the same run, warm (one untimed pass first, then the best of several timed passes).
 *
 * Two workloads per file set: the whole file (every attribute read, pixel data located, as dcmjs and
 * dicom-parser do by default) and the header only (the first 16 KB, stopping at the pixel data: what
 * the viewer does for every file it opens). dcmjs has no header-only mode.
 */
import dcmjs from 'dcmjs';
import dicomParser from 'dicom-parser';
import { readFileSync } from 'node:fs';
import { inflateSync } from 'fflate';
import { describeInstance } from '../src/dicom/instance';
import {
  DataSet,
  DicomError,
  NeedMoreData,
  parseDicom,
  type Element,
  type ParsedFile,
} from '../src/dicom/parse';
import { T, implicitVR } from '../src/dicom/tags';
import { transferSyntax } from '../src/dicom/transferSyntax';

const HEADER_BYTES = 16384;
const RUNS = 7;

/** MB/s for one parser on one workload; null when it has no such mode. */
export interface ParserRate {
  /** Whole files: parse only (attributes located, values decoded on demand). */
  readonly wholeMBps: number | null;
  /**
   * Whole files: parse and describe (Lucent's InstanceInfo: what the app actually needs). For
   * dicom-parser, its elements converted into Lucent's DataSet and described by Lucent.
   */
  readonly wholeDescribedMBps: number | null;
  /** The first 16 KB of each file, stopping at the pixel data (equivalent file MB per second). */
  readonly headerOnlyMBps: number | null;
  /** Header only, and described (what the viewer does for every file it opens). */
  readonly headerDescribedMBps: number | null;
}

export interface ParseSet {
  readonly name: string;
  /** Files every parser read without an error (the timed set). */
  readonly files: number;
  readonly megabytes: number;
  /** Files left out because at least one parser refused them, with the parsers that did. */
  readonly leftOut: readonly { file: string; refusedBy: string[] }[];
  readonly lucent: ParserRate;
  readonly dicomParser: ParserRate;
  readonly dcmjs: ParserRate;
}

export interface ParseResult {
  readonly ct: ParseSet;
  readonly corpus: ParseSet | null;
  // The synthetic CT's headline numbers under the names earlier results used.
  readonly files: number;
  readonly megabytes: number;
  readonly lucentMBps: number | null;
  readonly lucentHeaderOnlyMBps: number | null;
  readonly dicomParserMBps: number | null;
  readonly dicomParserHeaderOnlyMBps: number | null;
  readonly dcmjsMBps: number | null;
}

const arrayBufferOf = (b: Uint8Array): ArrayBuffer =>
  b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;

interface Logger {
  getLevel(): number;
  setLevel(level: number | 'silent'): void;
}
/** dcmjs's loggers (loglevel; not in the project's dcmjs typings): its own and its validation log. */
const dcmjsLog = (dcmjs as unknown as { log: Logger & { getLogger(name: string): Logger } }).log;
const dcmjsLoggers = [dcmjsLog, dcmjsLog.getLogger('validation.dcmjs')];

type Workload = (b: Uint8Array) => void;
type ParserName = 'lucent' | 'dicomParser' | 'dcmjs';

/** Lucent's header read as the app does it: a 16 KB prefix, the whole file when the header is longer. */
function lucentHeader(b: Uint8Array): ParsedFile {
  try {
    return parseDicom(b.subarray(0, HEADER_BYTES), { fileSize: b.length });
  } catch (e) {
    if (e instanceof NeedMoreData) return parseDicom(b);
    throw e;
  }
}

/** dicom-parser's header read: stop at the pixel data; the whole file when the prefix is too short. */
function dicomParserHeader(b: Uint8Array): void {
  try {
    dicomParser.parseDicom(b.subarray(0, HEADER_BYTES), { untilTag: 'x7fe00010' });
  } catch {
    dicomParser.parseDicom(b, { untilTag: 'x7fe00010', inflater });
  }
}

/** dicom-parser needs an inflater for deflated files outside Node Buffers (the browser path). */
function inflater(bytes: Uint8Array, position: number): Uint8Array {
  const inflated = inflateSync(bytes.subarray(position));
  const out = new Uint8Array(position + inflated.length);
  out.set(bytes.subarray(0, position));
  out.set(inflated, position);
  return out;
}

/**
 * A prototype of "dicom-parser underneath Lucent's instance description": dicom-parser finds the
 * elements, this converts them into Lucent's DataSet (numeric tags, VRs for implicit files, sequences,
 * the pixel data location) and Lucent describes the file as usual. Bench-only: it measures what the
 * switch would cost, without Lucent's error handling on top.
 */
export function lucentOnDicomParser(b: Uint8Array, untilPixels = false): ParsedFile {
  const parsed = dicomParser.parseDicom(b, untilPixels ? { untilTag: 'x7fe00010', inflater } : { inflater });
  const littleEndian = parsed.byteArrayParser !== dicomParser.bigEndianByteArrayParser;
  const bytes = parsed.byteArray as Uint8Array;
  const charsetElement = parsed.elements['x00080005'];
  const charset = charsetElement
    ? String.fromCharCode(
        ...bytes.subarray(charsetElement.dataOffset, charsetElement.dataOffset + charsetElement.length),
      ).trim()
    : undefined;
  const convert = (ds: dicomParser.DataSet): DataSet => {
    const elements = new Map<number, Element>();
    for (const [key, e] of Object.entries(ds.elements)) {
      const tag = parseInt(key.slice(1), 16) >>> 0;
      const vr = e.vr ?? implicitVR(tag) ?? (e.items ? 'SQ' : 'UN');
      const items = e.items?.flatMap((i) => (i.dataSet ? [convert(i.dataSet)] : []));
      const length = e.hadUndefinedLength && (e.items || tag === T.PixelData) ? -1 : e.length;
      elements.set(tag, { tag, vr, offset: e.dataOffset, length, ...(items ? { items } : {}) });
    }
    return new DataSet(bytes, littleEndian, elements, charset);
  };
  const dataset = convert(parsed);
  const ts = transferSyntax(dataset.string(T.TransferSyntaxUID) ?? '');
  const px = parsed.elements['x7fe00010'];
  const pixelData = px
    ? {
        tag: T.PixelData,
        vr: px.vr ?? 'OW',
        offset: px.dataOffset,
        length: px.hadUndefinedLength ? -1 : px.length,
        encapsulated: px.hadUndefinedLength === true,
      }
    : null;
  return { meta: null, dataset, transferSyntax: ts, transferSyntaxGuessed: false, pixelData };
}

/** A refusal with a reason is an answer, not a parse failure: the app lists the file under its reason. */
function describedOrRefused(parsed: () => ParsedFile): void {
  try {
    describeInstance(parsed());
  } catch (e) {
    if (!(e instanceof DicomError)) throw e;
  }
}

const parsers: Record<ParserName, Record<keyof ParserRate, Workload | null>> = {
  lucent: {
    wholeMBps: (b) => void parseDicom(b),
    wholeDescribedMBps: (b) => describedOrRefused(() => parseDicom(b)),
    headerOnlyMBps: (b) => void lucentHeader(b),
    headerDescribedMBps: (b) => describedOrRefused(() => lucentHeader(b)),
  },
  dicomParser: {
    wholeMBps: (b) => void dicomParser.parseDicom(b, { inflater }),
    wholeDescribedMBps: (b) => describedOrRefused(() => lucentOnDicomParser(b)),
    headerOnlyMBps: dicomParserHeader,
    headerDescribedMBps: (b) =>
      describedOrRefused(() => {
        try {
          return lucentOnDicomParser(b.subarray(0, HEADER_BYTES), true);
        } catch {
          return lucentOnDicomParser(b, true);
        }
      }),
  },
  dcmjs: {
    wholeMBps: (b) => void dcmjs.data.DicomMessage.readFile(arrayBufferOf(b)),
    wholeDescribedMBps: null,
    headerOnlyMBps: null,
    headerDescribedMBps: null,
  },
};

/** Which parsers refuse a file (a workload that throws). */
function refusals(b: Uint8Array): ParserName[] {
  const out: ParserName[] = [];
  for (const name of Object.keys(parsers) as ParserName[]) {
    try {
      for (const w of Object.values(parsers[name])) w?.(b);
    } catch {
      out.push(name);
    }
  }
  return out;
}

/**
 * Time every workload on the files all three parsers read without error. Rounds interleave the parsers
 * so that a busy machine slows them alike; each workload keeps its best round.
 */
export function parseSet(
  name: string,
  paths: readonly string[],
  shortName = (p: string): string => p,
): ParseSet {
  const levels = dcmjsLoggers.map((l) => l.getLevel());
  for (const l of dcmjsLoggers) l.setLevel('silent'); // dcmjs warns on every odd VR of the corpus
  try {
    const buffers: Uint8Array[] = [];
    const leftOut: { file: string; refusedBy: string[] }[] = [];
    for (const p of paths) {
      const b = new Uint8Array(readFileSync(p));
      const refusedBy = refusals(b);
      if (refusedBy.length > 0) leftOut.push({ file: shortName(p), refusedBy });
      else buffers.push(b);
    }
    const mb = buffers.reduce((n, b) => n + b.length, 0) / 1e6;
    const timed = (Object.keys(parsers) as ParserName[]).flatMap((parser) =>
      (Object.entries(parsers[parser]) as [keyof ParserRate, Workload | null][]).flatMap(([kind, w]) =>
        w ? [{ parser, kind, w, ms: Infinity }] : [],
      ),
    );
    for (let round = 0; round <= RUNS; round++) {
      for (const t of timed) {
        const start = performance.now();
        for (const b of buffers) t.w(b);
        // Round 0 warms up (JIT, caches) and is not counted.
        if (round > 0) t.ms = Math.min(t.ms, performance.now() - start);
      }
    }
    const rates = (parser: ParserName): ParserRate => {
      const rate = (kind: keyof ParserRate): number | null => {
        const t = timed.find((x) => x.parser === parser && x.kind === kind);
        return t && buffers.length > 0 ? Number((mb / (t.ms / 1000)).toFixed(0)) : null;
      };
      return {
        wholeMBps: rate('wholeMBps'),
        wholeDescribedMBps: rate('wholeDescribedMBps'),
        headerOnlyMBps: rate('headerOnlyMBps'),
        headerDescribedMBps: rate('headerDescribedMBps'),
      };
    };
    return {
      name,
      files: buffers.length,
      megabytes: Number(mb.toFixed(1)),
      leftOut,
      lucent: rates('lucent'),
      dicomParser: rates('dicomParser'),
      dcmjs: rates('dcmjs'),
    };
  } finally {
    dcmjsLoggers.forEach((l, i) => l.setLevel(levels[i] ?? 'silent'));
  }
}

export function parseThroughput(
  ctFiles: readonly string[],
  corpus: { dir: string; files: readonly string[] } | null,
): ParseResult {
  const ct = parseSet('synthetic CT', ctFiles);
  const corpusSet = corpus
    ? parseSet('pydicom corpus', corpus.files, (p) => p.slice(corpus.dir.length + 1))
    : null;
  return {
    ct,
    corpus: corpusSet,
    files: ct.files,
    megabytes: ct.megabytes,
    lucentMBps: ct.lucent.wholeDescribedMBps,
    lucentHeaderOnlyMBps: ct.lucent.headerDescribedMBps,
    dicomParserMBps: ct.dicomParser.wholeMBps,
    dicomParserHeaderOnlyMBps: ct.dicomParser.headerOnlyMBps,
    dcmjsMBps: ct.dcmjs.wholeMBps,
  };
}
