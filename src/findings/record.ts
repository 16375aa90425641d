/**
 * A finding under review: what the model (or the radiologist) proposed, its review status, and the audit
 * trail of every change with who made it and when. Pure functions return new records.
 */
import type { LungRadsCategory, Margin, NoduleType } from './types';

export type ReviewStatus = 'pending' | 'accepted' | 'rejected';

export type Author =
  { readonly kind: 'model'; readonly id: string; readonly version: string } | { readonly kind: 'user' };

export interface AuditEntry {
  readonly at: string;
  readonly by: Author;
  readonly action: 'created' | 'accepted' | 'rejected' | 'reopened' | 'remeasured' | 'retyped';
  readonly detail?: string;
}

export interface FindingRecord {
  readonly id: string;
  readonly seriesKey: string;
  readonly source: Author;
  readonly status: ReviewStatus;
  readonly type: NoduleType;
  readonly score: number | null;
  readonly centerMm: readonly [number, number, number];
  readonly longAxisMm: number;
  readonly shortAxisMm: number;
  readonly meanDiameterMm: number;
  readonly solidComponentMm: number | null;
  readonly volumeMm3: number;
  readonly margin?: Margin;
  readonly location?: { readonly side: 'right' | 'left'; readonly zone: 'upper' | 'middle' | 'lower' };
  readonly lungRads: LungRadsCategory;
  readonly differentials: readonly {
    readonly label: string;
    readonly rationale: string;
    readonly reference?: string;
  }[];
  readonly history: readonly AuditEntry[];
}

const USER: Author = { kind: 'user' };

export function setStatus(f: FindingRecord, status: ReviewStatus, at: string): FindingRecord {
  if (f.status === status) return f;
  const action = status === 'accepted' ? 'accepted' : status === 'rejected' ? 'rejected' : 'reopened';
  return { ...f, status, history: [...f.history, { at, by: USER, action }] };
}

export function remeasure(
  f: FindingRecord,
  longAxisMm: number,
  shortAxisMm: number,
  at: string,
): FindingRecord {
  const long = Math.max(longAxisMm, shortAxisMm);
  const short = Math.min(longAxisMm, shortAxisMm);
  const mean = Math.round(((long + short) / 2) * 10) / 10;
  return {
    ...f,
    longAxisMm: long,
    shortAxisMm: short,
    meanDiameterMm: mean,
    history: [
      ...f.history,
      { at, by: USER, action: 'remeasured', detail: `${f.meanDiameterMm} → ${mean} mm` },
    ],
  };
}

export function retype(f: FindingRecord, type: NoduleType, at: string): FindingRecord {
  if (f.type === type) return f;
  return {
    ...f,
    type,
    history: [...f.history, { at, by: USER, action: 'retyped', detail: `${f.type} → ${type}` }],
  };
}
