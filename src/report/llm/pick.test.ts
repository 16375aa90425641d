import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkPickedFolder, LLM_FOLDER_MAX_BYTES, onnxInputNames, type FolderEntry } from './pick';

const demoDir = resolve(import.meta.dirname, '../../../models/report-demo');

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

/** A picked folder in memory: paths as the browser gives them (`name/…`) and bytes. */
function picked(files: Record<string, Uint8Array | string>): {
  entries: FolderEntry[];
  read: (path: string) => Promise<Uint8Array>;
  reads: string[];
} {
  const map = new Map(
    Object.entries(files).map(([p, v]) => [p, typeof v === 'string' ? new TextEncoder().encode(v) : v]),
  );
  const reads: string[] = [];
  return {
    entries: [...map].map(([path, b]) => ({ path, bytes: b.byteLength })),
    reads,
    read: (path) => {
      reads.push(path);
      const b = map.get(path);
      return b ? Promise.resolve(b) : Promise.reject(new Error('gone'));
    },
  };
}

/** The demo model's files under another folder name, as a user's copy of it. */
function demoCopy(name: string): Record<string, Uint8Array> {
  return Object.fromEntries(walk(demoDir).map((p) => [`${name}/${relative(demoDir, p)}`, readFileSync(p)]));
}

// A protobuf by hand: varints, and length-delimited fields.
const varint = (n: number): number[] => {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
};
const bytesField = (no: number, body: Uint8Array | number[]): number[] => [
  ...varint(no * 8 + 2),
  ...varint(body.length),
  ...body,
];
const str = (s: string): number[] => [...new TextEncoder().encode(s)];
/** ModelProto { ir_version: 8, graph { node {…}, input { name } … } }. */
function onnxWithInputs(names: readonly string[]): Uint8Array {
  const node = bytesField(1, [...bytesField(1, str('x')), ...bytesField(4, str('Identity'))]);
  const graph = [...node, ...names.flatMap((n) => bytesField(11, bytesField(1, str(n))))];
  return new Uint8Array([...varint(1 * 8), 8, ...bytesField(7, graph)]);
}

describe('a picked language-model folder', () => {
  it('accepts a copy of the demo model and reads only the files the model needs', async () => {
    const f = picked(demoCopy('my-model'));
    const r = await checkPickedFolder(f.entries, f.read);
    if (!r.ok) throw new Error(JSON.stringify(r.error));
    expect(r.value.name).toBe('my-model');
    expect(r.value.onnxFile).toBe('onnx/model.onnx');
    expect(r.value.dtype).toBe('fp32');
    expect([...r.value.files.keys()].sort()).toEqual(
      [
        'MODEL_CARD.md',
        'config.json',
        'generation_config.json',
        'manifest.json',
        'onnx/model.onnx',
        'tokenizer.json',
        'tokenizer_config.json',
      ].sort(),
    );
    // The training recipe and evaluation beside the model are not read.
    expect(f.reads.filter((p) => p.includes('/recipe/') || p.endsWith('eval.json'))).toEqual([]);
    const onnx = readFileSync(join(demoDir, 'onnx/model.onnx'));
    expect(r.value.files.get('onnx/model.onnx')?.byteLength).toBe(onnx.byteLength);
    expect(r.value.bytes).toBe([...r.value.files.values()].reduce((s, b) => s + b.byteLength, 0));
  });

  it("reads the demo model's ONNX inputs: the prompt and the key/value cache", () => {
    const names = onnxInputNames(readFileSync(join(demoDir, 'onnx/model.onnx'))) ?? [];
    expect(names).toContain('input_ids');
    expect(names).toContain('past_key_values.0.key');
    expect(names.filter((n) => n.startsWith('past_key_values.'))).toHaveLength(2 * 3);
    expect(onnxInputNames(new TextEncoder().encode('not a model'))).toBeNull();
    expect(onnxInputNames(onnxWithInputs(['a', 'b']))).toEqual(['a', 'b']);
  });

  it('finds the model in a subfolder of the folder picked', async () => {
    const f = picked(demoCopy('downloads/models/tiny-llm'));
    const r = await checkPickedFolder(f.entries, f.read);
    expect(r.ok && r.value.name).toBe('tiny-llm');
  });

  const demo = demoCopy('m');
  const without = (path: string): Record<string, Uint8Array | string> =>
    Object.fromEntries(Object.entries(demo).filter(([p]) => p !== `m/${path}`));
  const check = async (files: Record<string, Uint8Array | string>): Promise<unknown> => {
    const f = picked(files);
    const r = await checkPickedFolder(f.entries, f.read);
    return r.ok ? 'ok' : r.error;
  };

  it('refuses a folder without what the layout needs, naming it', async () => {
    expect(await check({})).toEqual({ code: 'empty' });
    expect(await check(without('config.json'))).toEqual({ code: 'no-config' });
    expect(await check(without('tokenizer.json'))).toEqual({ code: 'no-tokenizer', file: 'tokenizer.json' });
    expect(await check(without('tokenizer_config.json'))).toEqual({
      code: 'no-tokenizer',
      file: 'tokenizer_config.json',
    });
    expect(await check(without('onnx/model.onnx'))).toEqual({ code: 'no-onnx', file: 'onnx/model.onnx' });
    // The dtype config.json pins chooses the file: q8 wants model_quantized.onnx.
    const q8 = { ...demo, 'm/config.json': JSON.stringify({ 'transformers.js_config': { dtype: 'q8' } }) };
    expect(await check(q8)).toEqual({ code: 'no-onnx', file: 'onnx/model_quantized.onnx' });
    const odd = { ...demo, 'm/config.json': JSON.stringify({ 'transformers.js_config': { dtype: 'fp3' } }) };
    expect(await check(odd)).toEqual({ code: 'unknown-dtype', dtype: 'fp3' });
  });

  it('refuses JSON that does not parse, naming the file', async () => {
    expect(await check({ ...demo, 'm/config.json': '{"model_type": ' })).toEqual({
      code: 'bad-json',
      file: 'config.json',
    });
    expect(await check({ ...demo, 'm/config.json': '[1, 2]' })).toEqual({
      code: 'bad-json',
      file: 'config.json',
    });
    expect(await check({ ...demo, 'm/tokenizer.json': 'nope' })).toEqual({
      code: 'bad-json',
      file: 'tokenizer.json',
    });
    expect(await check({ ...demo, 'm/generation_config.json': '{' })).toEqual({
      code: 'bad-json',
      file: 'generation_config.json',
    });
  });

  it('refuses an ONNX file that is not one, or has no key/value cache inputs', async () => {
    expect(await check({ ...demo, 'm/onnx/model.onnx': 'tampered' })).toEqual({
      code: 'bad-onnx',
      file: 'onnx/model.onnx',
    });
    expect(
      await check({ ...demo, 'm/onnx/model.onnx': onnxWithInputs(['input_ids', 'attention_mask']) }),
    ).toEqual({ code: 'no-kv-cache', file: 'onnx/model.onnx' });
    expect(
      await check({
        ...demo,
        'm/onnx/model.onnx': onnxWithInputs(['input_ids', 'attention_mask', 'past_key_values.0.key']),
      }),
    ).toBe('ok');
  });

  it('refuses a model too large before reading it, and a file that cannot be read', async () => {
    const f = picked(demo);
    const entries = f.entries.map((e) =>
      e.path === 'm/onnx/model.onnx' ? { ...e, bytes: LLM_FOLDER_MAX_BYTES + 1 } : e,
    );
    const r = await checkPickedFolder(entries, f.read);
    expect(r.ok ? 'ok' : r.error.code).toBe('too-large');
    expect(f.reads).not.toContain('m/onnx/model.onnx');

    const g = picked(demo);
    const failing = (path: string): Promise<Uint8Array> =>
      path.endsWith('.onnx') ? Promise.reject(new Error('timed out')) : g.read(path);
    const u = await checkPickedFolder(g.entries, failing);
    expect(u.ok ? 'ok' : u.error).toEqual({ code: 'unreadable', file: 'onnx/model.onnx' });
  });
});
