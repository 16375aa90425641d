import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { corpusFile, dcmdumpValue, sourceOf } from '../../../test/support/corpus';
import { framesFromFragments } from '../frames';
import { readFragments } from '../parse';
import { parseSource } from '../read';
import { decodeJpegSequential, JpegError } from './index';
import { encodeTestJpeg, type TestComponent, type TestEncoding } from './testEncoder';

/**
 * The encoded bytes of frame 0, located by Lucent's own parser. (Not through `readInstance`, which
 * refuses 12-bit lossy JPEG until this decoder is wired in.)
 */
async function jpegFrame(name: string): Promise<Uint8Array> {
  const src = sourceOf(corpusFile(name));
  const px = (await parseSource(src)).pixelData;
  if (!px?.encapsulated) throw new Error(`no encapsulated pixel data: ${name}`);
  const bytes = px.inline ?? (await src.read(px.offset, src.size));
  const [parts] = framesFromFragments(bytes, readFragments(bytes, 0).fragments, 1);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(bytes.subarray(p.offset, p.offset + p.length), at);
    at += p.length;
  }
  return out;
}

/** dcmtk's decoding (libijg, integer IDCT) of a corpus file or path, without colour conversion, by pixel. */
function dcmtkSamples(name: string): Uint8Array | Uint16Array {
  const dir = mkdtempSync(join(tmpdir(), 'lucent-jpeg-'));
  try {
    const out = join(dir, 'decoded.dcm');
    execFileSync('dcmdjpeg', ['+cn', '+px', name.includes('/') ? name : corpusFile(name), out], {
      stdio: 'ignore',
    });
    execFileSync('dcmdump', ['-q', '+W', dir, out], { stdio: 'ignore' });
    // dcmdump writes each binary value to its own .raw file: the pixel data is the largest.
    const raws = readdirSync(dir).filter((f) => f.endsWith('.raw'));
    const sizes = raws.map((f) => statSync(join(dir, f)).size);
    const file = raws[sizes.indexOf(Math.max(...sizes))];
    if (!file) throw new Error(`dcmtk wrote no pixel data for ${name}`);
    const bytes = readFileSync(join(dir, file));
    const copy = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    return Number(dcmdumpValue(out, '0028,0100')) === 16 ? new Uint16Array(copy) : new Uint8Array(copy);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Difference {
  /** Per channel: largest absolute difference, mean absolute difference, mean signed difference. */
  max: number[];
  meanAbs: number[];
  meanSigned: number[];
}

function difference(mine: ArrayLike<number>, reference: ArrayLike<number>, channels: number): Difference {
  const max = new Array<number>(channels).fill(0);
  const sumAbs = new Array<number>(channels).fill(0);
  const sum = new Array<number>(channels).fill(0);
  for (let i = 0; i < mine.length; i++) {
    const c = i % channels;
    const d = mine[i] - reference[i];
    max[c] = Math.max(max[c], Math.abs(d));
    sumAbs[c] += Math.abs(d);
    sum[c] += d;
  }
  const n = mine.length / channels;
  return { max, meanAbs: sumAbs.map((s) => s / n), meanSigned: sum.map((s) => s / n) };
}

function report(name: string, d: Difference): void {
  const f = (xs: number[]): string => xs.map((x) => x.toFixed(4)).join(' / ');
  console.log(`${name}: max ${d.max.join(' / ')}, mean |d| ${f(d.meanAbs)}, mean d ${f(d.meanSigned)}`);
}

describe('sequential JPEG against dcmtk', () => {
  const cases = [
    { name: 'JPGExtended.dcm', width: 256, height: 1024, components: 1, precision: 12 },
    { name: 'JPEG-lossy.dcm', width: 256, height: 1024, components: 1, precision: 12 },
    { name: 'SC_rgb_dcmtk_+eb+cr.dcm', width: 100, height: 100, components: 3, precision: 8 },
    { name: 'SC_rgb_jpeg_dcmtk.dcm', width: 100, height: 100, components: 3, precision: 8 },
    { name: 'SC_rgb_dcmtk_+eb+cy+s4.dcm', width: 100, height: 100, components: 3, precision: 8 },
    // 4:2:2: libjpeg's horizontal smoothing leaves this image's chroma unchanged.
    { name: 'SC_rgb_dcmtk_+eb+cy+s2.dcm', width: 100, height: 100, components: 3, precision: 8 },
    { name: 'SC_jpeg_no_color_transform.dcm', width: 256, height: 256, components: 3, precision: 8 },
    { name: 'SC_rgb_small_odd_jpeg.dcm', width: 3, height: 3, components: 3, precision: 8 },
  ] as const;

  for (const c of cases) {
    it(`${c.name}: within 1 of dcmtk, mean difference under 0.05`, async () => {
      const image = decodeJpegSequential(await jpegFrame(c.name));
      expect(image).toMatchObject({
        width: c.width,
        height: c.height,
        components: c.components,
        precision: c.precision,
      });
      expect(image.samples).toBeInstanceOf(c.precision === 8 ? Uint8Array : Uint16Array);
      const reference = dcmtkSamples(c.name);
      // dcmtk pads odd-length pixel data with one byte.
      expect(reference.length - image.samples.length).toBeLessThanOrEqual(1);
      const d = difference(image.samples, reference, c.components);
      report(c.name, d);
      for (let k = 0; k < c.components; k++) {
        expect(d.max[k]).toBeLessThanOrEqual(1);
        expect(d.meanAbs[k]).toBeLessThan(0.05);
      }
    });
  }
});

describe('sequential JPEG: colour markers', () => {
  it('reports the Adobe transform flag, JFIF and component ids as coded', async () => {
    const rgb = decodeJpegSequential(await jpegFrame('SC_rgb_dcmtk_+eb+cr.dcm'));
    expect(rgb).toMatchObject({ adobeTransform: 0, jfif: false, componentIds: [82, 71, 66] });
    const ybr = decodeJpegSequential(await jpegFrame('SC_rgb_jpeg_dcmtk.dcm'));
    expect(ybr).toMatchObject({ adobeTransform: null, jfif: true, componentIds: [1, 2, 3] });
  });
});

/**
 * libjpeg's "fancy" 2×2 upsampling (a triangle filter: 3/4 nearer sample, 1/4 farther, edges repeated),
 * which dcmtk applies to 4:2:0 chroma. Input: one chroma sample per 2×2 pixels.
 */
function triangleUpsample2x2(
  chroma: Uint8Array,
  cw: number,
  ch: number,
  width: number,
  height: number,
): Uint8Array {
  const out = new Uint8Array(width * height);
  const at = (x: number, y: number): number =>
    chroma[Math.min(Math.max(y, 0), ch - 1) * cw + Math.min(Math.max(x, 0), cw - 1)];
  for (let y = 0; y < height; y++) {
    const cy = y >> 1;
    const far = y % 2 === 0 ? cy - 1 : cy + 1;
    const column = (cx: number): number => 3 * at(cx, cy) + at(cx, far);
    for (let x = 0; x < width; x++) {
      const cx = x >> 1;
      const left = x % 2 === 0;
      const neighbour = left ? (cx === 0 ? cx : cx - 1) : cx === cw - 1 ? cx : cx + 1;
      out[y * width + x] = (3 * column(cx) + column(neighbour) + (left ? 8 : 7)) >> 4;
    }
  }
  return out;
}

describe('4:2:0 JPEG against dcmtk', () => {
  for (const name of ['SC_rgb_dcmtk_+eb+cy+np.dcm', 'SC_rgb_jpeg_lossy_gdcm.dcm']) {
    it(`${name}: luma within 1; chroma within 1 once smoothed as libjpeg does`, async () => {
      const image = decodeJpegSequential(await jpegFrame(name));
      const { width, height, samples } = image;
      expect(image.components).toBe(3);
      const reference = dcmtkSamples(name);
      // Our chroma is replicated: every 2×2 pixel block holds one chroma sample.
      const cw = Math.ceil(width / 2);
      const ch = Math.ceil(height / 2);
      const smoothed = new Uint8Array(samples.length);
      for (let c = 0; c < 3; c++) {
        const plane = new Uint8Array(cw * ch);
        for (let y = 0; y < ch; y++)
          for (let x = 0; x < cw; x++) plane[y * cw + x] = samples[(2 * y * width + 2 * x) * 3 + c];
        const full = c === 0 ? null : triangleUpsample2x2(plane, cw, ch, width, height);
        for (let i = 0; i < width * height; i++) smoothed[i * 3 + c] = full ? full[i] : samples[i * 3];
      }
      const replicated = difference(samples, reference, 3);
      const d = difference(smoothed, reference, 3);
      report(`${name} (replicated)`, replicated);
      report(`${name} (chroma smoothed)`, d);
      expect(replicated.max[0]).toBeLessThanOrEqual(1);
      for (let k = 0; k < 3; k++) {
        expect(d.max[k]).toBeLessThanOrEqual(1);
        expect(d.meanAbs[k]).toBeLessThan(0.05);
      }
    });
  }
});

/** A smooth pattern with seeded noise, at `width × height`, in [0, max]. */
function testPlane(width: number, height: number, max: number, seed: number): Uint16Array {
  let state = seed >>> 0;
  const random = (): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  const out = new Uint16Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = max * (0.5 + 0.45 * Math.sin(x / 5 + seed) * Math.cos(y / 7) + 0.05 * (random() - 0.5));
      out[y * width + x] = Math.min(max, Math.max(0, Math.round(v)));
    }
  }
  return out;
}

/** Components with the given sampling factors, each with its own pattern at its own resolution. */
function testComponents(
  width: number,
  height: number,
  max: number,
  sampling: readonly (readonly [number, number])[],
): TestComponent[] {
  const hMax = Math.max(...sampling.map(([h]) => h));
  const vMax = Math.max(...sampling.map(([, v]) => v));
  return sampling.map(([h, v], i) => {
    const w = Math.ceil((width * h) / hMax);
    const hh = Math.ceil((height * v) / vMax);
    return { id: i + 1, h, v, samples: testPlane(w, hh, max, 17 * i + 3) };
  });
}

/** The source samples at full resolution, each component repeated over the pixels it covers. */
function replicated(o: TestEncoding): Uint16Array {
  const n = o.components.length;
  const hMax = Math.max(...o.components.map((c) => c.h));
  const vMax = Math.max(...o.components.map((c) => c.v));
  const out = new Uint16Array(o.width * o.height * n);
  o.components.forEach((c, k) => {
    const cw = Math.ceil((o.width * c.h) / hMax);
    for (let y = 0; y < o.height; y++) {
      for (let x = 0; x < o.width; x++) {
        const sy = Math.floor((y * c.v) / vMax);
        const sx = Math.floor((x * c.h) / hMax);
        out[(y * o.width + x) * n + k] = c.samples[sy * cw + sx];
      }
    }
  });
  return out;
}

const FINE = new Uint16Array(64).fill(1);
const COARSE = Uint16Array.from({ length: 64 }, (_, k) => 2 + (k >> 2));

describe('sequential JPEG: coding options real files rarely use', () => {
  it('12-bit, odd size, 16-bit quantization entries: the source within rounding', () => {
    const o: TestEncoding = {
      precision: 12,
      width: 37,
      height: 29,
      components: testComponents(37, 29, 4095, [[1, 1]]),
      quant: FINE,
      quant16: true,
    };
    const image = decodeJpegSequential(encodeTestJpeg(o));
    expect(image).toMatchObject({ width: 37, height: 29, components: 1, precision: 12 });
    expect(image.samples).toBeInstanceOf(Uint16Array);
    const d = difference(image.samples, replicated(o), 1);
    report('12-bit synthetic vs source', d);
    expect(d.max[0]).toBeLessThanOrEqual(2);
    expect(d.meanAbs[0]).toBeLessThan(0.5);
    // The same table written with 8-bit entries decodes identically.
    const eight = decodeJpegSequential(encodeTestJpeg({ ...o, quant16: false }));
    expect(eight.samples).toEqual(image.samples);
  });

  it('4:2:0 colour: interleaved, non-interleaved, restart markers and fill bytes decode identically', () => {
    const base: TestEncoding = {
      precision: 8,
      width: 45,
      height: 35,
      components: testComponents(45, 35, 255, [
        [2, 2],
        [1, 1],
        [1, 1],
      ]),
      quant: FINE,
    };
    const reference = decodeJpegSequential(encodeTestJpeg(base));
    const d = difference(reference.samples, replicated(base), 3);
    report('4:2:0 synthetic vs replicated source', d);
    for (let k = 0; k < 3; k++) {
      expect(d.max[k]).toBeLessThanOrEqual(2);
      expect(d.meanAbs[k]).toBeLessThan(0.5);
    }
    const variants: Partial<TestEncoding>[] = [
      { restartInterval: 1 },
      { restartInterval: 5, fill: 3 },
      { scans: [[0], [1], [2]] },
      { scans: [[2], [0], [1]], restartInterval: 7 },
      { scans: [[0], [1, 2]], restartInterval: 2, fill: 1 },
    ];
    for (const v of variants) {
      expect(decodeJpegSequential(encodeTestJpeg({ ...base, ...v })).samples).toEqual(reference.samples);
    }
  });

  it('unusual sampling factors (2×1, 1×2, 1×1, 1×1) and four components', () => {
    const o: TestEncoding = {
      precision: 8,
      width: 30,
      height: 19,
      components: testComponents(30, 19, 255, [
        [2, 1],
        [1, 2],
        [1, 1],
        [1, 1],
      ]),
      quant: FINE,
      restartInterval: 3,
    };
    const image = decodeJpegSequential(encodeTestJpeg(o));
    expect(image.components).toBe(4);
    const d = difference(image.samples, replicated(o), 4);
    for (let k = 0; k < 4; k++) expect(d.max[k]).toBeLessThanOrEqual(2);
    const separate = encodeTestJpeg({ ...o, scans: [[3], [2], [1], [0]] });
    expect(decodeJpegSequential(separate).samples).toEqual(image.samples);
  });

  it('restart markers and non-interleaved scans agree with dcmtk (via img2dcm)', () => {
    const cases: TestEncoding[] = [
      {
        precision: 12,
        width: 70,
        height: 43,
        components: testComponents(70, 43, 4095, [[1, 1]]),
        quant: COARSE,
        restartInterval: 4,
        fill: 2,
      },
      {
        precision: 8,
        width: 41,
        height: 26,
        components: testComponents(41, 26, 255, [
          [1, 1],
          [1, 1],
          [1, 1],
        ]),
        quant: COARSE,
        scans: [[1], [0, 2]],
        restartInterval: 3,
      },
    ];
    for (const o of cases) {
      const jpeg = encodeTestJpeg(o);
      const reference = dcmtkFromJpeg(jpeg);
      const d = difference(decodeJpegSequential(jpeg).samples, reference, o.components.length);
      report(`synthetic ${o.precision}-bit via dcmtk`, d);
      // Coarse quantization and libjpeg's reduced-precision 12-bit integer IDCT give more ±1 rounding
      // differences than the real files do; a coding error would show as large differences.
      for (let k = 0; k < o.components.length; k++) {
        expect(d.max[k]).toBeLessThanOrEqual(1);
        expect(d.meanAbs[k]).toBeLessThan(0.1);
      }
    }
  });
});

/** dcmtk's decoding of a bare JPEG file, wrapped in DICOM by img2dcm. */
function dcmtkFromJpeg(jpeg: Uint8Array): Uint8Array | Uint16Array {
  const dir = mkdtempSync(join(tmpdir(), 'lucent-jpeg-'));
  try {
    writeFileSync(join(dir, 'in.jpg'), jpeg);
    execFileSync('img2dcm', [join(dir, 'in.jpg'), join(dir, 'in.dcm')], { stdio: 'ignore' });
    return dcmtkSamples(join(dir, 'in.dcm'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function expectJpegError(f: () => unknown, code: string, message: RegExp): void {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(JpegError);
    expect((e as JpegError).code).toBe(code);
    expect((e as JpegError).message).toMatch(message);
    return;
  }
  throw new Error('expected a JpegError');
}

/** SOI, a one-component 16×16 frame header with the given SOF marker, EOI. */
function headerOnly(sof: number): Uint8Array {
  return new Uint8Array([0xff, 0xd8, 0xff, sof, 0, 11, 8, 0, 16, 0, 16, 1, 1, 0x11, 0, 0xff, 0xd9]);
}

describe('sequential JPEG: what it refuses', () => {
  it('progressive, lossless, hierarchical and arithmetic-coded JPEG: unsupported, by name', () => {
    expectJpegError(
      () => decodeJpegSequential(headerOnly(0xc2)),
      'jpeg-unsupported',
      /progressive DCT \(SOF2\)/,
    );
    expectJpegError(() => decodeJpegSequential(headerOnly(0xc3)), 'jpeg-unsupported', /lossless \(SOF3\)/);
    expectJpegError(() => decodeJpegSequential(headerOnly(0xc5)), 'jpeg-unsupported', /hierarchical/);
    expectJpegError(() => decodeJpegSequential(headerOnly(0xc9)), 'jpeg-unsupported', /arithmetic-coded/);
  });

  it('a real lossless JPEG (SOF3) is refused as unsupported', async () => {
    const frame = await jpegFrame('SC_rgb_jpeg_gdcm.dcm');
    expectJpegError(() => decodeJpegSequential(frame), 'jpeg-unsupported', /lossless/);
  });

  it('16-bit precision and DNL-defined height are unsupported', () => {
    const sixteen = headerOnly(0xc1);
    sixteen[6] = 16;
    expectJpegError(() => decodeJpegSequential(sixteen), 'jpeg-unsupported', /precision 16/);
    const dnl = headerOnly(0xc0);
    dnl[8] = 0;
    expectJpegError(() => decodeJpegSequential(dnl), 'jpeg-unsupported', /DNL/);
  });

  it('not a JPEG, or a scan without its tables: corrupt', () => {
    expectJpegError(() => decodeJpegSequential(new Uint8Array([1, 2, 3])), 'jpeg-corrupt', /start-of-image/);
    expectJpegError(
      () => decodeJpegSequential(headerOnly(0xc0)),
      'jpeg-corrupt',
      /component 0 is never coded/,
    );
  });

  it('truncated data throws at every cut point, and never hangs', async () => {
    const frame = await jpegFrame('JPGExtended.dcm');
    const eoi = frame.lastIndexOf(0xd9) - 1;
    expect([frame[eoi], frame[eoi + 1]]).toEqual([0xff, 0xd9]);
    expectJpegError(() => decodeJpegSequential(frame.subarray(0, eoi >> 1)), 'jpeg-truncated', /Truncated/);
    const cuts = [2, 3, 4, 10, 100, 200, 300, 400];
    for (let i = 1; i < 40; i++) cuts.push(Math.floor((eoi * i) / 40));
    cuts.push(eoi - 1);
    for (const cut of cuts) {
      expect(() => decodeJpegSequential(frame.subarray(0, cut)), `cut at ${cut}`).toThrow(JpegError);
    }
    // Only the end-of-image marker missing: every block is there, so the image decodes.
    expect(decodeJpegSequential(frame.subarray(0, eoi)).width).toBe(256);
  });

  it('damaged bytes give a JpegError or an image, never another exception', () => {
    const jpeg = encodeTestJpeg({
      precision: 8,
      width: 24,
      height: 16,
      components: testComponents(24, 16, 255, [
        [2, 1],
        [1, 1],
        [1, 1],
      ]),
      quant: COARSE,
      restartInterval: 2,
    });
    let state = 12345;
    for (let trial = 0; trial < 300; trial++) {
      const damaged = jpeg.slice();
      for (let n = 0; n < 3; n++) {
        state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
        damaged[state % damaged.length] = state >>> 24;
      }
      try {
        decodeJpegSequential(damaged);
      } catch (e) {
        expect(e).toBeInstanceOf(JpegError);
      }
    }
  });
});

describe('sequential JPEG: speed', () => {
  it('decodes a 1024×256 12-bit frame in well under 100 ms', async () => {
    const frame = await jpegFrame('JPGExtended.dcm');
    const times: number[] = [];
    for (let i = 0; i < 7; i++) {
      const t0 = performance.now();
      decodeJpegSequential(frame);
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    console.log(
      `JPGExtended.dcm 1024×256 decode: best ${times[0].toFixed(1)} ms, median ${times[3].toFixed(1)} ms`,
    );
    expect(times[0]).toBeLessThan(100);
  });
});
