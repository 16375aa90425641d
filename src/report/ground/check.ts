/**
 * Linking a sentence's claims to findings and checking them. A sentence names its findings by id
 * (F1), or it is linked to the finding its claims fit best (one finding, unless the sentence speaks of
 * several); then every size, side, zone, type and category it states must hold for a linked finding,
 * and every count and statement of absence must hold for the findings as a whole.
 */
import { LUNG_RADS_RANK } from '../../findings/lungrads';
import type { LungRadsCategory, NoduleType, ReportedNodule } from '../../findings/types';
import type { Language } from '../../i18n/language';
import type { AbsenceClaim, Comparator, CountClaim, SentenceClaims, SizeClaim } from './claims';
import type { Side, Zone } from './lexicon';
import type { Span } from './text';

/** What the check needs to know of a finding (a `lucent.analysis/1` finding or a reviewed record). */
export interface GroundingFinding extends ReportedNodule {
  readonly volumeMm3?: number;
  readonly location?: { readonly side: Side; readonly zone: Zone };
}

export type ProblemKind = 'size' | 'count' | 'side' | 'zone' | 'type' | 'category' | 'absence' | 'unmatched';

export interface GroundingProblem {
  readonly kind: ProblemKind;
  /** What the text says, as written. */
  readonly found: string;
  /** What the findings say. */
  readonly expected: string;
  /** Where `found` is in the report text (UTF-16 offsets). */
  readonly start: number;
  readonly end: number;
}

const WORDS = {
  en: {
    side: { right: 'right', left: 'left' },
    zone: { upper: 'upper zone', middle: 'middle zone', lower: 'lower zone' },
    type: {
      solid: 'solid',
      'part-solid': 'part-solid',
      'ground-glass': 'ground-glass',
      calcified: 'calcified',
    },
    none: 'no finding',
    findings: (n: number, ids: string): string => `${n} ${n === 1 ? 'finding' : 'findings'} (${ids})`,
    noMatch: (ids: string): string => (ids ? `none of the findings (${ids})` : 'no findings'),
    noSolid: 'no solid component',
    unknown: 'unknown',
    value: 'a value from the findings',
  },
  'zh-CN': {
    side: { right: '右', left: '左' },
    zone: { upper: '上野', middle: '中野', lower: '下野' },
    type: { solid: '实性', 'part-solid': '部分实性', 'ground-glass': '磨玻璃', calcified: '钙化' },
    none: '无发现',
    findings: (n: number, ids: string): string => `${n} 个发现（${ids}）`,
    noMatch: (ids: string): string => (ids ? `无对应的发现（${ids}）` : '无发现'),
    noSolid: '无实性成分',
    unknown: '未知',
    value: '来自发现的数值',
  },
} as const;

const mm = (v: number): string => `${v.toFixed(1)} mm`;

/** Whether a value agrees with a stated one written with `decimals` decimals (half a last place). */
function agrees(value: number, stated: number, decimals: number): boolean {
  return Math.abs(value - stated) <= 0.5 * 10 ** -decimals + 1e-9;
}

function compare(value: number, cmp: Comparator, stated: number, decimals: number): boolean {
  const tolerance = 0.5 * 10 ** -decimals + 1e-9;
  switch (cmp) {
    case '<':
      return value < stated;
    case '<=':
      return value <= stated + tolerance;
    case '>':
      return value > stated;
    case '>=':
      return value >= stated - tolerance;
  }
}

/** The finding's values a size claim may speak of, in the claim's unit. */
function candidates(claim: SizeClaim, f: GroundingFinding): number[] {
  const scale = claim.unit === 'cm' ? 0.1 : claim.unit === 'cm3' ? 0.001 : 1;
  const volume = claim.unit === 'mm3' || claim.unit === 'cm3';
  let values: (number | null | undefined)[];
  if (volume) values = [f.volumeMm3];
  else if (claim.hint === 'mean') values = [f.meanDiameterMm];
  else if (claim.hint === 'long') values = [f.longAxisMm];
  else if (claim.hint === 'short') values = [f.shortAxisMm];
  else if (claim.hint === 'solid') values = [f.solidComponentMm];
  else values = [f.meanDiameterMm, f.longAxisMm];
  return values.filter((v): v is number => typeof v === 'number').map((v) => v * scale);
}

export function sizeHolds(claim: SizeClaim, f: GroundingFinding): boolean {
  const [a = 0, b = 0, c] = claim.values;
  const [da = 0, db = 0, dc = 0] = claim.decimals;
  const d = Math.max(da, db, dc);
  if (claim.form === 'dims') {
    const scale = claim.unit === 'cm' ? 0.1 : 1;
    const stated = [{ v: a, d: da }, { v: b, d: db }, ...(c === undefined ? [] : [{ v: c, d: dc }])].sort(
      (x, y) => y.v - x.v,
    );
    const [first, ...rest] = stated;
    return (
      first !== undefined &&
      agrees(f.longAxisMm * scale, first.v, first.d) &&
      rest.some((r) => agrees(f.shortAxisMm * scale, r.v, r.d))
    );
  }
  const values = candidates(claim, f);
  if (claim.form === 'range') {
    const lo = Math.min(a, b);
    const hi = Math.max(a, b);
    return values.some((v) => compare(v, '>=', lo, d) && compare(v, '<=', hi, d));
  }
  if (claim.comparator) return values.some((v) => compare(v, claim.comparator ?? '<=', a, da));
  return values.some((v) => agrees(v, a, da));
}

/** The finding's value a wrong size should have been (one decimal, mm), as close to the claim as any. */
function expectedSize(claim: SizeClaim, f: GroundingFinding, language: Language): string {
  if (claim.form === 'dims') return `${f.longAxisMm.toFixed(1)} × ${mm(f.shortAxisMm)}`;
  if (claim.unit === 'mm3' || claim.unit === 'cm3')
    return f.volumeMm3 === undefined ? WORDS[language].unknown : `${f.volumeMm3.toFixed(1)} mm³`;
  if (claim.hint === 'solid' && f.solidComponentMm === null) return WORDS[language].noSolid;
  const scale = claim.unit === 'cm' ? 10 : 1;
  const stated = (claim.values[0] ?? 0) * scale;
  const values = candidates({ ...claim, unit: 'mm' }, f);
  const best = values.reduce((x, y) => (Math.abs(y - stated) < Math.abs(x - stated) ? y : x), values[0] ?? 0);
  return mm(best);
}

function sideHolds(sides: readonly Side[], linked: readonly GroundingFinding[]): boolean {
  const known = linked.filter((f) => f.location);
  if (known.length === 0) return true; // nothing to check against
  if (sides.length === 2) return sides.every((s) => known.some((f) => f.location?.side === s));
  return known.some((f) => f.location && sides.includes(f.location.side));
}

function zoneHolds(zones: readonly Zone[], linked: readonly GroundingFinding[]): boolean {
  const known = linked.filter((f) => f.location);
  return known.length === 0 || known.some((f) => f.location && zones.includes(f.location.zone));
}

interface Matcher {
  readonly types: readonly NoduleType[] | null;
  readonly sides: readonly Side[] | null;
}

function matching(findings: readonly GroundingFinding[], m: Matcher): GroundingFinding[] {
  return findings.filter(
    (f) =>
      (m.types === null || m.types.includes(f.type)) &&
      (m.sides === null || m.sides.length === 2 || !f.location || m.sides.includes(f.location.side)),
  );
}

function absenceContradicted(a: AbsenceClaim, findings: readonly GroundingFinding[]): GroundingFinding[] {
  return matching(findings, a).filter(
    (f) =>
      (!a.suspicious || LUNG_RADS_RANK[f.lungRads] >= LUNG_RADS_RANK['4A']) &&
      (a.size === null || compare(Math.max(f.meanDiameterMm, f.longAxisMm), a.size.comparator, a.size.mm, 1)),
  );
}

export interface CheckInput {
  readonly claims: SentenceClaims;
  /** The sentence's text (original) and where it starts in the report. */
  readonly text: string;
  readonly offset: number;
  readonly findings: readonly GroundingFinding[];
  /** The examination's category (for categories that speak of the case). */
  readonly caseCategory: LungRadsCategory | null;
  /** The findings the previous sentence was linked to (for "It measures …"). */
  readonly previous: readonly string[];
  readonly language: Language;
}

export interface CheckResult {
  readonly findingIds: readonly string[];
  readonly problems: readonly GroundingProblem[];
}

/** How many of a sentence's claims a finding fits. */
function fit(c: SentenceClaims, f: GroundingFinding): { all: number; identity: Set<number> } {
  const identity = new Set<number>();
  let all = 0;
  const claims = identityClaims(c);
  claims.forEach((holds, i) => {
    if (holds(f)) {
      identity.add(i);
      all++;
    }
  });
  for (const s of c.sizes) if (sizeHolds(s, f)) all++;
  return { all, identity };
}

/** The sentence's side, zone, type and finding-level category claims, as tests on one finding. */
function identityClaims(c: SentenceClaims): ((f: GroundingFinding) => boolean)[] {
  return [
    ...c.sides
      .filter((s) => s.sides.length === 1)
      .map((s) => (f: GroundingFinding) => sideHolds(s.sides, [f])),
    ...c.zones.map((z) => (f: GroundingFinding) => zoneHolds(z.zones, [f])),
    ...c.types.map((t) => (f: GroundingFinding) => t.types.includes(f.type)),
    ...c.categories
      .filter((k) => !k.overall)
      .map((k) => (f: GroundingFinding) => k.categories.includes(f.lungRads)),
  ];
}

function link(input: CheckInput, problems: GroundingProblem[], at: (s: Span) => Span): GroundingFinding[] {
  const { claims: c, findings, language } = input;
  const byId = new Map(findings.map((f) => [f.id, f]));
  const allIds = findings.map((f) => f.id).join(', ');
  if (c.ids.length > 0) {
    const linked: GroundingFinding[] = [];
    for (const { id, span } of c.ids) {
      const f = byId.get(id);
      if (f) {
        if (!linked.includes(f)) linked.push(f);
      } else {
        problems.push({
          kind: 'unmatched',
          found: id,
          expected: WORDS[language].noMatch(allIds),
          ...at(span),
        });
      }
    }
    return linked;
  }
  // Claims that single out findings (a bilateral "both lungs" singles out none).
  const said = identityClaims(c).length + c.sizes.length;
  if (!c.nodular) {
    // "It measures 12 mm." continues about the previous sentence's findings; otherwise no finding.
    if ((c.anaphora || c.sizes.length > 0) && input.previous.length > 0)
      return input.previous.map((id) => byId.get(id)).filter((f): f is GroundingFinding => f !== undefined);
    return [];
  }
  const counted = c.counts.find((k) => k.min >= 2);
  if (counted) return matching(findings, counted);
  if (said === 0) return c.plural || c.sides.length > 0 ? findings.slice() : [];
  if (findings.length === 0) {
    problems.push({
      kind: 'unmatched',
      found: input.text,
      expected: WORDS[language].none,
      ...at({ start: 0, end: input.text.length }),
    });
    return [];
  }
  const scored = findings.map((f) => ({ f, ...fit(c, f) })).sort((a, b) => b.all - a.all);
  const best = scored[0];
  if (!best) return [];
  // A nodule that fits less than half of what is said of it is none of the findings.
  if ((best.all === 0 && findings.length > 1) || best.all * 2 < said) {
    problems.push({
      kind: 'unmatched',
      found: input.text,
      expected: WORDS[language].noMatch(allIds),
      ...at({ start: 0, end: input.text.length }),
    });
    return [];
  }
  const linked = [best.f];
  if (!c.plural) return linked;
  // Several nodules: add the finding that fits a side, zone, type or category no linked one does.
  const covered = new Set(best.identity);
  for (;;) {
    const next = scored
      .filter((s) => !linked.includes(s.f))
      .map((s) => ({ s, gain: [...s.identity].filter((i) => !covered.has(i)).length }))
      .sort((a, b) => b.gain - a.gain || b.s.all - a.s.all)[0];
    if (!next || next.gain === 0) break;
    linked.push(next.s.f);
    for (const i of next.s.identity) covered.add(i);
  }
  return linked;
}

function countProblem(k: CountClaim, findings: readonly GroundingFinding[]): number | null {
  const n = matching(findings, k).length;
  return n >= k.min && n <= k.max ? null : n;
}

/** The kind of problem an unfilled placeholder of this field is (`lucent.grounding/1` has no kind of its own). */
function placeholderKind(field: string | undefined): ProblemKind {
  switch (field) {
    case 'mean':
    case 'long':
    case 'short':
    case 'solid':
      return 'size';
    case 'category':
    case 'type':
    case 'side':
    case 'zone':
    case 'count':
      return field;
    default:
      return 'unmatched';
  }
}

/** Check one sentence: the findings it is linked to and what does not hold. */
export function checkSentence(input: CheckInput): CheckResult {
  const { claims: c, findings, language, text, offset } = input;
  const W = WORDS[language];
  const at = (s: Span): Span => ({ start: offset + s.start, end: offset + s.end });
  const found = (s: Span): string => text.slice(s.start, s.end);
  const problems: GroundingProblem[] = [];
  const linked = link(input, problems, at);
  const unmatched = problems.some((p) => p.kind === 'unmatched' && p.found === text);
  const primary = linked[0];
  // With several ids ("F1 … 11 mm, F2 … 6 mm"), a claim belongs to the id written last before it; when
  // ids follow what they name ("11 mm (F1), 6 mm (F2)"), to the first id after it.
  const firstClaim = Math.min(
    ...[...c.sizes, ...c.sides, ...c.zones, ...c.types, ...c.categories].map((x) => x.span.start),
  );
  const trailing = (c.ids[0]?.span.start ?? 0) > firstClaim;
  const byId = new Map(linked.map((f) => [f.id, f]));
  const owners = (span: Span): readonly GroundingFinding[] => {
    if (new Set(c.ids.map((i) => i.id)).size < 2) return linked;
    const mention = trailing
      ? (c.ids.find((i) => i.span.start >= span.end) ?? c.ids[c.ids.length - 1])
      : (c.ids.filter((i) => i.span.end <= span.start).pop() ?? c.ids[0]);
    const owner = mention ? byId.get(mention.id) : undefined;
    return owner ? [owner] : linked;
  };

  if (linked.length > 0 && !unmatched) {
    for (const s of c.sizes) {
      const own = owners(s.span);
      if (own.some((f) => sizeHolds(s, f))) continue;
      const near = own.find((f) => candidates(s, f).length > 0 || s.form === 'dims') ?? own[0] ?? primary;
      if (near)
        problems.push({
          kind: 'size',
          found: found(s.span),
          expected: expectedSize(s, near, language),
          ...at(s.span),
        });
    }
    for (const s of c.sides) {
      const own = owners(s.span);
      if (sideHolds(s.sides, own)) continue;
      const expected = [...new Set(own.map((f) => f.location?.side).filter((x): x is Side => !!x))];
      problems.push({
        kind: 'side',
        found: found(s.span),
        expected: expected.map((x) => W.side[x]).join(', '),
        ...at(s.span),
      });
    }
    for (const z of c.zones) {
      const own = owners(z.span);
      if (zoneHolds(z.zones, own)) continue;
      const expected = [...new Set(own.map((f) => f.location?.zone).filter((x): x is Zone => !!x))];
      problems.push({
        kind: 'zone',
        found: found(z.span),
        expected: expected.map((x) => W.zone[x]).join(', '),
        ...at(z.span),
      });
    }
    for (const t of c.types) {
      const own = owners(t.span);
      if (own.some((f) => t.types.includes(f.type))) continue;
      const expected = [...new Set(own.map((f) => W.type[f.type]))].join(', ');
      problems.push({ kind: 'type', found: found(t.span), expected, ...at(t.span) });
    }
  }
  for (const k of c.categories) {
    const ofCase = k.overall || linked.length === 0;
    if (ofCase) {
      if (input.caseCategory === null || k.categories.includes(input.caseCategory)) continue;
      problems.push({
        kind: 'category',
        found: found(k.span),
        expected: `Lung-RADS ${input.caseCategory}`,
        ...at(k.span),
      });
    } else if (!unmatched && !owners(k.span).some((f) => k.categories.includes(f.lungRads))) {
      const own = owners(k.span);
      // A sentence listing several findings may give the examination's category.
      if (own.length > 1 && input.caseCategory !== null && k.categories.includes(input.caseCategory))
        continue;
      const expected = [...new Set(own.map((f) => `Lung-RADS ${f.lungRads}`))].join(', ');
      problems.push({ kind: 'category', found: found(k.span), expected, ...at(k.span) });
    }
  }
  for (const k of c.counts) {
    const n = countProblem(k, findings);
    if (n !== null)
      problems.push({ kind: 'count', found: found(k.span), expected: String(n), ...at(k.span) });
  }
  for (const a of c.absences) {
    const against = absenceContradicted(a, findings);
    if (against.length === 0) continue;
    const ids = against.map((f) => f.id).join(language === 'en' ? ', ' : '、');
    problems.push({
      kind: 'absence',
      found: found(a.span),
      expected: W.findings(against.length, ids),
      ...at(a.span),
    });
  }
  // What is left of a placeholder that was not filled ("1.mean}", "{F9.mean}"): it states no value, and a
  // reader must not take the sentence as checked. Its field names the kind of value that is missing.
  for (const m of text.matchAll(/[^\s{}]*[{}][^\s]*/gu)) {
    const span = { start: m.index, end: m.index + m[0].length };
    const field = /(mean|long|short|solid|category|type|side|zone|count)/u.exec(m[0].toLowerCase())?.[1];
    problems.push({ kind: placeholderKind(field), found: found(span), expected: W.value, ...at(span) });
  }
  return { findingIds: linked.map((f) => f.id), problems };
}
