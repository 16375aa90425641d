// The lungs of every cached training case, with the engine's own lung mask (src/ai/shared/preprocess.ts
// lungMask: air inside the body, never a patient table's core or the air around the body), written beside
// each volume as NAME.lung.npy (uint8, 1 = lung). Training places pasted nodules only where the engine
// would look for them.
// usage: node lungmasks.mjs CACHE_DIR [--part K/N]  (--part: only every N-th case from the K-th, 0-based, so
// that N processes share the cases; the pipeline runs two, one a core)
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { register } from 'tsx/esm/api';

register();
const { lungMask, unpackBits } = await import('../../src/ai/shared/preprocess.ts');

/** A little-endian int16 C-order .npy: its shape and values. */
function readNpyInt16(file) {
  const buf = readFileSync(file);
  const major = buf[6];
  const headerLen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = (major === 1 ? 10 : 12) + headerLen;
  const header = buf.toString('latin1', major === 1 ? 10 : 12, start);
  if (!header.includes("'<i2'") || header.includes("'fortran_order': True")) {
    throw new Error(`${file}: expected a little-endian int16 C-order array`);
  }
  const shape = header
    .match(/'shape': \(([^)]*)\)/)[1]
    .split(',')
    .filter((s) => s.trim())
    .map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  const copy = Buffer.from(buf.subarray(start, start + 2 * count));
  return { shape, values: new Int16Array(copy.buffer, copy.byteOffset, count) };
}

function writeNpyUint8(file, shape, data) {
  let header = `{'descr': '|u1', 'fortran_order': False, 'shape': (${shape.join(', ')}), }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1;
  head[7] = 0;
  head.writeUInt16LE(header.length, 8);
  writeFileSync(file, Buffer.concat([head, Buffer.from(header, 'latin1'), Buffer.from(data)]));
}

const cache = process.argv[2];
const partAt = process.argv.indexOf('--part');
const [part, parts] = partAt > 0 ? process.argv[partAt + 1].split('/').map(Number) : [0, 1];
if (!(Number.isInteger(part) && Number.isInteger(parts) && parts >= 1 && part >= 0 && part < parts)) {
  console.error(`✖ --part wants K/N with 0 ≤ K < N, not ${process.argv[partAt + 1]}`);
  process.exit(2);
}
let done = 0;
const files = readdirSync(cache)
  .filter((n) => n.endsWith('.json'))
  .sort()
  .filter((_, i) => i % parts === part);
for (const f of files) {
  const meta = JSON.parse(readFileSync(join(cache, f), 'utf8'));
  const out = join(cache, `${meta.name}.lung.npy`);
  if (existsSync(out)) continue;
  const { shape, values } = readNpyInt16(join(cache, `${meta.name}.npy`));
  const [nz, ny, nx] = shape;
  const { mask } = lungMask({
    data: values,
    nx,
    ny,
    nz,
    origin: meta.origin,
    spacing: meta.spacing,
  });
  writeNpyUint8(out, shape, unpackBits(mask, nx * ny * nz));
  done++;
}
console.log(`lung masks written for ${done} cases`);
