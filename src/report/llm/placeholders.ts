/**
 * Placeholders a model may write instead of values ("{F1.mean} mm", "Lung-RADS {category}"), filled from
 * the facts. A placeholder naming a finding or a field the facts do not have is left as written and
 * reported, so that it shows in the text and the grounding check cannot mistake it for a value.
 */
import { mm, type DraftFacts } from './facts';
import { wordOf } from './words';

const PLACEHOLDER =
  /\{(?:(F[1-9][0-9]*)\.)?(mean|long|short|solid|category|type|side|zone|count|management)\}/g;

export interface Filled {
  readonly text: string;
  /** Placeholders that named something the facts do not hold. */
  readonly unknown: readonly string[];
  /** How many placeholders were filled. */
  readonly filled: number;
}

function valueOf(facts: DraftFacts, id: string | undefined, field: string): string | null {
  if (!id) {
    if (field === 'count') return String(facts.findings.length);
    if (field === 'category') return facts.overall.category;
    if (field === 'management') return facts.overall.management;
    return null;
  }
  const f = facts.findings.find((x) => x.id === id);
  if (!f) return null;
  switch (field) {
    case 'mean':
      return mm(f.meanDiameterMm);
    case 'long':
      return mm(f.longAxisMm);
    case 'short':
      return mm(f.shortAxisMm);
    case 'solid':
      return f.solidComponentMm === null ? null : mm(f.solidComponentMm);
    case 'category':
      return f.lungRads;
    case 'type':
      return wordOf(facts.language, 'type', f.type);
    case 'side':
      return f.location ? wordOf(facts.language, 'side', f.location.side) : null;
    case 'zone':
      return f.location ? wordOf(facts.language, 'zone', f.location.zone) : null;
    default:
      return null;
  }
}

/** The text with every known placeholder replaced by its value. */
export function fillPlaceholders(text: string, facts: DraftFacts): Filled {
  const unknown: string[] = [];
  let filled = 0;
  const out = text.replace(PLACEHOLDER, (whole, id: string | undefined, field: string) => {
    const v = valueOf(facts, id, field);
    if (v === null) {
      unknown.push(whole);
      return whole;
    }
    filled++;
    return v;
  });
  return { text: out, unknown, filled };
}
