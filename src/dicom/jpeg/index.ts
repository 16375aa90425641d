/**
 * A decoder for sequential DCT JPEG with Huffman coding (ITU T.81 processes 1, 2 and 4: SOF0 and
 * SOF1), 8- and 12-bit, as DICOM stores it under JPEG Baseline (1.2.840.10008.1.2.4.50) and JPEG
 * Extended (1.2.840.10008.1.2.4.51).
 */
import { skipFill } from './bits';
import { corrupt, markerName, truncated, unsupported } from './errors';
import { layoutFrame, type FrameLayout } from './layout';
import { interleave } from './output';
import { decodeScan } from './scan';
import {
  parseApp,
  parseFrame,
  parseHuffmanTables,
  parseQuantTables,
  parseRestartInterval,
  parseScan,
  type ColourMarkers,
  type FrameHeader,
  type Segment,
  type Tables,
} from './segments';

export { JpegError, type JpegErrorCode } from './errors';

/** A decoded JPEG frame. */
export interface JpegImage {
  readonly width: number;
  readonly height: number;
  /** Components per pixel (1–4). */
  readonly components: number;
  /** Bits per sample. */
  readonly precision: 8 | 12;
  /**
   * Samples, row-major and pixel-interleaved in the order of the frame header's components, at full
   * resolution (subsampled components repeated). No colour conversion is applied. `Uint8Array` for
   * 8-bit data, `Uint16Array` for 12-bit.
   */
  readonly samples: Uint8Array | Uint16Array;
  /** The component identifiers of the frame header, e.g. `[82, 71, 66]` ('R', 'G', 'B'). */
  readonly componentIds: readonly number[];
  /** Whether a JFIF APP0 marker is present (which means YCbCr for three components). */
  readonly jfif: boolean;
  /** The transform flag of an Adobe APP14 marker (0 none, 1 YCbCr, 2 YCCK), or null when absent. */
  readonly adobeTransform: number | null;
}

/** Coding processes this decoder recognises but does not implement, by start-of-frame marker. */
const UNSUPPORTED_FRAMES: Readonly<Record<number, string>> = {
  0xc2: 'progressive DCT (SOF2)',
  0xc3: 'lossless (SOF3)',
  0xc5: 'hierarchical differential sequential DCT (SOF5)',
  0xc6: 'hierarchical differential progressive DCT (SOF6)',
  0xc7: 'hierarchical differential lossless (SOF7)',
  0xc8: 'the reserved JPEG extension (SOF8)',
  0xc9: 'arithmetic-coded sequential DCT (SOF9)',
  0xca: 'arithmetic-coded progressive DCT (SOF10)',
  0xcb: 'arithmetic-coded lossless (SOF11)',
  0xcc: 'arithmetic coding (DAC)',
  0xcd: 'arithmetic-coded differential sequential DCT (SOF13)',
  0xce: 'arithmetic-coded differential progressive DCT (SOF14)',
  0xcf: 'arithmetic-coded differential lossless (SOF15)',
  0xde: 'hierarchical coding (DHP)',
  0xdf: 'hierarchical coding (EXP)',
};

interface DecoderState {
  frame: FrameHeader | null;
  layout: FrameLayout | null;
  readonly tables: Tables;
  restartInterval: number;
  readonly colour: ColourMarkers;
}

/** The parameters of the marker segment whose code byte is at `codeAt`. */
function segmentAt(data: Uint8Array, codeAt: number): Segment {
  const marker = markerName(data[codeAt]);
  if (codeAt + 3 > data.length) throw truncated(`the data ends inside marker ${marker}`);
  const length = (data[codeAt + 1] << 8) | data[codeAt + 2];
  if (length < 2) throw corrupt(`marker ${marker} at offset ${codeAt - 1} has length ${length}`);
  const end = codeAt + 1 + length;
  if (end > data.length) throw truncated(`marker ${marker} at offset ${codeAt - 1} runs past the end`);
  return { data, start: codeAt + 3, end };
}

function startFrame(seg: Segment, state: DecoderState): void {
  if (state.frame) throw corrupt('the data has more than one frame header');
  state.frame = parseFrame(seg);
  state.layout = layoutFrame(state.frame);
}

/** Decode a scan whose header is `seg`; returns where the next marker starts. */
function scan(seg: Segment, state: DecoderState): number {
  const { frame, layout, tables, restartInterval } = state;
  if (!frame || !layout) throw corrupt('a scan comes before the frame header');
  const components = parseScan(seg, frame);
  return decodeScan(seg.data, seg.end, components, { frame, layout, tables, restartInterval });
}

/** Act on the marker whose code byte is at `codeAt`; returns the offset just after what it covers. */
function handleMarker(data: Uint8Array, codeAt: number, state: DecoderState): number {
  const marker = data[codeAt];
  const what = UNSUPPORTED_FRAMES[marker];
  if (what) throw unsupported(`${what} is not implemented; only sequential DCT with Huffman coding is`);
  // Markers without a length here: stuffing (00), TEM, RSTn outside a scan, a second SOI.
  if (marker <= 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {
    throw corrupt(`unexpected marker ${markerName(marker)} at offset ${codeAt - 1}`);
  }
  const seg = segmentAt(data, codeAt);
  if (marker === 0xc0 || marker === 0xc1) startFrame(seg, state);
  else if (marker === 0xc4) parseHuffmanTables(seg, state.tables);
  else if (marker === 0xdb) parseQuantTables(seg, state.tables.quant);
  else if (marker === 0xdd) state.restartInterval = parseRestartInterval(seg);
  else if (marker === 0xda) return scan(seg, state);
  else if (marker === 0xdc) throw unsupported('a DNL marker (image height defined after the first scan)');
  else if (marker >= 0xe0 && marker <= 0xef) parseApp(marker, seg, state.colour);
  // COM, JPGn and reserved markers carry nothing the decoder needs.
  return seg.end;
}

/** The image, once the data has ended (at EOI, or without one when every component is complete). */
function finish(state: DecoderState, atEoi: boolean): JpegImage {
  const { frame, layout, colour } = state;
  const fail = atEoi ? corrupt : truncated;
  if (!frame || !layout) throw fail('the data has no frame header');
  const missing = layout.planes.findIndex((p) => !p.decoded);
  if (missing >= 0) throw fail(`component ${missing} is never coded by a scan`);
  return {
    width: frame.width,
    height: frame.height,
    components: frame.components.length,
    precision: frame.precision,
    samples: interleave(frame, layout),
    componentIds: frame.components.map((c) => c.id),
    jfif: colour.jfif,
    adobeTransform: colour.adobeTransform,
  };
}

/**
 * Decode a sequential DCT, Huffman-coded JPEG (SOF0 or SOF1; 8- or 12-bit; 1–4 components with any
 * sampling factors; interleaved or not; with or without restart markers). Samples are returned as
 * coded, without colour conversion; subsampled components are upsampled by replication.
 *
 * @throws JpegError with code `jpeg-unsupported` (progressive, lossless, hierarchical, arithmetic
 * coding, other precisions, DNL), `jpeg-corrupt` or `jpeg-truncated`.
 */
export function decodeJpegSequential(bytes: Uint8Array): JpegImage {
  if (bytes.length < 2 || bytes[0] !== 0xff || bytes[1] !== 0xd8) {
    throw corrupt('the data does not start with a start-of-image marker (FFD8)');
  }
  const state: DecoderState = {
    frame: null,
    layout: null,
    tables: { quant: [null, null, null, null], dc: [null, null, null, null], ac: [null, null, null, null] },
    restartInterval: 0,
    colour: { jfif: false, adobeTransform: null },
  };
  let pos = 2;
  for (;;) {
    if (pos >= bytes.length) return finish(state, false);
    if (bytes[pos] !== 0xff) {
      throw corrupt(`expected a marker at offset ${pos}, found byte 0x${bytes[pos].toString(16)}`);
    }
    const codeAt = skipFill(bytes, pos);
    if (codeAt >= bytes.length) return finish(state, false);
    if (bytes[codeAt] === 0xd9) return finish(state, true);
    pos = handleMarker(bytes, codeAt, state);
  }
}
