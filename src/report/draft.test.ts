import { describe, expect, it } from 'vitest';
import { caseCategory, judgeNodule } from '../findings/assess';
import { LUNG_RADS_RANK, lungRadsMeanDiameterMm } from '../findings/lungrads';
import type { Margin, NoduleType } from '../findings/types';
import { translate, type Language } from '../i18n';
import { draftReport, type DraftFinding } from './draft';

const LANGS: readonly Language[] = ['en', 'zh-CN'];

interface Spec {
  type: NoduleType;
  long: number;
  short: number;
  solid?: number;
  side?: 'right' | 'left';
  zone?: 'upper' | 'middle' | 'lower';
  margin?: Margin;
}

/** A draft input whose margin is one the domain knows (what the app passes). */
type Input = DraftFinding & { readonly margin?: Margin };

/** A finding as the app gives it to the draft: mean diameter and category from the domain's own rules. */
function finding(s: Spec): Input {
  const meanDiameterMm = lungRadsMeanDiameterMm(s.long, s.short);
  const solidComponentMm = s.solid ?? null;
  const { lungRads } = judgeNodule({ type: s.type, meanDiameterMm, solidComponentMm, margin: s.margin }, {});
  return {
    type: s.type,
    meanDiameterMm,
    longAxisMm: s.long,
    shortAxisMm: s.short,
    solidComponentMm,
    side: s.side,
    zone: s.zone,
    margin: s.margin,
    lungRads,
  };
}

const MIXES: Record<string, readonly Input[]> = {
  'one solid nodule': [finding({ type: 'solid', long: 9.8, short: 7.9 })],
  'part-solid with a solid part, located, spiculated': [
    finding({
      type: 'part-solid',
      long: 14.2,
      short: 11.6,
      solid: 8.4,
      side: 'right',
      zone: 'upper',
      margin: 'spiculated',
    }),
  ],
  'a mix of four types in both lungs': [
    finding({ type: 'ground-glass', long: 21.3, short: 17.1, side: 'left', zone: 'lower', margin: 'smooth' }),
    finding({ type: 'calcified', long: 5.2, short: 4.9, side: 'right', zone: 'middle' }),
    finding({ type: 'solid', long: 6.6, short: 5.1, side: 'left', zone: 'upper', margin: 'lobulated' }),
    finding({ type: 'part-solid', long: 10.4, short: 9.1, solid: 3.2 }),
  ],
};

interface Sentence {
  id: string;
  type: string;
  side?: string;
  zone?: string;
  mean: number;
  long: number;
  short: number;
  solid?: number;
  margin?: string;
  category: string;
}

const EN =
  /^(F\d+): (\S+) nodule(?: in the (\S+) (\S+) zone)?, mean diameter (\d+\.\d) mm \((\d+\.\d) × (\d+\.\d) mm\)(?:, solid component (\d+\.\d) mm)?(?:, (\S+) margin)?; Lung-RADS (\w+)\.$/;
const ZH =
  /^(F\d+)：(\S+?)结节(?:，位于(\S)肺(\S)野)?，平均直径 (\d+\.\d) mm（(\d+\.\d) × (\d+\.\d) mm）(?:，实性成分 (\d+\.\d) mm)?(?:，([^；]+))?；Lung-RADS (\w+)。$/;

/** One finding line of the findings text, read back into its parts (fails the test if it has another shape). */
function parse(line: string, language: Language): Sentence {
  const m = (language === 'en' ? EN : ZH).exec(line);
  if (!m) throw new Error(`unexpected sentence shape (${language}): ${line}`);
  const num = (s: string | undefined): number | undefined => (s === undefined ? undefined : Number(s));
  return {
    id: m[1] ?? '',
    type: m[2] ?? '',
    side: m[3],
    zone: m[4],
    mean: Number(m[5]),
    long: Number(m[6]),
    short: Number(m[7]),
    solid: num(m[8]),
    margin: m[9],
    category: m[10] ?? '',
  };
}

function sentences(text: string, language: Language): { head: string; lines: Sentence[] } {
  const [head = '', ...rest] = text.split('\n');
  return { head, lines: rest.map((l) => parse(l, language)) };
}

const CJK = /[\u4e00-\u9fff]/;

describe('draftReport', () => {
  for (const [name, findings] of Object.entries(MIXES)) {
    for (const language of LANGS) {
      it(`writes ${name} in ${language}: one sentence per finding, with its own values`, () => {
        const overall = caseCategory(findings, language);
        const draft = draftReport(findings, overall, language);
        expect(draft.language).toBe(language);
        const { head, lines } = sentences(draft.findings, language);
        // The head counts the findings.
        expect(Number(/\d+/.exec(head)?.[0])).toBe(findings.length);
        expect(lines).toHaveLength(findings.length);
        // Each finding has its own sentence, named by its id (F1… in the order given).
        expect(lines.map((l) => l.id).sort()).toEqual(findings.map((_, i) => `F${i + 1}`).sort());
        findings.forEach((f, i) => {
          const s = lines.find((l) => l.id === `F${i + 1}`);
          if (!s) throw new Error('missing sentence');
          // Sizes are the inputs to one decimal.
          expect(s.mean).toBeCloseTo(f.meanDiameterMm, 1);
          expect(s.long).toBeCloseTo(f.longAxisMm, 1);
          expect(s.short).toBeCloseTo(f.shortAxisMm, 1);
          if (f.solidComponentMm === null) expect(s.solid).toBeUndefined();
          else expect(s.solid).toBeCloseTo(f.solidComponentMm, 1);
          expect(s.category).toBe(f.lungRads);
          // Type and location in the words the interface uses for them, in the same language.
          expect(s.type).toBe(translate(language, `type.${f.type}`));
          if (f.side && f.zone) {
            expect(s.side).toBe(translate(language, `findings.location.${f.side}`));
            const zoneWord = language === 'en' ? `${s.zone ?? ''} zone` : `${s.zone ?? ''}野`;
            expect(zoneWord).toBe(translate(language, `findings.location.${f.zone}`));
          } else {
            expect(s.side).toBeUndefined();
          }
          if (f.margin === undefined) expect(s.margin).toBeUndefined();
          else if (language === 'en') expect(s.margin).toBe(f.margin);
          else expect(s.margin).toMatch(CJK);
        });
        // The impression gives the case's category (the most suspicious finding's) and its management.
        const worst = [...findings].sort(
          (a, b) => LUNG_RADS_RANK[b.lungRads] - LUNG_RADS_RANK[a.lungRads],
        )[0];
        expect(overall.category).toBe(worst?.lungRads);
        // One impression line per finding with its category, then the examination's.
        expect([...draft.impression.matchAll(/Lung-RADS (\w+)/g)].map((m) => m[1]).sort()).toEqual(
          [...findings.map((f) => f.lungRads), overall.category].sort(),
        );
        const overallLine = draft.impression.split('\n').find((l) => !/^F\d/.test(l) && /Lung-RADS/.test(l));
        expect(overallLine).toMatch(new RegExp(`Lung-RADS ${overall.category}[.。]$`));
        expect(draft.impression).toContain(overall.management);
        // Only the chosen language (numbers, units, "Lung-RADS" and abbreviations such as CT aside).
        const words = `${draft.findings}\n${draft.impression}`.replace(/Lung-RADS|mm/g, '');
        if (language === 'en') expect(words).not.toMatch(CJK);
        else expect(words).not.toMatch(/[a-z]{2,}/);
      });
    }
  }

  it('lists the findings most suspicious first, whatever the order given', () => {
    const findings = MIXES['a mix of four types in both lungs'] ?? [];
    const reversed = [...findings].reverse();
    for (const language of LANGS) {
      const overall = caseCategory(findings, language);
      const forward = sentences(draftReport(findings, overall, language).findings, language).lines;
      const backward = sentences(draftReport(reversed, overall, language).findings, language).lines;
      const ranks = forward.map((s) => LUNG_RADS_RANK[s.category as keyof typeof LUNG_RADS_RANK]);
      expect(ranks).toEqual([...ranks].sort((a, b) => b - a));
      expect(backward.map((s) => [s.category, s.mean])).toEqual(forward.map((s) => [s.category, s.mean]));
    }
  });

  it('tells the margins apart and leaves out a margin it has no words for', () => {
    const margins: Margin[] = ['smooth', 'lobulated', 'spiculated'];
    for (const language of LANGS) {
      const written = margins.map((margin) => {
        const f = finding({ type: 'solid', long: 7, short: 6, margin });
        const [line = ''] = sentences(
          draftReport([f], caseCategory([f], language), language).findings,
          language,
        ).lines.map((s) => s.margin ?? '');
        return line;
      });
      expect(new Set(written).size).toBe(margins.length);
      const unknown = { ...finding({ type: 'solid', long: 7, short: 6 }), margin: 'unspecified' };
      const [s] = sentences(
        draftReport([unknown], caseCategory([], language), language).findings,
        language,
      ).lines;
      expect(s?.margin).toBeUndefined();
    }
  });

  it('says that no nodule was found when there are none, in each language', () => {
    for (const language of LANGS) {
      const overall = caseCategory([], language);
      const draft = draftReport([], overall, language);
      expect(draft.findings).not.toMatch(/\d/);
      expect(draft.findings).toMatch(language === 'en' ? /\bno\b/i : /未/);
      expect(draft.findings).toMatch(language === 'en' ? /nodule/ : /结节/);
      expect([...draft.impression.matchAll(/Lung-RADS (\w+)/g)].map((m) => m[1])).toEqual([overall.category]);
      expect(draft.impression).toContain(overall.management);
    }
    // The two languages say it differently (not an English sentence in the Chinese report).
    expect(draftReport([], caseCategory([], 'zh-CN'), 'zh-CN').findings).toMatch(CJK);
  });

  it('marks every draft as AI-assisted and for a radiologist to review, in its language', () => {
    for (const findings of [[], ...Object.values(MIXES)]) {
      const en = draftReport(findings, caseCategory(findings, 'en'), 'en').impression;
      const zh = draftReport(findings, caseCategory(findings, 'zh-CN'), 'zh-CN').impression;
      expect(en).toMatch(/AI-assisted draft.*radiologist/);
      expect(zh).toMatch(/AI 辅助草稿.*放射科医生/);
    }
  });
});
