/**
 * The model's evidence over the images: its centre heatmap of the analysed slices, drawn as a
 * translucent image over the axial slice a cell shows (hot where the model saw a nodule).
 */
import type { Evidence } from '../ai/shared/pipeline';
import type { Host } from './host';

/** One evidence slice as a PNG data URL: transparent where the model saw nothing, hot where it did. */
function heatImage(e: Evidence, index: number): string {
  const canvas = document.createElement('canvas');
  canvas.width = e.width;
  canvas.height = e.height;
  const ctx = canvas.getContext('2d');
  if (!ctx) return '';
  const img = ctx.createImageData(e.width, e.height);
  const plane = e.width * e.height;
  for (let i = 0; i < plane; i++) {
    const v = e.data[index * plane + i] ?? 0;
    const o = i * 4;
    img.data[o] = 255;
    img.data[o + 1] = Math.min(255, v * 2);
    img.data[o + 2] = v > 200 ? (v - 200) * 4 : 0;
    img.data[o + 3] = v < 13 ? 0 : Math.min(255, 60 + v);
  }
  ctx.putImageData(img, 0, 0);
  return canvas.toDataURL('image/png');
}

export class EvidenceLayer {
  private evidence: Evidence | null = null;
  private readonly images = new Map<number, string>();

  constructor(private readonly host: Host) {}

  set(e: Evidence | null): void {
    this.evidence = e;
    this.images.clear();
    this.host.store.setState({ evidenceAvailable: e !== null });
  }

  toggle(): void {
    if (!this.evidence) return;
    this.host.store.setState((s) => ({ showHeatmap: !s.showHeatmap }));
  }

  setOpacity(opacity: number): void {
    this.host.store.setState({ heatmapOpacity: Math.max(0.05, Math.min(1, opacity)) });
  }

  /** The evidence map of the slice a cell shows, placed in canvas pixels; null off axial planes. */
  imageFor(cell: number): { href: string; x: number; y: number; width: number; height: number } | null {
    const e = this.evidence;
    const frame = this.host.viewer()?.axialFrame(cell);
    if (!e || !frame || e.zMm.length === 0) return null;
    let best = 0;
    for (let i = 1; i < e.zMm.length; i++) {
      if (Math.abs((e.zMm[i] ?? 0) - frame.z) < Math.abs((e.zMm[best] ?? 0) - frame.z)) best = i;
    }
    const step = e.zMm.length > 1 ? Math.abs((e.zMm[1] ?? 0) - (e.zMm[0] ?? 0)) : 1;
    if (Math.abs((e.zMm[best] ?? 0) - frame.z) > step) return null;
    let href = this.images.get(best);
    if (!href) {
      href = heatImage(e, best);
      this.images.set(best, href);
    }
    const a = frame.toCanvas(e.cornerMm[0], e.cornerMm[1]);
    const b = frame.toCanvas(e.cornerMm[0] + e.width * e.cellMm[0], e.cornerMm[1] + e.height * e.cellMm[1]);
    // Axial display keeps patient x to the right and y downwards; other orientations are not drawn.
    if (b[0] <= a[0] || b[1] <= a[1]) return null;
    return { href, x: a[0], y: a[1], width: b[0] - a[0], height: b[1] - a[1] };
  }
}
