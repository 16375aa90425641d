/**
 * Decoding of one sequential, Huffman-coded scan (T.81 F.2): MCUs in raster order, restart intervals,
 * DC prediction, run-length AC coefficients, dequantization and the inverse DCT of each block.
 */
import { BitReader } from './bits';
import { corrupt } from './errors';
import { decodeSymbol, type HuffmanTable } from './huffman';
import { idctBlock } from './idct';
import type { ComponentPlane, FrameLayout } from './layout';
import type { FrameHeader, ScanComponent, Tables } from './segments';

/** Natural (row-major) index of the k-th coefficient in zig-zag order (T.81 Figure A.6). */
const ZIGZAG = new Uint8Array(64);
{
  let k = 0;
  for (let sum = 0; sum < 15; sum++) {
    const low = Math.max(0, sum - 7);
    const high = Math.min(sum, 7);
    for (let i = 0; i <= high - low; i++) {
      const row = sum % 2 === 0 ? high - i : low + i;
      ZIGZAG[k++] = row * 8 + (sum - row);
    }
  }
}

/** Largest number of blocks in an MCU of an interleaved scan (B.2.3). */
const MAX_BLOCKS_PER_MCU = 10;

interface ComponentState {
  readonly plane: ComponentPlane;
  readonly dc: HuffmanTable;
  readonly ac: HuffmanTable;
  /** Quantization table in zig-zag order, the one in effect when the scan starts. */
  readonly quant: Uint16Array;
  prediction: number;
}

interface Scratch {
  readonly coefficients: Float64Array;
  readonly rows: Float64Array;
}

/** What a scan needs from the frame: its header, planes, the tables in effect and the restart interval. */
export interface ScanContext {
  readonly frame: FrameHeader;
  readonly layout: FrameLayout;
  readonly tables: Tables;
  /** MCUs per restart interval; 0 when there are no restart markers. */
  readonly restartInterval: number;
}

function componentState(c: ScanComponent, { frame, layout, tables }: ScanContext): ComponentState {
  const plane = layout.planes[c.index];
  if (plane.decoded) throw corrupt(`component ${c.index} is coded by more than one sequential scan`);
  const dc = tables.dc[c.td];
  const ac = tables.ac[c.ta];
  const quant = tables.quant[frame.components[c.index].tq];
  if (!dc) throw corrupt(`a scan uses DC Huffman table ${c.td}, which is not defined`);
  if (!ac) throw corrupt(`a scan uses AC Huffman table ${c.ta}, which is not defined`);
  if (!quant) throw corrupt(`quantization table ${frame.components[c.index].tq} is not defined`);
  return { plane, dc, ac, quant, prediction: 0 };
}

/** Decode one block's coefficients (F.2.2.1, F.2.2.2), dequantize them and write its samples. */
function decodeBlock(reader: BitReader, s: ComponentState, bx: number, by: number, scratch: Scratch): void {
  const { coefficients } = scratch;
  const { quant } = s;
  coefficients.fill(0);
  const t = decodeSymbol(reader, s.dc);
  if (t !== 0) s.prediction += reader.receiveExtend(t);
  coefficients[0] = s.prediction * quant[0];
  for (let k = 1; k < 64;) {
    const rs = decodeSymbol(reader, s.ac);
    const run = rs >> 4;
    const size = rs & 15;
    if (size === 0) {
      if (run !== 15) break; // EOB
      k += 16; // ZRL
      continue;
    }
    k += run;
    if (k > 63) throw corrupt('a block codes more than 64 coefficients');
    coefficients[ZIGZAG[k]] = reader.receiveExtend(size) * quant[k];
    k++;
  }
  const { target } = s.plane;
  idctBlock(coefficients, scratch.rows, target, by * 8 * target.stride + bx * 8);
}

function decodeMcu(
  reader: BitReader,
  states: readonly ComponentState[],
  mx: number,
  my: number,
  scratch: Scratch,
): void {
  for (const s of states) {
    const { h, v } = s.plane;
    for (let y = 0; y < v; y++) {
      for (let x = 0; x < h; x++) decodeBlock(reader, s, mx * h + x, my * v + y, scratch);
    }
  }
}

/**
 * Decode the entropy-coded data of a scan that starts at `start`, filling the planes of its components.
 * Returns the offset of the marker that follows the scan (or the data's length when none does).
 */
export function decodeScan(
  data: Uint8Array,
  start: number,
  scan: readonly ScanComponent[],
  context: ScanContext,
): number {
  const { layout, restartInterval } = context;
  const states = scan.map((c) => componentState(c, context));
  const single = states.length === 1;
  if (!single && states.reduce((n, s) => n + s.plane.h * s.plane.v, 0) > MAX_BLOCKS_PER_MCU) {
    throw corrupt(`an interleaved scan has more than ${MAX_BLOCKS_PER_MCU} blocks per MCU`);
  }
  // A scan with one component codes its blocks one at a time, over only the blocks the image covers.
  const perLine = single ? states[0].plane.ownBlocksPerLine : layout.mcusPerLine;
  const total = perLine * (single ? states[0].plane.ownBlocksPerColumn : layout.mcusPerColumn);
  const reader = new BitReader(data, start);
  const scratch: Scratch = { coefficients: new Float64Array(64), rows: new Float64Array(64) };
  let nextRestart = 0;
  for (let mcu = 0; mcu < total; mcu++) {
    if (restartInterval > 0 && mcu > 0 && mcu % restartInterval === 0) {
      reader.restart(nextRestart);
      nextRestart = (nextRestart + 1) & 7;
      for (const s of states) s.prediction = 0;
    }
    const mx = mcu % perLine;
    const my = (mcu - mx) / perLine;
    if (single) decodeBlock(reader, states[0], mx, my, scratch);
    else decodeMcu(reader, states, mx, my, scratch);
  }
  for (const s of states) s.plane.decoded = true;
  return reader.segmentEnd();
}
