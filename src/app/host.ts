/**
 * What the parts of the browser host share: the store, the viewer once Cornerstone has started, and the
 * patient context of a series (from its first instance's header, in memory only).
 */
import type { Series } from '../dicom/series';
import type { PatientContext } from '../findings/assess';
import { getInstance } from '../imaging/registry';
import type { Viewer } from '../imaging/viewer';
import type { AppStore } from '../store';
import { findSeries } from '../store/selectors';

export interface Host {
  readonly store: AppStore;
  /** The viewer, or null until Cornerstone has started (or when it failed to). */
  viewer(): Viewer | null;
}

/** Age and sex of a series' patient, for Brock and the differentials. */
export function patientOf(host: Host, seriesKey: string): PatientContext {
  const series = findSeries(host.store.getState(), seriesKey);
  const head = getInstance(series?.instanceKeys[0] ?? '')?.info;
  return { ageYears: head?.patient.ageYears, sex: head?.patient.sex };
}

/** The 1-based slice (display order) nearest a point, along the series' slice normal. */
export function sliceOf(series: Series, p: readonly [number, number, number]): number | undefined {
  const n = series.volume.isVolume ? series.volume.normal : ([0, 0, 1] as const);
  let best: number | undefined;
  let bestD = Infinity;
  series.frames.forEach((f, i) => {
    if (!f.position) return;
    const d = Math.abs(
      (p[0] - f.position[0]) * n[0] + (p[1] - f.position[1]) * n[1] + (p[2] - f.position[2]) * n[2],
    );
    if (d < bestD) {
      bestD = d;
      best = i + 1;
    }
  });
  return best;
}

/** The z-extent of a series' slices in patient mm. */
export function seriesZ(series: Series | undefined): [number, number] | null {
  const zs = (series?.frames ?? []).flatMap((f) => (f.position ? [f.position[2]] : []));
  return zs.length > 0 ? [Math.min(...zs), Math.max(...zs)] : null;
}
