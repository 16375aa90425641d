import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { SeriesFacts } from '../ai/shared/applicability';
import { validateManifest, type Manifest } from '../ai/registry/manifest';
import { firstApplicable } from './chooseModel';

const committed = validateManifest(
  JSON.parse(readFileSync('models/lung-nodule-ct/manifest.json', 'utf8')) as Parameters<
    typeof validateManifest
  >[0],
);
if (!committed.ok) throw new Error(committed.error.join('; '));
const chest: Manifest = committed.value;
const thin: Manifest = {
  ...chest,
  id: 'thin-only',
  applicability: { ...chest.applicability, sliceThicknessMm: [0.5, 1] },
};

const ct: SeriesFacts = {
  modality: 'CT',
  bodyPartExamined: 'CHEST',
  pixelSpacingMm: 0.7,
  sliceThicknessMm: 2,
  slices: 120,
  isVolume: true,
  normal: [0, 0, 1],
};
const none = { code: 'no-model', message: 'none installed', detail: {} } as const;

describe('firstApplicable: which model runs on a series, in both hosts', () => {
  it('takes the first model that applies, passing over one that does not', () => {
    const pool = [{ manifest: thin }, { manifest: chest }];
    expect(firstApplicable(pool, ct, none)).toBe(pool[1]);
  });

  it("says the first model's reason when none applies", () => {
    const got = firstApplicable([{ manifest: thin }, { manifest: chest }], { ...ct, modality: 'MR' }, none);
    expect('manifest' in got ? null : got.message).toMatch(/^thin-only is for CT images; this series is MR/);
  });

  it("gives the host's own words when there is no candidate at all", () => {
    expect(firstApplicable([], ct, none)).toBe(none);
  });
});
