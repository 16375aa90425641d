/**
 * A finding under review: what the model (or the radiologist) proposed, its review status, and the audit
 * trail of every change with who made it and when. Pure functions return new records.
 */
import type { LungRadsCategory, Margin, NoduleGeometry, NoduleLocation, NoduleType } from './types';

export type ReviewStatus = 'pending' | 'accepted' | 'rejected';

export type Author =
  { readonly kind: 'model'; readonly id: string; readonly version: string } | { readonly kind: 'user' };

export interface AuditEntry {
  readonly at: string;
  readonly by: Author;
  readonly action: 'created' | 'accepted' | 'rejected' | 'reopened' | 'remeasured' | 'retyped' | 'edited';
  readonly detail?: string;
}

/** A finding read back from a report stored with the study (a DICOM SR), not made in this session. */
export interface FindingOrigin {
  readonly kind: 'stored-report';
  /** The report was signed (VERIFIED): it held the findings its reader accepted. */
  readonly verified: boolean;
  /** The report's content date (YYYY-MM-DD), when it gives one. */
  readonly date?: string;
}

export interface FindingRecord extends NoduleGeometry {
  readonly id: string;
  readonly seriesKey: string;
  readonly source: Author;
  readonly status: ReviewStatus;
  readonly type: NoduleType;
  readonly score: number | null;
  readonly margin?: Margin;
  readonly location?: NoduleLocation;
  /** 1-based slice of the series (display order) nearest the centre. */
  readonly slice?: number;
  readonly lungRads: LungRadsCategory;
  readonly differentials: readonly {
    readonly label: string;
    readonly rationale: string;
    readonly reference?: string;
  }[];
  readonly history: readonly AuditEntry[];
  /** Set when the finding came back from a stored report (see app/storedReports.ts). */
  readonly origin?: FindingOrigin;
}

const USER: Author = { kind: 'user' };

export function setStatus(f: FindingRecord, status: ReviewStatus, at: string): FindingRecord {
  if (f.status === status) return f;
  const action = status === 'accepted' ? 'accepted' : status === 'rejected' ? 'rejected' : 'reopened';
  return { ...f, status, history: [...f.history, { at, by: USER, action }] };
}
