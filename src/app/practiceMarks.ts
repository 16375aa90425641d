/**
 * Pure pieces of the practice host: the truth of a case from its `lucent.truth/1` file, and the reader's
 * marks from the probe points and ellipses drawn on the series.
 */
import { LucentError, messageOf } from '../lib/errors';
import type { Measurement } from '../imaging/measurements';
import { parseStudy } from '../practice/studyFile';
import type { ReaderMark, TruthLesion, Vec3 } from '../practice/types';

/** Confidence of a new mark (the reader changes it in the practice panel). */
export const DEFAULT_CONFIDENCE = 3;

/** A `lucent.truth/1` file's nodules, validated by the study file parser; the problem otherwise. */
export function truthFromJson(raw: unknown): TruthLesion[] | string {
  const t = raw as { schema?: unknown; nodules?: unknown } | null;
  if (t?.schema !== 'lucent.truth/1') return 'truth.json is not lucent.truth/1';
  const parsed = parseStudy({
    schema: 'lucent.readers/1',
    cases: [{ id: 'case', truth: t.nodules }],
    reads: [{ reader: '-', caseId: 'case', modality: 'unaided', marks: [] }],
  });
  return parsed.ok
    ? [...(parsed.value.cases[0]?.truth ?? [])]
    : `truth.json: ${parsed.error.replace(/^cases\[0\]\./, '')}`;
}

/**
 * The truth a truth.json holds (its parsed content), or a `truth-json` error saying why it is not usable
 * (`kind` `schema` when it is not lucent.truth/1 at all).
 */
export function truthOf(raw: unknown): TruthLesion[] {
  const truth = truthFromJson(raw);
  if (typeof truth !== 'string') return truth;
  const schema = (raw as { schema?: unknown } | null)?.schema !== 'lucent.truth/1';
  throw new LucentError('truth-json', truth, schema ? { kind: 'schema' } : {});
}

/** A truth.json's text as JSON; a `truth-json` error when it is not JSON. */
export function parseTruthText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new LucentError('truth-json', `truth.json is not JSON (${messageOf(e)})`);
  }
}

/**
 * Marks from the probe points and ellipses drawn on a series (a mark keeps its measurement's uid, and the
 * type and confidence the reader gave it before). An ellipse's centre is the mean of its four points and
 * its diameter the mean of its two axes; a probe is its point.
 */
export function marksFrom(
  measurements: readonly Measurement[],
  instanceKeys: ReadonlySet<string>,
  previous: readonly ReaderMark[],
): ReaderMark[] {
  const out: ReaderMark[] = [];
  for (const m of measurements) {
    if ((m.kind !== 'probe' && m.kind !== 'ellipse') || !m.instanceKey || !instanceKeys.has(m.instanceKey))
      continue;
    const pts = m.worldPoints ?? [];
    if (pts.length === 0) continue;
    const mean = (i: 0 | 1 | 2): number => pts.reduce((s, p) => s + p[i], 0) / pts.length;
    const centerMm: Vec3 = [mean(0), mean(1), mean(2)];
    const dist = (a: number, b: number): number => {
      const p = pts[a];
      const q = pts[b];
      return p && q ? Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]) : NaN;
    };
    const diameterMm = m.kind === 'ellipse' && pts.length >= 4 ? (dist(0, 1) + dist(2, 3)) / 2 : undefined;
    const before = previous.find((x) => x.id === m.uid);
    out.push({
      id: m.uid,
      centerMm,
      confidence: before?.confidence ?? DEFAULT_CONFIDENCE,
      type: before?.type ?? 'solid',
      ...(diameterMm !== undefined && Number.isFinite(diameterMm) ? { diameterMm } : {}),
    });
  }
  return out;
}
