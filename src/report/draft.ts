/**
 * The deterministic structured report draft (no language model): findings and impression written from
 * the findings, in English or Simplified Chinese. Marked as an AI-assisted draft for the radiologist.
 */
import type { LungRadsCategory, NoduleType } from '../findings/types';

import type { Language } from '../i18n/language';

/** The report's language: one of the interface languages. */
export type ReportLanguage = Language;

export interface DraftFinding {
  readonly type: NoduleType;
  readonly meanDiameterMm: number;
  readonly longAxisMm: number;
  readonly shortAxisMm: number;
  readonly solidComponentMm: number | null;
  readonly side?: 'right' | 'left';
  readonly zone?: 'upper' | 'middle' | 'lower';
  readonly lungRads: LungRadsCategory;
  readonly margin?: string;
}

export interface Draft {
  readonly language: ReportLanguage;
  readonly findings: string;
  readonly impression: string;
}

const TYPE: Record<ReportLanguage, Record<DraftFinding['type'], string>> = {
  en: { solid: 'solid', 'part-solid': 'part-solid', 'ground-glass': 'ground-glass', calcified: 'calcified' },
  'zh-CN': { solid: '实性', 'part-solid': '部分实性', 'ground-glass': '磨玻璃', calcified: '钙化' },
};
const SIDE = { en: { right: 'right', left: 'left' }, 'zh-CN': { right: '右', left: '左' } } as const;
const ZONE = {
  en: { upper: 'upper', middle: 'middle', lower: 'lower' },
  'zh-CN': { upper: '上', middle: '中', lower: '下' },
} as const;
const MARGIN: Record<ReportLanguage, Record<string, string>> = {
  en: { smooth: 'smooth', lobulated: 'lobulated', spiculated: 'spiculated' },
  'zh-CN': { smooth: '边缘光整', lobulated: '分叶状', spiculated: '毛刺状' },
};

const mm = (v: number): string => v.toFixed(1);

function sentence(f: DraftFinding, i: number, lang: ReportLanguage): string {
  const where =
    f.side && f.zone
      ? lang === 'en'
        ? ` in the ${SIDE.en[f.side]} ${ZONE.en[f.zone]} zone`
        : `，位于${SIDE['zh-CN'][f.side]}肺${ZONE['zh-CN'][f.zone]}野`
      : '';
  const margin = f.margin && MARGIN[lang][f.margin] ? MARGIN[lang][f.margin] : null;
  if (lang === 'en') {
    const solid = f.solidComponentMm !== null ? `, solid component ${mm(f.solidComponentMm)} mm` : '';
    return `${i + 1}. ${TYPE.en[f.type]} nodule${where}, mean diameter ${mm(f.meanDiameterMm)} mm (${mm(f.longAxisMm)} × ${mm(f.shortAxisMm)} mm)${solid}${margin ? `, ${margin} margin` : ''}; Lung-RADS ${f.lungRads}.`;
  }
  const solid = f.solidComponentMm !== null ? `，实性成分 ${mm(f.solidComponentMm)} mm` : '';
  return `${i + 1}. ${TYPE['zh-CN'][f.type]}结节${where}，平均直径 ${mm(f.meanDiameterMm)} mm（${mm(f.longAxisMm)} × ${mm(f.shortAxisMm)} mm）${solid}${margin ? `，${margin}` : ''}；Lung-RADS ${f.lungRads}。`;
}

export function draftReport(
  findings: readonly DraftFinding[],
  overall: { category: LungRadsCategory; management: string },
  language: ReportLanguage,
): Draft {
  const note =
    language === 'en'
      ? 'AI-assisted draft: every finding must be reviewed by a radiologist; not a diagnosis.'
      : 'AI 辅助草稿：每个发现都必须由放射科医生审核；不构成诊断。';
  if (findings.length === 0) {
    return {
      language,
      findings: language === 'en' ? 'No pulmonary nodule was found by the model.' : '模型未发现肺结节。',
      impression: `${language === 'en' ? 'Lung-RADS' : 'Lung-RADS'} ${overall.category}: ${overall.management} ${note}`,
    };
  }
  const head =
    language === 'en'
      ? `${findings.length} pulmonary ${findings.length === 1 ? 'nodule' : 'nodules'}:`
      : `共 ${findings.length} 个肺结节：`;
  return {
    language,
    findings: [head, ...findings.map((f, i) => sentence(f, i, language))].join('\n'),
    impression: `Lung-RADS ${overall.category}: ${overall.management} ${note}`,
  };
}
