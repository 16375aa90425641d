/**
 * Frame geometry (T.81 A.1.1, A.2): MCU counts, and per component a sample plane padded to whole MCUs,
 * which the scans fill block by block.
 */
import type { BlockTarget } from './idct';
import type { FrameHeader } from './segments';

/** One frame component's decoded samples and the block grid that covers them. */
export interface ComponentPlane {
  readonly h: number;
  readonly v: number;
  /** Blocks per line and per column when the component is coded alone in a scan (A.2.2). */
  readonly ownBlocksPerLine: number;
  readonly ownBlocksPerColumn: number;
  /** Samples, row-major, `target.stride` wide: enough blocks for every MCU of an interleaved scan. */
  readonly target: BlockTarget;
  /** Set once a scan has coded the component. */
  decoded: boolean;
}

/** The frame's MCU grid for interleaved scans and its component planes. */
export interface FrameLayout {
  readonly hMax: number;
  readonly vMax: number;
  readonly mcusPerLine: number;
  readonly mcusPerColumn: number;
  readonly planes: readonly ComponentPlane[];
}

/** Allocate the component planes of a frame. */
export function layoutFrame(frame: FrameHeader): FrameLayout {
  const hMax = Math.max(...frame.components.map((c) => c.h));
  const vMax = Math.max(...frame.components.map((c) => c.v));
  const mcusPerLine = Math.ceil(frame.width / (8 * hMax));
  const mcusPerColumn = Math.ceil(frame.height / (8 * vMax));
  const levelShift = 1 << (frame.precision - 1);
  const maxValue = (1 << frame.precision) - 1;
  const planes = frame.components.map((c): ComponentPlane => {
    const stride = mcusPerLine * c.h * 8;
    return {
      h: c.h,
      v: c.v,
      ownBlocksPerLine: Math.ceil(Math.ceil((frame.width * c.h) / hMax) / 8),
      ownBlocksPerColumn: Math.ceil(Math.ceil((frame.height * c.v) / vMax) / 8),
      target: { plane: new Uint16Array(stride * mcusPerColumn * c.v * 8), stride, levelShift, maxValue },
      decoded: false,
    };
  });
  return { hMax, vMax, mcusPerLine, mcusPerColumn, planes };
}
