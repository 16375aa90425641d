import { describe, expect, it } from 'vitest';
import type { FindingRecord } from '../findings/record';
import { findingRecord as finding } from '../../test/support/reportFixtures';
import { createAppStore } from '../store';
import { ReportHost } from './report';

/** The review recomputing its summary: what Review.updateReport does after each decision. */
function review(store: ReturnType<typeof createAppStore>, findings: FindingRecord[]): void {
  store.setState({
    findings,
    caseLungRads: { category: '4A', management: '3-month LDCT.' },
    report: { findings: 'x', impression: 'y' },
  });
}

function setup() {
  const store = createAppStore();
  const host = new ReportHost({ store, viewer: () => null });
  host.start();
  return { store, host };
}

describe('the report host', () => {
  it('follows the review live, keeps typed text, and signs only a reviewed, grounded report', () => {
    const { store, host } = setup();
    review(store, [finding('F1', 9.2), finding('F2', 6.1)]);
    const draft = store.getState().reportText;
    expect(draft).toContain('mean diameter 9.2 mm');
    expect(draft).toContain('mean diameter 6.1 mm');

    // The reader changes F1's size by hand; then F2 is re-measured by the review.
    host.edit(draft.replace('mean diameter 9.2 mm', 'mean diameter 12.0 mm'));
    review(store, [finding('F1', 9.2), finding('F2', 7.4)]);
    const merged = store.getState().reportText;
    expect(merged).toContain('mean diameter 12.0 mm'); // typed, never overwritten
    expect(merged).toContain('mean diameter 7.4 mm'); // generated, updated
    expect(merged).not.toContain('6.1 mm');

    host.sign();
    expect(store.getState().reportBlocks.map((b) => b.code)).toEqual([
      'no-reader',
      'pending-findings',
      'ungrounded',
    ]);
    host.setReader('Dr. Unit');
    review(store, [finding('F1', 9.2, { status: 'accepted' }), finding('F2', 7.4, { status: 'accepted' })]);
    host.sign();
    expect(store.getState().reportBlocks.map((b) => b.code)).toEqual(['ungrounded']);
    expect(store.getState().signedReport).toBeNull();

    // Confirmed as written by the reader: the confirmation is signed with the report.
    const text = store.getState().reportText;
    host.confirm(text.indexOf('F1: solid nodule'));
    expect(store.getState().reportConfirmations).toHaveLength(1);
    host.sign();
    const signed = store.getState().signedReport;
    expect(signed?.reader).toBe('Dr. Unit');
    expect(signed?.findingIds).toEqual(['F1', 'F2']);
    expect(signed?.confirmations[0]?.text).toContain('12.0 mm');
    expect(store.getState().reportText).not.toContain('AI-assisted draft');

    // Signed is read-only: edits, model text and live updates leave it as signed.
    const locked = store.getState().reportText;
    host.edit('changed');
    host.modelText('F1: something else.');
    review(store, [finding('F1', 3.0, { status: 'accepted' })]);
    expect(store.getState().reportText).toBe(locked);
  });

  it('takes a language model’s streamed text into the Findings section, AI-marked', () => {
    const { store, host } = setup();
    review(store, [finding('F1', 9.2)]);
    host.modelText('A 9.2 mm solid nodule (F1) in the right upper zone.');
    const s = store.getState();
    const sentences = s.reportDraft?.sections.find((x) => x.id === 'findings')?.sentences ?? [];
    expect(sentences.map((x) => x.generator)).toEqual(['model']);
    expect(s.reportText).toContain('Findings:\nA 9.2 mm solid nodule (F1) in the right upper zone.');
    expect(s.reportText).toContain('Impression:');
  });

  it('says so when no DICOMweb server is connected', async () => {
    const { store, host } = setup();
    await host.sendToPacs();
    expect(store.getState().reportExport).toEqual({ state: 'failed', detail: 'no-server' });
  });

  it('adds a signed addendum as a new version below the signed text, checked like the report', () => {
    const { store, host } = setup();
    review(store, [finding('F1', 9.2, { status: 'accepted' })]);
    host.setReader('Dr. First');
    host.sign();
    const first = store.getState().signedReport;
    expect(first?.version).toBe(1);
    const signedText = store.getState().reportText;

    host.editAddendum('ignored: no addendum is open');
    expect(store.getState().addendumText).toBeNull();
    host.startAddendum();
    expect(store.getState().addendumText).toBe('');
    // An addendum that misstates a size is flagged and blocks its signature, as in the report.
    host.editAddendum('F1 was re-measured: mean diameter 15.0 mm.');
    host.setReader('Dr. Second');
    host.signAddendum();
    expect(store.getState().reportBlocks.map((b) => b.code)).toEqual(['ungrounded']);
    expect(store.getState().signedReport).toBe(first);

    host.editAddendum('Compared with the prior CT, F1 is unchanged.');
    host.signAddendum();
    const second = store.getState().signedReport;
    expect(second?.version).toBe(2);
    expect(second?.reader).toBe('Dr. Second');
    expect(second?.addendum).toBe('Compared with the prior CT, F1 is unchanged.');
    // The earlier signed text stands unchanged above the addendum, which is under its heading.
    const text = store.getState().reportText;
    expect(text.startsWith(signedText)).toBe(true);
    expect(text.slice(signedText.length)).toMatch(
      /^\n\nAddendum \(Dr\. Second, .+\):\nCompared with the prior CT/,
    );
    expect(store.getState().addendumText).toBeNull();
    // Still read-only: an edit changes nothing.
    host.edit('changed');
    expect(store.getState().reportText).toBe(text);
  });
});
