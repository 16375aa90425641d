/**
 * The committed nodule model is the artifact CI guards: its bytes must match the manifest's checksum and
 * size, its manifest must carry the metrics of its evaluation, and re-running it on the first held-out
 * cases (regenerated from their seed, byte for byte) must reproduce the detections recorded when it was
 * evaluated, so its metrics still hold.
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
interface AttributeScore {
  name: string;
  accuracy: number;
  baseline: number;
  reported: boolean;
}
interface EvalFile {
  int8: {
    cases: number;
    metrics: {
      cpm: number;
      sensitivity6mmAt1FpPerScan: number;
      /** The operating point the card and manifest use. */
      at1FpPerScan: { threshold: number; attributes: AttributeScore[] };
    };
  };
  fp32: { metrics: { cpm: number } };
  reference: { seed: string; cases: { name: string; detections: Detection[] }[] };
}

function manifest(): Manifest {
  const r = validateManifest(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')));
  if (!r.ok) throw new Error(r.error.join('; '));
  return r.value;
}

const metric = (m: Manifest, prefix: string): number | undefined =>
  m.metrics.find((x) => x.name.startsWith(prefix))?.value;

const evalFile = (): EvalFile => JSON.parse(readFileSync(join(dir, 'eval.json'), 'utf8')) as EvalFile;

describe('the committed nodule model', () => {
  it('matches its manifest: checksum, size under 5 MB, int8, and the metrics of its evaluation', () => {
    const m = manifest();
    const bytes = readFileSync(join(dir, m.file));
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(m.sha256);
    expect(bytes.length).toBe(m.bytes);
    expect(bytes.length).toBeLessThan(5 * 1024 * 1024);
    expect(m.quantization).toMatch(/int8/);
    const ev = JSON.parse(readFileSync(join(dir, 'eval.json'), 'utf8')) as EvalFile;
    expect(metric(m, 'CPM (LUNA16')).toBe(ev.int8.metrics.cpm);
    expect(metric(m, 'Sensitivity, nodules ≥ 6 mm')).toBe(ev.int8.metrics.sensitivity6mmAt1FpPerScan);
    expect(metric(m, 'CPM, fp32')).toBe(ev.fp32.metrics.cpm);
    // The model card states the same numbers.
    const card = readFileSync(join(dir, m.card), 'utf8');
    expect(card).toContain(String(ev.int8.metrics.cpm));
    expect(card).toMatch(/not a medical device/i);
    expect(card).toMatch(/synthetic/i);
  });

  describe('on the first held-out cases', () => {
    // The first held-out cases, regenerated from their seed once for the tests below.
    let heldout = '';
    beforeAll(async () => {
      const ev = evalFile();
      heldout = mkdtempSync(join(tmpdir(), 'lucent-heldout-'));
      await run(
        process.execPath,
        [
          join(root, 'bin/lucent.mjs'),
          'synth',
          '--out',
          heldout,
          '--cases',
          String(ev.reference.cases.length),
          '--seed',
          ev.reference.seed,
        ],
        { maxBuffer: 16 << 20 },
      );
    }, 600_000);
    afterAll(() => rmSync(heldout, { recursive: true, force: true }));

    it(
      'reproduces its recorded detections on the first held-out cases, regenerated from their seed',
      { timeout: 600_000 },
      async () => {
        const m = manifest();
        const ev = evalFile();
        const ref = ev.reference.cases;
        expect(ref.length).toBeGreaterThan(0);
        const report = (await evaluate(heldout, { modelsDir: join(root, 'models') })) as {
          model: { id: string; sha256: string };
          perCase: { name: string; detections: Detection[] }[];
        };
        expect(report.model).toMatchObject({ id: m.id, sha256: m.sha256 });
        // Detections at or above the operating point (less a margin for CPU differences in the runtime)
        // must match: same count, centre within 1.5 mm, score within 0.03, same type.
        const floor = m.operatingPoint.score - 0.05;
        const margin = 0.03;
        for (const want of ref) {
          const got = report.perCase.find((c) => c.name === want.name)?.detections ?? [];
          const wanted = want.detections.filter((d) => d.score >= floor);
          const unmatched = got.filter((d) => d.score >= floor);
          for (const w of wanted) {
            const i = unmatched.findIndex(
              (g) =>
                Math.hypot(
                  g.centerMm[0] - w.centerMm[0],
                  g.centerMm[1] - w.centerMm[1],
                  g.centerMm[2] - w.centerMm[2],
                ) <= 1.5 && Math.abs(g.score - w.score) <= margin,
            );
            if (i < 0) {
              // Only a detection at the edge of the floor may drop out.
              expect(w.score, `${want.name}: lost ${JSON.stringify(w)}`).toBeLessThan(floor + margin);
              continue;
            }
            expect(unmatched[i]?.type).toBe(w.type);
            unmatched.splice(i, 1);
          }
          for (const extra of unmatched) {
            expect(extra.score, `${want.name}: new ${JSON.stringify(extra)}`).toBeLessThan(floor + margin);
          }
        }
      },
    );

    it(
      'reports the margin only if its head beat always answering the commonest margin, and findings follow',
      { timeout: 600_000 },
      async () => {
        const m = manifest();
        const ev = evalFile();
        expect(m.operatingPoint.score).toBe(ev.int8.metrics.at1FpPerScan.threshold);
        const score = ev.int8.metrics.at1FpPerScan.attributes.find((a) => a.name === 'margin');
        if (!score || m.output.decoder !== 'centernet') throw new Error('no margin evaluation');
        const reported = m.output.attributes.find((a) => a.name === 'margin')?.reported !== false;
        expect(reported).toBe(score.accuracy > score.baseline);
        expect(score.reported).toBe(reported);
        expect(metric(m, 'Margin accuracy')).toBe(score.accuracy);

        // The same model with the opposite decision, installed in a folder of its own.
        const other = mkdtempSync(join(tmpdir(), 'lucent-models-'));
        try {
          mkdirSync(join(other, m.id));
          for (const f of [m.file, m.card]) copyFileSync(join(dir, f), join(other, m.id, f));
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
          const findings = async (modelsDir: string) =>
            (
              await analyzePaths([join(heldout, evalFile().reference.cases[0]?.name ?? '')], { modelsDir })
            ).series.flatMap((s) => s.findings);
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
