/** Synthetic CT generation time per slice (512², 1.25 mm, standard protocol). */
import { makeCase } from '../src/synth/case';

export function synthBench(): { slices: number; msPerSlice: number; matrix: number } {
  const c = makeCase('bench-synth', 0, {
    scanner: { matrix: 512, pixelSpacing: 0.7, sliceThickness: 1.25, sliceSpacing: 1.25, fovCenter: [0, 0] },
    zRange: [-20, 20],
  });
  const t = performance.now();
  let n = 0;
  for (const s of c.slices()) {
    if (s.bytes.length > 0) n++;
  }
  return { slices: n, msPerSlice: Math.round(((performance.now() - t) / n) * 10) / 10, matrix: 512 };
}
