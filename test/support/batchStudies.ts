/**
 * Small synthetic chest CT studies for the batch tests and benchmark.
 *
 * A base study is one chest CT from Lucent's generator: 22 slices of 320² (0.9 mm pixels, a 42 mm slab,
 * 2 mm apart, enough for the model's 20-slice minimum), with up to two nodules. The slab is centred on
 * the first nodule, wherever the generator put it (through the hila when there is none), so a study with
 * nodules has at least one in its images: the batch tests compare findings, not only empty lists. Generating one takes ~10 s (the chest model, not the matrix), so an archive of many
 * studies is made from a few bases: each derived study is a copy of a base with its own patient, its own
 * study/series/instance/frame-of-reference UIDs and its own pixel noise (±3 HU), so every study is a
 * different series that the model analyses afresh. Everything is written once into .cache and reused.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import dcmjs from 'dcmjs';
import { GENERATOR, makeCase, type CaseOptions } from '../../src/synth/case';
import type { NoduleType } from '../../src/findings/types';
import { derivedUid } from '../../src/report/sr';
import { mulberry32 } from '../../src/lib/random';

const root = resolve(import.meta.dirname, '../..');
const TYPES: readonly NoduleType[] = ['solid', 'part-solid', 'ground-glass', 'solid'];
const LAYOUT = 'v3';

export function studyOptions(index: number, zRange: readonly [number, number] = [-20, 22]): CaseOptions {
  const count = index % 3;
  return {
    zRange,
    clean: true,
    scanner: {
      matrix: 320,
      pixelSpacing: 0.9,
      fovCenter: [0, 0],
      sliceThickness: 2,
      sliceSpacing: 2,
      noiseSigma: 10,
    },
    nodules: Array.from({ length: count }, (_, k) => ({
      type: TYPES[(index + k) % TYPES.length] ?? 'solid',
      diameter: 7 + ((index * 3 + k * 5) % 8),
    })),
  };
}

function cacheDir(...parts: string[]): string {
  return join(root, '.cache/batch-studies', GENERATOR.replace('/', '-'), LAYOUT, ...parts);
}

/** Write a folder through a temporary name, so a run killed half-way never leaves a partial folder. */
function writeOnce(dir: string, fill: (partial: string) => void): string {
  if (existsSync(join(dir, '.complete'))) return dir;
  const partial = `${dir}.partial`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  fill(partial);
  writeFileSync(join(partial, '.complete'), '');
  rmSync(dir, { recursive: true, force: true });
  renameSync(partial, dir);
  return dir;
}

/** The folder of base study `index` (its DICOM files and truth.json), written if it is not there yet. */
export function batchStudy(seed: string, index: number): string {
  return writeOnce(cacheDir(seed, `case-${index}`), (partial) => {
    // Where the generator places the nodules does not depend on the slab: find the first, then image
    // 42 mm around it.
    const { zRange, ...whole } = studyOptions(index);
    const z = makeCase(seed, index, whole).truth.nodules[0]?.centerMm[2];
    const c = makeCase(
      seed,
      index,
      z === undefined ? studyOptions(index, zRange) : studyOptions(index, [z - 21, z + 21]),
    );
    for (const s of c.slices()) writeFileSync(join(partial, s.fileName), s.bytes);
    writeFileSync(join(partial, 'truth.json'), JSON.stringify(c.truth));
  });
}

/** The DICOM file names of a study folder, in name order. */
export function studyFileNames(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.dcm'))
    .sort()
    .map((f) => join(dir, f));
}

/** The DICOM files of a study folder, in name order. */
export function studyFiles(dir: string): Uint8Array[] {
  return studyFileNames(dir).map((f) => new Uint8Array(readFileSync(f)));
}

function rng(seed: string): () => number {
  return mulberry32(Number.parseInt(derivedUid(seed).slice(-9), 10));
}

type Element = { vr: string; Value: unknown[] };

/** One derived file: new identity and UIDs, ±3 noise on the stored pixel values. */
function derive(bytes: Uint8Array, name: string, random: () => number): Uint8Array {
  const { DicomDict, DicomMessage } = dcmjs.data;
  const copy = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(copy).set(bytes);
  const file = DicomMessage.readFile(copy);
  const dict = file.dict as Record<string, Element>;
  const meta = file.meta as Record<string, Element>;
  const set = (tag: string, value: string): void => {
    const e = dict[tag];
    if (e) e.Value = [value];
  };
  const sop = derivedUid(`${name}|sop|${String((dict['00080018']?.Value ?? [''])[0])}`);
  set('00080018', sop);
  if (meta['00020003']) meta['00020003'].Value = [sop];
  set('0020000D', derivedUid(`${name}|study`));
  set('0020000E', derivedUid(`${name}|series`));
  set('00200052', derivedUid(`${name}|frame`));
  set('00100010', `SYNTHETIC^${name.toUpperCase()}`);
  set('00100020', `SYN-${name}`);
  set('00080050', name.replace(/[^0-9A-Za-z]/g, '').slice(-16));
  const pixels = dict['7FE00010'];
  const buffer = pixels?.Value[0];
  if (!(buffer instanceof ArrayBuffer)) throw new Error('base study file without native pixel data');
  const values = new Int16Array(buffer);
  for (let i = 0; i < values.length; i++) {
    const v = (values[i] ?? 0) + Math.floor(random() * 7) - 3;
    values[i] = Math.max(-32768, Math.min(32767, v));
  }
  const out = new DicomDict(meta);
  out.dict = dict;
  return new Uint8Array(out.write());
}

/**
 * `count` derived studies (folders of DICOM files), study i from base study i mod `bases`. Each has its
 * own patient ("SYNTHETIC^…"), UIDs and noise, so each is a distinct series for the queue and the model.
 */
export function derivedStudies(seed: string, count: number, bases = 5): string[] {
  return Array.from({ length: count }, (_, i) => {
    const base = batchStudy(seed, i % bases);
    const name = `${seed}-${i}`;
    return writeOnce(cacheDir(seed, 'derived', `study-${i}`), (partial) => {
      const random = rng(name);
      for (const f of studyFileNames(base)) {
        const out = derive(new Uint8Array(readFileSync(f)), name, random);
        writeFileSync(join(partial, f.slice(f.lastIndexOf('/') + 1)), out);
      }
    });
  });
}
