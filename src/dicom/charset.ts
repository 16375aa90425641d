/** Specific Character Set (0008,0005) to a WHATWG TextDecoder label. ISO 2022 escapes are not handled. */
const labels: Readonly<Record<string, string>> = {
  '': 'windows-1252',
  ISO_IR_6: 'windows-1252',
  'ISO 2022 IR 6': 'windows-1252',
  ISO_IR_100: 'windows-1252',
  'ISO 2022 IR 100': 'windows-1252',
  ISO_IR_101: 'iso-8859-2',
  ISO_IR_109: 'iso-8859-3',
  ISO_IR_110: 'iso-8859-4',
  ISO_IR_144: 'iso-8859-5',
  ISO_IR_127: 'iso-8859-6',
  ISO_IR_126: 'iso-8859-7',
  ISO_IR_138: 'iso-8859-8',
  ISO_IR_148: 'windows-1254',
  ISO_IR_166: 'windows-874',
  ISO_IR_13: 'shift_jis',
  'ISO 2022 IR 13': 'shift_jis',
  'ISO 2022 IR 87': 'iso-2022-jp',
  'ISO 2022 IR 149': 'euc-kr',
  'ISO 2022 IR 58': 'gb18030',
  ISO_IR_192: 'utf-8',
  GB18030: 'gb18030',
  GBK: 'gbk',
};

const cache = new Map<string, TextDecoder>();

export function decoderFor(specificCharacterSet: string | undefined): TextDecoder {
  const terms = (specificCharacterSet ?? '').split('\\').map((s) => s.trim());
  // With code extensions the first term is the default repertoire; the last one names the extension
  // that carries the non-ASCII text in practice.
  const key = [...terms].reverse().find((t) => t !== '') ?? '';
  // The standard's defined terms are written "ISO_IR 192", with a space; the table's keys with "_".
  const label = labels[key.replace(/^ISO_IR /, 'ISO_IR_')] ?? 'windows-1252';
  let decoder = cache.get(label);
  if (!decoder) {
    try {
      decoder = new TextDecoder(label);
    } catch {
      decoder = new TextDecoder('windows-1252');
    }
    cache.set(label, decoder);
  }
  return decoder;
}
