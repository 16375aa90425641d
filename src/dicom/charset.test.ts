import { describe, expect, it } from 'vitest';
import { decoderFor } from './charset';

describe('Specific Character Set', () => {
  it('decodes the defined terms as the standard spells them (ISO_IR 192 with a space)', () => {
    const utf8 = new TextEncoder().encode('王^小明');
    expect(decoderFor('ISO_IR 192').decode(utf8)).toBe('王^小明');
    expect(decoderFor('ISO_IR 100').decode(new Uint8Array([0x4d, 0xfc, 0x6c, 0x6c, 0x65, 0x72]))).toBe(
      'Müller',
    );
    expect(decoderFor('ISO 2022 IR 6\\ISO 2022 IR 100').decode(new Uint8Array([0xe9]))).toBe('é');
    expect(decoderFor('GB18030').decode(new Uint8Array([0xcd, 0xf5]))).toBe('王');
    expect(decoderFor(undefined).decode(new Uint8Array([0x41]))).toBe('A');
  });
});
