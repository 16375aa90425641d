/**
 * The CLI computes the committed detector as the browser does, on every CPU. onnxruntime on x86 CPUs with
 * AVX2 but without VNNI multiplies uint8 activations by int8 weights with an instruction that saturates
 * pairs of products at 16 bits; there the int8 detector's heatmap differed from WebAssembly's by up to 0.06
 * until the Node host asked for the exact path (ai/node/models: session.x64quantprecision). On CPUs with
 * VNNI, or in WebAssembly, the products never saturate.
 */
import * as ortWeb from 'onnxruntime-web/wasm';
import { describe, expect, it } from 'vitest';
import { installedModels, nodeRunner, verifiedModelBytes } from '../../src/ai/node/models';

ortWeb.env.wasm.numThreads = 1;

/** Deterministic values in [lo, hi), `band` higher in a stripe of each row (a body-like edge). */
function values(n: number, lo: number, hi: number, band: number, row: number): Float32Array {
  const x = new Float32Array(n);
  let s = 1;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    x[i] = lo + (hi - lo) * (s / 2147483648) + (i % row > 100 && i % row < 140 ? band : 0);
  }
  return x;
}

describe('detector kernels', () => {
  it('the CLI’s session gives the committed detector’s heatmap as the browser’s WebAssembly does', async () => {
    const model = installedModels().find((m) => m.manifest.id === 'lung-nodule-ct');
    if (!model) throw new Error('the committed model is not installed');
    const [h, w] = [256, 320];
    const dims = [1, model.manifest.input.slices, h, w] as const;
    // Normalised lung values with a brighter stripe: inputs that made the products saturate on AVX2.
    const input = values(dims[1] * h * w, -0.9, -0.4, 1.2, w);
    const runner = await nodeRunner(model);
    const native = await runner.run(input, dims);
    await runner.release();
    const session = await ortWeb.InferenceSession.create(verifiedModelBytes(model), {
      executionProviders: ['wasm'],
    });
    const web = await session.run({
      [model.manifest.input.name]: new ortWeb.Tensor('float32', input, [...dims]),
    });
    await session.release();
    const heatmap = web['heatmap']?.data as Float32Array | undefined;
    if (!heatmap) throw new Error('no heatmap output');
    // Not a flat map, so agreement means something.
    expect(Math.max(...heatmap) - Math.min(...heatmap)).toBeGreaterThan(0.01);
    for (const [name, t] of Object.entries(web)) {
      const a = t.data as Float32Array;
      const b = native[name]?.data;
      expect(b?.length, name).toBe(a.length);
      let worst = 0;
      for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs((a[i] ?? 0) - (b?.[i] ?? NaN)));
      expect(worst, name).toBeLessThan(1e-4);
    }
  });
});
