/**
 * The committed nodule model is the artifact CI guards: its bytes must match the manifest's checksum and
 * size, its manifest must carry the metrics of its evaluation, and re-running it on the first held-out
 * cases (regenerated from their seed, byte for byte) must reproduce the detections recorded when it was
 * evaluated, so its metrics still hold.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { validateManifest, type Manifest } from '../../src/ai/registry/manifest';
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
interface EvalFile {
  int8: { cases: number; metrics: { cpm: number; sensitivity6mmAt1FpPerScan: number } };
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

  it(
    'reproduces its recorded detections on the first held-out cases, regenerated from their seed',
    { timeout: 600_000 },
    async () => {
      const m = manifest();
      const ev = JSON.parse(readFileSync(join(dir, 'eval.json'), 'utf8')) as EvalFile;
      const ref = ev.reference.cases;
      expect(ref.length).toBeGreaterThan(0);
      const out = mkdtempSync(join(tmpdir(), 'lucent-heldout-'));
      try {
        await run(
          process.execPath,
          [
            join(root, 'bin/lucent.mjs'),
            'synth',
            '--out',
            out,
            '--cases',
            String(ref.length),
            '--seed',
            ev.reference.seed,
          ],
          { maxBuffer: 16 << 20 },
        );
        const report = (await evaluate(out, { modelsDir: join(root, 'models') })) as {
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
      } finally {
        rmSync(out, { recursive: true, force: true });
      }
    },
  );
});
