import { describe, expect, it } from 'vitest';
import { findingRecord as finding } from '../../test/support/reportFixtures';
import { createAppStore } from '../store';
import { ReportHost } from './report';
import { Review } from './review';
import { Viewing } from './viewing';

/** The review and the report host as the controller wires them, on a store without a viewer. */
function setup() {
  const store = createAppStore();
  const host = { store, viewer: () => null };
  const viewing = new Viewing(host, {
    loading: () => false,
    seriesChosen: () => undefined,
    measurementsChanged: () => undefined,
    measurementCompleted: () => undefined,
  });
  const review = new Review(host, viewing);
  new ReportHost(host).start();
  return { store, review };
}

describe('review decisions in the report draft', () => {
  it('leaves a rejected finding out of the draft, the case category and the summary, and takes it back when reopened', () => {
    const { store, review } = setup();
    // F1 (9.2 mm, 4A) sets the case category; F2 (6.1 mm, 3) alone would make it 3.
    store.setState({
      findings: [finding('F1', 9.2), finding('F2', 6.1, { location: { side: 'left', zone: 'lower' } })],
    });
    review.updateReport();
    expect(store.getState().reportText).toContain('mean diameter 9.2 mm');
    expect(store.getState().caseLungRads?.category).toBe('4A');

    review.setFindingStatus('F1', 'rejected');
    const s = store.getState();
    // The draft the radiologist edits and signs, the summary and the category speak only of F2.
    expect(s.reportText).toContain('mean diameter 6.1 mm');
    expect(s.reportText).not.toContain('9.2 mm');
    expect(s.reportText).not.toMatch(/\bF1\b/);
    expect(s.report?.findings).not.toContain('9.2 mm');
    expect(s.report?.findings).toContain('6.1 mm');
    expect(s.caseLungRads?.category).toBe('3');

    review.setFindingStatus('F1', 'pending');
    expect(store.getState().reportText).toContain('mean diameter 9.2 mm');
    expect(store.getState().caseLungRads?.category).toBe('4A');
  });
});
