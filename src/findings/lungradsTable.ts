/**
 * ACR Lung-RADS v2022 as data: the assessment-category rows, the 4X upgrade, the category 0 reasons
 * and the management per category. Each row cites the row of the published table it encodes.
 *
 * Source: American College of Radiology. Lung CT Screening Reporting & Data System (Lung-RADS)
 * v2022, Assessment Categories (released November 2022); summarised in Christensen J, Prosper AE,
 * Wu CC, et al. ACR Lung-RADS v2022: assessment categories and management recommendations.
 * Chest 2024;165(3):738–753.
 *
 * Rows are evaluated in order and the first match wins (see `lungrads.ts`). Only the first rows
 * depend on that order (benign features, proven benign, slow growth, juxtapleural): the published
 * table lets those override size. Every size row states its full condition, so size rows never
 * overlap one another; `lungrads.test.ts` checks that.
 *
 * Not encoded (the radiologist assigns them by hand): airway nodules, atypical pulmonary cysts and
 * the S modifier.
 */
import type {
  Interval,
  LungRadsCategory,
  Localized,
  MarginOrUnspecified,
  NoduleStatus,
  NoduleType,
} from './types';

const TABLE = 'ACR Lung-RADS v2022, Assessment Categories table';

/** A category that a nodule can be assessed as (category 0 belongs to the examination). */
export type AssessedCategory = Exclude<LungRadsCategory, '0'>;

/** The category a stable nodule was being followed as; `none`: not on short-interval follow-up. */
export type PriorCategory = '2' | '3' | '4A' | '4B' | '4X';
export const PRIOR_CATEGORIES: readonly PriorCategory[] = ['2', '3', '4A', '4B', '4X'];

/** Why an examination is category 0 (incomplete). */
export type IncompleteReason = 'prior-ct-pending' | 'lungs-not-evaluable' | 'inflammatory-or-infectious';
export const INCOMPLETE_REASONS: readonly IncompleteReason[] = [
  'prior-ct-pending',
  'lungs-not-evaluable',
  'inflammatory-or-infectious',
];

/** What the rows look at: one nodule, after rounding. */
export interface LungRadsFacts {
  readonly type: NoduleType;
  readonly status: NoduleStatus;
  /** Mean diameter rounded to 0.1 mm. */
  readonly meanDiameterMm: number;
  /** Mean diameter of the solid component rounded to 0.1 mm; null for nodules without one. */
  readonly solidComponentMm: number | null;
  readonly juxtapleural: boolean;
  readonly margin: MarginOrUnspecified;
  readonly fatContaining: boolean;
  readonly slowGrowth: boolean;
  readonly provenBenign: boolean;
  readonly priorCategory: PriorCategory | 'none';
}

/** A row's condition: every field that is present must hold; an absent field admits anything. */
export interface LungRadsCondition {
  readonly types?: readonly NoduleType[];
  readonly statuses?: readonly NoduleStatus[];
  readonly meanDiameterMm?: Interval;
  readonly solidComponentMm?: Interval;
  readonly juxtapleural?: true;
  readonly margins?: readonly MarginOrUnspecified[];
  readonly fatContaining?: true;
  readonly slowGrowth?: true;
  readonly provenBenign?: true;
  readonly priorCategories?: readonly (PriorCategory | 'none')[];
}

export interface LungRadsRow {
  /** Stable identifier, used in output and tests. */
  readonly id: string;
  readonly category: AssessedCategory;
  readonly when: LungRadsCondition;
  /** Document, table and row this encodes. */
  readonly source: string;
  /** Where the table is silent and Lucent had to choose, what it chose and why. */
  readonly interpretation?: string;
  /** Rows whose place in the order matters (they override size rows). */
  readonly precedence?: true;
}

const SOLIDISH: readonly NoduleType[] = ['solid', 'part-solid'];
const STABLE: readonly NoduleStatus[] = ['stable'];
const AT_BASELINE: readonly NoduleStatus[] = ['baseline'];
const NEW: readonly NoduleStatus[] = ['new'];
const GROWING: readonly NoduleStatus[] = ['growing'];

/** Rows that override size: benign features and behaviour. Order matters here. */
const PRECEDENCE_ROWS: readonly LungRadsRow[] = [
  {
    id: 'calcified-benign',
    category: '1',
    when: { types: ['calcified'] },
    source: `${TABLE}, Category 1: nodule(s) with specific calcifications: complete, central, popcorn, concentric rings`,
    precedence: true,
  },
  {
    id: 'fat-containing',
    category: '1',
    when: { fatContaining: true },
    source: `${TABLE}, Category 1: fat-containing nodules`,
    precedence: true,
  },
  {
    id: 'proven-benign',
    category: '2',
    when: { provenBenign: true },
    source: `${TABLE}, Category 2: category 4B lesion(s) proven benign in etiology following appropriate diagnostic workup`,
    precedence: true,
  },
  {
    id: 'slow-growing-solid-or-part-solid',
    category: '4B',
    when: { types: SOLIDISH, slowGrowth: true },
    source: `${TABLE}, Category 4B: slow-growing solid or part solid nodule(s) that demonstrate growth over multiple screening exams`,
    precedence: true,
  },
  {
    id: 'juxtapleural-lt10',
    category: '2',
    when: {
      types: ['solid'],
      juxtapleural: true,
      margins: ['smooth', 'unspecified'],
      statuses: ['baseline', 'new'],
      meanDiameterMm: { lt: 10 },
    },
    source: `${TABLE}, Category 2: juxtapleural nodule(s) < 10 mm (< 524 mm³) mean diameter at baseline or new and: solid; smooth margins; and oval, lentiform or triangular in shape`,
    interpretation:
      'The `juxtapleural` flag asserts the shape criteria (oval, lentiform or triangular); a lobulated or spiculated margin is not smooth, so the row does not apply.',
    precedence: true,
  },
];

const GROUND_GLASS_ROWS: readonly LungRadsRow[] = [
  {
    id: 'ggn-lt30',
    category: '2',
    when: { types: ['ground-glass'], statuses: ['baseline', 'new', 'growing'], meanDiameterMm: { lt: 30 } },
    source: `${TABLE}, Category 2: non solid nodule(s) (GGN) < 30 mm (< 14 137 mm³) at baseline, new, or growing`,
  },
  {
    id: 'ggn-lt30-stable',
    category: '2',
    when: { types: ['ground-glass'], statuses: STABLE, meanDiameterMm: { lt: 30 } },
    source: `${TABLE}, Category 2: non solid nodule(s) (GGN) < 30 mm at baseline, new, or growing, OR ≥ 30 mm stable or slowly growing`,
    interpretation:
      'A stable GGN < 30 mm is not listed as such; it is category 2 because a GGN < 30 mm is category 2 even when growing and a stable GGN ≥ 30 mm is category 2.',
  },
  {
    id: 'ggn-gte30-stable',
    category: '2',
    when: { types: ['ground-glass'], statuses: STABLE, meanDiameterMm: { gte: 30 } },
    source: `${TABLE}, Category 2: non solid nodule(s) (GGN) ≥ 30 mm (≥ 14 137 mm³) stable or slowly growing`,
  },
  {
    id: 'ggn-gte30-slowly-growing',
    category: '2',
    when: { types: ['ground-glass'], slowGrowth: true, meanDiameterMm: { gte: 30 } },
    source: `${TABLE}, Category 2: non solid nodule(s) (GGN) ≥ 30 mm (≥ 14 137 mm³) stable or slowly growing`,
    precedence: true,
  },
  {
    id: 'ggn-gte30-baseline-or-new',
    category: '3',
    when: { types: ['ground-glass'], statuses: ['baseline', 'new'], meanDiameterMm: { gte: 30 } },
    source: `${TABLE}, Category 3: non solid nodule(s) (GGN) ≥ 30 mm (≥ 14 137 mm³) at baseline or new`,
  },
  {
    id: 'ggn-gte30-growing',
    category: '3',
    when: { types: ['ground-glass'], statuses: GROWING, meanDiameterMm: { gte: 30 } },
    source: `${TABLE}, Category 3: non solid nodule(s) (GGN) ≥ 30 mm at baseline or new`,
    interpretation:
      'The table lists a GGN ≥ 30 mm only at baseline or new (3) and stable or slowly growing (2). A GGN ≥ 30 mm that grows by more than 1.5 mm in 12 months without being flagged as slow growth is kept at 3, the more cautious reading.',
  },
];

const SOLID_ROWS: readonly LungRadsRow[] = [
  {
    id: 'solid-baseline-lt6',
    category: '2',
    when: { types: ['solid'], statuses: AT_BASELINE, meanDiameterMm: { lt: 6 } },
    source: `${TABLE}, Category 2: solid nodule(s) < 6 mm (< 113 mm³) at baseline`,
  },
  {
    id: 'solid-baseline-6-to-8',
    category: '3',
    when: { types: ['solid'], statuses: AT_BASELINE, meanDiameterMm: { gte: 6, lt: 8 } },
    source: `${TABLE}, Category 3: solid nodule(s) ≥ 6 to < 8 mm (≥ 113 to < 268 mm³) at baseline`,
  },
  {
    id: 'solid-baseline-8-to-15',
    category: '4A',
    when: { types: ['solid'], statuses: AT_BASELINE, meanDiameterMm: { gte: 8, lt: 15 } },
    source: `${TABLE}, Category 4A: solid nodule(s) ≥ 8 to < 15 mm (≥ 268 to < 1767 mm³) at baseline`,
  },
  {
    id: 'solid-baseline-gte15',
    category: '4B',
    when: { types: ['solid'], statuses: AT_BASELINE, meanDiameterMm: { gte: 15 } },
    source: `${TABLE}, Category 4B: solid nodule(s) ≥ 15 mm (≥ 1767 mm³) at baseline`,
  },
  {
    id: 'solid-new-lt4',
    category: '2',
    when: { types: ['solid'], statuses: NEW, meanDiameterMm: { lt: 4 } },
    source: `${TABLE}, Category 2: solid nodule(s) new < 4 mm (< 34 mm³)`,
  },
  {
    id: 'solid-new-4-to-6',
    category: '3',
    when: { types: ['solid'], statuses: NEW, meanDiameterMm: { gte: 4, lt: 6 } },
    source: `${TABLE}, Category 3: solid nodule(s) new 4 mm to < 6 mm (34 to < 113 mm³)`,
  },
  {
    id: 'solid-new-6-to-8',
    category: '4A',
    when: { types: ['solid'], statuses: NEW, meanDiameterMm: { gte: 6, lt: 8 } },
    source: `${TABLE}, Category 4A: solid nodule(s) new 6 to < 8 mm (113 to < 268 mm³)`,
  },
  {
    id: 'solid-new-gte8',
    category: '4B',
    when: { types: ['solid'], statuses: NEW, meanDiameterMm: { gte: 8 } },
    source: `${TABLE}, Category 4B: solid nodule(s) new or growing, and ≥ 8 mm (≥ 268 mm³)`,
  },
  {
    id: 'solid-growing-lt8',
    category: '4A',
    when: { types: ['solid'], statuses: GROWING, meanDiameterMm: { lt: 8 } },
    source: `${TABLE}, Category 4A: solid nodule(s) growing < 8 mm (< 268 mm³)`,
  },
  {
    id: 'solid-growing-gte8',
    category: '4B',
    when: { types: ['solid'], statuses: GROWING, meanDiameterMm: { gte: 8 } },
    source: `${TABLE}, Category 4B: solid nodule(s) new or growing, and ≥ 8 mm (≥ 268 mm³)`,
  },
];

const PART_SOLID = ['part-solid'] as const satisfies readonly NoduleType[];

const PART_SOLID_ROWS: readonly LungRadsRow[] = [
  {
    id: 'part-solid-baseline-lt6',
    category: '2',
    when: { types: PART_SOLID, statuses: AT_BASELINE, meanDiameterMm: { lt: 6 } },
    source: `${TABLE}, Category 2: part solid nodule(s) < 6 mm total mean diameter (< 113 mm³) at baseline`,
  },
  {
    id: 'part-solid-baseline-solid-lt6',
    category: '3',
    when: {
      types: PART_SOLID,
      statuses: AT_BASELINE,
      meanDiameterMm: { gte: 6 },
      solidComponentMm: { lt: 6 },
    },
    source: `${TABLE}, Category 3: part solid nodule(s) ≥ 6 mm total mean diameter (≥ 113 mm³) with solid component < 6 mm (< 113 mm³) at baseline`,
  },
  {
    id: 'part-solid-baseline-solid-6-to-8',
    category: '4A',
    when: {
      types: PART_SOLID,
      statuses: AT_BASELINE,
      meanDiameterMm: { gte: 6 },
      solidComponentMm: { gte: 6, lt: 8 },
    },
    source: `${TABLE}, Category 4A: part solid nodule(s) ≥ 6 mm total mean diameter (≥ 113 mm³) with solid component ≥ 6 mm to < 8 mm (≥ 113 to < 268 mm³) at baseline`,
  },
  {
    id: 'part-solid-baseline-solid-gte8',
    category: '4B',
    when: {
      types: PART_SOLID,
      statuses: AT_BASELINE,
      meanDiameterMm: { gte: 6 },
      solidComponentMm: { gte: 8 },
    },
    source: `${TABLE}, Category 4B: part solid nodule(s) solid component ≥ 8 mm (≥ 268 mm³) at baseline`,
  },
  {
    id: 'part-solid-new-lt6',
    category: '3',
    when: { types: PART_SOLID, statuses: NEW, meanDiameterMm: { lt: 6 }, solidComponentMm: { lt: 4 } },
    source: `${TABLE}, Category 3: part solid nodule(s) new < 6 mm total mean diameter (< 113 mm³)`,
  },
  {
    id: 'part-solid-new-solid-lt4',
    category: '4A',
    when: { types: PART_SOLID, statuses: NEW, meanDiameterMm: { gte: 6 }, solidComponentMm: { lt: 4 } },
    source: `${TABLE}, Category 4A: part solid nodule(s) new or growing < 4 mm (< 34 mm³) solid component`,
  },
  {
    id: 'part-solid-new-solid-gte4',
    category: '4B',
    when: { types: PART_SOLID, statuses: NEW, solidComponentMm: { gte: 4 } },
    source: `${TABLE}, Category 4B: part solid nodule(s) new or growing ≥ 4 mm (≥ 34 mm³) solid component`,
    interpretation:
      'A new part-solid nodule < 6 mm total with a solid component ≥ 4 mm matches both "new < 6 mm total" (3) and "new ≥ 4 mm solid component" (4B); Lucent takes the more suspicious row.',
  },
  {
    id: 'part-solid-growing-solid-lt4',
    category: '4A',
    when: { types: PART_SOLID, statuses: GROWING, solidComponentMm: { lt: 4 } },
    source: `${TABLE}, Category 4A: part solid nodule(s) new or growing < 4 mm (< 34 mm³) solid component`,
  },
  {
    id: 'part-solid-growing-solid-gte4',
    category: '4B',
    when: { types: PART_SOLID, statuses: GROWING, solidComponentMm: { gte: 4 } },
    source: `${TABLE}, Category 4B: part solid nodule(s) new or growing ≥ 4 mm (≥ 34 mm³) solid component`,
  },
];

/** v2022 stepped management for solid and part-solid nodules that are stable or decreased. */
const STABLE_ROWS: readonly LungRadsRow[] = [
  {
    id: 'stable-after-3',
    category: '2',
    when: { types: SOLIDISH, statuses: STABLE, priorCategories: ['3'] },
    source: `${TABLE}, Category 2: category 3 lesion(s) that are stable or decreased in size at 6-month follow-up CT`,
  },
  {
    id: 'stable-after-4A',
    category: '3',
    when: { types: SOLIDISH, statuses: STABLE, priorCategories: ['4A'] },
    source: `${TABLE}, Category 3: category 4A lesion(s) that are stable or decreased in size at 3-month follow-up CT (excluding airway nodules)`,
  },
  {
    id: 'stable-after-4B',
    category: '4B',
    when: { types: SOLIDISH, statuses: STABLE, priorCategories: ['4B', '4X'] },
    source: `${TABLE}, Category 4B; Category 2 steps a 4B lesion down only when "proven benign in etiology following appropriate diagnostic workup"`,
    interpretation:
      'v2022 steps a 4B lesion down only when it is proven benign; stability alone is not a step-down rule, so a stable 4B (or 4X) lesion stays 4B until the workup says otherwise.',
  },
  {
    id: 'stable-not-on-short-interval-follow-up',
    category: '2',
    when: { types: SOLIDISH, statuses: STABLE, priorCategories: ['none', '2'] },
    source: `${TABLE}, Category 2 descriptor: nodules with a very low likelihood of becoming a clinically active cancer due to size or lack of growth`,
    interpretation:
      'A stable nodule that was not on short-interval follow-up (prior category 1 or 2, or not given) is category 2; size thresholds apply at first detection and when a nodule enlarges into a higher size category.',
  },
];

/** Every Lung-RADS row, in evaluation order. */
export const LUNG_RADS_ROWS: readonly LungRadsRow[] = [
  ...PRECEDENCE_ROWS,
  ...GROUND_GLASS_ROWS,
  ...SOLID_ROWS,
  ...PART_SOLID_ROWS,
  ...STABLE_ROWS,
];

/** Growth: "an increase in mean diameter size of > 1.5 mm (> 2 mm³) within a 12-month interval". */
export const LUNG_RADS_GROWTH = {
  moreThanMm: 1.5,
  withinMonths: 12,
  source: 'ACR Lung-RADS v2022, Assessment Categories, notes: nodule growth',
} as const;

/** The row for an examination without nodules. */
export const NO_NODULES_ROW = {
  id: 'no-nodules',
  category: '1',
  source: `${TABLE}, Category 1: no lung nodules`,
} as const satisfies Pick<LungRadsRow, 'id' | 'category' | 'source'>;

/** The 4X upgrade: category 3 or 4 nodules with features that increase the suspicion for cancer. */
export const LUNG_RADS_4X = {
  from: ['3', '4A', '4B'] as readonly AssessedCategory[],
  margins: ['spiculated'] as readonly MarginOrUnspecified[],
  source: `${TABLE}, Category 4X: category 3 or 4 nodules with additional features or imaging findings that increase the suspicion for lung cancer`,
  interpretation:
    'Spiculation is the example the Lung-RADS notes give for such a feature; any other feature the reader judges suspicious is entered as `suspiciousFeatures`.',
} as const;

/** Management per category (category 0 has one per reason, below). */
export const LUNG_RADS_MANAGEMENT: Readonly<
  Record<AssessedCategory, { readonly text: Localized; readonly source: string }>
> = {
  '1': {
    text: {
      en: 'Continue annual screening with LDCT in 12 months.',
      'zh-CN': '继续年度筛查：12个月后复查低剂量CT（LDCT）。',
    },
    source: `${TABLE}, Category 1, Management`,
  },
  '2': {
    text: {
      en: 'Continue annual screening with LDCT in 12 months.',
      'zh-CN': '继续年度筛查：12个月后复查低剂量CT（LDCT）。',
    },
    source: `${TABLE}, Category 2, Management`,
  },
  '3': {
    text: {
      en: '6-month LDCT. If stable or decreased in size at that follow-up, category 2: return to annual screening.',
      'zh-CN': '6个月后复查低剂量CT（LDCT）。若届时结节稳定或缩小，归为2类，恢复年度筛查。',
    },
    source: `${TABLE}, Category 3, Management (stepped management for stable or decreased nodules)`,
  },
  '4A': {
    text: {
      en: '3-month LDCT; PET/CT may be considered if there is a ≥ 8 mm (≥ 268 mm³) solid nodule or solid component. If stable or decreased in size at 3 months, category 3: 6-month LDCT.',
      'zh-CN':
        '3个月后复查低剂量CT（LDCT）；若存在≥8 mm（≥268 mm³）的实性结节或实性成分，可考虑行PET/CT检查。若3个月时结节稳定或缩小，归为3类，6个月后复查LDCT。',
    },
    source: `${TABLE}, Category 4A, Management (stepped management for stable or decreased nodules)`,
  },
  '4B': {
    text: {
      en: 'Referral for further clinical evaluation: diagnostic chest CT with or without contrast; PET/CT may be considered if there is a ≥ 8 mm (≥ 268 mm³) solid nodule or solid component; tissue sampling; and/or referral for further clinical evaluation. Management depends on clinical evaluation, patient preference and the probability of malignancy.',
      'zh-CN':
        '建议转诊作进一步临床评估：可行诊断性胸部CT（平扫或增强）；若存在≥8 mm（≥268 mm³）的实性结节或实性成分，可考虑行PET/CT检查；可行组织取样；和/或转诊作进一步临床评估。具体处理取决于临床评估、患者意愿及恶性概率。',
    },
    source: `${TABLE}, Category 4B, Management`,
  },
  '4X': {
    text: {
      en: 'Managed as category 4B. Referral for further clinical evaluation: diagnostic chest CT with or without contrast; PET/CT may be considered if there is a ≥ 8 mm (≥ 268 mm³) solid nodule or solid component; tissue sampling; and/or referral for further clinical evaluation. Management depends on clinical evaluation, patient preference and the probability of malignancy.',
      'zh-CN':
        '按4B类处理。建议转诊作进一步临床评估：可行诊断性胸部CT（平扫或增强）；若存在≥8 mm（≥268 mm³）的实性结节或实性成分，可考虑行PET/CT检查；可行组织取样；和/或转诊作进一步临床评估。具体处理取决于临床评估、患者意愿及恶性概率。',
    },
    source: `${TABLE}, Category 4X, Management (as category 4B)`,
  },
};

/** Category 0 (incomplete): the finding and its management, per reason. */
export const LUNG_RADS_INCOMPLETE: Readonly<
  Record<IncompleteReason, { readonly text: Localized; readonly source: string }>
> = {
  'prior-ct-pending': {
    text: {
      en: 'Prior chest CT examination(s) being located for comparison: compare with the prior chest CT, then assign the final category.',
      'zh-CN': '正在调取既往胸部CT以供对比：与既往胸部CT对比后再给出最终分类。',
    },
    source: `${TABLE}, Category 0: prior chest CT examination(s) being located for comparison`,
  },
  'lungs-not-evaluable': {
    text: {
      en: 'Part or all of the lungs cannot be evaluated: additional lung cancer screening CT imaging is needed.',
      'zh-CN': '部分或全部肺野无法评估：需补充肺癌筛查CT成像。',
    },
    source: `${TABLE}, Category 0: part or all of lungs cannot be evaluated`,
  },
  'inflammatory-or-infectious': {
    text: {
      en: 'Findings suggestive of an inflammatory or infectious process: 1–3 month LDCT; at that follow-up, assign a new category based on the most suspicious nodule.',
      'zh-CN':
        '表现提示炎症或感染性病变：建议1–3个月后复查低剂量CT（LDCT）；届时依据最可疑的结节重新分类并给出处理建议。',
    },
    source: `${TABLE}, Category 0: findings suggestive of an inflammatory or infectious process`,
  },
};
