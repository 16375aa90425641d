/**
 * The practice history exported as a reader study: `lucent.readers/1` JSON (what `lucent eval --readers`
 * reads), or RJafroc-style CSV (one row per mark; the truth table). Downloaded as a file; nothing leaves
 * the device otherwise.
 */
import type { PracticeEntry } from '../practice/history';
import { studyFromHistory } from '../practice/history';
import { marksCsv, truthCsv } from '../practice/studyFile';
import type { TruthLesion } from '../practice/types';
import type { StudyExport } from '../ui/practice/actions';

export function studyExport(
  history: readonly PracticeEntry[],
  format: StudyExport,
): { name: string; type: string; text: string } {
  const study = studyFromHistory(history);
  const truth = new Map(study.cases.map((c) => [c.id, c.truth ?? []]));
  const truthOf = (id: string): readonly TruthLesion[] => truth.get(id) ?? [];
  const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
  switch (format) {
    case 'json':
      return {
        name: `lucent-reader-study-${stamp}.json`,
        type: 'application/json',
        text: `${JSON.stringify(study, null, 2)}\n`,
      };
    case 'marks-csv':
      return {
        name: `lucent-reader-study-marks-${stamp}.csv`,
        type: 'text/csv',
        text: marksCsv(study, truthOf),
      };
    case 'truth-csv':
      return {
        name: `lucent-reader-study-truth-${stamp}.csv`,
        type: 'text/csv',
        text: truthCsv(
          study.cases.map((c) => c.id),
          truthOf,
        ),
      };
  }
}
