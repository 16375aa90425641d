/**
 * A reader study's results: for each reader and for the readers pooled (their average), unaided and with
 * AI: lesion sensitivity, false positives per case, type accuracy, the AFROC (JAFROC) and wAFROC figures of
 * merit, the case-level AUC and time per case; the difference with AI and its 95% interval from the case
 * bootstrap of `lucent eval` (paired: the same resampled cases for both readings; readers fixed); and how
 * often a reader accepted a wrong AI finding or left out a right one.
 */
import { bootstrap, type CaseResult } from '../ai/shared/froc';
import {
  afrocFom,
  caseAuc,
  fpPerCase,
  lesionSensitivity,
  ratedCase,
  typeAccuracy,
  type RatedCase,
} from './fom';
import { inside } from './match';
import type { AiMark, Modality, Read, ReaderMark, StudyFile, TruthLesion } from './types';

export const METRICS = ['wafroc', 'jafroc', 'caseAuc', 'sensitivity', 'fpPerCase'] as const;
export type Metric = (typeof METRICS)[number];

export interface Summary {
  /** A reader's id; `pooled` for the readers' average; a model's id for the model's row. */
  readonly reader: string;
  readonly modality: Modality | 'standalone';
  readonly cases: number;
  readonly lesions: number;
  readonly sensitivity: number;
  readonly fpPerCase: number;
  readonly typeAccuracy: number;
  /** AFROC (JAFROC) figure of merit, or AFROC1 when the cases hold no normal case. */
  readonly jafroc: number;
  /** wAFROC figure of merit, or wAFROC1 when the cases hold no normal case. */
  readonly wafroc: number;
  readonly caseAuc: number;
  /** Mean reading time per case (s); null for the model. */
  readonly secondsPerCase: number | null;
}

export interface Difference {
  readonly reader: string;
  readonly metric: Metric;
  readonly unaided: number;
  readonly aided: number;
  /** aided − unaided. */
  readonly difference: number;
  readonly ci95: readonly [number, number];
  /** Cases read both ways. */
  readonly cases: number;
}

export interface AiInteraction {
  readonly reader: string;
  /** AI findings on a nodule, shown in aided reads, and how many of them the reader did not mark. */
  readonly rightShown: number;
  readonly rightRejected: number;
  /** AI findings on no nodule, shown in aided reads, and how many of them the reader marked. */
  readonly wrongShown: number;
  readonly wrongAccepted: number;
}

export interface StudyReport {
  readonly schema: 'lucent.readerStudy/1';
  /** Whether the false positives of the figures of merit come from normal cases or from all cases. */
  readonly fom: 'normal-cases' | 'all-cases';
  readonly cases: number;
  readonly readers: readonly string[];
  readonly rows: readonly Summary[];
  readonly differences: readonly Difference[];
  readonly ai: readonly AiInteraction[];
}

type Rated = ReadonlyMap<string, RatedCase>;

const METRIC: Readonly<Record<Metric, (cases: readonly RatedCase[], allCases: boolean) => number>> = {
  wafroc: (cs, all) => afrocFom(cs, all ? 'wAFROC1' : 'wAFROC'),
  jafroc: (cs, all) => afrocFom(cs, all ? 'AFROC1' : 'AFROC'),
  caseAuc: (cs) => caseAuc(cs),
  sensitivity: (cs) => lesionSensitivity(cs),
  fpPerCase: (cs) => fpPerCase(cs),
};

function metricsOf(cases: readonly RatedCase[], allCases: boolean): Record<Metric, number> {
  const out = {} as Record<Metric, number>;
  for (const m of METRICS) out[m] = METRIC[m](cases, allCases);
  return out;
}

function summary(
  reader: string,
  modality: Summary['modality'],
  cases: readonly RatedCase[],
  allCases: boolean,
  seconds: number | null,
): Summary {
  const m = metricsOf(cases, allCases);
  return {
    reader,
    modality,
    cases: cases.length,
    lesions: cases.reduce((n, c) => n + c.lesions.length, 0),
    sensitivity: m.sensitivity,
    fpPerCase: m.fpPerCase,
    typeAccuracy: typeAccuracy(cases),
    jafroc: m.jafroc,
    wafroc: m.wafroc,
    caseAuc: m.caseAuc,
    secondsPerCase: seconds,
  };
}

const mean = (xs: readonly number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);

/**
 * Paired difference (aided − unaided) of a metric averaged over the given readers, on the cases every one
 * of them read both ways, with froc.ts's case bootstrap (the same resampled cases for both readings).
 */
function difference(
  label: string,
  metric: Metric,
  readers: readonly { unaided: Rated; aided: Rated }[],
  allCases: boolean,
): Difference | null {
  const ids = [...(readers[0]?.unaided.keys() ?? [])].filter((id) =>
    readers.every((r) => r.unaided.has(id) && r.aided.has(id)),
  );
  if (ids.length === 0) return null;
  const value = (sample: readonly string[], m: 'unaided' | 'aided'): number =>
    mean(
      readers.map((r) =>
        METRIC[metric](
          sample.map((id) => r[m].get(id) as RatedCase),
          allCases,
        ),
      ),
    );
  const keys: CaseResult[] = ids.map((name) => ({ name, truth: [], detections: [] }));
  const diff = (cs: readonly CaseResult[]): number => {
    const sample = cs.map((c) => c.name);
    return value(sample, 'aided') - value(sample, 'unaided');
  };
  const unaided = value(ids, 'unaided');
  const aided = value(ids, 'aided');
  return {
    reader: label,
    metric,
    unaided,
    aided,
    difference: aided - unaided,
    ci95: bootstrap(keys, diff, 1000),
    cases: ids.length,
  };
}

/** Whether a reader's mark takes over an AI finding: named by it, or placed inside the finding. */
function accepts(mark: ReaderMark, f: AiMark): boolean {
  if (mark.aiFindingId !== undefined) return mark.aiFindingId === f.id;
  const radius = Math.max(2.5, f.meanDiameterMm / 2);
  return Math.hypot(...([0, 1, 2] as const).map((i) => mark.centerMm[i] - f.centerMm[i])) <= radius;
}

function aiInteraction(
  reader: string,
  reads: readonly Read[],
  study: StudyFile,
  truthOf: (id: string) => readonly TruthLesion[],
): AiInteraction {
  const out = { reader, rightShown: 0, rightRejected: 0, wrongShown: 0, wrongAccepted: 0 };
  for (const r of reads) {
    const shown = study.cases.find((c) => c.id === r.caseId)?.ai ?? [];
    const truth = truthOf(r.caseId);
    for (const f of shown) {
      const right = truth.some((l) => inside(f.centerMm, l));
      const taken = r.marks.some((m) => accepts(m, f));
      if (right) {
        out.rightShown++;
        if (!taken) out.rightRejected++;
      } else {
        out.wrongShown++;
        if (taken) out.wrongAccepted++;
      }
    }
  }
  return out;
}

/**
 * Analyse a study: `truthOf` gives each case's true lesions (from the file, or a dataset). A reader who
 * read a case twice in the same modality counts with the last read.
 */
export function analyseStudy(
  study: StudyFile,
  truthOf: (caseId: string) => readonly TruthLesion[],
): StudyReport {
  const readers = [...new Set(study.reads.map((r) => r.reader))].sort();
  const caseIds = [...new Set(study.reads.map((r) => r.caseId))];
  const allCases = !caseIds.some((id) => truthOf(id).length === 0);
  type Both = { unaided: Map<string, RatedCase>; aided: Map<string, RatedCase> };
  const empty = (): Both => ({ unaided: new Map<string, RatedCase>(), aided: new Map<string, RatedCase>() });
  const rated = new Map<string, Both>();
  const seconds = new Map<string, number[]>();
  for (const r of study.reads) {
    const entry = rated.get(r.reader) ?? empty();
    rated.set(r.reader, entry);
    entry[r.modality].set(r.caseId, ratedCase(r.caseId, truthOf(r.caseId), r.marks));
    const key = `${r.reader}/${r.modality}`;
    seconds.set(key, [...(seconds.get(key) ?? []), r.seconds]);
  }
  const rows: Summary[] = [];
  const perReader = readers.map((id) => rated.get(id) ?? empty());
  for (const modality of ['unaided', 'aided'] as const) {
    const own = readers
      .map((id, i) => ({ id, cases: [...(perReader[i]?.[modality].values() ?? [])] }))
      .filter((x) => x.cases.length > 0);
    for (const x of own)
      rows.push(summary(x.id, modality, x.cases, allCases, mean(seconds.get(`${x.id}/${modality}`) ?? [])));
    if (own.length > 1) {
      const each = rows.filter((s) => s.modality === modality && own.some((x) => x.id === s.reader));
      const avg = (pick: (s: Summary) => number): number => mean(each.map(pick));
      rows.push({
        reader: 'pooled',
        modality,
        cases: new Set(own.flatMap((x) => x.cases.map((c) => c.id))).size,
        lesions: Math.max(...each.map((s) => s.lesions)),
        sensitivity: avg((s) => s.sensitivity),
        fpPerCase: avg((s) => s.fpPerCase),
        typeAccuracy: avg((s) => s.typeAccuracy),
        jafroc: avg((s) => s.jafroc),
        wafroc: avg((s) => s.wafroc),
        caseAuc: avg((s) => s.caseAuc),
        secondsPerCase: avg((s) => s.secondsPerCase ?? NaN),
      });
    }
  }
  const differences: Difference[] = [];
  const both = perReader.filter((r) => r.unaided.size > 0 && r.aided.size > 0);
  for (const metric of METRICS) {
    readers.forEach((id, i) => {
      const r = perReader[i];
      const d = r && r.aided.size > 0 ? difference(id, metric, [r], allCases) : null;
      if (d) differences.push(d);
    });
    const pooled = both.length > 1 ? difference('pooled', metric, both, allCases) : null;
    if (pooled) differences.push(pooled);
  }
  const ai = readers
    .map((id) =>
      aiInteraction(
        id,
        study.reads.filter((r) => r.reader === id && r.modality === 'aided'),
        study,
        truthOf,
      ),
    )
    .filter((x) => x.rightShown + x.wrongShown > 0);
  return {
    schema: 'lucent.readerStudy/1',
    fom: allCases ? 'all-cases' : 'normal-cases',
    cases: caseIds.length,
    readers,
    rows,
    differences,
    ai,
  };
}

/**
 * The model as one more row of the same table: its findings rated by their scores (every finding down to
 * the lowest score counts for the figures of merit), its sensitivity and false positives at its operating
 * point, so that the model and the readers are measured alike.
 */
export function modelSummary(
  id: string,
  cases: readonly { id: string; truth: readonly TruthLesion[]; findings: readonly AiMark[] }[],
  operatingPoint: number,
  allCases: boolean,
): Summary {
  const asMarks = (fs: readonly AiMark[]): ReaderMark[] =>
    fs.map((f) => ({
      id: f.id,
      centerMm: f.centerMm,
      confidence: f.score,
      type: f.type,
      diameterMm: f.meanDiameterMm,
    }));
  const all = cases.map((c) => ratedCase(c.id, c.truth, asMarks(c.findings)));
  const atOp = cases.map((c) =>
    ratedCase(c.id, c.truth, asMarks(c.findings.filter((f) => f.score >= operatingPoint))),
  );
  const m = metricsOf(all, allCases);
  return {
    ...summary(id, 'standalone', atOp, allCases, null),
    jafroc: m.jafroc,
    wafroc: m.wafroc,
    caseAuc: m.caseAuc,
  };
}
