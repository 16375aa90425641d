import { describe, expect, it } from 'vitest';
import { cacheKey, parseOfflineManifest, staleCaches, strategyFor, cacheName } from './policy';

const origin = 'http://localhost:4173';
const req = (path: string, extra: Partial<{ method: string; mode: string; range: boolean }> = {}) => ({
  method: 'GET',
  mode: 'cors',
  range: false,
  ...extra,
  url: path.startsWith('http') ? path : `${origin}${path}`,
});

describe('offline policy', () => {
  it('never stores or answers for a PACS, another origin, a query, a write or part of a file', () => {
    expect(strategyFor(req('/dicomweb/studies?PatientID=1'), origin)).toBe('pass');
    expect(strategyFor(req('/dicomweb/studies/1.2.3/series/4/instances/5'), origin)).toBe('pass');
    expect(strategyFor(req('http://pacs.example:8042/dicom-web/studies'), origin)).toBe('pass');
    expect(strategyFor(req('http://localhost:4174/demo/index.json'), origin)).toBe('pass');
    expect(strategyFor(req('/demo/demo-solid/0001.dcm?x=1'), origin)).toBe('pass');
    expect(strategyFor(req('/models/index.json', { method: 'POST' }), origin)).toBe('pass');
    expect(strategyFor(req('/ort/ort-wasm-simd-threaded.wasm', { range: true }), origin)).toBe('pass');
    expect(strategyFor(req('/anything-else.json'), origin)).toBe('pass');
    expect(strategyFor(req('not a url'), origin)).toBe('pass');
  });

  it("keeps the app's own files: hashed assets from the copy, the rest from the network first", () => {
    expect(strategyFor(req('/assets/index-BXES_lFK.js'), origin)).toBe('cache-first');
    expect(strategyFor(req('/assets/index-BXES_lFK.js.map'), origin)).toBe('pass');
    for (const p of [
      '/ort/ort-wasm-simd-threaded.mjs',
      '/models/lung-nodule-ct/model.onnx',
      '/demo/index.json',
    ])
      expect(strategyFor(req(p), origin)).toBe('network-first');
    // The engine checks its runtime files with HEAD: answered (from the copy when offline), never stored.
    expect(strategyFor(req('/ort/ort-wasm-simd-threaded.wasm', { method: 'HEAD' }), origin)).toBe(
      'network-first',
    );
  });

  it('stores the page under "/" whatever its query; other navigations pass', () => {
    const page = req('/?lang=zh-CN', { mode: 'navigate' });
    expect(strategyFor(page, origin)).toBe('network-first');
    expect(cacheKey(page, origin)).toBe(`${origin}/`);
    expect(strategyFor(req('/index.html', { mode: 'navigate' }), origin)).toBe('network-first');
    expect(strategyFor(req('/dicomweb/studies', { mode: 'navigate' }), origin)).toBe('pass');
    expect(cacheKey(req('/demo/index.json'), origin)).toBe(`${origin}/demo/index.json`);
  });

  it("deletes older builds' caches only", () => {
    expect(staleCaches([cacheName('a'), cacheName('b'), 'lucent-models-v1', 'other'], 'b')).toEqual([
      cacheName('a'),
    ]);
  });

  it('reads offline.json and refuses anything else', () => {
    const ok = { schema: 'lucent.offline/1', build: 'abc', files: ['/', '/assets/x.js'] };
    expect(parseOfflineManifest(ok).files).toEqual(['/', '/assets/x.js']);
    expect(() => parseOfflineManifest({ ...ok, schema: 'x' })).toThrow(/lucent\.offline\/1/);
    expect(() => parseOfflineManifest({ ...ok, files: ['relative.js'] })).toThrow();
    expect(() => parseOfflineManifest(null)).toThrow();
  });
});
