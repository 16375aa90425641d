import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { manifestIssues, validateManifest } from './manifest';

const example = (): Record<string, unknown> =>
  JSON.parse(
    readFileSync(
      resolve(import.meta.dirname, '../../../models/examples/yolo-detector/manifest.json'),
      'utf8',
    ),
  ) as Record<string, unknown>;

describe('model manifests', () => {
  it('accepts the committed manifests', () => {
    for (const path of [
      'models/lung-nodule-ct/manifest.json',
      'models/examples/yolo-detector/manifest.json',
      'models/examples/classifier/manifest.json',
    ]) {
      const json: unknown = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../..', path), 'utf8'));
      const r = validateManifest(json);
      expect(r.ok, r.ok ? path : `${path}: ${r.error.join('; ')}`).toBe(true);
    }
  });

  it('names each broken field', () => {
    const m = example();
    m['sha256'] = 'abc';
    (m['input'] as Record<string, unknown>)['slices'] = 4;
    (m['applicability'] as Record<string, unknown>)['pixelSpacingMm'] = [1, 0.5];
    m['output'] = { decoder: 'magic' };
    const r = validateManifest(m);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toEqual(
      expect.arrayContaining([
        'sha256 must be 64 lower-case hex digits',
        'input.slices must be an odd number ≥ 1',
        'applicability.pixelSpacingMm must be [min, max]',
        'output.decoder must be centernet, yolo or classifier',
      ]),
    );
  });

  it('gives each problem its field, for the model-folder refusal to name in any language', () => {
    const m = example();
    (m['input'] as Record<string, unknown>)['slices'] = 4;
    m['output'] = { decoder: 'magic' };
    delete m['metrics'];
    const issues = manifestIssues(m);
    expect(issues.map((i) => i.field)).toEqual(['input.slices', 'output.decoder', 'metrics']);
    for (const i of issues) expect(i.message.startsWith(`${i.field} `), i.message).toBe(true);
    expect(validateManifest(m)).toEqual({ ok: false, error: issues.map((i) => i.message) });
    expect(manifestIssues([1, 2])).toEqual([{ field: '', message: 'the manifest must be a JSON object' }]);
    expect(manifestIssues(example())).toEqual([]);
  });

  it('takes an attribute marked not reported, and refuses a non-boolean mark', () => {
    const nodule = (): Record<string, unknown> =>
      JSON.parse(
        readFileSync(resolve(import.meta.dirname, '../../../models/lung-nodule-ct/manifest.json'), 'utf8'),
      ) as Record<string, unknown>;
    const withMark = (reported: unknown): ReturnType<typeof validateManifest> => {
      const m = nodule();
      const output = m['output'] as { attributes: Record<string, unknown>[] };
      output.attributes = output.attributes.map((a) => ({ ...a, reported }));
      return validateManifest(m);
    };
    const off = withMark(false);
    if (!off.ok || off.value.output.decoder !== 'centernet')
      throw new Error('expected a valid CenterNet manifest');
    expect(off.value.output.attributes.map((a) => a.reported)).toEqual([false]);
    expect(withMark(true).ok).toBe(true);
    const bad = withMark('no');
    expect(bad.ok).toBe(false);
    if (!bad.ok)
      expect(bad.error).toContain('output.attributes must be a list of {name, output, labels, reported?}');
  });
});
