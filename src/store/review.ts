/**
 * Review state kept on this device, so a reload or a later visit with the same series brings back the
 * radiologist's decisions and report (the text as typed, confirmations, sign-off and addendum). Stored
 * on the device only (never sent anywhere; IndexedDB in the browser, app/deviceStore.ts), keyed by a
 * one-way hash of the series UID rather than the UID itself, validated on load, and capped: the oldest
 * reviews are dropped beyond {@link MAX_REVIEWS}.
 */
import type { AuditEntry, FindingRecord } from '../findings/record';
import { isLanguage } from '../i18n';
import { sha256Hex } from '../lib/hash';
import { hasTypedText } from '../report/editing';
import type { Confirmation, SignedReport } from '../report/signoff';
import { SECTION_ORDER, type ReportDraft } from '../report/structured';
import type { KeyValueStorage } from './persist';

export const MAX_REVIEWS = 50;
const INDEX_KEY = 'lucent.reviews';
const PREFIX = 'lucent.review.';
const VERSION = 1;

export interface SavedReview {
  readonly savedAt: string;
  readonly findings: readonly FindingRecord[];
  readonly model: { readonly id: string; readonly version: string; readonly quantization?: string } | null;
  readonly lungZ: readonly [number, number] | null;
  /** The report of the series, when the reader wrote or signed anything in it. */
  readonly report?: SavedReport;
}

/** The report as the reader left it (the store's report slice, less what is recomputed on load). */
export interface SavedReport {
  readonly draft: ReportDraft | null;
  readonly text: string;
  readonly reader: string;
  readonly confirmations: readonly Confirmation[];
  readonly signed: SignedReport | null;
  readonly addendumText: string | null;
}

/** Whether a report holds the reader's own work: typed text, a confirmation, a sign-off or an addendum. */
export function hasReaderWork(r: SavedReport | undefined): boolean {
  if (!r) return false;
  return (
    r.signed !== null ||
    r.addendumText !== null ||
    r.confirmations.length > 0 ||
    (r.draft !== null && hasTypedText(r.draft))
  );
}

const STATUSES = new Set(['pending', 'accepted', 'rejected']);
const TYPES = new Set(['solid', 'part-solid', 'ground-glass', 'calcified']);
const CATEGORIES = new Set(['0', '1', '2', '3', '4A', '4B', '4X']);
const ACTIONS = new Set(['created', 'accepted', 'rejected', 'reopened', 'remeasured', 'retyped', 'edited']);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
function isNum(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}
function isVec3(v: unknown): v is [number, number, number] {
  return Array.isArray(v) && v.length === 3 && v.every(isNum);
}
function isAuthor(v: unknown): boolean {
  if (!isObject(v)) return false;
  if (v['kind'] === 'user') return true;
  return v['kind'] === 'model' && typeof v['id'] === 'string' && typeof v['version'] === 'string';
}
function isEntry(v: unknown): v is AuditEntry {
  return (
    isObject(v) &&
    typeof v['at'] === 'string' &&
    isAuthor(v['by']) &&
    typeof v['action'] === 'string' &&
    ACTIONS.has(v['action']) &&
    (v['detail'] === undefined || typeof v['detail'] === 'string')
  );
}

function isOrigin(v: unknown): boolean {
  return (
    v === undefined ||
    (isObject(v) &&
      v['kind'] === 'stored-report' &&
      typeof v['verified'] === 'boolean' &&
      (v['date'] === undefined || typeof v['date'] === 'string'))
  );
}

const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
const SECTIONS = new Set<string>(SECTION_ORDER);

function isDraft(v: unknown): v is ReportDraft {
  return (
    isObject(v) &&
    v['schema'] === 'lucent.report-draft/1' &&
    isLanguage(v['language']) &&
    isStrings(v['dismissed']) &&
    Array.isArray(v['sections']) &&
    v['sections'].every(
      (s: unknown) =>
        isObject(s) &&
        typeof s['id'] === 'string' &&
        SECTIONS.has(s['id']) &&
        Array.isArray(s['sentences']) &&
        s['sentences'].every(
          (t: unknown) =>
            isObject(t) &&
            typeof t['text'] === 'string' &&
            isStrings(t['findingIds']) &&
            typeof t['typed'] === 'boolean' &&
            (t['generator'] === undefined || t['generator'] === 'template' || t['generator'] === 'model') &&
            (t['key'] === undefined || typeof t['key'] === 'string'),
        ),
    )
  );
}

function isConfirmation(v: unknown): v is Confirmation {
  return (
    isObject(v) &&
    typeof v['text'] === 'string' &&
    isStrings(v['problems']) &&
    typeof v['by'] === 'string' &&
    typeof v['at'] === 'string'
  );
}

function isSigned(v: unknown): v is SignedReport {
  const ai = isObject(v) ? v['ai'] : undefined;
  return (
    isObject(v) &&
    v['schema'] === 'lucent.signed-report/1' &&
    isNum(v['version']) &&
    typeof v['reader'] === 'string' &&
    typeof v['signedAt'] === 'string' &&
    isLanguage(v['language']) &&
    typeof v['text'] === 'string' &&
    (v['addendum'] === undefined || typeof v['addendum'] === 'string') &&
    isStrings(v['findingIds']) &&
    Array.isArray(v['confirmations']) &&
    v['confirmations'].every(isConfirmation) &&
    (ai === null || (isObject(ai) && typeof ai['id'] === 'string' && typeof ai['version'] === 'string'))
  );
}

/** A stored report, validated; null when any part of it is not what Lucent writes. */
function reportOf(v: unknown): SavedReport | null {
  if (
    !isObject(v) ||
    !(v['draft'] === null || isDraft(v['draft'])) ||
    typeof v['text'] !== 'string' ||
    typeof v['reader'] !== 'string' ||
    !Array.isArray(v['confirmations']) ||
    !v['confirmations'].every(isConfirmation) ||
    !(v['signed'] === null || isSigned(v['signed'])) ||
    !(v['addendumText'] === null || typeof v['addendumText'] === 'string')
  )
    return null;
  return {
    draft: v['draft'],
    text: v['text'],
    reader: v['reader'],
    confirmations: v['confirmations'],
    signed: v['signed'],
    addendumText: v['addendumText'],
  };
}

/** Whether stored data has the shape of a finding record (anything else is dropped, not trusted). */
export function isFindingRecord(v: unknown): v is FindingRecord {
  if (!isObject(v)) return false;
  return (
    typeof v['id'] === 'string' &&
    typeof v['seriesKey'] === 'string' &&
    isAuthor(v['source']) &&
    typeof v['status'] === 'string' &&
    STATUSES.has(v['status']) &&
    typeof v['type'] === 'string' &&
    TYPES.has(v['type']) &&
    (v['score'] === null || isNum(v['score'])) &&
    isVec3(v['centerMm']) &&
    isNum(v['longAxisMm']) &&
    isNum(v['shortAxisMm']) &&
    isNum(v['meanDiameterMm']) &&
    (v['solidComponentMm'] === null || isNum(v['solidComponentMm'])) &&
    isNum(v['volumeMm3']) &&
    typeof v['lungRads'] === 'string' &&
    CATEGORIES.has(v['lungRads']) &&
    Array.isArray(v['differentials']) &&
    Array.isArray(v['history']) &&
    v['history'].every(isEntry) &&
    isOrigin(v['origin'])
  );
}

function readIndex(storage: KeyValueStorage): string[] {
  try {
    const raw = JSON.parse(storage.getItem(INDEX_KEY) ?? '[]') as unknown;
    return Array.isArray(raw) ? raw.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

export function loadReview(
  storage: KeyValueStorage | undefined,
  id: string,
  seriesKey: string,
): SavedReview | null {
  if (!storage) return null;
  try {
    const raw = storage.getItem(PREFIX + id);
    if (!raw) return null;
    const v = JSON.parse(raw) as unknown;
    if (!isObject(v) || v['version'] !== VERSION || !Array.isArray(v['findings'])) return null;
    // Records are stored without their series key (the UID); the caller, who opened the series, knows it.
    const findings: unknown[] = v['findings'].map((f: unknown) => (isObject(f) ? { ...f, seriesKey } : f));
    if (!findings.every(isFindingRecord)) return null;
    const model = isObject(v['model']) && typeof v['model']['id'] === 'string' ? v['model'] : null;
    const lungZ =
      Array.isArray(v['lungZ']) && v['lungZ'].length === 2 && v['lungZ'].every(isNum) ? v['lungZ'] : null;
    // A report that does not validate is dropped; the decisions on the findings still come back.
    const report = v['report'] === undefined ? null : reportOf(v['report']);
    return {
      savedAt: typeof v['savedAt'] === 'string' ? v['savedAt'] : '',
      findings,
      model: model as SavedReview['model'],
      lungZ: lungZ as [number, number] | null,
      ...(report ? { report } : {}),
    };
  } catch {
    return null;
  }
}

/** Save (or, with no findings and no report of the reader's, forget) the review of one series. */
export function saveReview(storage: KeyValueStorage | undefined, id: string, review: SavedReview): void {
  if (!storage) return;
  const index = readIndex(storage).filter((x) => x !== id);
  try {
    if (review.findings.length === 0 && !hasReaderWork(review.report)) {
      storage.removeItem(PREFIX + id);
    } else {
      // The series UID stays out of storage: it is only in the (hashed) id.
      const findings = review.findings.map(({ seriesKey: _uid, ...rest }) => rest);
      storage.setItem(PREFIX + id, JSON.stringify({ version: VERSION, ...review, findings }));
      index.push(id);
    }
    while (index.length > MAX_REVIEWS) {
      const old = index.shift();
      if (old) storage.removeItem(PREFIX + old);
    }
    storage.setItem(INDEX_KEY, JSON.stringify(index));
  } catch {
    // Storage full or disabled: the review stays in memory only.
  }
}

/** A one-way, fixed-length key for a series UID (hex SHA-256), so storage never holds the UID. */
export async function reviewId(seriesKey: string): Promise<string> {
  return sha256Hex(`lucent-review:${seriesKey}`);
}
