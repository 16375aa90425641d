import { describe, expect, it } from 'vitest';
import { groupCandidates, type Candidate, type RawFinding } from './detect';

function cand(x: number, y: number, z: number, score: number, size: number): Candidate {
  return { x, y, z, score, size, classes: new Float32Array([score, 1 - score]), attributes: [] };
}

/**
 * The grouping as it was first written: every candidate tested against every group, every finding
 * against every kept one. The indexed version must give the same findings.
 */
function groupEveryPair(cands: readonly Candidate[], sliceStep: number): RawFinding[] {
  const sorted = [...cands].sort((a, b) => b.score - a.score);
  const groups: { members: Candidate[]; best: Candidate; zmin: number; zmax: number }[] = [];
  for (const c of sorted) {
    const g = groups.find(
      (g) =>
        Math.hypot(c.x - g.best.x, c.y - g.best.y) <= Math.max(3, 0.6 * g.best.size, 0.6 * c.size) &&
        (c.z < g.zmin ? g.zmin - c.z : c.z > g.zmax ? c.z - g.zmax : 0) <= sliceStep * 1.01 &&
        Math.abs(c.z - g.best.z) <= Math.max(g.best.size, 4) / 2 + sliceStep,
    );
    if (g) {
      g.members.push(c);
      g.zmin = Math.min(g.zmin, c.z);
      g.zmax = Math.max(g.zmax, c.z);
    } else groups.push({ members: [c], best: c, zmin: c.z, zmax: c.z });
  }
  // Each group on its own through the real function gives its finding (one group in, one finding out).
  const findings = groups
    .map((g) => groupCandidates(g.members, Infinity)[0])
    .sort((a, b) => b.score - a.score);
  const kept: RawFinding[] = [];
  for (const f of findings)
    if (
      !kept.some(
        (k) =>
          Math.hypot(f.center[0] - k.center[0], f.center[1] - k.center[1], f.center[2] - k.center[2]) <
          Math.max(k.diameter, f.diameter) / 2 + 1,
      )
    )
      kept.push(f);
  return kept;
}

/** A seeded stream of numbers in [0, 1). */
function stream(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('groupCandidates', () => {
  it('makes one finding of a nodule seen on neighbouring slices, weighted towards its strongest slices', () => {
    const step = 1.5;
    const cands = [
      cand(10, 20, 0, 0.5, 6),
      cand(10.5, 20, 1.5, 0.9, 8),
      cand(11, 20, 3, 0.8, 7),
      cand(40, 20, 1.5, 0.7, 6), // another nodule 30 mm away
    ];
    const found = groupCandidates(cands, step);
    expect(found).toHaveLength(2);
    const [a, b] = found;
    expect(a?.score).toBe(0.9);
    expect(a?.diameter).toBe(8);
    expect(a?.bestZ).toBe(1.5);
    // centre between the slices, nearer the stronger ones than the plain mean (z 1.5)
    expect(a?.center[2]).toBeGreaterThan(1.5);
    expect(a?.center[2]).toBeLessThan(3);
    expect(b?.center[0]).toBe(40);
  });

  it('keeps candidates apart when a slice is skipped between them, and drops a finding inside a stronger one', () => {
    const gap = groupCandidates([cand(0, 0, 0, 0.9, 5), cand(0, 0, 4, 0.8, 5)], 1.5);
    expect(gap).toHaveLength(2);
    // a weak candidate 5 mm off a 20 mm nodule's centre in the plane, 8 mm away in z: its own group, but
    // inside the bigger finding
    const nested = groupCandidates([cand(0, 0, 0, 0.9, 20), cand(5, 0, 8, 0.3, 4)], 1.5);
    expect(nested).toHaveLength(1);
    expect(nested[0]?.score).toBe(0.9);
  });

  it('gives the same findings as testing every pair, on thousands of crowded candidates', () => {
    for (const seed of [1, 2, 3]) {
      const r = stream(seed);
      const cands: Candidate[] = [];
      // vessels seen as chains of candidates along z, clusters, and scattered ones; a few sizes that are
      // large, negative or not numbers at all
      for (let v = 0; v < 60; v++) {
        const [x, y, z0] = [r() * 200, r() * 200, r() * 150];
        for (let k = 0; k < 20; k++)
          cands.push(cand(x + r() * 3 * k * 0.2, y + r() * 2, z0 + k * 1.5, r(), 2 + r() * 6));
      }
      for (let i = 0; i < 1500; i++) {
        const size = r() < 0.01 ? NaN : r() < 0.02 ? 25 + r() * 15 : r() < 0.01 ? -1 : r() * 12;
        cands.push(cand(r() * 200, r() * 200, Math.floor(r() * 100) * 1.5, r(), size));
      }
      const fast = groupCandidates(cands, 1.5);
      const slow = groupEveryPair(cands, 1.5);
      expect(fast.length).toBeGreaterThan(300);
      expect(fast.map((f) => [f.center, f.score, f.diameter, f.bestZ])).toEqual(
        slow.map((f) => [f.center, f.score, f.diameter, f.bestZ]),
      );
    }
  });
});
