// What the fuzz suite runs on every input: Lucent's ingest and decode paths as both hosts use them. An
// input must be read or refused with a coded error (a LucentError); anything else is a crasher.
import { LucentError } from '../../src/lib/errors';
import { loadSources } from '../../src/dicom/load';
import {
  correctForCodec,
  decodeFrame,
  decodeOwn,
  decodesItself,
  frameFormat,
  readEncodedFrame,
} from '../../src/dicom/decode';
import { createDeidentifier } from '../../src/dicom/deidentify';
import { describeInstance } from '../../src/dicom/instance';
import { NeedMoreData, parseDicom } from '../../src/dicom/parse';
import { memorySource } from '../../src/dicom/source';

export class Crash extends Error {
  constructor(
    readonly stage: string,
    readonly error: unknown,
  ) {
    super(`${stage}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
    if (error instanceof Error && error.stack) this.stack = error.stack;
  }
}

export interface Outcome {
  /** The first stage that refused the input, with its code; null when every stage accepted it. */
  readonly refused: { stage: string; code: string } | null;
}

async function stage<T>(
  name: string,
  refusals: { stage: string; code: string }[],
  fn: () => T | Promise<T>,
): Promise<T | undefined> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof LucentError) {
      refusals.push({ stage: name, code: e.code });
      return undefined;
    }
    throw new Crash(name, e);
  }
}

/** Read a header the way the loaders do: a small prefix first, more when the parser asks. */
function parsePrefixed(bytes: Uint8Array): ReturnType<typeof parseDicom> {
  let want = Math.min(bytes.length, 256);
  for (let attempt = 0; attempt < 40; attempt++) {
    try {
      return parseDicom(bytes.subarray(0, want), { fileSize: bytes.length });
    } catch (e) {
      if (!(e instanceof NeedMoreData)) throw e;
      if (e.bytesNeeded <= want && want >= bytes.length)
        throw new Error('NeedMoreData past the end of the file', { cause: e });
      want = Math.min(bytes.length, Math.max(e.bytesNeeded, want * 2));
    }
  }
  throw new Error('the parser asked for more data 40 times');
}

export async function exercise(bytes: Uint8Array): Promise<Outcome> {
  const refusals: { stage: string; code: string }[] = [];
  await stage('parse-prefix', refusals, () => describeInstance(parsePrefixed(bytes)));
  const parsed = await stage('parse', refusals, () => parseDicom(bytes));
  const info = parsed && (await stage('describe', refusals, () => describeInstance(parsed)));
  const image = info?.image;
  if (info && image) {
    const source = memorySource('fuzz.dcm', bytes);
    const format = frameFormat(image);
    const ts = info.transferSyntaxUID;
    const last = image.frames.length - 1;
    for (const frame of new Set([0, last])) {
      const encoded = await stage('read-frame', refusals, () => readEncodedFrame(image, source, frame));
      if (!encoded) continue;
      await stage('correct-for-codec', refusals, () => correctForCodec(format, ts, encoded));
      if (decodesItself(format, ts, 'none') || decodesItself(format, ts, 'browser')) {
        await stage('decode-own', refusals, () => decodeOwn(format, ts, encoded));
      }
    }
    if (image.samplesPerPixel === 1)
      await stage('decode-frame', refusals, () => decodeFrame(info, source, 0));
  }
  const deidentified = await stage('deidentify', refusals, () =>
    createDeidentifier({ allowBurnedIn: true, salt: new Uint8Array(16) }).file(bytes),
  );
  if (deidentified) {
    // What Lucent wrote, Lucent must read back.
    try {
      parseDicom(deidentified.bytes);
    } catch (e) {
      throw new Crash('reparse-deidentified', e);
    }
  }
  // The loaders' path (archive sniffing, header read, description): never throws, accounts for the file.
  let events = 0;
  await stage('load', refusals, () =>
    loadSources([{ source: memorySource('fuzz.dcm', bytes), key: '0' }], () => {
      events++;
    }),
  );
  if (events === 0) throw new Crash('load', new Error('the loader accounted for nothing'));
  return { refused: refusals[0] ?? null };
}
