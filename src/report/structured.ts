/**
 * The structured report draft as data: sections (clinical information, technique, comparison,
 * findings, impression, and an addendum after sign-off) of sentences. Each sentence carries its text,
 * the ids of the findings it speaks of, whether a person typed it, and, for generated sentences, the
 * slot it fills (`finding:F1`, `impression:overall`, …) so that a live update can rewrite exactly the
 * sentences nobody typed. Pure; English and Simplified Chinese.
 */
import { LUNG_RADS_RANK } from '../findings/lungrads';
import type { LungRadsCategory, NoduleType, ReportedNodule } from '../findings/types';
import type { Language } from '../i18n/language';

export type SectionId = 'clinical' | 'technique' | 'comparison' | 'findings' | 'impression' | 'addendum';
export const SECTION_ORDER: readonly SectionId[] = [
  'clinical',
  'technique',
  'comparison',
  'findings',
  'impression',
  'addendum',
];

export interface ReportSentence {
  readonly text: string;
  /** The findings this sentence speaks of (F1 …). */
  readonly findingIds: readonly string[];
  /** Whether a person typed (or edited) it: such text is never overwritten. */
  readonly typed: boolean;
  /** What wrote an untyped sentence: the templates, or a language model. */
  readonly generator?: 'template' | 'model';
  /** The generated slot this sentence fills (kept when a person edits it, so the slot is not re-added). */
  readonly key?: string;
}

export interface ReportSection {
  readonly id: SectionId;
  readonly sentences: readonly ReportSentence[];
}

export interface ReportDraft {
  readonly schema: 'lucent.report-draft/1';
  readonly language: Language;
  readonly sections: readonly ReportSection[];
  /** Generated slots the reader deleted: a live update does not write them again. */
  readonly dismissed: readonly string[];
}

/** A finding as the draft describes it. */
export interface DraftNodule extends ReportedNodule {
  readonly side?: 'right' | 'left';
  readonly zone?: 'upper' | 'middle' | 'lower';
  readonly margin?: string;
}

/** Acquisition facts from the DICOM header (each only when the header has it). */
export interface TechniqueFacts {
  readonly modality?: string;
  readonly bodyPart?: string;
  readonly sliceThicknessMm?: number;
  readonly kernel?: string;
  readonly kvp?: number;
  readonly ctdiVolMGy?: number;
  readonly dlpMGyCm?: number;
  readonly contrast?: string;
}

export interface DraftInput {
  readonly findings: readonly DraftNodule[];
  readonly overall: { readonly category: LungRadsCategory; readonly management: string };
  readonly technique?: TechniqueFacts | null;
  readonly clinical?: string | null;
  readonly comparison?: string | null;
}

export const HEADINGS: Readonly<Record<Language, Readonly<Record<SectionId, string>>>> = {
  en: {
    clinical: 'Clinical information',
    technique: 'Technique',
    comparison: 'Comparison',
    findings: 'Findings',
    impression: 'Impression',
    addendum: 'Addendum',
  },
  'zh-CN': {
    clinical: '临床资料',
    technique: '检查技术',
    comparison: '对比',
    findings: '所见',
    impression: '印象',
    addendum: '补充报告',
  },
};

const TYPE: Record<Language, Record<NoduleType, string>> = {
  en: { solid: 'solid', 'part-solid': 'part-solid', 'ground-glass': 'ground-glass', calcified: 'calcified' },
  'zh-CN': { solid: '实性', 'part-solid': '部分实性', 'ground-glass': '磨玻璃', calcified: '钙化' },
};
const SIDE = { en: { right: 'right', left: 'left' }, 'zh-CN': { right: '右', left: '左' } } as const;
const ZONE = {
  en: { upper: 'upper', middle: 'middle', lower: 'lower' },
  'zh-CN': { upper: '上', middle: '中', lower: '下' },
} as const;
const MARGIN: Record<Language, Record<string, string>> = {
  en: { smooth: 'smooth', lobulated: 'lobulated', spiculated: 'spiculated' },
  'zh-CN': { smooth: '边缘光整', lobulated: '分叶状', spiculated: '毛刺状' },
};

/** The note every draft carries until a radiologist signs it. */
export const AI_NOTE: Readonly<Record<Language, string>> = {
  en: 'AI-assisted draft: every finding must be reviewed by a radiologist; not a diagnosis.',
  'zh-CN': 'AI 辅助草稿：每个发现都必须由放射科医生审核；不构成诊断。',
};

const mm = (v: number): string => v.toFixed(1);

function where(f: DraftNodule, language: Language): string {
  if (!f.side || !f.zone) return '';
  return language === 'en'
    ? ` in the ${SIDE.en[f.side]} ${ZONE.en[f.zone]} zone`
    : `，位于${SIDE['zh-CN'][f.side]}肺${ZONE['zh-CN'][f.zone]}野`;
}

/** The findings-section sentence of one finding. */
export function findingSentence(f: DraftNodule, language: Language): string {
  const margin = f.margin ? MARGIN[language][f.margin] : undefined;
  if (language === 'en') {
    const solid = f.solidComponentMm !== null ? `, solid component ${mm(f.solidComponentMm)} mm` : '';
    return `${f.id}: ${TYPE.en[f.type]} nodule${where(f, language)}, mean diameter ${mm(f.meanDiameterMm)} mm (${mm(f.longAxisMm)} × ${mm(f.shortAxisMm)} mm)${solid}${margin ? `, ${margin} margin` : ''}; Lung-RADS ${f.lungRads}.`;
  }
  const solid = f.solidComponentMm !== null ? `，实性成分 ${mm(f.solidComponentMm)} mm` : '';
  return `${f.id}：${TYPE['zh-CN'][f.type]}结节${where(f, language)}，平均直径 ${mm(f.meanDiameterMm)} mm（${mm(f.longAxisMm)} × ${mm(f.shortAxisMm)} mm）${solid}${margin ? `，${margin}` : ''}；Lung-RADS ${f.lungRads}。`;
}

function impressionSentence(f: DraftNodule, language: Language): string {
  if (language === 'en') {
    const place = f.side && f.zone ? ` in the ${SIDE.en[f.side]} ${ZONE.en[f.zone]} zone` : '';
    return `${f.id}: ${mm(f.meanDiameterMm)} mm ${TYPE.en[f.type]} nodule${place}, Lung-RADS ${f.lungRads}.`;
  }
  const place = f.side && f.zone ? `${SIDE['zh-CN'][f.side]}肺${ZONE['zh-CN'][f.zone]}野` : '';
  return `${f.id}：${place}${TYPE['zh-CN'][f.type]}结节，${mm(f.meanDiameterMm)} mm，Lung-RADS ${f.lungRads}。`;
}

function techniqueSentence(t: TechniqueFacts | null | undefined, language: Language): string {
  const en = language === 'en';
  const parts: string[] = [];
  const modality = t?.modality ?? 'CT';
  const chest = !t?.bodyPart || /chest|thorax|lung/i.test(t.bodyPart);
  parts.push(en ? `${modality}${chest ? ' of the chest' : ''}` : `${chest ? '胸部' : ''}${modality}`);
  if (t?.contrast !== undefined) parts.push(en ? `contrast: ${t.contrast}` : `对比剂：${t.contrast}`);
  if (t?.sliceThicknessMm !== undefined)
    parts.push(en ? `slice thickness ${mm(t.sliceThicknessMm)} mm` : `层厚 ${mm(t.sliceThicknessMm)} mm`);
  if (t?.kernel) parts.push(en ? `reconstruction kernel ${t.kernel}` : `重建核 ${t.kernel}`);
  if (t?.kvp !== undefined) parts.push(`${t.kvp} kVp`);
  if (t?.ctdiVolMGy !== undefined) parts.push(`CTDIvol ${t.ctdiVolMGy.toFixed(1)} mGy`);
  if (t?.dlpMGyCm !== undefined) parts.push(`DLP ${t.dlpMGyCm.toFixed(0)} mGy·cm`);
  return en ? `${parts.join('; ')}.` : `${parts.join('；')}。`;
}

const template = (key: string, text: string, findingIds: readonly string[] = []): ReportSentence => ({
  text,
  findingIds,
  typed: false,
  generator: 'template',
  key,
});

/** Findings in the order a report lists them: most suspicious first, then larger, then by id. */
export function reportOrder<T extends Pick<DraftNodule, 'id' | 'lungRads' | 'meanDiameterMm'>>(
  findings: readonly T[],
): T[] {
  const n = (id: string): number => Number(/(\d+)$/.exec(id)?.[1] ?? 0);
  return [...findings].sort(
    (a, b) =>
      LUNG_RADS_RANK[b.lungRads] - LUNG_RADS_RANK[a.lungRads] ||
      b.meanDiameterMm - a.meanDiameterMm ||
      n(a.id) - n(b.id),
  );
}

/** The structured draft of a case: every sentence generated, none typed. */
export function buildDraft(input: DraftInput, language: Language): ReportDraft {
  const en = language === 'en';
  const ordered = reportOrder(input.findings);
  const ids = ordered.map((f) => f.id);
  const findings: ReportSentence[] =
    ordered.length === 0
      ? [template('findings:none', en ? 'No pulmonary nodule was found by the model.' : '模型未发现肺结节。')]
      : [
          template(
            'findings:count',
            en
              ? `${ordered.length} pulmonary ${ordered.length === 1 ? 'nodule' : 'nodules'}.`
              : `共 ${ordered.length} 个肺结节。`,
            ids,
          ),
          ...ordered.map((f) => template(`finding:${f.id}`, findingSentence(f, language), [f.id])),
        ];
  const impression: ReportSentence[] = [
    ...ordered.map((f) => template(`impression:${f.id}`, impressionSentence(f, language), [f.id])),
    template(
      'impression:overall',
      en
        ? `Overall: Lung-RADS ${input.overall.category}.`
        : `总体评估：Lung-RADS ${input.overall.category}。`,
      ids,
    ),
    template('impression:management', input.overall.management),
    template('impression:note', AI_NOTE[language]),
  ];
  const sections: Record<SectionId, ReportSentence[]> = {
    clinical: [template('clinical', input.clinical ?? (en ? 'Not provided.' : '未提供。'))],
    technique: [template('technique', techniqueSentence(input.technique, language))],
    comparison: [
      template('comparison', input.comparison ?? (en ? 'None available.' : '无既往检查可供对比。')),
    ],
    findings,
    impression,
    addendum: [],
  };
  return {
    schema: 'lucent.report-draft/1',
    language,
    sections: SECTION_ORDER.map((id) => ({ id, sentences: sections[id] })),
    dismissed: [],
  };
}

/** A section's sentences (empty when the draft has no such section). */
export function sectionOf(draft: ReportDraft, id: SectionId): readonly ReportSentence[] {
  return draft.sections.find((s) => s.id === id)?.sentences ?? [];
}
