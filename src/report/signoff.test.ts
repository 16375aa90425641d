import { describe, expect, it } from 'vitest';
import { F1 as F1_NODULE } from '../../test/support/reportFixtures';
import { draftText } from './editing';
import { ground, type GroundingFinding } from './ground';
import {
  confirmSentence,
  plainTextReport,
  signAddendum,
  signOffBlocks,
  signReport,
  unresolved,
  type SignInput,
} from './signoff';
import { AI_NOTE, buildDraft } from './structured';

const F1: GroundingFinding = { ...F1_NODULE, location: { side: 'right', zone: 'upper' } };
const AT = '2026-12-03T10:00:00.000Z';
const AI = { id: 'lung-nodule-ct', version: '1.0.0', sha256: 'ab'.repeat(32) };

function input(text: string, extra: Partial<SignInput> = {}): SignInput {
  return {
    reader: 'Dr. A. Reader',
    text,
    grounding: ground(text, [F1], 'en'),
    confirmations: [],
    findings: [{ id: 'F1', status: 'accepted' }],
    at: AT,
    language: 'en',
    ai: AI,
    ...extra,
  };
}

const draft = draftText(
  buildDraft(
    {
      findings: [{ ...F1, side: 'right', zone: 'upper' }],
      overall: { category: '4A', management: '3-month LDCT.' },
    },
    'en',
  ),
);

describe('sign-off', () => {
  it('signs a grounded report: reader, time, text (with the signed note instead of the draft note), findings', () => {
    const r = signReport(input(draft));
    if (!r.ok) throw new Error(JSON.stringify(r.error));
    expect(r.value).toMatchObject({
      version: 1,
      reader: 'Dr. A. Reader',
      signedAt: AT,
      findingIds: ['F1'],
      ai: AI,
    });
    expect(r.value.text).not.toContain(AI_NOTE.en);
    expect(r.value.text).toContain('findings proposed by lung-nodule-ct 1.0.0 (AI output) were reviewed');
    expect(r.value.text.replace(/AI-assisted: .*$/m, '')).toBe(draft.replace(/AI-assisted draft: .*$/m, ''));
  });

  it('is blocked by a hand-changed size until the sentence is fixed or confirmed', () => {
    const changed = draft.replace('mean diameter 8.9 mm', 'mean diameter 12.0 mm');
    const blocked = signReport(input(changed));
    expect(blocked.ok).toBe(false);
    const blocks = signOffBlocks(input(changed));
    expect(blocks.map((b) => b.code)).toEqual(['ungrounded']);
    const flagged = unresolved(ground(changed, [F1], 'en'), []);
    expect(flagged).toHaveLength(1);
    expect(flagged[0]?.problems[0]).toMatchObject({ kind: 'size', found: '12.0 mm', expected: '8.9 mm' });
    // Confirmed as written: the confirmation is signed with the report.
    const confirmation = confirmSentence(flagged[0], 'Dr. A. Reader', AT);
    const signed = signReport(input(changed, { confirmations: [confirmation] }));
    if (!signed.ok) throw new Error('still blocked');
    expect(signed.value.confirmations).toEqual([confirmation]);
    // A confirmation covers the sentence as it was: changing it again needs a new one.
    const again = changed.replace('12.0 mm', '13.0 mm');
    expect(signOffBlocks(input(again, { confirmations: [confirmation] })).map((b) => b.code)).toEqual([
      'ungrounded',
    ]);
  });

  it('needs a reader name, some text, and every finding reviewed', () => {
    const blocks = signOffBlocks(input('', { reader: ' ', findings: [{ id: 'F1', status: 'pending' }] }));
    expect(blocks.map((b) => b.code)).toEqual(['no-reader', 'empty', 'pending-findings']);
    expect(blocks[2]).toEqual({ code: 'pending-findings', ids: ['F1'] });
  });

  it('keeps the signed text unchanged in an addendum, which is a new version', () => {
    const first = signReport(input(draft));
    if (!first.ok) throw new Error('blocked');
    const text = 'Comparison with the outside CT of 2025: the F1 nodule measured 8.9 mm then.';
    const second = signAddendum(first.value, {
      reader: 'Dr. B. Second',
      text,
      grounding: ground(text, [F1], 'en'),
      confirmations: [],
      at: '2026-12-04T09:00:00.000Z',
      language: 'en',
    });
    if (!second.ok) throw new Error('blocked');
    expect(second.value.version).toBe(2);
    expect(second.value.text.startsWith(first.value.text)).toBe(true);
    expect(second.value.text).toContain('Addendum (Dr. B. Second, 2026-12-04T09:00:00.000Z):');
    expect(second.value.addendum).toBe(text);
    expect(first.value.version).toBe(1); // the signed version itself is unchanged
    const wrong = 'F1 measured 15 mm.';
    expect(
      signAddendum(first.value, {
        reader: 'Dr. B.',
        text: wrong,
        grounding: ground(wrong, [F1], 'en'),
        confirmations: [],
        at: AT,
        language: 'en',
      }).ok,
    ).toBe(false);
  });

  it('exports plain text with who signed it, or marks a draft', () => {
    expect(plainTextReport({ text: 'x' }, 'en')).toBe('x\n\nDRAFT: not signed.\n');
    expect(plainTextReport({ text: 'x', reader: 'R', signedAt: AT, version: 2 }, 'zh-CN')).toContain(
      '签署：R，2026-12-03T10:00:00.000Z（第 2 版）',
    );
  });
});
