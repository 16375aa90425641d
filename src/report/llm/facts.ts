/**
 * What a language model may be told about a case: the reviewed findings, the examination's category and
 * management, and the technique. Only clinical facts: no name, identifier, date, UID or institution can be
 * expressed in these types, so no prompt built from them can carry one.
 */
import type { LungRadsCategory, Margin, NoduleLocation, ReportedNodule } from '../../findings/types';
import type { Language } from '../../i18n/language';

/** A finding (id as in the review and the analysis JSON: F1, F2…) with where it is and its margin. */
export interface FactFinding extends ReportedNodule {
  readonly location?: NoduleLocation;
  readonly margin?: Margin;
}

/** Acquisition facts from the DICOM, each only when present. */
export interface Technique {
  readonly modality?: string;
  readonly sliceThicknessMm?: number;
  readonly kernel?: string;
  readonly ctdiVolMGy?: number;
}

export interface DraftFacts {
  readonly language: Language;
  readonly findings: readonly FactFinding[];
  readonly overall: { readonly category: LungRadsCategory; readonly management: string };
  readonly technique?: Technique;
}

/** A size as the report writes it: millimetres with one decimal. */
export const mm = (v: number): string => v.toFixed(1);

const ID = /^F[1-9][0-9]*$/;
const KERNEL = /^[A-Za-z0-9.+_-]{1,16}$/;

/**
 * The facts with every free-text field checked: a finding id must look like F1, a kernel like a kernel
 * name (one short word), a modality two capital letters. Anything else is dropped, so a
 * header field that happens to hold a name never reaches a prompt.
 */
export function cleanFacts(facts: DraftFacts): DraftFacts {
  for (const f of facts.findings)
    if (!ID.test(f.id)) throw new Error(`A finding id must look like F1, not "${f.id.slice(0, 12)}".`);
  const t = facts.technique;
  if (!t) return facts;
  const technique: Technique = {
    ...(t.modality && /^[A-Z]{2}$/.test(t.modality) ? { modality: t.modality } : {}),
    ...(t.sliceThicknessMm !== undefined && Number.isFinite(t.sliceThicknessMm) && t.sliceThicknessMm > 0
      ? { sliceThicknessMm: t.sliceThicknessMm }
      : {}),
    ...(t.kernel && KERNEL.test(t.kernel) ? { kernel: t.kernel } : {}),
    ...(t.ctdiVolMGy !== undefined && Number.isFinite(t.ctdiVolMGy) && t.ctdiVolMGy > 0
      ? { ctdiVolMGy: t.ctdiVolMGy }
      : {}),
  };
  return { ...facts, technique };
}
