/** Derived values from the store: pure functions, no state of their own. */
import type { Series, Study } from '../dicom/series';
import type { AppState } from './index';

export function allSeries(studies: readonly Study[]): Series[] {
  return studies.flatMap((s) => s.series);
}

export function findSeries(state: Pick<AppState, 'studies'>, key: string | null): Series | undefined {
  if (!key) return undefined;
  return allSeries(state.studies).find((s) => s.key === key);
}

export function firstImageSeries(studies: readonly Study[]): Series | undefined {
  return allSeries(studies).find((s) => s.kind === 'image' && s.frames.length > 0);
}

export function imageSeries(studies: readonly Study[]): Series[] {
  return allSeries(studies).filter((s) => s.kind === 'image' && s.frames.length > 0);
}
