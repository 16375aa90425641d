/**
 * Fleischner Society 2017 guidelines for incidental pulmonary nodules, as data.
 *
 * Source: MacMahon H, Naidich DP, Goo JM, et al. Guidelines for management of incidental pulmonary
 * nodules detected on CT images: from the Fleischner Society 2017. Radiology 2017;284(1):228–243,
 * Table 1 ("Fleischner Society 2017 Guidelines for Management of Incidentally Detected Pulmonary
 * Nodules in Adults"), part A (solid nodules) and part B (subsolid nodules), and its notes:
 * dimensions are the average of long and short axes, rounded to the nearest millimetre; the
 * recommendations do not apply to lung cancer screening, patients with immunosuppression, or
 * patients with known primary cancer; they apply to patients 35 years or older.
 *
 * Size bands are in whole millimetres after rounding, with the inclusivity the table prints:
 * solid "< 6 mm", "6–8 mm", "> 8 mm"; subsolid "< 6 mm", "≥ 6 mm". The rows are disjoint: exactly one
 * matches each input (`fleischner.test.ts` checks it).
 */
import type { Interval, Localized, NoduleType } from './types';

const TABLE = 'MacMahon et al., Radiology 2017;284:228–243 (Fleischner Society 2017), Table 1';

/** The nodule types the table covers: every type but `calcified` (benign, no follow-up). */
export type FleischnerNoduleType = Exclude<NoduleType, 'calcified'>;
export type FleischnerMultiplicity = 'single' | 'multiple';
/** Patient risk as the table uses it (ACCP risk factors; chosen by the user). */
export type FleischnerRisk = 'low' | 'high';

export interface FleischnerRow {
  readonly id: string;
  readonly multiplicity: FleischnerMultiplicity;
  readonly types: readonly FleischnerNoduleType[];
  /** Size band in whole millimetres (after rounding). */
  readonly sizeMm: Interval;
  readonly risks: readonly FleischnerRisk[];
  readonly recommendation: Localized;
  /** The table's comment for the row, if any. */
  readonly comment?: Localized;
  readonly source: string;
}

const SOLID = ['solid'] as const satisfies readonly FleischnerNoduleType[];
const SUBSOLID = ['part-solid', 'ground-glass'] as const satisfies readonly FleischnerNoduleType[];
const LOW = ['low'] as const satisfies readonly FleischnerRisk[];
const HIGH = ['high'] as const satisfies readonly FleischnerRisk[];
const ANY_RISK = ['low', 'high'] as const satisfies readonly FleischnerRisk[];

const BELOW_6: Interval = { lt: 6 };
const SIX_TO_8: Interval = { gte: 6, lte: 8 };
const ABOVE_8: Interval = { gt: 8 };
const AT_LEAST_6: Interval = { gte: 6 };

const NO_ROUTINE: Localized = { en: 'No routine follow-up.', 'zh-CN': '无需常规随访。' };
const OPTIONAL_12: Localized = { en: 'Optional CT at 12 months.', 'zh-CN': '可选择在12个月时复查CT。' };

const SINGLE_SOLID_COMMENT: Localized = {
  en: 'Nodules < 6 mm do not require routine follow-up, but certain patients at high risk with suspicious nodule morphology, upper lobe location, or both may warrant 12-month follow-up.',
  'zh-CN': '< 6 mm的结节无需常规随访，但部分高危患者若结节形态可疑、位于上叶或两者兼有，可考虑12个月时随访。',
};
const MULTIPLE_SOLID_COMMENT: Localized = {
  en: 'Use the most suspicious nodule as a guide to management. Follow-up intervals may vary according to size and risk.',
  'zh-CN': '以最可疑的结节指导处理。随访间隔可依据结节大小和风险调整。',
};

const SINGLE_SOLID: readonly FleischnerRow[] = [
  {
    id: 'single-solid-lt6-low',
    multiplicity: 'single',
    types: SOLID,
    sizeMm: BELOW_6,
    risks: LOW,
    recommendation: NO_ROUTINE,
    comment: SINGLE_SOLID_COMMENT,
    source: `${TABLE}, A. Solid nodules, single, < 6 mm (< 100 mm³), low-risk patients`,
  },
  {
    id: 'single-solid-lt6-high',
    multiplicity: 'single',
    types: SOLID,
    sizeMm: BELOW_6,
    risks: HIGH,
    recommendation: OPTIONAL_12,
    comment: SINGLE_SOLID_COMMENT,
    source: `${TABLE}, A. Solid nodules, single, < 6 mm (< 100 mm³), high-risk patients`,
  },
  {
    id: 'single-solid-6-8-low',
    multiplicity: 'single',
    types: SOLID,
    sizeMm: SIX_TO_8,
    risks: LOW,
    recommendation: {
      en: 'CT at 6–12 months, then consider CT at 18–24 months.',
      'zh-CN': '6–12个月时复查CT，之后考虑在18–24个月时再次复查CT。',
    },
    source: `${TABLE}, A. Solid nodules, single, 6–8 mm (100–250 mm³), low-risk patients`,
  },
  {
    id: 'single-solid-6-8-high',
    multiplicity: 'single',
    types: SOLID,
    sizeMm: SIX_TO_8,
    risks: HIGH,
    recommendation: {
      en: 'CT at 6–12 months, then CT at 18–24 months.',
      'zh-CN': '6–12个月时复查CT，之后在18–24个月时再次复查CT。',
    },
    source: `${TABLE}, A. Solid nodules, single, 6–8 mm (100–250 mm³), high-risk patients`,
  },
  {
    id: 'single-solid-gt8',
    multiplicity: 'single',
    types: SOLID,
    sizeMm: ABOVE_8,
    risks: ANY_RISK,
    recommendation: {
      en: 'Consider CT at 3 months, PET/CT, or tissue sampling.',
      'zh-CN': '考虑3个月时复查CT、行PET/CT检查或组织取样。',
    },
    source: `${TABLE}, A. Solid nodules, single, > 8 mm (> 250 mm³), low-risk and high-risk patients`,
  },
];

const MULTIPLE_SOLID: readonly FleischnerRow[] = [
  {
    id: 'multiple-solid-lt6-low',
    multiplicity: 'multiple',
    types: SOLID,
    sizeMm: BELOW_6,
    risks: LOW,
    recommendation: NO_ROUTINE,
    comment: MULTIPLE_SOLID_COMMENT,
    source: `${TABLE}, A. Solid nodules, multiple, < 6 mm (< 100 mm³), low-risk patients`,
  },
  {
    id: 'multiple-solid-lt6-high',
    multiplicity: 'multiple',
    types: SOLID,
    sizeMm: BELOW_6,
    risks: HIGH,
    recommendation: OPTIONAL_12,
    comment: MULTIPLE_SOLID_COMMENT,
    source: `${TABLE}, A. Solid nodules, multiple, < 6 mm (< 100 mm³), high-risk patients`,
  },
  {
    id: 'multiple-solid-6-8-low',
    multiplicity: 'multiple',
    types: SOLID,
    sizeMm: SIX_TO_8,
    risks: LOW,
    recommendation: {
      en: 'CT at 3–6 months, then consider CT at 18–24 months.',
      'zh-CN': '3–6个月时复查CT，之后考虑在18–24个月时再次复查CT。',
    },
    comment: MULTIPLE_SOLID_COMMENT,
    source: `${TABLE}, A. Solid nodules, multiple, 6–8 mm (100–250 mm³), low-risk patients`,
  },
  {
    id: 'multiple-solid-6-8-high',
    multiplicity: 'multiple',
    types: SOLID,
    sizeMm: SIX_TO_8,
    risks: HIGH,
    recommendation: {
      en: 'CT at 3–6 months, then at 18–24 months.',
      'zh-CN': '3–6个月时复查CT，之后在18–24个月时再次复查CT。',
    },
    comment: MULTIPLE_SOLID_COMMENT,
    source: `${TABLE}, A. Solid nodules, multiple, 6–8 mm (100–250 mm³), high-risk patients`,
  },
  {
    id: 'multiple-solid-gt8-low',
    multiplicity: 'multiple',
    types: SOLID,
    sizeMm: ABOVE_8,
    risks: LOW,
    recommendation: {
      en: 'CT at 3–6 months, then consider CT at 18–24 months.',
      'zh-CN': '3–6个月时复查CT，之后考虑在18–24个月时再次复查CT。',
    },
    comment: MULTIPLE_SOLID_COMMENT,
    source: `${TABLE}, A. Solid nodules, multiple, > 8 mm (> 250 mm³), low-risk patients`,
  },
  {
    id: 'multiple-solid-gt8-high',
    multiplicity: 'multiple',
    types: SOLID,
    sizeMm: ABOVE_8,
    risks: HIGH,
    recommendation: {
      en: 'CT at 3–6 months, then at 18–24 months.',
      'zh-CN': '3–6个月时复查CT，之后在18–24个月时再次复查CT。',
    },
    comment: MULTIPLE_SOLID_COMMENT,
    source: `${TABLE}, A. Solid nodules, multiple, > 8 mm (> 250 mm³), high-risk patients`,
  },
];

const SUBSOLID_ROWS: readonly FleischnerRow[] = [
  {
    id: 'single-ground-glass-lt6',
    multiplicity: 'single',
    types: ['ground-glass'],
    sizeMm: BELOW_6,
    risks: ANY_RISK,
    recommendation: NO_ROUTINE,
    comment: {
      en: 'In certain suspicious nodules < 6 mm, consider follow-up at 2 and 4 years. If solid component(s) or growth develops, consider resection.',
      'zh-CN': '对部分形态可疑的< 6 mm结节，可考虑在第2年和第4年随访。若出现实性成分或增大，应考虑手术切除。',
    },
    source: `${TABLE}, B. Subsolid nodules, single, ground glass, < 6 mm (< 100 mm³)`,
  },
  {
    id: 'single-ground-glass-gte6',
    multiplicity: 'single',
    types: ['ground-glass'],
    sizeMm: AT_LEAST_6,
    risks: ANY_RISK,
    recommendation: {
      en: 'CT at 6–12 months to confirm persistence, then CT every 2 years until 5 years.',
      'zh-CN': '6–12个月时复查CT以确认病灶持续存在，之后每2年复查一次CT，直至满5年。',
    },
    source: `${TABLE}, B. Subsolid nodules, single, ground glass, ≥ 6 mm (> 100 mm³)`,
  },
  {
    id: 'single-part-solid-lt6',
    multiplicity: 'single',
    types: ['part-solid'],
    sizeMm: BELOW_6,
    risks: ANY_RISK,
    recommendation: NO_ROUTINE,
    comment: {
      en: 'In practice, part-solid nodules cannot be defined as such until ≥ 6 mm, and nodules < 6 mm do not usually require follow-up. Persistent part-solid nodules with solid components ≥ 6 mm should be considered highly suspicious.',
      'zh-CN':
        '实践中，结节在达到≥ 6 mm之前难以确切判定为部分实性，< 6 mm的结节通常无需随访。持续存在且实性成分≥ 6 mm的部分实性结节应视为高度可疑。',
    },
    source: `${TABLE}, B. Subsolid nodules, single, part solid, < 6 mm (< 100 mm³)`,
  },
  {
    id: 'single-part-solid-gte6',
    multiplicity: 'single',
    types: ['part-solid'],
    sizeMm: AT_LEAST_6,
    risks: ANY_RISK,
    recommendation: {
      en: 'CT at 3–6 months to confirm persistence. If unchanged and the solid component remains < 6 mm, annual CT should be performed for 5 years.',
      'zh-CN': '3–6个月时复查CT以确认病灶持续存在。若无变化且实性成分仍< 6 mm，应每年复查CT，持续5年。',
    },
    comment: {
      en: 'Persistent part-solid nodules with solid components ≥ 6 mm should be considered highly suspicious.',
      'zh-CN': '持续存在且实性成分≥ 6 mm的部分实性结节应视为高度可疑。',
    },
    source: `${TABLE}, B. Subsolid nodules, single, part solid, ≥ 6 mm (> 100 mm³)`,
  },
  {
    id: 'multiple-subsolid-lt6',
    multiplicity: 'multiple',
    types: SUBSOLID,
    sizeMm: BELOW_6,
    risks: ANY_RISK,
    recommendation: {
      en: 'CT at 3–6 months. If stable, consider CT at 2 and 4 years.',
      'zh-CN': '3–6个月时复查CT。若稳定，考虑在第2年和第4年复查CT。',
    },
    comment: {
      en: 'Multiple < 6 mm pure ground-glass nodules are usually benign, but consider follow-up in selected patients at high risk at 2 and 4 years.',
      'zh-CN': '多发< 6 mm纯磨玻璃结节通常为良性，但对部分高危患者可考虑在第2年和第4年随访。',
    },
    source: `${TABLE}, B. Subsolid nodules, multiple, < 6 mm (< 100 mm³)`,
  },
  {
    id: 'multiple-subsolid-gte6',
    multiplicity: 'multiple',
    types: SUBSOLID,
    sizeMm: AT_LEAST_6,
    risks: ANY_RISK,
    recommendation: {
      en: 'CT at 3–6 months. Subsequent management based on the most suspicious nodule(s).',
      'zh-CN': '3–6个月时复查CT。此后依据最可疑的结节决定处理方案。',
    },
    source: `${TABLE}, B. Subsolid nodules, multiple, ≥ 6 mm (> 100 mm³)`,
  },
];

/** Every row of Table 1. */
export const FLEISCHNER_ROWS: readonly FleischnerRow[] = [
  ...SINGLE_SOLID,
  ...MULTIPLE_SOLID,
  ...SUBSOLID_ROWS,
];

/** Context that decides whether the guideline applies at all. */
export interface FleischnerContext {
  /** Age in years; null when not recorded. */
  readonly ageYears: number | null;
  readonly knownOrSuspectedCancer: boolean;
  readonly immunocompromised: boolean;
  /** The CT is a lung cancer screening examination (use Lung-RADS instead). */
  readonly lungCancerScreening: boolean;
}

export type FleischnerExclusionCode = 'age-under-35' | 'known-cancer' | 'immunocompromised' | 'screening';

export interface FleischnerExclusion {
  readonly code: FleischnerExclusionCode;
  readonly excludes: (context: FleischnerContext) => boolean;
  readonly reason: Localized;
  readonly source: string;
}

const SCOPE = 'MacMahon et al., Radiology 2017;284:228–243 (Fleischner Society 2017)';

/** When the guideline does not apply, with the reason shown to the user. */
export const FLEISCHNER_EXCLUSIONS: readonly FleischnerExclusion[] = [
  {
    code: 'age-under-35',
    excludes: (c) => c.ageYears !== null && c.ageYears < 35,
    reason: {
      en: 'The patient is younger than 35 years: the guideline applies to adults aged 35 or older.',
      'zh-CN': '患者年龄小于35岁：该指南仅适用于35岁及以上的成人。',
    },
    source: `${SCOPE}, scope: patients 35 years of age or older`,
  },
  {
    code: 'known-cancer',
    excludes: (c) => c.knownOrSuspectedCancer,
    reason: {
      en: 'Known or suspected cancer: nodules may be metastases; follow the oncological pathway instead.',
      'zh-CN': '已知或疑似恶性肿瘤：结节可能为转移灶，应按肿瘤诊疗流程处理。',
    },
    source: `${SCOPE}, Table 1 note: does not apply to patients with known primary cancer`,
  },
  {
    code: 'immunocompromised',
    excludes: (c) => c.immunocompromised,
    reason: {
      en: 'Immunocompromised patient: nodules are more often infectious; the guideline does not apply.',
      'zh-CN': '免疫功能低下患者：结节更常见为感染性病变，该指南不适用。',
    },
    source: `${SCOPE}, Table 1 note: does not apply to patients with immunosuppression`,
  },
  {
    code: 'screening',
    excludes: (c) => c.lungCancerScreening,
    reason: {
      en: 'Lung cancer screening examination: use ACR Lung-RADS instead.',
      'zh-CN': '肺癌筛查检查：应改用ACR Lung-RADS。',
    },
    source: `${SCOPE}, Table 1 note: does not apply to lung cancer screening`,
  },
];

/** Shown when age is not recorded: the guideline may apply, but only from 35 years. */
export const FLEISCHNER_AGE_UNKNOWN: Localized = {
  en: 'Age not recorded: the guideline applies only to patients aged 35 or older.',
  'zh-CN': '未记录年龄：该指南仅适用于35岁及以上的患者。',
};
