/**
 * The practice UI's wording helpers: a clock time, a case mix in words, a true nodule in words (size,
 * type, side, zone), the keys for miss reasons and false-positive lookalikes, where an own case's truth
 * came from and why it could not be used.
 */
import { zoneOf } from '../../findings/assess';
import type { NoduleType } from '../../findings/types';
import type { MessageKey, Params } from '../../i18n';
import type { CaseMix } from '../../practice/difficulty';
import type { MissReason } from '../../practice/feedback';
import type { Lookalike } from '../../practice/lookAround';
import type { CaseProblem, TruthSource } from '../../practice/session';
import type { TruthLesion } from '../../practice/types';

export type Translate = (key: MessageKey, params?: Params) => string;
export type FormatNumber = (value: number, decimals?: number) => string;

/** m:ss */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

export const typeName = (t: Translate, type: NoduleType): string => t(`type.${type}`);

export function mixText(t: Translate, mix: CaseMix): string {
  return t('practice.mix', {
    min: mix.count[0],
    max: mix.count[1],
    sizeMin: mix.sizeMm[0],
    sizeMax: mix.sizeMm[1],
    types: mix.types.map((x) => typeName(t, x)).join(', '),
    thickness: mix.sliceThicknessMm,
    noise: mix.noiseSigma,
  });
}

/** "8.0 mm solid nodule, right lower zone" */
export function noduleText(
  t: Translate,
  n: FormatNumber,
  lesion: TruthLesion,
  lungZ: readonly [number, number],
): string {
  return t('practice.nodule', {
    size: n(lesion.diameterMm),
    type: typeName(t, lesion.type),
    side: t(lesion.centerMm[0] < 0 ? 'findings.location.right' : 'findings.location.left'),
    zone: t(`findings.location.${zoneOf(lesion.centerMm[2], lungZ)}`),
  });
}

export const whyKey = (reason: MissReason): MessageKey => `practice.why.${reason}`;
export const lookalikeKey = (l: Lookalike | null): MessageKey =>
  l === null ? 'practice.like.unclear' : `practice.like.${l}`;

/** Why an own case could not start, in words. */
export function problemText(t: Translate, problem: CaseProblem): string {
  switch (problem.code) {
    case 'sr-unplaced':
      return t('practice.problem.sr-unplaced', {
        count: problem.labels.length,
        labels: problem.labels.join(', '),
      });
    case 'seg-unplaced':
      return t('practice.problem.seg-unplaced', { count: problem.frames, total: problem.total });
    case 'seg-unreadable':
      return t('practice.problem.seg-unreadable', { attribute: problem.attribute });
    default:
      return t(`practice.problem.${problem.code}`);
  }
}

/** Where an own case's truth came from ("Truth: DICOM SR, verified, 2026-12-03"), never a file name. */
export function truthSourceText(t: Translate, source: TruthSource): string {
  if (source.kind === 'truth-json') return t('practice.truth.json');
  if (source.kind === 'seg') {
    const head = t('practice.truth.seg', { count: source.nodules, date: source.date ?? '—' });
    return source.typesAssumed > 0
      ? `${head} · ${t('practice.truth.segTypesAssumed', { count: source.typesAssumed })}`
      : head;
  }
  const head = source.date ? t('practice.truth.sr', { date: source.date }) : t('practice.truth.srUndated');
  return source.typesAssumed > 0
    ? `${head} · ${t('practice.truth.typesAssumed', { count: source.typesAssumed })}`
    : head;
}
