import { describe, expect, it } from 'vitest';
import { F1 as F1_NODULE } from '../../test/support/reportFixtures';
import {
  applyEdit,
  draftText,
  hasTypedText,
  mergeDraft,
  parseText,
  renderDraft,
  withModelText,
} from './editing';
import { ground } from './ground';
import { buildDraft, sectionOf, type DraftInput, type DraftNodule, type ReportDraft } from './structured';

const F1: DraftNodule = { ...F1_NODULE, side: 'right', zone: 'upper' };
const F2: DraftNodule = {
  id: 'F2',
  type: 'part-solid',
  meanDiameterMm: 14.2,
  longAxisMm: 16.0,
  shortAxisMm: 12.4,
  solidComponentMm: 8.4,
  side: 'left',
  zone: 'lower',
  lungRads: '4B',
  margin: 'spiculated',
};
const F3: DraftNodule = {
  ...F1,
  id: 'F3',
  type: 'calcified',
  meanDiameterMm: 4.1,
  lungRads: '1',
  side: 'left',
};

function input(
  findings: readonly DraftNodule[],
  category: DraftInput['overall']['category'] = '4B',
): DraftInput {
  return {
    findings,
    overall: { category, management: 'Management per Lung-RADS.' },
    technique: { modality: 'CT', sliceThicknessMm: 1.25, kernel: 'B50f', kvp: 120, ctdiVolMGy: 2.37 },
  };
}

const texts = (d: ReportDraft, section: Parameters<typeof sectionOf>[1]): string[] =>
  sectionOf(d, section).map((s) => s.text);

describe('buildDraft', () => {
  it('writes the five sections, findings by id and ordered by Lung-RADS, technique from the header', () => {
    const d = buildDraft(input([F1, F2, F3]), 'en');
    expect(d.sections.map((s) => s.id)).toEqual([
      'clinical',
      'technique',
      'comparison',
      'findings',
      'impression',
      'addendum',
    ]);
    expect(texts(d, 'technique')).toEqual([
      'CT of the chest; slice thickness 1.3 mm; reconstruction kernel B50f; 120 kVp; CTDIvol 2.4 mGy.',
    ]);
    const findings = sectionOf(d, 'findings');
    expect(findings.map((s) => s.key)).toEqual(['findings:count', 'finding:F2', 'finding:F1', 'finding:F3']);
    expect(findings.map((s) => s.findingIds)).toEqual([['F2', 'F1', 'F3'], ['F2'], ['F1'], ['F3']]);
    expect(findings[1]?.text).toBe(
      'F2: part-solid nodule in the left lower zone, mean diameter 14.2 mm (16.0 × 12.4 mm), solid component 8.4 mm, spiculated margin; Lung-RADS 4B.',
    );
    const impression = sectionOf(d, 'impression');
    expect(impression.map((s) => s.key)).toEqual([
      'impression:F2',
      'impression:F1',
      'impression:F3',
      'impression:overall',
      'impression:management',
      'impression:note',
    ]);
    expect(impression.every((s) => !s.typed && s.generator === 'template')).toBe(true);
    expect(texts(d, 'impression').at(-1)).toMatch(/AI-assisted draft/);
  });

  it('writes Chinese, and says so when no nodule was found', () => {
    const zh = buildDraft(input([F1], '4A'), 'zh-CN');
    expect(texts(zh, 'findings')[1]).toBe(
      'F1：实性结节，位于右肺上野，平均直径 8.9 mm（9.8 × 7.9 mm）；Lung-RADS 4A。',
    );
    expect(draftText(zh)).toMatch(/^临床资料：未提供。\n检查技术：胸部CT；层厚 1\.3 mm/);
    const none = buildDraft(input([], '1'), 'en');
    expect(texts(none, 'findings')).toEqual(['No pulmonary nodule was found by the model.']);
    expect(texts(none, 'impression')[0]).toBe('Overall: Lung-RADS 1.');
  });

  it('is grounded against its own findings', () => {
    for (const language of ['en', 'zh-CN'] as const) {
      const d = buildDraft(input([F1, F2, F3]), language);
      const g = ground(
        draftText(d),
        [F1, F2, F3].map((f) => ({ ...f, location: { side: f.side ?? 'right', zone: f.zone ?? 'upper' } })),
        language,
      );
      expect(g.sentences.flatMap((s) => s.problems)).toEqual([]);
    }
  });
});

describe('renderDraft and parseText', () => {
  it('puts every sentence where its span says, and reads the text back into the same sentences', () => {
    const d = buildDraft(input([F1, F2]), 'en');
    const r = renderDraft(d);
    for (const s of r.sentences) {
      const sentence = sectionOf(d, s.section)[s.index];
      expect(r.text.slice(s.start, s.end)).toBe(sentence?.text);
    }
    const parsed = parseText(r.text);
    for (const section of d.sections)
      expect(parsed.find((p) => p.id === section.id)?.sentences).toEqual(
        section.sentences.map((s) => s.text),
      );
  });
});

describe('applyEdit', () => {
  it('marks a changed sentence as typed, keeping its slot and finding; other sentences stay generated', () => {
    const d = buildDraft(input([F1, F2]), 'en');
    const text = draftText(d).replace('mean diameter 8.9 mm', 'mean diameter 12.0 mm');
    const e = applyEdit(d, text);
    const f1 = sectionOf(e, 'findings').find((s) => s.key === 'finding:F1');
    expect(f1).toMatchObject({ typed: true, findingIds: ['F1'] });
    expect(f1?.text).toContain('12.0 mm');
    expect(sectionOf(e, 'findings').filter((s) => s.typed)).toHaveLength(1);
    expect(hasTypedText(e)).toBe(true);
    expect(draftText(e)).toBe(text);
  });

  it('keeps added sentences as typed and remembers deleted generated ones', () => {
    const d = buildDraft(input([F1, F2]), 'en');
    const f2 = texts(d, 'findings')[1] ?? '';
    const text = draftText(d)
      .replace(`${f2}\n`, '')
      .replace('Clinical information: Not provided.', 'Clinical information: Screening, 30 pack-years.');
    const e = applyEdit(d, text);
    expect(e.dismissed).toEqual(['finding:F2']);
    expect(sectionOf(e, 'clinical')).toEqual([
      { text: 'Screening, 30 pack-years.', findingIds: [], typed: true, key: 'clinical' },
    ]);
  });
});

describe('mergeDraft', () => {
  it('rewrites generated sentences with new values and never what a person typed', () => {
    const d = buildDraft(input([F1, F2]), 'en');
    const typedF1 = 'F1: solid nodule in the right upper lobe, 9 mm, stable since 2021.';
    const f1 = texts(d, 'findings').find((t) => t.startsWith('F1')) ?? '';
    const edited = applyEdit(
      d,
      draftText(d)
        .replace(f1, typedF1)
        .replace('Comparison: None available.', 'Comparison: CT of 2021-03-01. Interval stability.'),
    );
    // F2 is re-measured and F1 rejected: the generated draft changes.
    const resized = { ...F2, meanDiameterMm: 15.0, longAxisMm: 17.0, shortAxisMm: 13.0 };
    const merged = mergeDraft(edited, buildDraft(input([resized]), 'en'));
    const text = draftText(merged);
    expect(text).toContain(typedF1);
    expect(text).toContain('Comparison: CT of 2021-03-01. Interval stability.');
    expect(text).toContain('mean diameter 15.0 mm (17.0 × 13.0 mm)');
    expect(text).not.toContain('14.2 mm');
    // The typed sentence holds F1's slot: the generated F1 sentence is not written back next to it.
    expect(texts(merged, 'findings').filter((t) => t.startsWith('F1'))).toEqual([typedF1]);
    expect(texts(merged, 'findings')[0]).toBe('1 pulmonary nodule.');
  });

  it('keeps a typed sentence after the sentence it followed, and leaves dismissed slots out', () => {
    const d = buildDraft(input([F1, F2]), 'en');
    const f2 = texts(d, 'findings').find((t) => t.startsWith('F2')) ?? '';
    const note = 'Mild centrilobular emphysema.';
    const edited = applyEdit(d, draftText(d).replace(`${f2}\n`, `${note}\n`));
    expect(edited.dismissed).toEqual([]);
    // Replacing F2's sentence by another one is an edit of that sentence: the typed one holds the slot.
    expect(sectionOf(edited, 'findings').find((s) => s.text === note)?.key).toBe('finding:F2');
    const deleted = applyEdit(d, draftText(d).replace(`${f2}\n`, ''));
    expect(deleted.dismissed).toEqual(['finding:F2']);
    const after = applyEdit(
      deleted,
      draftText(deleted).replace('2 pulmonary nodules.\n', `2 pulmonary nodules.\n${note}\n`),
    );
    const merged = mergeDraft(after, buildDraft(input([F1, { ...F2, meanDiameterMm: 15 }]), 'en'));
    const list = texts(merged, 'findings');
    expect(list.some((t) => t.startsWith('F2'))).toBe(false); // dismissed by the reader
    expect(list.indexOf(note)).toBe(1); // right after the count sentence it followed
  });

  it('switches language for generated sentences and keeps typed ones; keeps a language model’s sentences', () => {
    const d = buildDraft(input([F1]), 'en');
    const edited = applyEdit(d, draftText(d).replace('Not provided.', 'Smoker.'));
    const model: ReportDraft = {
      ...edited,
      sections: edited.sections.map((s) =>
        s.id === 'impression'
          ? {
              ...s,
              sentences: [
                {
                  text: 'An 8.9 mm solid nodule (F1) warrants short-term follow-up.',
                  findingIds: ['F1'],
                  typed: false,
                  generator: 'model',
                },
                ...s.sentences,
              ],
            }
          : s,
      ),
    };
    const zh = mergeDraft(model, buildDraft(input([F1], '4A'), 'zh-CN'));
    expect(zh.language).toBe('zh-CN');
    expect(texts(zh, 'clinical')).toEqual(['Smoker.']);
    expect(texts(zh, 'impression')[0]).toBe('An 8.9 mm solid nodule (F1) warrants short-term follow-up.');
    expect(texts(zh, 'findings')[1]).toMatch(/^F1：实性结节/);
  });
});

describe('withModelText (the language model’s slot)', () => {
  it('puts streamed model sentences in place of the template ones, keeps typed text, survives a live update', () => {
    const d = buildDraft(input([F1, F2]), 'en');
    const typed = 'Mild centrilobular emphysema.';
    const edited = applyEdit(
      d,
      draftText(d).replace('2 pulmonary nodules.\n', `2 pulmonary nodules.\n${typed}\n`),
    );
    // Part of a stream, without headings: it is the Findings section.
    const partial = withModelText(edited, 'A 14.2 mm part-solid nodule (F2) in the left lower lobe.');
    expect(texts(partial, 'findings')).toEqual([
      'A 14.2 mm part-solid nodule (F2) in the left lower lobe.',
      typed,
    ]);
    expect(sectionOf(partial, 'findings')[0]).toMatchObject({
      findingIds: ['F2'],
      typed: false,
      generator: 'model',
    });
    expect(texts(partial, 'impression')).toEqual(texts(d, 'impression'));
    // The whole draft, with headings: each section gets its sentences; later text replaces earlier.
    const full = withModelText(
      partial,
      'Findings:\nF2: 14.2 mm part-solid nodule, left lower zone. F1: 8.9 mm solid nodule.\n\nImpression:\nF2 is Lung-RADS 4B.',
    );
    expect(texts(full, 'findings')).toEqual([
      'F2: 14.2 mm part-solid nodule, left lower zone.',
      'F1: 8.9 mm solid nodule.',
      typed,
    ]);
    expect(texts(full, 'impression')).toEqual(['F2 is Lung-RADS 4B.']);
    expect(
      ground(
        draftText(full),
        [F1, F2].map((f) => ({ ...f, location: { side: f.side ?? 'right', zone: f.zone ?? 'upper' } })),
        'en',
      ).grounded,
    ).toBe(true);
    // A live update (F1 re-measured) does not bring the template sentences back over the model's.
    const merged = mergeDraft(full, buildDraft(input([{ ...F1, meanDiameterMm: 9.5 }, F2]), 'en'));
    expect(texts(merged, 'findings')).toEqual(texts(full, 'findings'));
    expect(texts(merged, 'clinical')).toEqual(texts(d, 'clinical'));
  });
});
