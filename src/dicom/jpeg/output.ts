/** Assembly of the decoded component planes into pixel-interleaved samples at full resolution. */
import type { ComponentPlane, FrameLayout } from './layout';
import type { FrameHeader } from './segments';

type Samples = Uint8Array | Uint16Array;

/**
 * Copy one component into every `count`-th sample of `out`, starting at `index`, repeating each sample
 * over the `hMax/h × vMax/v` pixels it covers (upsampling by replication).
 */
function copyComponent(
  out: Samples,
  plane: ComponentPlane,
  index: number,
  count: number,
  frame: FrameHeader,
  layout: FrameLayout,
): void {
  const { width, height } = frame;
  const { plane: samples, stride } = plane.target;
  const columns = new Int32Array(width);
  for (let x = 0; x < width; x++) columns[x] = Math.floor((x * plane.h) / layout.hMax);
  for (let y = 0; y < height; y++) {
    const row = Math.floor((y * plane.v) / layout.vMax) * stride;
    let o = y * width * count + index;
    for (let x = 0; x < width; x++, o += count) out[o] = samples[row + columns[x]];
  }
}

/** Pixel-interleaved samples of all components (component order of the frame header). */
export function interleave(frame: FrameHeader, layout: FrameLayout): Samples {
  const count = frame.components.length;
  const size = frame.width * frame.height * count;
  const out = frame.precision === 8 ? new Uint8Array(size) : new Uint16Array(size);
  layout.planes.forEach((plane, index) => copyComponent(out, plane, index, count, frame, layout));
  return out;
}
