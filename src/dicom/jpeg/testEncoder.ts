/**
 * Test support only (imported by jpeg.test.ts, never by the app): a small sequential DCT JPEG encoder,
 * written from T.81, that can produce what real encoders rarely do (non-interleaved scans, unusual
 * sampling factors, restart markers, fill bytes, 16-bit quantization tables) so the decoder can be
 * checked on them.
 */

/** One component: its samples at its own resolution, ceil(width·h/hMax) × ceil(height·v/vMax). */
export interface TestComponent {
  readonly id: number;
  readonly h: number;
  readonly v: number;
  readonly samples: ArrayLike<number>;
}

/** What to encode, and how. */
export interface TestEncoding {
  readonly precision: 8 | 12;
  readonly width: number;
  readonly height: number;
  readonly components: readonly TestComponent[];
  /** One quantization table (zig-zag order) used by every component. */
  readonly quant: ArrayLike<number>;
  /** Write the quantization table with 16-bit entries. */
  readonly quant16?: boolean;
  /** Component indices of each scan; default one interleaved scan of all components. */
  readonly scans?: readonly (readonly number[])[];
  readonly restartInterval?: number;
  /** Fill bytes (0xFF) to put before each marker after SOI, restart markers included. */
  readonly fill?: number;
  readonly sof?: number;
}

const ZIGZAG: number[] = [];
for (let sum = 0; sum < 15; sum++) {
  const low = Math.max(0, sum - 7);
  const high = Math.min(sum, 7);
  for (let i = 0; i <= high - low; i++) {
    const row = sum % 2 === 0 ? high - i : low + i;
    ZIGZAG.push(row * 8 + sum - row);
  }
}

// Huffman tables: DC categories 0–15 as 5-bit codes; AC symbols EOB, ZRL and every (run, size) as 8-bit
// codes. Each code is the symbol's index in its list.
const DC_SYMBOLS = Array.from({ length: 16 }, (_, i) => i);
const AC_SYMBOLS = [0x00, 0xf0];
for (let run = 0; run < 16; run++) for (let size = 1; size <= 15; size++) AC_SYMBOLS.push((run << 4) | size);

class BitWriter {
  readonly bytes: number[] = [];
  private acc = 0;
  private count = 0;

  write(value: number, length: number): void {
    for (let i = length - 1; i >= 0; i--) {
      this.acc = (this.acc << 1) | ((value >> i) & 1);
      if (++this.count === 8) this.emit();
    }
  }

  /** Pad with 1-bits to a byte boundary. */
  flush(): void {
    while (this.count !== 0) this.write(1, 1);
  }

  private emit(): void {
    this.bytes.push(this.acc);
    if (this.acc === 0xff) this.bytes.push(0);
    this.acc = 0;
    this.count = 0;
  }
}

function category(value: number): number {
  let a = Math.abs(value);
  let n = 0;
  while (a > 0) {
    n++;
    a >>= 1;
  }
  return n;
}

function writeValue(w: BitWriter, value: number, size: number): void {
  if (size > 0) w.write(value < 0 ? value + (1 << size) - 1 : value, size);
}

/** Forward DCT (A.3.3) of one 8×8 block of level-shifted samples, quantized, in zig-zag order. */
function forwardDct(block: Float64Array, quant: ArrayLike<number>): Int32Array {
  const out = new Int32Array(64);
  for (let k = 0; k < 64; k++) {
    const v = ZIGZAG[k] >> 3;
    const u = ZIGZAG[k] & 7;
    let sum = 0;
    for (let y = 0; y < 8; y++) {
      for (let x = 0; x < 8; x++) {
        sum +=
          block[y * 8 + x] *
          Math.cos(((2 * x + 1) * u * Math.PI) / 16) *
          Math.cos(((2 * y + 1) * v * Math.PI) / 16);
      }
    }
    const c = (u === 0 ? Math.SQRT1_2 : 1) * (v === 0 ? Math.SQRT1_2 : 1);
    out[k] = Math.round((c * sum) / 4 / quant[k]);
  }
  return out;
}

interface Geometry {
  hMax: number;
  vMax: number;
}

function encodeBlock(
  w: BitWriter,
  o: TestEncoding,
  g: Geometry,
  c: TestComponent,
  bx: number,
  by: number,
  prediction: number,
): number {
  const cw = Math.ceil((o.width * c.h) / g.hMax);
  const ch = Math.ceil((o.height * c.v) / g.vMax);
  const block = new Float64Array(64);
  const shift = 1 << (o.precision - 1);
  for (let y = 0; y < 8; y++) {
    for (let x = 0; x < 8; x++) {
      // Edge samples are repeated to fill partial blocks.
      const sx = Math.min(bx * 8 + x, cw - 1);
      const sy = Math.min(by * 8 + y, ch - 1);
      block[y * 8 + x] = c.samples[sy * cw + sx] - shift;
    }
  }
  const q = forwardDct(block, o.quant);
  const diff = q[0] - prediction;
  const t = category(diff);
  w.write(DC_SYMBOLS.indexOf(t), 5);
  writeValue(w, diff, t);
  let run = 0;
  for (let k = 1; k < 64; k++) {
    if (q[k] === 0) {
      run++;
      continue;
    }
    for (; run >= 16; run -= 16) w.write(AC_SYMBOLS.indexOf(0xf0), 8);
    const s = category(q[k]);
    w.write(AC_SYMBOLS.indexOf((run << 4) | s), 8);
    writeValue(w, q[k], s);
    run = 0;
  }
  if (run > 0) w.write(AC_SYMBOLS.indexOf(0x00), 8);
  return q[0];
}

function marker(out: number[], o: TestEncoding, code: number, params: number[] | null): void {
  for (let i = 0; i < (o.fill ?? 0); i++) out.push(0xff);
  out.push(0xff, code);
  if (params) out.push((params.length + 2) >> 8, (params.length + 2) & 0xff, ...params);
}

function huffmanSegment(tc: number, symbols: number[], length: number): number[] {
  const counts = new Array<number>(16).fill(0);
  counts[length - 1] = symbols.length;
  return [tc << 4, ...counts, ...symbols];
}

function encodeScan(out: number[], o: TestEncoding, g: Geometry, scan: readonly number[]): void {
  const comps = scan.map((i) => o.components[i]);
  marker(out, o, 0xda, [comps.length, ...comps.flatMap((c) => [c.id, 0x00]), 0, 63, 0]);
  const single = comps.length === 1;
  const c0 = comps[0];
  const perLine = single
    ? Math.ceil(Math.ceil((o.width * c0.h) / g.hMax) / 8)
    : Math.ceil(o.width / (8 * g.hMax));
  const lines = single
    ? Math.ceil(Math.ceil((o.height * c0.v) / g.vMax) / 8)
    : Math.ceil(o.height / (8 * g.vMax));
  const w = new BitWriter();
  const predictions = comps.map(() => 0);
  const interval = o.restartInterval ?? 0;
  for (let mcu = 0; mcu < perLine * lines; mcu++) {
    if (interval > 0 && mcu > 0 && mcu % interval === 0) {
      w.flush();
      out.push(...w.bytes.splice(0));
      marker(out, o, 0xd0 + ((mcu / interval - 1) & 7), null);
      predictions.fill(0);
    }
    const mx = mcu % perLine;
    const my = Math.floor(mcu / perLine);
    comps.forEach((c, i) => {
      const h = single ? 1 : c.h;
      const v = single ? 1 : c.v;
      for (let y = 0; y < v; y++) {
        for (let x = 0; x < h; x++) {
          predictions[i] = encodeBlock(w, o, g, c, mx * h + x, my * v + y, predictions[i]);
        }
      }
    });
  }
  w.flush();
  out.push(...w.bytes);
}

/** Encode a JPEG from the given samples. */
export function encodeTestJpeg(o: TestEncoding): Uint8Array {
  const g: Geometry = {
    hMax: Math.max(...o.components.map((c) => c.h)),
    vMax: Math.max(...o.components.map((c) => c.v)),
  };
  const out = [0xff, 0xd8];
  const q = Array.from(o.quant);
  marker(out, o, 0xdb, o.quant16 ? [0x10, ...q.flatMap((v) => [v >> 8, v & 0xff])] : [0x00, ...q]);
  marker(out, o, o.sof ?? (o.precision === 8 ? 0xc0 : 0xc1), [
    o.precision,
    o.height >> 8,
    o.height & 0xff,
    o.width >> 8,
    o.width & 0xff,
    o.components.length,
    ...o.components.flatMap((c) => [c.id, (c.h << 4) | c.v, 0]),
  ]);
  marker(out, o, 0xc4, [...huffmanSegment(0, DC_SYMBOLS, 5), ...huffmanSegment(1, AC_SYMBOLS, 8)]);
  if (o.restartInterval) marker(out, o, 0xdd, [o.restartInterval >> 8, o.restartInterval & 0xff]);
  marker(out, o, 0xfe, [0x6c, 0x75, 0x63, 0x65, 0x6e, 0x74]);
  for (const scan of o.scans ?? [o.components.map((_, i) => i)]) encodeScan(out, o, g, scan);
  marker(out, o, 0xd9, null);
  return new Uint8Array(out);
}
