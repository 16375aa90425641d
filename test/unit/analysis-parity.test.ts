/**
 * Both hosts run the same analysis: `lucent analyze` (onnxruntime-node) and the browser host's runtime
 * adapter (onnxruntime-web's WebAssembly, here in Node) give the same findings for the same series:
 * ids, types, categories, sizes to 0.1 mm, and the same case category and report.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runnerOf } from '../../src/ai/browser/runtime';
import { installedModels, verifiedModelBytes } from '../../src/ai/node/models';
import { analyzePaths, loadPaths } from '../../src/cli/analyze';
import { seriesVolume } from '../../src/cli/pixels';
import { assembleStudies } from '../../src/dicom/series';
import { makeCase } from '../../src/synth/case';
import { analyzeSeries } from '../../src/analysis/analyze';

let dir = '';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lucent-parity-'));
  // A short chest CT with nodules, so the comparison covers real findings.
  const c = makeCase('parity', 3, {
    nodules: [
      { type: 'solid', diameter: 12 },
      { type: 'part-solid', diameter: 14 },
      { type: 'ground-glass', diameter: 10 },
    ],
    zRange: [-60, 60],
    scanner: { matrix: 512, sliceThickness: 2, sliceSpacing: 2, noiseSigma: 10 },
  });
  for (const s of c.slices()) writeFileSync(join(dir, s.fileName), s.bytes);
}, 300_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('one analysis, two hosts', () => {
  it(
    'gives the same findings with onnxruntime-node (CLI) and onnxruntime-web (browser host)',
    { timeout: 300_000 },
    async () => {
      const cli = (await analyzePaths([dir])).series.find((s) => s.kind === 'image');
      expect(cli?.model).not.toBeNull();

      const model = installedModels().find((m) => m.manifest.id === cli?.model?.id);
      if (!model) throw new Error('the committed model is not installed');
      const m = model.manifest;
      const ort = await import('onnxruntime-web/wasm');
      ort.env.wasm.numThreads = 1;
      const session = await ort.InferenceSession.create(verifiedModelBytes(model), {
        executionProviders: ['wasm'],
      });
      const fpr = m.falsePositiveReduction;
      const second = fpr
        ? await ort.InferenceSession.create(new Uint8Array(readFileSync(join(model.dir, fpr.file))), {
            executionProviders: ['wasm'],
          })
        : null;
      const loaded = await loadPaths([dir]);
      const byKey = new Map(loaded.instances.map((i) => [i.key, i]));
      const series = assembleStudies(loaded.instances)
        .flatMap((s) => s.series)
        .find((s) => s.kind === 'image');
      if (!series) throw new Error('no image series');
      const volume = await seriesVolume(series, (key) => {
        const inst = byKey.get(key);
        const src = loaded.sources.get(key);
        return inst && src ? { info: inst.info, source: src } : undefined;
      });
      const head = byKey.get(series.instanceKeys[0] ?? '')?.info;
      const web = await analyzeSeries(
        volume,
        m,
        {
          model: runnerOf(ort, session, m.input.name),
          ...(second && fpr ? { fpr: runnerOf(ort, second, fpr.input) } : {}),
        },
        { language: 'en', patient: { ageYears: head?.patient.ageYears, sex: head?.patient.sex } },
      );
      await session.release();
      await second?.release();

      const shape = (
        fs: readonly {
          id: string;
          type: string;
          lungRads: string;
          meanDiameterMm: number;
          longAxisMm: number;
          shortAxisMm: number;
          centerMm: readonly number[];
        }[],
      ) =>
        fs.map((f) => ({
          id: f.id,
          type: f.type,
          lungRads: f.lungRads,
          mean: f.meanDiameterMm.toFixed(1),
          long: f.longAxisMm.toFixed(1),
          short: f.shortAxisMm.toFixed(1),
          center: f.centerMm.map((v) => v.toFixed(1)),
        }));
      expect(cli?.findings.length).toBeGreaterThan(0);
      expect(shape(web.findings)).toEqual(shape(cli?.findings ?? []));
      expect(web.summary?.lungRads).toEqual(cli?.lungRads);
      expect(web.summary?.report).toEqual(cli?.report);
    },
  );
});
