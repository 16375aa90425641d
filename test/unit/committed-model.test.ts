/**
 * The committed nodule model is the artifact CI guards: its files must match the manifest's checksums and
 * sizes, its manifest and card must carry the metrics of its evaluation, and re-running it on the first
 * cases of each test set — the training generator's and the independent generator's, regenerated from
 * their seeds — must reproduce the detections recorded when it was evaluated (positions, scores, types,
 * sizes) and the same hits against the cases' truth, so its metrics still hold.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateManifest, type Manifest } from '../../src/ai/registry/manifest';
import { analyzePaths } from '../../src/cli/analyze';
import { evaluate } from '../../src/cli/eval';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');
const dir = join(root, 'models/lung-nodule-ct');

interface Detection {
  centerMm: [number, number, number];
  score: number;
  type: string;
  meanDiameterMm: number;
}
interface Truth {
  centerMm: [number, number, number];
  diameterMm: number;
}
interface Report {
  cases: number;
  metrics: { cpm: number; sensitivity6mmAt1FpPerScan: number };
}
interface Reference {
  seed: string;
  cases: { name: string; detections: Detection[] }[];
}
interface EvalFile {
  version: string;
  weight: number;
  operatingPoint: number;
  development: { margin: { accuracy: number; baseline: number; hits: number; reported: boolean } };
  test: Report;
  testFp32: Report;
  independent: Report;
  reference: { test: Reference; independent: Reference };
}

function manifest(): Manifest {
  const r = validateManifest(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')));
  if (!r.ok) throw new Error(r.error.join('; '));
  return r.value;
}
const metric = (m: Manifest, prefix: string): number | undefined =>
  m.metrics.find((x) => x.name.startsWith(prefix))?.value;
const evalFile = (): EvalFile => JSON.parse(readFileSync(join(dir, 'eval.json'), 'utf8')) as EvalFile;
const sha = (p: string): string => createHash('sha256').update(readFileSync(p)).digest('hex');

describe('the committed nodule model', () => {
  it('matches its manifest: checksums and sizes of both stages, 10 MB in all, int8, the metrics of its evaluation', () => {
    const m = manifest();
    const ev = evalFile();
    const fpr = m.falsePositiveReduction;
    if (!fpr) throw new Error('the committed model has no second stage');
    expect(sha(join(dir, m.file))).toBe(m.sha256);
    expect(sha(join(dir, fpr.file))).toBe(fpr.sha256);
    const bytes = readFileSync(join(dir, m.file)).length + readFileSync(join(dir, fpr.file)).length;
    expect(bytes).toBe(m.bytes + fpr.bytes);
    expect(bytes).toBeLessThan(10 * 1024 * 1024);
    expect(m.quantization).toMatch(/int8/);
    expect(m.version).toBe(ev.version);
    expect(m.operatingPoint.score).toBe(ev.operatingPoint);
    expect(fpr.weight).toBe(ev.weight);
    // The independent generator's figure comes first: it is the one that says how the model generalises.
    expect(m.metrics[0]?.name).toMatch(/independent/);
    expect(metric(m, 'CPM, independent generator')).toBe(ev.independent.metrics.cpm);
    expect(metric(m, 'Sensitivity, nodules ≥ 6 mm, at 1 FP/scan, independent')).toBe(
      ev.independent.metrics.sensitivity6mmAt1FpPerScan,
    );
    expect(metric(m, 'CPM, training generator held-out')).toBe(ev.test.metrics.cpm);
    expect(metric(m, 'CPM, fp32 detector')).toBe(ev.testFp32.metrics.cpm);
    // The card states the same numbers, and what the model is not.
    const card = readFileSync(join(dir, m.card), 'utf8');
    expect(card).toContain(String(ev.independent.metrics.cpm));
    expect(card).toContain(String(ev.test.metrics.cpm));
    expect(card).toMatch(/not a medical device/i);
    expect(card).toMatch(/synthetic/i);
  });

  describe('on the first cases of each test set, regenerated from their seeds', () => {
    // eval.json records more reference cases than this; the first of each set keeps the test short.
    const CASES = 1;
    const dirs = { test: '', independent: '' };
    beforeAll(async () => {
      const ev = evalFile();
      dirs.test = mkdtempSync(join(tmpdir(), 'lucent-heldout-'));
      dirs.independent = mkdtempSync(join(tmpdir(), 'lucent-indep-'));
      // Both generators are single-threaded: run them side by side.
      await Promise.all([
        run(
          process.execPath,
          [
            join(root, 'bin/lucent.mjs'),
            'synth',
            '--out',
            dirs.test,
            '--cases',
            String(CASES),
            '--seed',
            ev.reference.test.seed,
          ],
          { maxBuffer: 16 << 20 },
        ),
        run(
          '/usr/bin/python3',
          [
            join(root, 'eval/phantom/generate.py'),
            '--out',
            dirs.independent,
            '--cases',
            String(CASES),
            '--seed',
            ev.reference.independent.seed,
          ],
          { maxBuffer: 16 << 20 },
        ),
      ]);
    }, 900_000);
    afterAll(() => {
      for (const d of Object.values(dirs)) if (d) rmSync(d, { recursive: true, force: true });
    });

    for (const set of ['test', 'independent'] as const) {
      it(
        `reproduces its recorded detections and hits (${set === 'test' ? 'training generator' : 'independent generator'})`,
        { timeout: 900_000 },
        async () => {
          const m = manifest();
          const ref = evalFile().reference[set].cases.slice(0, CASES);
          expect(ref.length).toBeGreaterThan(0);
          const report = (await evaluate(dirs[set], { modelsDir: join(root, 'models') })) as {
            model: { id: string; sha256: string };
            perCase: { name: string; truth: Truth[]; detections: Detection[] }[];
          };
          expect(report.model).toMatchObject({ id: m.id, sha256: m.sha256 });
          // Detections at or above the operating point (less a margin for CPU differences in the runtime)
          // must match: same count, centre within 1.5 mm, score within 0.03, same type, size within 0.5 mm.
          const floor = m.operatingPoint.score - 0.05;
          const margin = 0.03;
          const op = m.operatingPoint.score;
          // A detection hits a true nodule when it is at the operating point and its centre lies inside it.
          const inside = (d: Detection, n: Truth): boolean =>
            d.score >= op &&
            Math.hypot(...d.centerMm.map((v, i) => v - (n.centerMm[i] ?? NaN))) <= n.diameterMm / 2;
          const hits = (truth: readonly Truth[], ds: readonly Detection[]): number =>
            truth.filter((n) => ds.some((d) => inside(d, n))).length;
          for (const want of ref) {
            const got = report.perCase.find((c) => c.name === want.name);
            expect(got, `${want.name} was not regenerated`).toBeDefined();
            const detections = got?.detections ?? [];
            // The same true nodules are found at the operating point as when the model was evaluated.
            expect(hits(got?.truth ?? [], detections)).toBe(hits(got?.truth ?? [], want.detections));
            // Each nodule found is sized like the truth: the hit that counts (the highest score inside it, as
            // the evaluation takes it) has a mean diameter within max(3.5 mm, 25 % of the true diameter).
            // The card's mean error among hits is under 1 mm, but single nodules miss by more: in this
            // model's full evaluation (78 hits) the worst were 2.79 mm on a 5.3 mm nodule and 3.03 mm (21 %)
            // on a 14.4 mm one, and max(1.5 mm, 25 %) would have failed 4 of them. This bound passes every
            // one of those hits with 15 % to spare, and still fails a broken size head: zeros or
            // twice the size on any nodule over 3.5 mm, a radius read as the diameter on any over 7 mm.
            for (const n of got?.truth ?? []) {
              const hit = detections
                .filter((d) => inside(d, n))
                .reduce<Detection | undefined>((a, d) => (a && a.score >= d.score ? a : d), undefined);
              if (!hit) continue;
              expect(
                Math.abs(hit.meanDiameterMm - n.diameterMm),
                `${want.name}: ${hit.meanDiameterMm} mm for a ${n.diameterMm} mm nodule`,
              ).toBeLessThanOrEqual(Math.max(3.5, 0.25 * n.diameterMm));
            }
            const unmatched = detections.filter((d) => d.score >= floor);
            for (const w of want.detections.filter((d) => d.score >= floor)) {
              const i = unmatched.findIndex(
                (g) =>
                  Math.hypot(...g.centerMm.map((v, k) => v - (w.centerMm[k] ?? NaN))) <= 1.5 &&
                  Math.abs(g.score - w.score) <= margin,
              );
              if (i < 0) {
                // Only a detection at the edge of the floor may drop out.
                expect(w.score, `${want.name}: lost ${JSON.stringify(w)}`).toBeLessThan(floor + margin);
                continue;
              }
              expect(unmatched[i]?.type).toBe(w.type);
              expect(Math.abs((unmatched[i]?.meanDiameterMm ?? NaN) - w.meanDiameterMm)).toBeLessThanOrEqual(
                0.5,
              );
              unmatched.splice(i, 1);
            }
            for (const extra of unmatched) {
              expect(extra.score, `${want.name}: new ${JSON.stringify(extra)}`).toBeLessThan(floor + margin);
            }
          }
        },
      );
    }

    it("scores a series outside the model's stated range as not analysed, its nodules all missed", async () => {
      const m = manifest();
      // The same model, stated to apply only to slices thinner than any the held-out cases have.
      const other = mkdtempSync(join(tmpdir(), 'lucent-models-'));
      try {
        mkdirSync(join(other, m.id));
        const files = [m.file, m.card, ...(m.falsePositiveReduction ? [m.falsePositiveReduction.file] : [])];
        for (const f of files) copyFileSync(join(dir, f), join(other, m.id, f));
        const narrow = { ...m, applicability: { ...m.applicability, sliceThicknessMm: [0.1, 0.2] } };
        writeFileSync(join(other, m.id, 'manifest.json'), JSON.stringify(narrow));
        const report = (await evaluate(dirs.test, { modelsDir: other })) as {
          cases: number;
          nodules: number;
          notAnalysed: { name: string; reason: string }[];
          metrics: { cpm: number };
          perCase: { detections: unknown[] }[];
        };
        expect(report.cases).toBe(CASES);
        expect(report.notAnalysed).toHaveLength(report.cases);
        expect(report.notAnalysed[0]?.reason).toMatch(/slice/i);
        expect(report.perCase.every((c) => c.detections.length === 0)).toBe(true);
        expect(report.nodules).toBeGreaterThan(0);
        expect(report.metrics.cpm).toBe(0);
      } finally {
        rmSync(other, { recursive: true, force: true });
      }
    });

    it(
      'reports the margin only if its head beat always answering the commonest margin, and findings follow',
      { timeout: 600_000 },
      async () => {
        const m = manifest();
        const decision = evalFile().development.margin;
        if (m.output.decoder !== 'centernet') throw new Error('not a CenterNet model');
        const reported = m.output.attributes.find((a) => a.name === 'margin')?.reported !== false;
        expect(reported).toBe(decision.hits > 0 && decision.accuracy > decision.baseline);
        expect(decision.reported).toBe(reported);
        expect(metric(m, 'Margin accuracy')).toBe(decision.accuracy);

        // The same model with the opposite decision, installed in a folder of its own.
        const other = mkdtempSync(join(tmpdir(), 'lucent-models-'));
        try {
          mkdirSync(join(other, m.id));
          const files = [
            m.file,
            m.card,
            ...(m.falsePositiveReduction ? [m.falsePositiveReduction.file] : []),
          ];
          for (const f of files) copyFileSync(join(dir, f), join(other, m.id, f));
          const flipped = {
            ...m,
            output: {
              ...m.output,
              attributes: m.output.attributes.map((a) =>
                a.name === 'margin' ? { ...a, reported: !reported } : a,
              ),
            },
          };
          writeFileSync(join(other, m.id, 'manifest.json'), JSON.stringify(flipped));
          // Below the operating point as well (as `--min-score` does), so that the case has findings to
          // compare whatever the committed model's operating point.
          const findings = async (modelsDir: string) =>
            (await analyzePaths([dirs.test], { modelsDir, minScore: 0.3 })).series.flatMap((s) => s.findings);
          const committed = await findings(join(root, 'models'));
          const opposite = await findings(other);
          expect(committed.length).toBeGreaterThan(0);
          expect(committed.some((f) => f.margin !== undefined)).toBe(reported);
          expect(opposite.some((f) => f.margin !== undefined)).toBe(!reported);
          // Only the margin (and what follows from it) differs.
          expect(opposite.map((f) => [f.centerMm, f.type, f.meanDiameterMm])).toEqual(
            committed.map((f) => [f.centerMm, f.type, f.meanDiameterMm]),
          );
        } finally {
          rmSync(other, { recursive: true, force: true });
        }
      },
    );
  });
});
