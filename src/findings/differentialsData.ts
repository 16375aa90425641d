/**
 * A small differential-diagnosis knowledge base for lung nodules, as data. Each rule maps nodule
 * features (type, size, margin, calcification, fat, juxtapleural position) to suggestions; each
 * suggestion carries a one-line rationale and a literature reference. Context rules (age, sex) move
 * suggestions that are already there up or down; they never add one.
 *
 * Weights order suggestions; they are not probabilities and are never shown. For a probability, use
 * the Brock model (`brock.ts`). Everything here is a suggestion for the reader, never a diagnosis.
 */
import type {
  CalcificationPattern,
  Interval,
  Localized,
  MarginOrUnspecified,
  NoduleType,
  Sex,
} from './types';

/** The literature the rules cite. */
export const REFERENCES = {
  erasmus2000:
    'Erasmus JJ, Connolly JE, McAdams HP, Roggli VL. Solitary pulmonary nodules: Part I. Morphologic evaluation for differentiation of benign and malignant lesions. RadioGraphics 2000;20(1):43–58.',
  siegelman1986:
    'Siegelman SS, Khouri NF, Scott WW Jr, et al. Pulmonary hamartoma: CT findings. Radiology 1986;160(2):313–317.',
  khan2010:
    'Khan AN, Al-Jahdali HH, Allen CM, Irion KL, Al Ghanem S, Koteyar SS. The calcified lung nodule: what does it mean? Ann Thorac Med 2010;5(2):67–79.',
  travis2011:
    'Travis WD, Brambilla E, Noguchi M, et al. International Association for the Study of Lung Cancer/American Thoracic Society/European Respiratory Society international multidisciplinary classification of lung adenocarcinoma. J Thorac Oncol 2011;6(2):244–285.',
  naidich2013:
    'Naidich DP, Bankier AA, MacMahon H, et al. Recommendations for the management of subsolid pulmonary nodules detected at CT: a statement from the Fleischner Society. Radiology 2013;266(1):304–317.',
  kim2007:
    'Kim HY, Shim YM, Lee KS, Han J, Yi CA, Kim YK. Persistent pulmonary nodular ground-glass opacity at thin-section CT: histopathologic comparisons. Radiology 2007;245(1):267–275.',
  henschke2002:
    'Henschke CI, Yankelevitz DF, Mirtcheva R, et al. CT screening for lung cancer: frequency and significance of part-solid and nonsolid nodules. AJR Am J Roentgenol 2002;178(5):1053–1057.',
  lee2010:
    'Lee SM, Park CM, Goo JM, et al. Transient part-solid nodules detected at screening thin-section CT for lung cancer: comparison with persistent part-solid nodules. Radiology 2010;255(1):242–251.',
  zwirewich1991:
    'Zwirewich CV, Vedal S, Miller RR, Müller NL. Solitary pulmonary nodule: high-resolution CT and radiologic-pathologic correlation. Radiology 1991;179(2):469–476.',
  mcwilliams2013:
    'McWilliams A, Tammemagi MC, Mayo JR, et al. Probability of cancer in pulmonary nodules detected on first screening CT. N Engl J Med 2013;369(10):910–919.',
  macmahon2017:
    'MacMahon H, Naidich DP, Goo JM, et al. Guidelines for management of incidental pulmonary nodules detected on CT images: from the Fleischner Society 2017. Radiology 2017;284(1):228–243.',
  ahn2010:
    'Ahn MI, Gleeson TG, Chan IH, et al. Perifissural nodules seen at CT screening for lung cancer. Radiology 2010;254(3):949–956.',
  meisinger2011:
    'Meisinger QC, Klein JS, Butnor KJ, Gentchos G, Leavitt BJ. CT features of peripheral pulmonary carcinoid tumors. AJR Am J Roentgenol 2011;197(5):1073–1080.',
  seo2001:
    'Seo JB, Im JG, Goo JM, Chung MJ, Kim MY. Atypical pulmonary metastases: spectrum of radiologic findings. RadioGraphics 2001;21(2):403–417.',
} as const;

export type DifferentialId =
  | 'primary-lung-cancer'
  | 'invasive-adenocarcinoma'
  | 'adenocarcinoma-spectrum'
  | 'infection-inflammation'
  | 'granuloma'
  | 'hamartoma'
  | 'intrapulmonary-lymph-node'
  | 'focal-fibrosis'
  | 'carcinoid'
  | 'metastasis';

export const DIFFERENTIAL_LABELS: Readonly<Record<DifferentialId, Localized>> = {
  'primary-lung-cancer': { en: 'Primary lung cancer', 'zh-CN': '原发性肺癌' },
  'invasive-adenocarcinoma': { en: 'Invasive adenocarcinoma', 'zh-CN': '浸润性腺癌' },
  'adenocarcinoma-spectrum': {
    en: 'Adenocarcinoma spectrum (AAH, AIS, MIA)',
    'zh-CN': '腺癌谱系病变（非典型腺瘤样增生AAH、原位腺癌AIS、微浸润腺癌MIA）',
  },
  'infection-inflammation': { en: 'Focal infection or inflammation', 'zh-CN': '局灶性感染或炎症' },
  granuloma: { en: 'Granuloma', 'zh-CN': '肉芽肿' },
  hamartoma: { en: 'Hamartoma', 'zh-CN': '错构瘤' },
  'intrapulmonary-lymph-node': { en: 'Intrapulmonary lymph node', 'zh-CN': '肺内淋巴结' },
  'focal-fibrosis': { en: 'Focal fibrosis or scar', 'zh-CN': '局灶性纤维化或瘢痕' },
  carcinoid: { en: 'Carcinoid tumour', 'zh-CN': '类癌' },
  metastasis: { en: 'Metastasis', 'zh-CN': '转移瘤' },
};

/** What a rule looks at. Every field that is present must hold. */
export interface DifferentialCondition {
  readonly types?: readonly NoduleType[];
  readonly meanDiameterMm?: Interval;
  readonly margins?: readonly MarginOrUnspecified[];
  readonly calcifications?: readonly (CalcificationPattern | 'unspecified')[];
  readonly fatContaining?: true;
  readonly juxtapleural?: true;
  readonly knownExtrathoracicCancer?: true;
  readonly ageYears?: Interval;
  readonly sexes?: readonly Sex[];
}

export interface DifferentialEntry {
  readonly dx: DifferentialId;
  /** Orders suggestions (0–1); not a probability. */
  readonly weight: number;
  readonly rationale: Localized;
  readonly reference: string;
}

export interface DifferentialRule {
  readonly id: string;
  readonly when: DifferentialCondition;
  readonly suggest: readonly DifferentialEntry[];
}

export interface ContextRule {
  readonly id: string;
  readonly when: DifferentialCondition;
  /** Added to the weight of suggestions already present. */
  readonly adjust: Readonly<Partial<Record<DifferentialId, number>>>;
  readonly rationale: Localized;
  readonly reference: string;
}

const R = REFERENCES;

const CALCIFICATION_RULES: readonly DifferentialRule[] = [
  {
    id: 'benign-calcification',
    when: { calcifications: ['diffuse', 'central', 'laminated'] },
    suggest: [
      {
        dx: 'granuloma',
        weight: 0.95,
        rationale: {
          en: 'Diffuse, central or laminated calcification is a benign pattern, typical of a healed granulomatous infection.',
          'zh-CN': '弥漫性、中心性或层状钙化属良性钙化模式，典型见于愈合的肉芽肿性感染。',
        },
        reference: R.erasmus2000,
      },
      {
        dx: 'hamartoma',
        weight: 0.4,
        rationale: {
          en: 'A minority of hamartomas calcify; their typical pattern is popcorn calcification.',
          'zh-CN': '少数错构瘤可见钙化，其典型表现为爆米花样钙化。',
        },
        reference: R.siegelman1986,
      },
    ],
  },
  {
    id: 'popcorn-calcification',
    when: { calcifications: ['popcorn'] },
    suggest: [
      {
        dx: 'hamartoma',
        weight: 0.95,
        rationale: {
          en: 'Popcorn (chondroid) calcification is characteristic of hamartoma.',
          'zh-CN': '爆米花样（软骨样）钙化是错构瘤的特征性表现。',
        },
        reference: R.siegelman1986,
      },
      {
        dx: 'granuloma',
        weight: 0.4,
        rationale: {
          en: 'Granulomas are the commonest calcified nodules, though rarely with a popcorn pattern.',
          'zh-CN': '肉芽肿是最常见的钙化结节，但少见爆米花样钙化。',
        },
        reference: R.khan2010,
      },
    ],
  },
  {
    id: 'calcified-pattern-not-described',
    when: { types: ['calcified'], calcifications: ['unspecified', 'none'] },
    suggest: [
      {
        dx: 'granuloma',
        weight: 0.9,
        rationale: {
          en: 'Most calcified lung nodules are healed granulomas.',
          'zh-CN': '大多数钙化性肺结节为愈合的肉芽肿。',
        },
        reference: R.khan2010,
      },
      {
        dx: 'hamartoma',
        weight: 0.6,
        rationale: {
          en: 'Hamartoma is the next most common benign calcified nodule (popcorn calcification, fat).',
          'zh-CN': '错构瘤是其次常见的良性钙化结节（爆米花样钙化、含脂肪）。',
        },
        reference: R.siegelman1986,
      },
    ],
  },
  {
    id: 'indeterminate-calcification',
    when: { calcifications: ['stippled', 'eccentric', 'amorphous'] },
    suggest: [
      {
        dx: 'primary-lung-cancer',
        weight: 0.6,
        rationale: {
          en: 'Stippled, eccentric or amorphous calcification is indeterminate and does not exclude malignancy.',
          'zh-CN': '点状、偏心性或无定形钙化性质不确定，不能排除恶性。',
        },
        reference: R.erasmus2000,
      },
      {
        dx: 'granuloma',
        weight: 0.5,
        rationale: {
          en: 'Granulomas can also calcify irregularly.',
          'zh-CN': '肉芽肿也可出现不规则钙化。',
        },
        reference: R.khan2010,
      },
      {
        dx: 'carcinoid',
        weight: 0.35,
        rationale: {
          en: 'Carcinoid tumours often contain calcification.',
          'zh-CN': '类癌常含有钙化。',
        },
        reference: R.meisinger2011,
      },
    ],
  },
  {
    id: 'fat-containing',
    when: { fatContaining: true },
    suggest: [
      {
        dx: 'hamartoma',
        weight: 0.95,
        rationale: {
          en: 'Fat within a well-defined nodule indicates hamartoma.',
          'zh-CN': '边界清楚的结节内含脂肪提示错构瘤。',
        },
        reference: R.siegelman1986,
      },
    ],
  },
];

const SUBSOLID_RULES: readonly DifferentialRule[] = [
  {
    id: 'ground-glass',
    when: { types: ['ground-glass'] },
    suggest: [
      {
        dx: 'adenocarcinoma-spectrum',
        weight: 0.85,
        rationale: {
          en: 'A persistent pure ground-glass nodule typically corresponds to AAH, AIS or MIA.',
          'zh-CN': '持续存在的纯磨玻璃结节通常对应AAH、AIS或MIA。',
        },
        reference: R.travis2011,
      },
      {
        dx: 'infection-inflammation',
        weight: 0.6,
        rationale: {
          en: 'Many ground-glass nodules are transient (infection, inflammation, haemorrhage); follow-up confirms persistence.',
          'zh-CN': '不少磨玻璃结节为一过性病变（感染、炎症、出血），需随访确认是否持续存在。',
        },
        reference: R.naidich2013,
      },
      {
        dx: 'focal-fibrosis',
        weight: 0.3,
        rationale: {
          en: 'Focal interstitial fibrosis can persist as a ground-glass nodule.',
          'zh-CN': '局灶性间质纤维化可表现为持续存在的磨玻璃结节。',
        },
        reference: R.kim2007,
      },
    ],
  },
  {
    id: 'part-solid',
    when: { types: ['part-solid'] },
    suggest: [
      {
        dx: 'invasive-adenocarcinoma',
        weight: 0.85,
        rationale: {
          en: 'Part-solid nodules carry the highest malignancy rate of all nodule types; the solid part often reflects invasion.',
          'zh-CN': '部分实性结节在各类结节中恶性比例最高，其实性成分常提示浸润。',
        },
        reference: R.henschke2002,
      },
      {
        dx: 'adenocarcinoma-spectrum',
        weight: 0.6,
        rationale: {
          en: 'A small solid component (≤ 5 mm invasion) fits minimally invasive adenocarcinoma.',
          'zh-CN': '实性成分较小（浸润灶≤ 5 mm）时符合微浸润腺癌。',
        },
        reference: R.travis2011,
      },
      {
        dx: 'infection-inflammation',
        weight: 0.5,
        rationale: {
          en: 'Many part-solid nodules found at screening resolve at short-term follow-up (infection, organising pneumonia).',
          'zh-CN': '筛查发现的部分实性结节中有相当一部分在短期随访中吸收（感染、机化性肺炎）。',
        },
        reference: R.lee2010,
      },
    ],
  },
];

const SOLID_MARGIN_RULES: readonly DifferentialRule[] = [
  {
    id: 'spiculated-solid-gte8',
    when: { types: ['solid'], margins: ['spiculated'], meanDiameterMm: { gte: 8 } },
    suggest: [
      {
        dx: 'primary-lung-cancer',
        weight: 1,
        rationale: {
          en: 'A spiculated solid nodule of 8 mm or more is primary lung cancer until proven otherwise.',
          'zh-CN': '≥ 8 mm的毛刺状实性结节应首先考虑原发性肺癌，直至有证据排除。',
        },
        reference: R.mcwilliams2013,
      },
      {
        dx: 'infection-inflammation',
        weight: 0.35,
        rationale: {
          en: 'Organising pneumonia and granulomatous infection can also have spiculated margins.',
          'zh-CN': '机化性肺炎和肉芽肿性感染亦可呈毛刺状边缘。',
        },
        reference: R.zwirewich1991,
      },
      {
        dx: 'focal-fibrosis',
        weight: 0.3,
        rationale: {
          en: 'Scars may be spiculated; stability over time supports a scar.',
          'zh-CN': '瘢痕可呈毛刺状；随访长期稳定支持瘢痕。',
        },
        reference: R.erasmus2000,
      },
    ],
  },
  {
    id: 'spiculated-solid-lt8',
    when: { types: ['solid'], margins: ['spiculated'], meanDiameterMm: { lt: 8 } },
    suggest: [
      {
        dx: 'primary-lung-cancer',
        weight: 0.7,
        rationale: {
          en: 'Spiculation is an independent predictor of malignancy, even in small nodules.',
          'zh-CN': '毛刺征是恶性的独立预测因素，小结节亦然。',
        },
        reference: R.mcwilliams2013,
      },
      {
        dx: 'focal-fibrosis',
        weight: 0.5,
        rationale: {
          en: 'Small spiculated opacities are often scars; stability over time supports a scar.',
          'zh-CN': '小的毛刺状病灶常为瘢痕；随访长期稳定支持瘢痕。',
        },
        reference: R.erasmus2000,
      },
      {
        dx: 'infection-inflammation',
        weight: 0.4,
        rationale: {
          en: 'Inflammatory nodules can be spiculated and may resolve at follow-up.',
          'zh-CN': '炎性结节可呈毛刺状，随访中可吸收。',
        },
        reference: R.zwirewich1991,
      },
    ],
  },
  {
    id: 'lobulated-solid',
    when: { types: ['solid'], margins: ['lobulated'] },
    suggest: [
      {
        dx: 'primary-lung-cancer',
        weight: 0.75,
        rationale: {
          en: 'Lobulation reflects uneven growth and is associated with malignancy.',
          'zh-CN': '分叶征反映生长不均匀，与恶性相关。',
        },
        reference: R.erasmus2000,
      },
      {
        dx: 'hamartoma',
        weight: 0.45,
        rationale: {
          en: 'Benign nodules such as hamartomas can also be lobulated.',
          'zh-CN': '错构瘤等良性结节亦可呈分叶状。',
        },
        reference: R.siegelman1986,
      },
      {
        dx: 'carcinoid',
        weight: 0.35,
        rationale: {
          en: 'Peripheral carcinoid tumours are typically well defined, round or lobulated.',
          'zh-CN': '周围型类癌通常边界清楚，呈圆形或分叶状。',
        },
        reference: R.meisinger2011,
      },
    ],
  },
  {
    id: 'smooth-solid-gte6',
    when: { types: ['solid'], margins: ['smooth'], meanDiameterMm: { gte: 6 } },
    suggest: [
      {
        dx: 'primary-lung-cancer',
        weight: 0.55,
        rationale: {
          en: 'A smooth margin favours a benign nodule but does not exclude cancer.',
          'zh-CN': '边缘光滑倾向良性，但不能排除肺癌。',
        },
        reference: R.erasmus2000,
      },
      {
        dx: 'granuloma',
        weight: 0.5,
        rationale: {
          en: 'Granulomas are the commonest smooth benign solid nodules.',
          'zh-CN': '肉芽肿是最常见的边缘光滑的良性实性结节。',
        },
        reference: R.erasmus2000,
      },
      {
        dx: 'hamartoma',
        weight: 0.45,
        rationale: {
          en: 'Hamartomas are typically smooth, well-defined nodules; look for fat or popcorn calcification.',
          'zh-CN': '错构瘤通常边缘光滑、边界清楚；注意寻找脂肪或爆米花样钙化。',
        },
        reference: R.siegelman1986,
      },
      {
        dx: 'carcinoid',
        weight: 0.3,
        rationale: {
          en: 'Peripheral carcinoid tumours are typically well defined, round or lobulated.',
          'zh-CN': '周围型类癌通常边界清楚，呈圆形或分叶状。',
        },
        reference: R.meisinger2011,
      },
    ],
  },
  {
    id: 'solid-lt6',
    when: { types: ['solid'], margins: ['smooth', 'unspecified'], meanDiameterMm: { lt: 6 } },
    suggest: [
      {
        dx: 'granuloma',
        weight: 0.6,
        rationale: {
          en: 'Solid nodules under 6 mm are almost always benign (cancer risk below 1%), most often granulomas.',
          'zh-CN': '< 6 mm的实性结节几乎均为良性（恶性风险低于1%），最常见为肉芽肿。',
        },
        reference: R.macmahon2017,
      },
      {
        dx: 'intrapulmonary-lymph-node',
        weight: 0.5,
        rationale: {
          en: 'Small smooth nodules near a fissure or the pleura are often intrapulmonary lymph nodes.',
          'zh-CN': '邻近叶间裂或胸膜的小而光滑的结节常为肺内淋巴结。',
        },
        reference: R.ahn2010,
      },
      {
        dx: 'primary-lung-cancer',
        weight: 0.15,
        rationale: {
          en: 'Cancer is rare at this size, but not excluded in people at high risk.',
          'zh-CN': '此大小的结节少见肺癌，但对高危人群不能完全排除。',
        },
        reference: R.macmahon2017,
      },
    ],
  },
  {
    id: 'solid-margin-not-described-6-to-8',
    when: { types: ['solid'], margins: ['unspecified'], meanDiameterMm: { gte: 6, lt: 8 } },
    suggest: [
      {
        dx: 'granuloma',
        weight: 0.5,
        rationale: {
          en: 'Most solid nodules of 6–8 mm are benign, most often granulomas.',
          'zh-CN': '6–8 mm的实性结节多为良性，最常见为肉芽肿。',
        },
        reference: R.macmahon2017,
      },
      {
        dx: 'primary-lung-cancer',
        weight: 0.45,
        rationale: {
          en: 'The risk of cancer rises with size; describe the margin to refine this.',
          'zh-CN': '恶性风险随结节增大而升高；描述边缘特征有助于进一步判断。',
        },
        reference: R.mcwilliams2013,
      },
      {
        dx: 'intrapulmonary-lymph-node',
        weight: 0.35,
        rationale: {
          en: 'Intrapulmonary lymph nodes are common among small solid nodules, especially near fissures.',
          'zh-CN': '肺内淋巴结在小的实性结节中较常见，尤其是邻近叶间裂者。',
        },
        reference: R.ahn2010,
      },
    ],
  },
  {
    id: 'solid-margin-not-described-gte8',
    when: { types: ['solid'], margins: ['unspecified'], meanDiameterMm: { gte: 8 } },
    suggest: [
      {
        dx: 'primary-lung-cancer',
        weight: 0.7,
        rationale: {
          en: 'The risk of cancer rises with size; solid nodules of 8 mm or more warrant work-up.',
          'zh-CN': '恶性风险随结节增大而升高；≥ 8 mm的实性结节需进一步检查。',
        },
        reference: R.mcwilliams2013,
      },
      {
        dx: 'granuloma',
        weight: 0.45,
        rationale: {
          en: 'Granulomas remain a common benign cause at this size.',
          'zh-CN': '此大小的结节中肉芽肿仍是常见的良性病因。',
        },
        reference: R.erasmus2000,
      },
      {
        dx: 'infection-inflammation',
        weight: 0.35,
        rationale: {
          en: 'A larger solid nodule may be inflammatory, especially if new; short-term follow-up can show resolution.',
          'zh-CN': '较大的实性结节（尤其新发者）可能为炎性病变，短期随访可见吸收。',
        },
        reference: R.macmahon2017,
      },
    ],
  },
];

const POSITION_AND_HISTORY_RULES: readonly DifferentialRule[] = [
  {
    id: 'juxtapleural-solid-lt10',
    when: {
      types: ['solid'],
      juxtapleural: true,
      margins: ['smooth', 'unspecified'],
      meanDiameterMm: { lt: 10 },
    },
    suggest: [
      {
        dx: 'intrapulmonary-lymph-node',
        weight: 0.9,
        rationale: {
          en: 'A smooth solid perifissural or juxtapleural nodule (oval, lentiform or triangular) is almost always an intrapulmonary lymph node.',
          'zh-CN': '边缘光滑的叶间裂旁或胸膜下实性结节（卵圆形、透镜形或三角形）几乎均为肺内淋巴结。',
        },
        reference: R.ahn2010,
      },
    ],
  },
  {
    id: 'known-extrathoracic-cancer',
    when: { types: ['solid'], knownExtrathoracicCancer: true },
    suggest: [
      {
        dx: 'metastasis',
        weight: 0.8,
        rationale: {
          en: 'With a known extrathoracic cancer, a solid nodule may be a metastasis.',
          'zh-CN': '已知胸外恶性肿瘤时，实性结节可能为转移瘤。',
        },
        reference: R.seo2001,
      },
    ],
  },
];

/** Every feature rule, in the order ties are broken. */
export const DIFFERENTIAL_RULES: readonly DifferentialRule[] = [
  ...CALCIFICATION_RULES,
  ...POSITION_AND_HISTORY_RULES,
  ...SUBSOLID_RULES,
  ...SOLID_MARGIN_RULES,
];

/** Age and sex move suggestions that are already there. */
export const CONTEXT_RULES: readonly ContextRule[] = [
  {
    id: 'age-under-35',
    when: { ageYears: { lt: 35 } },
    adjust: {
      'primary-lung-cancer': -0.3,
      'invasive-adenocarcinoma': -0.3,
      'adenocarcinoma-spectrum': -0.2,
      'infection-inflammation': 0.1,
      granuloma: 0.1,
    },
    rationale: {
      en: 'Lung cancer is rare before 35 years; infection and granulomas are more likely.',
      'zh-CN': '35岁以下肺癌少见，感染和肉芽肿的可能性更大。',
    },
    reference: R.macmahon2017,
  },
  {
    id: 'age-65-or-older',
    when: { ageYears: { gte: 65 } },
    adjust: { 'primary-lung-cancer': 0.1, 'invasive-adenocarcinoma': 0.1 },
    rationale: {
      en: 'The probability of malignancy rises with age (an independent predictor in the Brock model).',
      'zh-CN': '恶性概率随年龄增长而升高（Brock模型中的独立预测因素）。',
    },
    reference: R.mcwilliams2013,
  },
  {
    id: 'female',
    when: { sexes: ['female'] },
    adjust: { 'primary-lung-cancer': 0.05, 'invasive-adenocarcinoma': 0.05, 'adenocarcinoma-spectrum': 0.05 },
    rationale: {
      en: 'Female sex was an independent predictor of malignancy in the PanCan cohort.',
      'zh-CN': '在PanCan队列中，女性是恶性的独立预测因素。',
    },
    reference: R.mcwilliams2013,
  },
];

/** Shown with every list of suggestions. */
export const DIFFERENTIALS_DISCLAIMER: Localized = {
  en: 'Suggestions for the reader to consider, ranked by imaging features; not a diagnosis.',
  'zh-CN': '以下为依据影像特征排序的鉴别诊断建议，供阅片者参考，并非诊断结论。',
};
