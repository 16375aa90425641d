/**
 * What the parts of the browser host share: the store, the viewer once Cornerstone has started, and the
 * patient context of a series (from its first instance's header, in memory only).
 */
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
