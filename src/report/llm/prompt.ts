/**
 * The prompt a language model gets: a system message saying what to write and what not to, and a user
 * message with the facts, in the report's language. The facts are built from `DraftFacts` only, which
 * cannot hold a patient identifier (see facts.ts).
 */
import type { Margin } from '../../findings/types';
import type { Language } from '../../i18n/language';
import { cleanFacts, mm, type DraftFacts, type FactFinding } from './facts';
import { wordOf } from './words';

export interface ChatMessage {
  readonly role: 'system' | 'user' | 'assistant';
  readonly content: string;
}

/** The section headings the model is asked to write, per language. */
export const HEADINGS: Readonly<Record<Language, { findings: string; impression: string }>> = {
  en: { findings: 'Findings:', impression: 'Impression:' },
  'zh-CN': { findings: '所见：', impression: '印象：' },
};

/** The instruction that switches a model to placeholders (filled from the findings afterwards). */
export const PLACEHOLDER_LINE: Readonly<Record<Language, string>> = {
  en: 'Placeholders: write {F1.mean}, {F1.long}, {F1.short}, {F1.solid}, {F1.category}, {count}, {category} and {management} instead of the values.',
  'zh-CN':
    '占位符：用 {F1.mean}、{F1.long}、{F1.short}、{F1.solid}、{F1.category}、{count}、{category} 和 {management} 代替数值。',
};

const SYSTEM: Readonly<Record<Language, string>> = {
  en: [
    'You draft the Findings and Impression of a chest CT report for a radiologist, who reviews and signs it.',
    'Use only the facts given. Copy every size, count, side, zone, nodule type and Lung-RADS category exactly as written; add no finding, measurement, comparison or patient detail.',
    `Write two sections headed "${HEADINGS.en.findings}" and "${HEADINGS.en.impression}". Number the nodules in the order given (1. for F1).`,
  ].join('\n'),
  'zh-CN': [
    '你为放射科医生起草胸部CT报告的检查所见和印象，由医生审核并签署。',
    '只使用给出的事实。每个大小、数目、左右、肺野、结节类型和 Lung-RADS 分类都照原样书写；不要添加任何发现、测量、对比或患者信息。',
    `写两个部分，标题为“${HEADINGS['zh-CN'].findings}”和“${HEADINGS['zh-CN'].impression}”。按给出的顺序给结节编号（F1 为 1.）。`,
  ].join('\n'),
};

const MARGIN_ZH: Readonly<Record<Margin, string>> = {
  smooth: '光整',
  lobulated: '分叶状',
  spiculated: '毛刺状',
};

function findingLine(f: FactFinding, language: Language): string {
  const sep = language === 'en' ? '; ' : '；';
  const parts: string[] = [wordOf(language, 'type', f.type)];
  if (f.location) {
    const side = wordOf(language, 'side', f.location.side);
    const zone = wordOf(language, 'zone', f.location.zone);
    parts.push(language === 'en' ? `${side} ${zone} zone` : `${side}肺${zone}`);
  }
  parts.push(`${language === 'en' ? 'mean diameter ' : '平均直径 '}${mm(f.meanDiameterMm)} mm`);
  parts.push(`${mm(f.longAxisMm)} × ${mm(f.shortAxisMm)} mm`);
  if (f.solidComponentMm !== null)
    parts.push(`${language === 'en' ? 'solid component ' : '实性成分 '}${mm(f.solidComponentMm)} mm`);
  if (f.margin) parts.push(language === 'en' ? `margin ${f.margin}` : `边缘${MARGIN_ZH[f.margin]}`);
  parts.push(`Lung-RADS ${f.lungRads}`);
  return `${f.id}${language === 'en' ? ': ' : '：'}${parts.join(sep)}`;
}

function techniqueLine(facts: DraftFacts): string | null {
  const t = facts.technique;
  if (!t) return null;
  const en = facts.language === 'en';
  const parts: string[] = [];
  if (t.modality) parts.push(t.modality);
  if (t.sliceThicknessMm !== undefined)
    parts.push(`${en ? 'slice thickness ' : '层厚 '}${mm(t.sliceThicknessMm)} mm`);
  if (t.kernel) parts.push(`${en ? 'kernel ' : '重建核 '}${t.kernel}`);
  if (t.ctdiVolMGy !== undefined) parts.push(`CTDIvol ${t.ctdiVolMGy.toFixed(1)} mGy`);
  if (parts.length === 0) return null;
  return en ? `Technique: ${parts.join('; ')}` : `技术：${parts.join('；')}`;
}

/** The facts as the user message: one line per nodule, then the overall category and management. */
export function factsMessage(facts: DraftFacts, placeholders = false): string {
  const f = cleanFacts(facts);
  const en = f.language === 'en';
  const lines = [en ? 'Chest CT. Write in English.' : '胸部CT。用简体中文书写。'];
  const technique = techniqueLine(f);
  if (technique) lines.push(technique);
  lines.push(`${en ? 'Nodules: ' : '结节：'}${f.findings.length}`);
  for (const finding of f.findings) lines.push(findingLine(finding, f.language));
  lines.push(`${en ? 'Overall: ' : '总体：'}Lung-RADS ${f.overall.category}`);
  lines.push(`${en ? 'Management: ' : '处理：'}${f.overall.management}`);
  if (placeholders) lines.push(PLACEHOLDER_LINE[f.language]);
  return lines.join('\n');
}

/** The chat a model gets: instructions, then the facts. */
export function buildMessages(facts: DraftFacts, placeholders = false): ChatMessage[] {
  return [
    { role: 'system', content: SYSTEM[facts.language] },
    { role: 'user', content: factsMessage(facts, placeholders) },
  ];
}

/** The chat as plain text, for a model whose tokenizer has no chat template. */
export function plainPrompt(messages: readonly ChatMessage[]): string {
  return `${messages.map((m) => m.content).join('\n\n')}\n\n`;
}
