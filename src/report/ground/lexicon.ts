/**
 * The words the grounding check reads, in English and Chinese: what a nodule is called, its types,
 * sides, zones and lobes, what makes a size a technique parameter or another organ's, negation, and
 * the markers of guideline wording. Patterns are matched on normalised, lower-cased text.
 */
import type { NoduleType } from '../../findings/types';

export type Side = 'right' | 'left';
export type Zone = 'upper' | 'middle' | 'lower';

/** Words for a nodule (or a finding): a sentence with one of them speaks of findings. */
export const NODULE_WORD =
  /nodul(?:e|es|ar)|lesions?|opacit(?:y|ies)|\bmass(?:es)?\b|\bgg[on]s?\b|\bneoplasm|结节|病灶|肿块|团块|占位|磨玻璃|密度影/u;
/** Plural nodule nouns: the sentence speaks of more than one. */
export const PLURAL_NODULE = /nodules|lesions|opacities|masses|\bgg[on]s\b|多发|多个|数个|散在|两个|几个|各/u;

/** Sizes near these words describe the acquisition, not a finding. */
export const TECHNIQUE_WORD =
  /slices?\b|sections?\b|thick|collimat|reconstruct|increment|\binterval|kernel|pitch|helical|\bfov\b|field of view|pixel|matrix|层厚|层距|层间距|重建|准直|螺距|视野|间隔|薄层|扫描/u;
/** Sizes in a clause about another structure (and without a nodule word) are not findings'. */
export const OTHER_STRUCTURE =
  /lymph|\bnodes?\b|aort|arter|\bvein|trache|bronch(?!ioloalveolar)|effusion|thicken|hernia|thyroid|\bliver|hepat|kidney|renal|adrenal|spleen|splenic|heart|cardiac|pericardi|esophag|oesophag|\bbone|\brib|vertebra|spine|breast|calibre|caliber|淋巴结|主动脉|肺动脉|积液|甲状腺|肝|肾|脾|心包|心脏|食管|椎|肋骨|气管|乳腺|增厚|疝/u;

/** Type words, longest first; each admits a set of types. */
export const TYPE_WORDS: readonly { readonly re: RegExp; readonly types: readonly NoduleType[] }[] = [
  {
    re: /non-?calcified|not calcified|without calcification|no calcifications?|非钙化|无钙化|未见钙化/gu,
    types: ['solid', 'part-solid', 'ground-glass'],
  },
  {
    re: /(?:no|without(?: an?)?) solid (?:component|part|portion)|无实性成分|未见实性成分/gu,
    types: ['solid', 'ground-glass', 'calcified'],
  },
  { re: /sub-?solid|亚实性/gu, types: ['part-solid', 'ground-glass'] },
  {
    re: /part(?:ly|ially)?[- ]?solid|semi-?solid|mixed(?:[- ]ground[- ]glass)?(?: density| attenuation)?|部分实性|混合磨玻璃|混杂磨玻璃|混合密度|混杂密度/gu,
    types: ['part-solid'],
  },
  {
    re: /(?:pure |purely )?ground[- ]?glass|\bgg[on]s?\b|non-?solid|纯磨玻璃|磨玻璃/gu,
    types: ['ground-glass'],
  },
  { re: /calcified|calcification|钙化/gu, types: ['calcified'] },
  { re: /\bsolid\b|实性/gu, types: ['solid'] },
];
/** A solid part of a nodule: a size after it is the solid component, and "solid" here is no type. */
export const SOLID_COMPONENT = /solid (?:component|part|portion|core)|实性成分|实性部分/gu;

/** Size labels: which dimension a size after them gives. */
export const DIMENSION_HINTS: readonly { readonly re: RegExp; readonly hint: DimensionHint }[] = [
  { re: /solid (?:component|part|portion|core)|实性成分|实性部分/u, hint: 'solid' },
  { re: /mean|average|平均/u, hint: 'mean' },
  { re: /short[- ]?axis|shortest|短径|短轴/u, hint: 'short' },
  { re: /long[- ]?axis|longest|长径|长轴|最大径/u, hint: 'long' },
  { re: /volume|体积/u, hint: 'volume' },
];
export type DimensionHint = 'any' | 'mean' | 'long' | 'short' | 'solid' | 'volume';

export interface SideWord {
  readonly re: RegExp;
  readonly sides: readonly Side[];
  /** Zones a lobe word admits (a lobe is not a zone: the upper lobe reaches the middle third). */
  readonly zones?: readonly Zone[];
  /** Whether the zone is stated exactly ("upper zone") rather than implied by a lobe. */
  readonly exactZone?: boolean;
}

const UPPER_LOBE: readonly Zone[] = ['upper', 'middle'];
const MIDDLE_LOBE: readonly Zone[] = ['middle', 'lower'];
const LOWER_LOBE: readonly Zone[] = ['middle', 'lower'];

/** Sides with lobes (abbreviations first). */
export const LOBE_ABBREVIATIONS: readonly SideWord[] = [
  { re: /\brul\b/gu, sides: ['right'], zones: UPPER_LOBE },
  { re: /\brml\b/gu, sides: ['right'], zones: MIDDLE_LOBE },
  { re: /\brll\b/gu, sides: ['right'], zones: LOWER_LOBE },
  { re: /\blul\b/gu, sides: ['left'], zones: UPPER_LOBE },
  { re: /\blll\b/gu, sides: ['left'], zones: LOWER_LOBE },
];

export const SIDE_WORDS: readonly SideWord[] = [
  { re: /bilateral(?:ly)?|both lungs|双肺|两肺|双侧/gu, sides: ['right', 'left'] },
  { re: /\bright\b|\brt\b|右(?!侧?[上下]?肢)/gu, sides: ['right'] },
  { re: /\bleft\b|\blt\b|左/gu, sides: ['left'] },
];

/** Zones stated as zones, and lobes (which admit zones). */
export const ZONE_WORDS: readonly {
  readonly re: RegExp;
  readonly zones: readonly Zone[];
  readonly exact: boolean;
}[] = [
  {
    re: /\b(?:upper|superior)(?:[- ]lung)? (?:zone|third|field)s?\b|上(?:肺)?野/gu,
    zones: ['upper'],
    exact: true,
  },
  {
    re: /\b(?:middle|mid)(?:[- ]lung)? (?:zone|third|field)s?\b|中(?:肺)?野/gu,
    zones: ['middle'],
    exact: true,
  },
  {
    re: /\b(?:lower|inferior)(?:[- ]lung)? (?:zone|third|field)s?\b|下(?:肺)?野/gu,
    zones: ['lower'],
    exact: true,
  },
  { re: /\bupper lobes?\b|上叶|上肺/gu, zones: UPPER_LOBE, exact: false },
  { re: /\bmiddle lobe\b|\blingula(?:r)?\b|中叶|舌段/gu, zones: MIDDLE_LOBE, exact: false },
  { re: /\blower lobes?\b|下叶|下肺/gu, zones: LOWER_LOBE, exact: false },
  { re: /\bapex\b|\bapical\b|\bapices\b|肺尖|尖段/gu, zones: ['upper'], exact: false },
  { re: /\bbases?\b|\bbasal\b|\bbasilar\b|肺底|基底段/gu, zones: ['lower'], exact: false },
];

/** "About": Chinese 左右 after a size is not a side. */
export const APPROXIMATELY_ZH = /左右/gu;

/** Words that make a count or an absence relative to what was said before (not checkable alone). */
export const RELATIVE =
  /\b(?:other|another|additional|further|more|new|newly|remaining|previously|else|growing|enlarging)\b|其余|其他|其它|余肺|另|新发|新出现|增大/u;
/** A suspicious nodule: Lung-RADS 4A, 4B or 4X. */
export const SUSPICIOUS = /suspicious|worrisome|concerning|可疑|恶性征象/u;

/** Markers of guideline wording (management, follow-up, thresholds). */
export const GUIDELINE_WORD =
  /lung-?rads|fleischner|pet\/?ct|ldct|low-dose|follow-?up|screening|management|manage|recommend|categor|threshold|guideline|if there is|may be considered|复查|随访|筛查|建议|指南|处理|类|可考虑|若/u;
/** A conditional: a category after it in the same sentence is what the guideline says would follow. */
export const CONDITIONAL =
  /\b(?:if|when|unless|should|then|would|otherwise|upgrade|downgrade)\b|若|如果|如|则|届时|归为/u;
/** Marks a category as the examination's rather than one finding's. */
export const OVERALL =
  /overall|examination|\bexam\b|\bcase\b|\bstudy\b|summary|impression|总体|整体|综合|总的|本次检查/u;
/** Anaphora: a sentence that starts this way continues about the previous sentence's findings. */
export const ANAPHORA =
  /^\s*(?:it|its|this|these|they|which|the (?:nodule|lesion|opacity|latter|former|largest|smallest)|其|该|此|上述|前述|这)/iu;
