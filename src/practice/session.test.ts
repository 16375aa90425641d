import { describe, expect, it } from 'vitest';
import { aiHidden, newSession, type PracticeSession } from './session';

function session(change: Partial<PracticeSession>): PracticeSession {
  const fresh = newSession({
    phase: 'reading',
    choice: { kind: 'demo', id: 'demo-solid' },
    label: 'DEMO-SOLID',
    source: 'demo',
    caseId: 'demo-solid',
    modality: 'unaided',
    reader: 'R1',
    truth: [],
    progress: null,
    startedAt: 0,
  });
  return { ...fresh, ...change };
}

describe('AI output during a practice read', () => {
  it('is hidden from the start of an unaided read until its result, and never in an aided read', () => {
    expect(aiHidden(null)).toBe(false);
    expect(aiHidden(session({ phase: 'preparing' }))).toBe(true);
    expect(aiHidden(session({ phase: 'reading' }))).toBe(true);
    expect(aiHidden(session({ phase: 'result' }))).toBe(false);
    expect(aiHidden(session({ modality: 'aided', phase: 'reading' }))).toBe(false);
  });
});
