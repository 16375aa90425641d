/** Derived values from the store: pure functions, no state of their own. */
import type { Series, Study } from '../dicom/series';
import type { AiState, AppState } from './index';

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

/** Whether an AI run is under way (preparing the series, loading the model or the runtime, sweeping). */
export function aiBusy(ai: Pick<AiState, 'status'>): boolean {
  return (
    ai.status === 'preparing' ||
    ai.status === 'loading-model' ||
    ai.status === 'starting-runtime' ||
    ai.status === 'running'
  );
}
