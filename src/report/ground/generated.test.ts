/**
 * The grounding check on report texts nobody wrote by hand: random cases, described by the structured
 * draft and by a variety of paraphrases (units, rounding, lobes, abbreviations, word order, both
 * languages), must pass; the same texts with one fact changed must not.
 */
import { describe, expect, it } from 'vitest';
import { caseCategory } from '../../findings/assess';
import type { LungRadsCategory, NoduleType } from '../../findings/types';
import type { Language } from '../../i18n/language';
import { mulberry32 as rng } from '../../lib/random';
import { editFinding, rendered } from './testing';
import { ground, type GroundingFinding } from './index';

const pick = <T>(r: () => number, list: readonly T[]): T => list[Math.floor(r() * list.length)];
const tenth = (v: number): number => Math.round(v * 10) / 10;

const TYPES: readonly NoduleType[] = ['solid', 'part-solid', 'ground-glass', 'calcified'];
const PLACES = [
  ['right', 'upper'],
  ['right', 'middle'],
  ['right', 'lower'],
  ['left', 'upper'],
  ['left', 'middle'],
  ['left', 'lower'],
] as const;

/** A case of 1–4 findings, each in its own side and zone (so a sentence's place names one finding). */
function randomCase(r: () => number): GroundingFinding[] {
  const places = [...PLACES].sort(() => r() - 0.5).slice(0, 1 + Math.floor(r() * 4));
  return places.map(([side, zone], i) => {
    const type = pick(r, TYPES);
    const long = tenth(4 + r() * 22);
    const short = tenth(Math.max(3, long * (0.6 + r() * 0.4)));
    const mean = tenth((long + short) / 2);
    const solid = type === 'part-solid' ? tenth(Math.max(1, short * (0.2 + r() * 0.6))) : null;
    const cat: LungRadsCategory = caseCategory([
      { type, meanDiameterMm: mean, solidComponentMm: solid },
    ]).category;
    return {
      id: `F${i + 1}`,
      type,
      meanDiameterMm: mean,
      longAxisMm: long,
      shortAxisMm: short,
      solidComponentMm: solid,
      location: { side, zone },
      lungRads: cat,
    };
  });
}

const TYPE_EN: Record<NoduleType, readonly string[]> = {
  solid: ['solid', 'solid'],
  'part-solid': ['part-solid', 'part solid', 'partly solid'],
  'ground-glass': ['ground-glass', 'ground glass', 'pure ground-glass', 'non-solid'],
  calcified: ['calcified', 'densely calcified'],
};
const TYPE_ZH: Record<NoduleType, readonly string[]> = {
  solid: ['实性'],
  'part-solid': ['部分实性', '混合磨玻璃'],
  'ground-glass': ['磨玻璃', '纯磨玻璃'],
  calcified: ['钙化'],
};

function sizeEn(r: () => number, f: GroundingFinding): string {
  return pick(r, [
    `${f.meanDiameterMm.toFixed(1)} mm`,
    `${Math.round(f.meanDiameterMm)} mm`,
    `${(f.meanDiameterMm / 10).toFixed(1)} cm`,
    `${(f.meanDiameterMm / 10).toFixed(1)}cm`,
    `${f.longAxisMm.toFixed(1)} × ${f.shortAxisMm.toFixed(1)} mm`,
    `${Math.round(f.longAxisMm)} x ${Math.round(f.shortAxisMm)} mm`,
    `${f.longAxisMm}x${f.shortAxisMm}mm`,
  ]);
}

function placeEn(r: () => number, f: GroundingFinding): string {
  const { side, zone } = f.location ?? { side: 'right', zone: 'upper' };
  const lobe =
    zone === 'upper'
      ? 'upper lobe'
      : zone === 'lower'
        ? 'lower lobe'
        : side === 'right'
          ? 'middle lobe'
          : 'lingula';
  return pick(r, [
    `in the ${side} ${zone} zone`,
    `in the ${side} ${lobe}`,
    `in the ${side} ${zone} lung zone`,
  ]);
}

function paraphraseEn(r: () => number, f: GroundingFinding): string {
  const type = pick(r, TYPE_EN[f.type]);
  const size = sizeEn(r, f);
  const place = placeEn(r, f);
  return pick(r, [
    `A ${size} ${type} nodule is seen ${place}.`,
    `There is a ${type} nodule ${place}, measuring ${size}; Lung-RADS ${f.lungRads}.`,
    `${f.id}: ${type} nodule ${place}, ${size}.`,
    `${type[0]?.toUpperCase()}${type.slice(1)} nodule ${place} measuring approximately ${size} (Lung-RADS category ${f.lungRads}).`,
  ]);
}

function paraphraseZh(r: () => number, f: GroundingFinding): string {
  const { side, zone } = f.location ?? { side: 'right', zone: 'upper' };
  const s = side === 'right' ? '右' : '左';
  const z = zone === 'upper' ? '上' : zone === 'middle' ? '中' : '下';
  const type = pick(r, TYPE_ZH[f.type]);
  const size = pick(r, [
    `${f.meanDiameterMm.toFixed(1)} mm`,
    `${Math.round(f.meanDiameterMm)}毫米`,
    `${(f.meanDiameterMm / 10).toFixed(1)}厘米`,
    `${f.longAxisMm}×${f.shortAxisMm} mm`,
    `${Math.round(f.longAxisMm)}×${Math.round(f.shortAxisMm)}mm`,
  ]);
  return pick(r, [
    `${s}肺${z}野见一${type}结节，大小约${size}。`,
    `${s}肺${z}野${type}结节，直径约${size}，Lung-RADS ${f.lungRads}类。`,
    `${f.id}：${type}结节，位于${s}肺${z}野，约${size}。`,
  ]);
}

describe('ground on generated reports', () => {
  const CASES = 150;

  it('passes the structured draft of every case, in both languages', () => {
    const r = rng(1);
    for (let i = 0; i < CASES; i++) {
      const findings = randomCase(r);
      for (const language of ['en', 'zh-CN'] as const) {
        const text = rendered(findings, language);
        const g = ground(text, findings, language);
        expect(
          g.sentences.flatMap((s) => s.problems),
          text,
        ).toEqual([]);
        // Every finding is spoken of, and by its own sentences.
        for (const f of findings) expect(g.sentences.some((s) => s.findingIds.includes(f.id))).toBe(true);
      }
    }
  });

  it('passes paraphrases of the findings (units, rounding, lobes, word order), in both languages', () => {
    const r = rng(2);
    for (let i = 0; i < CASES; i++) {
      const findings = randomCase(r);
      const en = findings.map((f) => paraphraseEn(r, f)).join(' ');
      const zh = findings.map((f) => paraphraseZh(r, f)).join('');
      for (const [text, language] of [
        [en, 'en'],
        [zh, 'zh-CN'],
      ] as const) {
        const g = ground(text, findings, language);
        expect(
          g.sentences.flatMap((s) => s.problems),
          text,
        ).toEqual([]);
        expect(
          g.sentences.map((s) => s.findingIds),
          text,
        ).toEqual(findings.map((f) => [f.id]));
      }
    }
  });

  it('catches one changed fact (size, side, type, category, count, absence) in a grounded text', () => {
    const r = rng(3);
    const caught: Record<string, number> = {};
    for (let i = 0; i < CASES; i++) {
      const findings = randomCase(r);
      const language: Language = r() < 0.5 ? 'en' : 'zh-CN';
      const target = pick(r, findings);
      const lines = findings.map((f) => (language === 'en' ? paraphraseEn(r, f) : paraphraseZh(r, f)));
      const at = findings.indexOf(target);
      const edit = editFinding(r, lines[at] ?? '', target, findings, language);
      if (!edit) continue;
      lines[at] = edit.text;
      const text = lines.join(language === 'en' ? ' ' : '');
      const g = ground(text, findings, language);
      expect(g.grounded, `${edit.kind}: ${text}`).toBe(false);
      caught[edit.kind] = (caught[edit.kind] ?? 0) + 1;
    }
    // Every kind of change was tried.
    expect(Object.keys(caught).sort()).toEqual(['category', 'count', 'side', 'size', 'type'].sort());
    // Absence: a case with findings is never "without nodules".
    for (let i = 0; i < 20; i++) {
      const findings = randomCase(r);
      expect(ground('No pulmonary nodules.', findings, 'en').grounded).toBe(false);
      expect(ground('双肺未见结节。', findings, 'zh-CN').grounded).toBe(false);
    }
  });
});
