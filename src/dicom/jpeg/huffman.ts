/**
 * Huffman tables (T.81 B.2.4.2, C, F.2.2.3): built from the DHT code-length counts and symbol values,
 * decoded with a lookup on the next 9 bits and the canonical MAXCODE search for longer codes.
 */
import type { BitReader } from './bits';
import { corrupt } from './errors';

const LOOKUP_BITS = 9;

/** A Huffman table ready for decoding. */
export interface HuffmanTable {
  /** Indexed by the next 9 bits: `(length << 8) | symbol` for codes of up to 9 bits, 0 otherwise. */
  readonly lookup: Uint16Array;
  /** Largest code of each length 1–16, or -1 when there is none (MAXCODE). */
  readonly maxCode: Int32Array;
  /** Per length, what to add to a code to get the index of its symbol in `values` (VALPTR − MINCODE). */
  readonly valueOffset: Int32Array;
  readonly values: Uint8Array;
}

/**
 * Build a table from the 16 counts of codes per length (BITS) and the symbols in code order (HUFFVAL).
 * Throws when the counts describe more codes than fit in their lengths.
 */
export function buildHuffmanTable(counts: Uint8Array, values: Uint8Array): HuffmanTable {
  const lookup = new Uint16Array(1 << LOOKUP_BITS);
  const maxCode = new Int32Array(17).fill(-1);
  const valueOffset = new Int32Array(17);
  let code = 0;
  let k = 0;
  for (let length = 1; length <= 16; length++) {
    const n = counts[length - 1];
    valueOffset[length] = k - code;
    for (let i = 0; i < n; i++, k++, code++) {
      if (length <= LOOKUP_BITS) {
        const shift = LOOKUP_BITS - length;
        lookup.fill((length << 8) | values[k], code << shift, (code + 1) << shift);
      }
    }
    if (n > 0) maxCode[length] = code - 1;
    // The all-ones code of each length is reserved (C.2): a table that reaches it is invalid.
    if (code >= 1 << length) throw corrupt(`a Huffman table defines more codes of length ${length} than fit`);
    code <<= 1;
  }
  return { lookup, maxCode, valueOffset, values };
}

/** Decode one Huffman-coded symbol (DECODE, T.81 F.2.2.3). */
export function decodeSymbol(reader: BitReader, table: HuffmanTable): number {
  reader.ensure(16);
  const entry = table.lookup[reader.peek(LOOKUP_BITS)];
  if (entry !== 0) {
    reader.skip(entry >> 8);
    return entry & 0xff;
  }
  for (let length = LOOKUP_BITS + 1; length <= 16; length++) {
    const code = reader.peek(length);
    if (code <= table.maxCode[length]) {
      reader.skip(length);
      return table.values[code + table.valueOffset[length]];
    }
  }
  throw corrupt('a Huffman code matches no entry of its table');
}
