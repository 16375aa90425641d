/**
 * Helpers for the grounding tests: the structured draft of a case as text, and one fact of a
 * sentence changed so that it no longer holds.
 */
import type { NoduleType } from '../../findings/types';
import type { Language } from '../../i18n/language';
import { renderDraft } from '../editing';
import { buildDraft } from '../structured';
import { caseCategoryOf, type GroundingFinding } from './index';

/** The structured draft of these findings, as the Report panel shows it. */
export function rendered(findings: readonly GroundingFinding[], language: Language): string {
  const category = caseCategoryOf(findings);
  const draft = buildDraft(
    {
      findings: findings.map((f) => ({ ...f, side: f.location?.side, zone: f.location?.zone })),
      overall: { category, management: 'See the guideline.' },
      technique: { modality: 'CT', sliceThicknessMm: 1, kernel: 'B50f', kvp: 120, ctdiVolMGy: 2.4 },
    },
    language,
  );
  return renderDraft(draft).text;
}

const OTHER_TYPE: Record<NoduleType, Record<Language, string>> = {
  solid: { en: 'ground-glass', 'zh-CN': '磨玻璃' },
  'part-solid': { en: 'calcified', 'zh-CN': '钙化' },
  'ground-glass': { en: 'solid', 'zh-CN': '实性' },
  calcified: { en: 'ground-glass', 'zh-CN': '磨玻璃' },
};

/**
 * One fact of a sentence about `f` changed: a size far from all of the finding's, the other side, another
 * type, another category, or a count sentence with the wrong number. Null when the sentence has no such
 * fact to change.
 */
export function editFinding(
  r: () => number,
  sentence: string,
  f: GroundingFinding,
  findings: readonly GroundingFinding[],
  language: Language,
): { kind: string; text: string } | null {
  const kinds = ['size', 'side', 'type', 'category', 'count'];
  const kind = kinds[Math.floor(r() * kinds.length)] ?? 'size';
  switch (kind) {
    case 'size': {
      const wrong = Math.round(f.longAxisMm + 4 + r() * 6);
      const text = sentence.replace(
        /\d+(?:\.\d+)?\s*(?:[×x]\s*\d+(?:\.\d+)?\s*)?(mm|cm|毫米|厘米)/,
        `${wrong} mm`,
      );
      return text === sentence ? null : { kind, text };
    }
    case 'side': {
      const text =
        language === 'en'
          ? sentence.replace(/\b(right|left)\b/, (s) => (s === 'right' ? 'left' : 'right'))
          : sentence.replace(/[右左]肺/, (s) => (s === '右肺' ? '左肺' : '右肺'));
      // The other side of the same zone may hold another finding: then the sentence speaks of that one,
      // and its size or type no longer fits; with a unique place, the side itself is flagged.
      return text === sentence ? null : { kind, text };
    }
    case 'type': {
      const words =
        language === 'en'
          ? /part-solid|part solid|partly solid|pure ground-glass|ground-glass|ground glass|non-solid|densely calcified|calcified|solid/
          : /部分实性|混合磨玻璃|纯磨玻璃|磨玻璃|钙化|实性/;
      const text = sentence.replace(words, OTHER_TYPE[f.type][language]);
      return text === sentence ? null : { kind, text };
    }
    case 'category': {
      const other = f.lungRads === '2' ? '4B' : '2';
      const text = `${sentence.replace(/[。.]$/, '')}${language === 'en' ? `, Lung-RADS ${other}.` : `，Lung-RADS ${other}类。`}`;
      return f.lungRads === '4X'
        ? null
        : { kind, text: text.replace(/Lung-RADS (?:category )?\w+(?=.*Lung-RADS)/, '') };
    }
    default: {
      const n = findings.length + 1 + Math.floor(r() * 3);
      return { kind, text: `${sentence}${language === 'en' ? ` ${n} nodules in total.` : `共${n}个结节。`}` };
    }
  }
}
