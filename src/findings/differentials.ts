/**
 * Differential suggestions for one nodule: every matching rule of the knowledge base contributes its
 * suggestions (a diagnosis keeps its strongest entry), age and sex move them, and the list is ranked.
 * The result is marked as suggestions; it is never a diagnosis.
 */
import {
  CONTEXT_RULES,
  DIFFERENTIAL_LABELS,
  DIFFERENTIAL_RULES,
  DIFFERENTIALS_DISCLAIMER,
  type DifferentialCondition,
  type DifferentialEntry,
  type DifferentialId,
} from './differentialsData';
import { admits, admitsFlag, admitsMm } from './measure';
import type { CalcificationPattern, Language, Margin, MarginOrUnspecified, NoduleType, Sex } from './types';

export interface DifferentialContext {
  readonly ageYears?: number | null;
  readonly sex?: Sex | null;
  readonly knownExtrathoracicCancer?: boolean;
}

export interface DifferentialInput {
  readonly type: NoduleType;
  readonly meanDiameterMm: number;
  readonly margin?: Margin;
  readonly calcification?: CalcificationPattern;
  readonly fatContaining?: boolean;
  /** Juxtapleural or perifissural position. */
  readonly juxtapleural?: boolean;
  readonly context?: DifferentialContext;
}

export interface DifferentialSuggestion {
  /** 1 is the first to consider. */
  readonly rank: number;
  readonly id: DifferentialId;
  readonly label: string;
  readonly rationale: string;
  readonly reference: string;
  /** The knowledge-base rule that suggested it. */
  readonly ruleId: string;
  /** Age or sex notes that moved it, with their references. */
  readonly context: readonly { readonly rationale: string; readonly reference: string }[];
}

export interface DifferentialSuggestions {
  readonly kind: 'suggestion';
  readonly disclaimer: string;
  readonly suggestions: readonly DifferentialSuggestion[];
}

interface Facts {
  readonly type: NoduleType;
  readonly meanDiameterMm: number;
  readonly margin: MarginOrUnspecified;
  readonly calcification: CalcificationPattern | 'unspecified';
  readonly fatContaining: boolean;
  readonly juxtapleural: boolean;
  readonly knownExtrathoracicCancer: boolean;
  readonly ageYears: number | null;
  readonly sex: Sex | null;
}

interface Candidate {
  readonly entry: DifferentialEntry;
  readonly ruleId: string;
  readonly order: number;
  score: number;
  readonly contextIds: string[];
}

function factsOf(input: DifferentialInput): Facts {
  return {
    type: input.type,
    meanDiameterMm: input.meanDiameterMm,
    margin: input.margin ?? 'unspecified',
    calcification: input.calcification ?? 'unspecified',
    fatContaining: input.fatContaining ?? false,
    juxtapleural: input.juxtapleural ?? false,
    knownExtrathoracicCancer: input.context?.knownExtrathoracicCancer ?? false,
    ageYears: input.context?.ageYears ?? null,
    sex: input.context?.sex ?? null,
  };
}

function matches(when: DifferentialCondition, f: Facts): boolean {
  return (
    admits(when.types, f.type) &&
    admitsMm(when.meanDiameterMm, f.meanDiameterMm) &&
    admits(when.margins, f.margin) &&
    admits(when.calcifications, f.calcification) &&
    admitsFlag(when.fatContaining, f.fatContaining) &&
    admitsFlag(when.juxtapleural, f.juxtapleural) &&
    admitsFlag(when.knownExtrathoracicCancer, f.knownExtrathoracicCancer) &&
    admitsMm(when.ageYears, f.ageYears) &&
    (when.sexes === undefined || (f.sex !== null && when.sexes.includes(f.sex)))
  );
}

/** Each diagnosis once, with its strongest entry (the first rule wins a tie). */
function candidatesFrom(f: Facts): Map<DifferentialId, Candidate> {
  const byDx = new Map<DifferentialId, Candidate>();
  for (const rule of DIFFERENTIAL_RULES) {
    if (!matches(rule.when, f)) continue;
    for (const entry of rule.suggest) {
      const seen = byDx.get(entry.dx);
      if (seen !== undefined && seen.entry.weight >= entry.weight) continue;
      const order = seen?.order ?? byDx.size;
      byDx.set(entry.dx, { entry, ruleId: rule.id, order, score: entry.weight, contextIds: [] });
    }
  }
  return byDx;
}

function applyContext(byDx: Map<DifferentialId, Candidate>, f: Facts): void {
  for (const rule of CONTEXT_RULES) {
    if (!matches(rule.when, f)) continue;
    for (const [dx, delta] of Object.entries(rule.adjust) as [DifferentialId, number][]) {
      const candidate = byDx.get(dx);
      if (candidate === undefined) continue;
      candidate.score += delta;
      candidate.contextIds.push(rule.id);
    }
  }
}

function contextNotes(ids: readonly string[], language: Language): DifferentialSuggestion['context'] {
  return CONTEXT_RULES.filter((r) => ids.includes(r.id)).map((r) => ({
    rationale: r.rationale[language],
    reference: r.reference,
  }));
}

/**
 * Ranked differential suggestions for one nodule, each with a one-line rationale and a reference.
 * `limit` keeps the first n (all by default).
 */
export function suggestDifferentials(
  input: DifferentialInput,
  language: Language = 'en',
  limit = Number.POSITIVE_INFINITY,
): DifferentialSuggestions {
  const facts = factsOf(input);
  const byDx = candidatesFrom(facts);
  applyContext(byDx, facts);
  const ranked = [...byDx.values()].sort((a, b) => b.score - a.score || a.order - b.order).slice(0, limit);
  return {
    kind: 'suggestion',
    disclaimer: DIFFERENTIALS_DISCLAIMER[language],
    suggestions: ranked.map((c, i) => ({
      rank: i + 1,
      id: c.entry.dx,
      label: DIFFERENTIAL_LABELS[c.entry.dx][language],
      rationale: c.entry.rationale[language],
      reference: c.entry.reference,
      ruleId: c.ruleId,
      context: contextNotes(c.contextIds, language),
    })),
  };
}
