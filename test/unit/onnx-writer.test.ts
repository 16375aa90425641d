import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { oneNodeModel } from '../../bench/onnxWriter';

// The kernel benchmark's models are written by hand in protobuf wire format: check that onnxruntime reads
// them as intended (shapes, attributes, initializers) by computing a known answer.
describe('oneNodeModel', () => {
  it('writes a padded fp32 convolution that onnxruntime computes correctly', async () => {
    // 1 channel 3×3 input, 3×3 kernel of ones, pads 1: each output is the sum of its 3×3 neighbourhood.
    const bytes = oneNodeModel({
      op: 'Conv',
      inputs: ['x', 'w'],
      output: { name: 'y', type: 'float', dims: [1, 1, 3, 3] },
      feeds: [{ name: 'x', type: 'float', dims: [1, 1, 3, 3] }],
      initializers: [{ name: 'w', type: 'float', dims: [1, 1, 3, 3], data: new Float32Array(9).fill(1) }],
      intsAttributes: { pads: [1, 1, 1, 1], kernel_shape: [3, 3] },
    });
    const s = await ort.InferenceSession.create(bytes);
    const x = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const { y } = await s.run({ x: new ort.Tensor('float32', x, [1, 1, 3, 3]) });
    expect(Array.from(y?.data as Float32Array)).toEqual([12, 21, 16, 27, 45, 33, 24, 39, 28]);
    await s.release();
  });

  it('writes an int8 matrix product with scalar and tensor initializers', async () => {
    // y = round((a - 128) · 0.5 × b · 1 / 1) + 100, a uint8 2×2, b int8 2×2.
    const bytes = oneNodeModel({
      op: 'QLinearMatMul',
      inputs: ['a', 'as', 'az', 'b', 'bs', 'bz', 'ys', 'yz'],
      output: { name: 'y', type: 'uint8', dims: [2, 2] },
      feeds: [{ name: 'a', type: 'uint8', dims: [2, 2] }],
      initializers: [
        { name: 'as', type: 'float', dims: [], data: Float32Array.of(0.5) },
        { name: 'az', type: 'uint8', dims: [], data: Uint8Array.of(128) },
        { name: 'b', type: 'int8', dims: [2, 2], data: Int8Array.of(1, -2, 3, 4) },
        { name: 'bs', type: 'float', dims: [], data: Float32Array.of(1) },
        { name: 'bz', type: 'int8', dims: [], data: Int8Array.of(0) },
        { name: 'ys', type: 'float', dims: [], data: Float32Array.of(1) },
        { name: 'yz', type: 'uint8', dims: [], data: Uint8Array.of(100) },
      ],
    });
    const s = await ort.InferenceSession.create(bytes);
    const a = Uint8Array.from([130, 124, 128, 138]); // (2, -4), (0, 10) after the zero point
    const { y } = await s.run({ a: new ort.Tensor('uint8', a, [2, 2]) });
    // [2 -4] · [[1 -2] [3 4]] × 0.5 = [-5 -10]; [0 10] · … × 0.5 = [15 20]
    expect(Array.from(y?.data as Uint8Array)).toEqual([95, 90, 115, 120]);
    await s.release();
  });
});
