import { describe, expect, it } from 'vitest';
import type { FindingRecord } from '../findings/record';
import type { KeyValueStorage } from './persist';
import { ground } from '../report/ground';
import { applyEdit, draftText } from '../report/editing';
import { signReport } from '../report/signoff';
import { buildDraft } from '../report/structured';
import { MAX_REVIEWS, loadReview, reviewId, saveReview, type SavedReport } from './review';

class MemoryStorage implements KeyValueStorage {
  readonly items = new Map<string, string>();
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }
  removeItem(key: string): void {
    this.items.delete(key);
  }
}

const UID = '1.2.826.0.1.3680043.8.498.12345';

const record: FindingRecord = {
  id: 'F1',
  seriesKey: UID,
  source: { kind: 'model', id: 'lung-nodule-ct', version: '1.0.0' },
  status: 'accepted',
  type: 'part-solid',
  score: 0.8,
  centerMm: [-50, 20, -110],
  longAxisMm: 12,
  shortAxisMm: 10,
  meanDiameterMm: 11,
  solidComponentMm: 5,
  volumeMm3: 700,
  location: { side: 'right', zone: 'upper' },
  lungRads: '3',
  differentials: [],
  history: [
    {
      at: '2026-11-26T10:00:00Z',
      by: { kind: 'model', id: 'lung-nodule-ct', version: '1.0.0' },
      action: 'created',
    },
    { at: '2026-11-26T10:01:00Z', by: { kind: 'user' }, action: 'accepted' },
  ],
};

describe('review storage', () => {
  it('round-trips a review under a hashed key that does not contain the series UID', async () => {
    const storage = new MemoryStorage();
    const id = await reviewId(UID);
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(await reviewId(UID)).toBe(id);
    expect(await reviewId(`${UID}#2`)).not.toBe(id);
    // A finding that came back from a stored report keeps saying so.
    const stored: FindingRecord = {
      ...record,
      id: 'F2',
      origin: { kind: 'stored-report', verified: true, date: '2026-12-03' },
    };
    saveReview(storage, id, { savedAt: 'now', findings: [record, stored], model: null, lungZ: [-200, -20] });
    expect([...storage.items.keys()].join(' ')).not.toContain(UID);
    expect([...storage.items.values()].join(' ')).not.toContain(UID);
    const back = loadReview(storage, id, UID);
    expect(back?.findings).toEqual([record, stored]);
    expect(back?.lungZ).toEqual([-200, -20]);
  });

  it('drops stored data that is not a valid review instead of trusting it', async () => {
    const storage = new MemoryStorage();
    const id = await reviewId(UID);
    saveReview(storage, id, { savedAt: 'now', findings: [record], model: null, lungZ: null });
    const key = [...storage.items.keys()].find((k) => k.includes(id)) ?? '';
    const stored = JSON.parse(storage.items.get(key) ?? '{}') as { findings: Record<string, unknown>[] };
    for (const broken of [
      { ...stored, findings: [{ ...stored.findings[0], status: 'maybe' }] },
      { ...stored, findings: [{ ...stored.findings[0], centerMm: [1, 2] }] },
      {
        ...stored,
        findings: [{ ...stored.findings[0], origin: { kind: 'stored-report', verified: 'yes' } }],
      },
      { ...stored, findings: [{ ...stored.findings[0], origin: 'sr' }] },
      { ...stored, version: 99 },
    ]) {
      storage.items.set(key, JSON.stringify(broken));
      expect(loadReview(storage, id, UID)).toBeNull();
    }
    storage.items.set(key, '{not json');
    expect(loadReview(storage, id, UID)).toBeNull();
  });

  it('keeps only the most recent reviews, and forgets a review whose findings are gone', () => {
    const storage = new MemoryStorage();
    for (let i = 0; i < MAX_REVIEWS + 5; i++) {
      saveReview(storage, `r${i}`, { savedAt: 'now', findings: [record], model: null, lungZ: null });
    }
    expect(loadReview(storage, 'r0', UID)).toBeNull();
    expect(loadReview(storage, 'r4', UID)).toBeNull();
    expect(loadReview(storage, 'r5', UID)).not.toBeNull();
    saveReview(storage, 'r5', { savedAt: 'now', findings: [], model: null, lungZ: null });
    expect(loadReview(storage, 'r5', UID)).toBeNull();
    const reviews = [...storage.items.keys()].filter((k) => k.startsWith('lucent.review.'));
    expect(reviews).toHaveLength(MAX_REVIEWS - 1);
  });

  describe('the report', () => {
    const draft = buildDraft(
      {
        findings: [{ ...record, id: 'F1', side: 'right', zone: 'upper' }],
        overall: { category: '3', management: 'Low-dose CT in 6 months.' },
        technique: { modality: 'CT' },
      },
      'en',
    );
    const typed = applyEdit(draft, `${draftText(draft)}\nCompared with no prior imaging.`);
    const report = (change: Partial<SavedReport> = {}): SavedReport => ({
      draft: typed,
      text: draftText(typed),
      reader: 'Dr. A. Reader',
      confirmations: [],
      signed: null,
      addendumText: null,
      ...change,
    });

    const save = (storage: MemoryStorage, id: string, findings: FindingRecord[], r: SavedReport): void =>
      saveReview(storage, id, { savedAt: 'now', findings, model: null, lungZ: null, report: r });

    it('comes back as the reader left it: typed text, and a signed report', async () => {
      const storage = new MemoryStorage();
      const id = await reviewId(UID);
      save(storage, id, [record], report());
      const back = loadReview(storage, id, UID)?.report;
      expect(back?.text).toContain('Compared with no prior imaging.');
      expect(back?.draft).toEqual(typed);
      const text = draftText(typed);
      const signed = signReport({
        reader: 'Dr. A. Reader',
        text,
        grounding: ground(text, [{ ...record, id: 'F1' }], 'en'),
        confirmations: [],
        findings: [record],
        at: '2026-12-03T10:00:00Z',
        language: 'en',
        ai: { id: 'lung-nodule-ct', version: '1.0.0' },
      });
      if (!signed.ok) throw new Error(JSON.stringify(signed.error));
      save(storage, id, [record], report({ signed: signed.value }));
      expect(loadReview(storage, id, UID)?.report?.signed).toEqual(signed.value);
    });

    it('is kept without findings when the reader wrote or signed it, and dropped alone when broken', async () => {
      const storage = new MemoryStorage();
      const id = await reviewId(UID);
      // A case without nodules whose report the reader typed: the review stays.
      save(storage, id, [], report());
      expect(loadReview(storage, id, UID)?.report?.text).toContain('Compared with no prior imaging.');
      // Only generated text, no findings: nothing worth keeping.
      save(storage, id, [], report({ draft, text: draftText(draft) }));
      expect(loadReview(storage, id, UID)).toBeNull();
      // A report that is not what Lucent writes is dropped; the decisions on the findings still come back.
      save(storage, id, [record], report());
      const key = [...storage.items.keys()].find((k) => k.includes(id)) ?? '';
      const stored = JSON.parse(storage.items.get(key) ?? '{}') as { report: Record<string, unknown> };
      for (const broken of [
        { ...stored.report, draft: { ...typed, sections: [{ id: 'gossip', sentences: [] }] } },
        { ...stored.report, signed: { schema: 'lucent.signed-report/1', reader: 'x' } },
        { ...stored.report, confirmations: [{ text: 1 }] },
      ]) {
        storage.items.set(key, JSON.stringify({ ...stored, report: broken }));
        const back = loadReview(storage, id, UID);
        expect(back?.findings).toHaveLength(1);
        expect(back?.report).toBeUndefined();
      }
    });
  });
});
