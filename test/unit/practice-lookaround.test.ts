/**
 * What a false-positive mark most probably was (practice/lookAround.ts), checked on a synthetic chest CT
 * whose anatomy is known: marks on vessels, on the pleura, on fissures, in the mediastinum and in empty
 * lung must be told apart from the image alone.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPaths } from '../../src/cli/analyze';
import { seriesVolume } from '../../src/cli/pixels';
import { assembleStudies } from '../../src/dicom/series';
import type { Volume } from '../../src/lib/volume';
import { lookAround, type Lookalike } from '../../src/practice/lookAround';
import { capsuleDistance, fissureSurfaces, lungDepth, randomLungPoint } from '../../src/synth/anatomy';
import { makeCase, type SynthCase } from '../../src/synth/case';
import { Rng } from '../../src/synth/rng';

type P = readonly [number, number, number];
let dir = '';
let c: SynthCase;
let volume: Volume;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lucent-look-'));
  c = makeCase('look', 1, {
    clean: true,
    nodules: [],
    zRange: [-20, 20],
    scanner: { sliceThickness: 1.25, sliceSpacing: 1.25, noiseSigma: 10 },
  });
  for (const s of c.slices()) writeFileSync(join(dir, s.fileName), s.bytes);
  const loaded = await loadPaths([dir]);
  const byKey = new Map(loaded.instances.map((i) => [i.key, i]));
  const series = assembleStudies(loaded.instances).flatMap((s) => s.series)[0];
  if (!series) throw new Error('no series');
  volume = await seriesVolume(series, (k) => {
    const i = byKey.get(k);
    const src = loaded.sources.get(k);
    return i && src ? { info: i.info, source: src } : undefined;
  });
}, 300_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function share(points: readonly P[], kind: Lookalike): number {
  expect(points.length).toBeGreaterThanOrEqual(8);
  return points.filter((p) => lookAround(volume, p) === kind).length / points.length;
}

const nearestVessel = (p: P): number => Math.min(...c.chest.capsules.map((k) => capsuleDistance(k, p)));

describe('what a false positive was', () => {
  it('a vessel: a mark on a pulmonary vessel (radius ≥ 1.5 mm, in the lung)', () => {
    const points = c.chest.capsules
      .filter((k) => k.kind === 'vessel' && Math.min(k.r, k.rb) >= 1.5)
      .map((k): P => [(k.a[0] + k.b[0]) / 2, (k.a[1] + k.b[1]) / 2, (k.a[2] + k.b[2]) / 2])
      .filter((m) => Math.abs(m[2]) <= 10 && lungDepth(c.chest, m[0], m[1], m[2]) >= 8);
    expect(share(points, 'vessel')).toBeGreaterThanOrEqual(0.9);
  });

  it('the pleura: a mark 1.5 mm inside the lung from the chest wall', () => {
    const rng = new Rng('pleura');
    const points: P[] = [];
    while (points.length < 30) {
      const p = randomLungPoint(rng, c.chest, 10, [-12, 12]);
      if (!p) continue;
      const side = p[0] < 0 ? -1 : 1;
      let q: P = [p[0], p[1], p[2]];
      while (lungDepth(c.chest, q[0], q[1], q[2]) > 1.5) q = [q[0] + side * 0.5, q[1], q[2]];
      points.push(q);
    }
    expect(share(points, 'pleura')).toBeGreaterThanOrEqual(0.9);
  });

  it('nothing: a mark in aerated lung, 4 mm or more from any vessel and fissure', () => {
    const rng = new Rng('empty');
    const fissures = fissureSurfaces(c.chest);
    const points: P[] = [];
    for (let i = 0; i < 400 && points.length < 40; i++) {
      const p = randomLungPoint(rng, c.chest, 8, [-12, 12]);
      if (!p || nearestVessel(p) <= 4) continue;
      if (Math.min(...fissures.map((f) => Math.abs(f.distance(p[0], p[1], p[2])))) < 3) continue;
      points.push(p);
    }
    expect(share(points, 'nothing')).toBeGreaterThanOrEqual(0.9);
  });

  it('a fissure: a mark on a fissure, away from vessels', () => {
    const rng = new Rng('fissure');
    const fissures = fissureSurfaces(c.chest);
    const points: P[] = [];
    for (let i = 0; i < 6000 && points.length < 16; i++) {
      const p = randomLungPoint(rng, c.chest, 8, [-12, 12]);
      if (!p || Math.min(...fissures.map((f) => Math.abs(f.distance(p[0], p[1], p[2])))) >= 0.7) continue;
      if (nearestVessel(p) > 4) points.push(p);
    }
    expect(share(points, 'fissure')).toBeGreaterThanOrEqual(0.6);
  });

  it('outside the lung: a mark in the mediastinum', () => {
    const points: P[] = [-5, 0, 5].flatMap((x) => [-20, 0, 20].map((y): P => [x, y, 0]));
    expect(share(points.concat(points.map(([x, y]) => [x, y, 8] as P)), 'outside')).toBeGreaterThanOrEqual(
      0.8,
    );
  });
});
