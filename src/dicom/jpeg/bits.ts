/**
 * Bit-level reading of entropy-coded segments (T.81 F.2.2.5): removes the stuffed zero byte after each
 * 0xFF, stops at markers, and notices when decoding runs past the end of the data.
 */
import { corrupt, markerName, truncated } from './errors';

/**
 * Index of the next marker at or after `from`: the first 0xFF of a (possibly fill-padded) marker whose
 * code is neither 0x00 (stuffing) nor 0xFF (fill). Returns -1 when the data ends first.
 */
export function findMarker(data: Uint8Array, from: number): number {
  for (let i = from; i + 1 < data.length; i++) {
    if (data[i] !== 0xff) continue;
    let j = i + 1;
    while (j < data.length && data[j] === 0xff) j++;
    if (j < data.length && data[j] !== 0x00) return i;
    i = j;
  }
  return -1;
}

/** Index of the marker code byte of the marker starting at `at` (the first byte after its fill bytes). */
export function skipFill(data: Uint8Array, at: number): number {
  let j = at + 1;
  while (j < data.length && data[j] === 0xff) j++;
  return j;
}

/**
 * Reads bits most significant first from an entropy-coded segment. When the segment ends (at a marker or
 * at the end of the data) it supplies zero bits for look-ahead, and throws only if those made-up bits are
 * actually consumed.
 */
export class BitReader {
  /** The next byte to load. At a marker this stays on the marker's first 0xFF. */
  pos: number;
  private buf = 0;
  /** Bits held in `buf` (its low bits), at most 23. */
  private count = 0;
  /** How many of the held bits (the lowest ones) were made up past the end of the segment. */
  private phantom = 0;
  private atMarker = false;

  constructor(
    private readonly data: Uint8Array,
    start: number,
  ) {
    this.pos = start;
  }

  /** Make at least `n` (≤ 16) bits available. */
  ensure(n: number): void {
    while (this.count < n) this.load();
  }

  /** The next `n` bits without consuming them; call `ensure(n)` first. */
  peek(n: number): number {
    return (this.buf >>> (this.count - n)) & ((1 << n) - 1);
  }

  /** Consume `n` bits that `ensure` made available. */
  skip(n: number): void {
    this.count -= n;
    if (this.count < this.phantom) this.ranOut();
  }

  /** RECEIVE(s) followed by EXTEND (T.81 F.2.2.1): a signed value of `s` (1–16) bits. */
  receiveExtend(s: number): number {
    this.ensure(s);
    const v = this.peek(s);
    this.skip(s);
    return v < 1 << (s - 1) ? v - (1 << s) + 1 : v;
  }

  /**
   * Discard the bits left in the current segment and read the marker that ends it, which must be
   * `RST{expected}`. Decoding continues after the marker.
   */
  restart(expected: number): void {
    this.buf = 0;
    this.count = 0;
    this.phantom = 0;
    this.atMarker = false;
    const at = findMarker(this.data, this.pos);
    if (at < 0) throw truncated(`the data ends where restart marker RST${expected} was expected`);
    const code = skipFill(this.data, at);
    const marker = this.data[code];
    if (marker !== 0xd0 + expected) {
      throw corrupt(
        `expected restart marker RST${expected} at offset ${at}, found ${markerName(marker)}: data is missing or damaged`,
      );
    }
    this.pos = code + 1;
  }

  /** Where the marker that follows this segment starts, or the data's length when none does. */
  segmentEnd(): number {
    const at = findMarker(this.data, this.pos);
    return at < 0 ? this.data.length : at;
  }

  private load(): void {
    let byte = 0;
    if (this.atMarker || this.pos >= this.data.length) {
      this.phantom += 8;
    } else {
      byte = this.data[this.pos];
      if (byte !== 0xff) {
        this.pos++;
      } else if (this.pos + 1 < this.data.length && this.data[this.pos + 1] === 0x00) {
        this.pos += 2;
      } else {
        // A marker (or the last byte of the data): the segment ends here.
        byte = 0;
        this.atMarker = true;
        this.phantom += 8;
      }
    }
    this.buf = (this.buf << 8) | byte;
    this.count += 8;
  }

  private ranOut(): never {
    if (this.pos >= this.data.length - 1) {
      throw truncated(`the data ends in the middle of a scan (${this.data.length} bytes)`);
    }
    const code = skipFill(this.data, this.pos);
    throw corrupt(
      `the scan data stops at marker ${markerName(this.data[code])} (offset ${this.pos}) before all blocks were decoded`,
    );
  }
}
