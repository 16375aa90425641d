/**
 * Both hosts run the same analysis: `lucent analyze` (onnxruntime-node, the series streamed onto the
 * model grid slice by slice, as the browser's worker does) and the browser host's runtime adapter
 * (onnxruntime-web's WebAssembly, here in Node, given the whole volume) give the same findings for the
 * same series: ids, types, categories, sizes and centres within 0.1 mm, and the same case category and
 * report.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runnerOf } from '../../src/ai/browser/runtime';
import { installedModels, verifiedModelBytes } from '../../src/ai/node/models';
import { analyzePaths, loadPaths } from '../../src/cli/analyze';
import { instancesOf, seriesVolume } from '../../src/cli/pixels';
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
      const volume = await seriesVolume(series, instancesOf(loaded));
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

      // Ids, types and categories equal; sizes and centres (rounded to 0.1 mm) at most one step apart.
      const cliFindings = cli?.findings ?? [];
      const label = (f: { id: string; type: string; lungRads: string }) => [f.id, f.type, f.lungRads];
      expect(cliFindings.length).toBeGreaterThan(0);
      expect(web.findings.map(label)).toEqual(cliFindings.map(label));
      web.findings.forEach((w, n) => {
        const c = cliFindings[n];
        if (!c) throw new Error(`the CLI has no finding ${w.id}`);
        const apart = [
          w.meanDiameterMm - c.meanDiameterMm,
          w.longAxisMm - c.longAxisMm,
          w.shortAxisMm - c.shortAxisMm,
          ...w.centerMm.map((v, k) => v - (c.centerMm[k] ?? NaN)),
        ].map(Math.abs);
        expect(Math.max(...apart), `${w.id}: sizes and centre (mm)`).toBeLessThanOrEqual(0.1 + 1e-6);
      });
      expect(web.summary?.lungRads).toEqual(cli?.lungRads);
      expect(web.summary?.report).toEqual(cli?.report);
    },
  );
});
