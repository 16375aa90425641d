/**
 * The committed nodule model's manifest, a variant that takes thin slices only, and the facts of an
 * ordinary chest CT series: the inputs of the model-choice and "not run" tests.
 */
import { readFileSync } from 'node:fs';
import { validateManifest, type Manifest } from '../../src/ai/registry/manifest';
import type { SeriesFacts } from '../../src/ai/shared/applicability';

const committed = validateManifest(
  JSON.parse(readFileSync('models/lung-nodule-ct/manifest.json', 'utf8')) as Parameters<
    typeof validateManifest
  >[0],
);
if (!committed.ok) throw new Error(committed.error.join('; '));

export const chest: Manifest = committed.value;

export const thin: Manifest = {
  ...chest,
  id: 'thin-only',
  applicability: { ...chest.applicability, sliceThicknessMm: [0.5, 1] },
};

/** 120 axial slices, 2 mm thick, 0.7 mm pixels, of the chest. */
export const ct: SeriesFacts = {
  modality: 'CT',
  bodyPartExamined: 'CHEST',
  pixelSpacingMm: 0.7,
  sliceThicknessMm: 2,
  slices: 120,
  isVolume: true,
  normal: [0, 0, 1],
};
