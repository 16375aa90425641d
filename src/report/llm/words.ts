/**
 * The words a report uses for the values a finding has: nodule types, sides and zones, in English and
 * Simplified Chinese. The prompt writes facts with the first word of each list; the constrained decoder
 * guards every word of every list (a model may paraphrase "ground glass" for "ground-glass", never say
 * "left" for a right-sided nodule).
 */
import type { NoduleLocation, NoduleType } from '../../findings/types';
import type { Language } from '../../i18n/language';

export type WordClass = 'type' | 'side' | 'zone';

export interface ClassWords {
  readonly type: Readonly<Record<NoduleType, readonly string[]>>;
  readonly side: Readonly<Record<NoduleLocation['side'], readonly string[]>>;
  readonly zone: Readonly<Record<NoduleLocation['zone'], readonly string[]>>;
}

export const WORDS: Readonly<Record<Language, ClassWords>> = {
  en: {
    type: {
      solid: ['solid'],
      'part-solid': ['part-solid', 'part solid', 'partly solid', 'subsolid'],
      'ground-glass': ['ground-glass', 'ground glass', 'nonsolid', 'non-solid'],
      calcified: ['calcified'],
    },
    side: { right: ['right'], left: ['left'] },
    zone: { upper: ['upper'], middle: ['middle', 'mid'], lower: ['lower'] },
  },
  'zh-CN': {
    type: {
      solid: ['实性'],
      'part-solid': ['部分实性', '混合磨玻璃', '亚实性'],
      'ground-glass': ['磨玻璃', '纯磨玻璃'],
      calcified: ['钙化'],
    },
    side: { right: ['右'], left: ['左'] },
    zone: {
      upper: ['上野', '肺上', '上肺'],
      middle: ['中野', '肺中', '中肺'],
      lower: ['下野', '肺下', '下肺'],
    },
  },
};

/**
 * Phrases that contain a guarded word without stating that value: "solid component" speaks of a part-solid
 * nodule's solid part, not of a solid nodule.
 */
export const NEUTRAL: Readonly<Record<Language, readonly string[]>> = {
  en: ['solid component', 'solid part', 'solid portion'],
  'zh-CN': ['实性成分', '实性部分'],
};

/** The word the prompt and the placeholders use for a value. */
export function wordOf<C extends WordClass>(
  language: Language,
  cls: C,
  value: keyof ClassWords[C] & string,
): string {
  const lists = WORDS[language][cls] as Readonly<Record<string, readonly string[]>>;
  const list = lists[value];
  if (!list || list.length === 0) throw new Error(`No ${language} word for ${cls} ${value}.`);
  return list[0];
}
