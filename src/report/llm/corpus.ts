/**
 * The demo language model's training text: random findings, the prompt Lucent sends for them
 * (prompt.ts), and the report the project's own templates write for them (report/draft.ts with the
 * examination's category from findings/assess, as analysis/summary.ts does). Every sample is made from a
 * seed, so the recipe is repeatable and held-out cases use seeds training never saw.
 */
import { caseCategory, judgeNodule } from '../../findings/assess';
import { lungRadsMeanDiameterMm } from '../../findings/lungrads';
import {
  MARGINS,
  type LungRadsCategory,
  type Margin,
  type NoduleLocation,
  type NoduleType,
} from '../../findings/types';
import type { Language } from '../../i18n/language';
import { draftReport, type DraftFinding } from '../draft';
import type { DraftFacts, FactFinding } from './facts';
import { HEADINGS, factsMessage } from './prompt';
import { mulberry32 } from '../../lib/random';

export interface Sample {
  readonly seed: number;
  readonly facts: DraftFacts;
  readonly placeholders: boolean;
  /** The user message (what the demo model's chat template renders). */
  readonly prompt: string;
  /** What the templates write: the two sections, values or placeholders. */
  readonly target: string;
}

/** A small seeded generator, enough for sampling findings. */
const random = mulberry32;

const round1 = (v: number): number => Math.round(v * 10) / 10;

function pick<T>(rnd: () => number, items: readonly (readonly [T, number])[]): T {
  const total = items.reduce((s, [, w]) => s + w, 0);
  let r = rnd() * total;
  for (const [item, w] of items) {
    r -= w;
    if (r < 0) return item;
  }
  return items[items.length - 1][0];
}

const TYPES: readonly (readonly [NoduleType, number])[] = [
  ['solid', 45],
  ['part-solid', 20],
  ['ground-glass', 25],
  ['calcified', 10],
];
const COUNTS: readonly (readonly [number, number])[] = [
  [0, 12],
  [1, 40],
  [2, 26],
  [3, 14],
  [4, 8],
];

/** Random findings as a reader would have them after review, with their Lung-RADS categories. */
export function randomFindings(seed: number): FactFinding[] {
  const rnd = random(seed);
  const n = pick(rnd, COUNTS);
  const out: FactFinding[] = [];
  for (let i = 0; i < n; i++) {
    const type = pick(rnd, TYPES);
    const longAxisMm = round1(3 + 29 * rnd() ** 1.7);
    const shortAxisMm = round1(Math.max(2, longAxisMm * (0.6 + 0.4 * rnd())));
    const meanDiameterMm = lungRadsMeanDiameterMm(longAxisMm, shortAxisMm);
    const solidComponentMm =
      type === 'part-solid' ? round1(Math.max(0.5, (meanDiameterMm - 0.5) * (0.15 + 0.8 * rnd()))) : null;
    const location: NoduleLocation | undefined =
      rnd() < 0.95
        ? {
            side: rnd() < 0.5 ? 'right' : 'left',
            zone: pick(rnd, [
              ['upper', 1],
              ['middle', 1],
              ['lower', 1],
            ] as const),
          }
        : undefined;
    const margin: Margin | undefined = rnd() < 0.15 ? MARGINS[Math.floor(rnd() * MARGINS.length)] : undefined;
    const { lungRads } = judgeNodule({ type, meanDiameterMm, solidComponentMm, margin }, {});
    out.push({
      id: `F${i + 1}`,
      type,
      meanDiameterMm,
      longAxisMm,
      shortAxisMm,
      solidComponentMm,
      ...(location ? { location } : {}),
      ...(margin ? { margin } : {}),
      lungRads,
    });
  }
  return out;
}

/** The facts of a case from its findings, in one language (the category and management as Lucent words them). */
export function factsFor(findings: readonly FactFinding[], language: Language): DraftFacts {
  const overall = caseCategory(findings, language);
  return { language, findings, overall };
}

const toDraft = (f: FactFinding): DraftFinding => ({
  type: f.type,
  meanDiameterMm: f.meanDiameterMm,
  longAxisMm: f.longAxisMm,
  shortAxisMm: f.shortAxisMm,
  solidComponentMm: f.solidComponentMm,
  side: f.location?.side,
  zone: f.location?.zone,
  margin: f.margin,
  lungRads: f.lungRads,
});

/** The two sections as the templates write them. */
export function templateText(facts: DraftFacts): string {
  const d = draftReport(facts.findings.map(toDraft), facts.overall, facts.language);
  const h = HEADINGS[facts.language];
  return `${h.findings}\n${d.findings}\n\n${h.impression}\n${d.impression}`;
}

/**
 * The same sections with placeholders for the values: the templates are run on sentinel values that
 * cannot occur in a report (9x1.1 mm…), which are then replaced by the placeholder names.
 */
export function placeholderText(facts: DraftFacts): string {
  const replace: [string, string][] = [];
  const sentinel = facts.findings.map((f, i): DraftFinding => {
    const base = 900 + 10 * (i + 1);
    const id = f.id;
    replace.push(
      [`${base + 1}.1`, `{${id}.mean}`],
      [`${base + 2}.2`, `{${id}.long}`],
      [`${base + 3}.3`, `{${id}.short}`],
      [`${base + 4}.4`, `{${id}.solid}`],
      [`§${id}§`, `{${id}.category}`],
    );
    return {
      ...toDraft(f),
      meanDiameterMm: base + 1.1,
      longAxisMm: base + 2.2,
      shortAxisMm: base + 3.3,
      solidComponentMm: f.solidComponentMm === null ? null : base + 4.4,
      lungRads: `§${id}§` as LungRadsCategory,
    };
  });
  replace.push(['§C§', '{category}'], ['§M§', '{management}']);
  const d = draftReport(sentinel, { category: '§C§' as LungRadsCategory, management: '§M§' }, facts.language);
  const h = HEADINGS[facts.language];
  let text = `${h.findings}\n${d.findings}\n\n${h.impression}\n${d.impression}`;
  for (const [from, to] of replace) text = text.split(from).join(to);
  // The count is the number of findings, written by the template in the first line.
  return text
    .replace(/^(\S+\n)(\d+)( pulmonary)/, '$1{count}$3')
    .replace(/^(\S+\n共 )(\d+)( 个)/, '$1{count}$3');
}

/** One training or evaluation sample. */
export function sample(seed: number, language: Language, placeholders: boolean): Sample {
  const facts = factsFor(randomFindings(seed), language);
  return {
    seed,
    facts,
    placeholders,
    prompt: factsMessage(facts, placeholders),
    target: placeholders ? placeholderText(facts) : templateText(facts),
  };
}
