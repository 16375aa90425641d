/** The progress line of `lucent batch --wait`: a bar, the counts, the rate and the time to go. */
import type { BatchStatus } from './status';

/** "2 min 30 s", "45 s", "1 h 5 min". */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 === 0 ? `${m} min` : `${m} min ${s % 60} s`;
  const h = Math.floor(m / 60);
  return m % 60 === 0 ? `${h} h` : `${h} h ${m % 60} min`;
}

export function progressBar(fraction: number, width = 24): string {
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * width);
  return `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
}

/** One line: bar, percent, counts, rate, ETA. */
export function progressLine(s: BatchStatus): string {
  const c = s.counts;
  const percent = `${Math.floor(s.finishedFraction * 100)}%`.padStart(4);
  const counts = [
    `done ${c.done}`,
    `skipped ${c.skipped}`,
    `failed ${c.failed}`,
    `running ${c.running}`,
    `waiting ${c.waiting}`,
  ];
  if (c['already-done'] > 0) counts.push(`done before ${c['already-done']}`);
  const rate = s.perMinute === null ? '— series/min' : `${s.perMinute.toFixed(1)} series/min`;
  const eta = s.complete
    ? `finished in ${duration(s.elapsedSeconds)}`
    : s.etaSeconds === null
      ? 'ETA —'
      : `ETA ${duration(s.etaSeconds)}`;
  return `${progressBar(s.finishedFraction)} ${percent}  ${counts.join('  ')}  · ${rate} · ${eta}`;
}

/** The heading printed once above the progress lines. */
export function progressHeading(s: BatchStatus): string {
  return `batch ${s.batch}: ${s.total} series, ${s.model.id} ${s.model.version}`;
}
