/**
 * The same patient stored the other way round: every slice of a supine head-first series rewritten as a
 * prone acquisition would store it (Image Orientation (Patient) [-1,0,0,0,-1,0], pixels rotated 180°,
 * Image Position (Patient) at the new first pixel) and, separately, in reversed file order. `lucent
 * analyze` must put every finding at the same patient position with the same size and category: the
 * volume is built from the geometry, not from the pixel layout.
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import dcmjs from 'dcmjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzePaths } from '../../src/cli/analyze';
import { makeCase } from '../../src/synth/case';

const { DicomMessage, DicomMetaDictionary, DicomDict } = dcmjs.data;
let root = '';

/** Rewrite one file as a prone acquisition would store the same slice. */
function asProne(bytes: Uint8Array): ArrayBuffer {
  const file = DicomMessage.readFile(new Uint8Array(bytes).buffer);
  const ds = DicomMetaDictionary.naturalizeDataset(file.dict);
  const rows = Number(ds['Rows']);
  const columns = Number(ds['Columns']);
  const [rowSpacing, colSpacing] = (ds['PixelSpacing'] as number[]).map(Number);
  const ipp = (ds['ImagePositionPatient'] as number[]).map(Number);
  const pixels = new Int16Array((ds['PixelData'] as ArrayBuffer[])[0] ?? new ArrayBuffer(0));
  // A 180° rotation in the plane: the last stored pixel becomes the first.
  const rotated = new Int16Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) rotated[i] = pixels[pixels.length - 1 - i] ?? 0;
  ds['PixelData'] = [rotated.buffer];
  ds['ImageOrientationPatient'] = [-1, 0, 0, 0, -1, 0];
  const round = (v: number): number => Math.round(v * 1e4) / 1e4;
  ds['ImagePositionPatient'] = [
    round((ipp[0] ?? 0) + (columns - 1) * (colSpacing ?? 1)),
    round((ipp[1] ?? 0) + (rows - 1) * (rowSpacing ?? 1)),
    ipp[2] ?? 0,
  ];
  const out = new DicomDict(file.meta);
  out.dict = DicomMetaDictionary.denaturalizeDataset(ds);
  return out.write();
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'lucent-orientation-'));
  const c = makeCase('orientation', 1, {
    position: 'HFS',
    nodules: [
      { type: 'solid', diameter: 14 },
      { type: 'part-solid', diameter: 16 },
    ],
    zRange: [-50, 50],
    scanner: { matrix: 512, sliceThickness: 2, sliceSpacing: 2 },
  });
  for (const d of ['supine', 'prone', 'reversed']) mkdirSync(join(root, d));
  const slices = [...c.slices()];
  slices.forEach((s, i) => {
    writeFileSync(join(root, 'supine', s.fileName), s.bytes);
    writeFileSync(join(root, 'prone', s.fileName), new Uint8Array(asProne(s.bytes)));
    // Files named so that a reader sorting by name meets them feet first.
    writeFileSync(join(root, 'reversed', `IM${String(slices.length - i).padStart(4, '0')}.dcm`), s.bytes);
  });
}, 300_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('orientation, end to end', () => {
  it(
    'finds the same nodules at the same patient positions in supine, prone-stored and reversed series',
    { timeout: 300_000 },
    async () => {
      const findings = async (dir: string) => {
        const a = await analyzePaths([join(root, dir)], { minScore: 0.3 });
        expect(a.errors).toEqual([]);
        return (a.series.find((s) => s.kind === 'image')?.findings ?? []).map((f) => ({
          type: f.type,
          lungRads: f.lungRads,
          mean: f.meanDiameterMm.toFixed(1),
          center: f.centerMm.map((v) => v.toFixed(1)),
          side: f.location.side,
        }));
      };
      expect(readdirSync(join(root, 'prone')).length).toBe(readdirSync(join(root, 'supine')).length);
      const supine = await findings('supine');
      expect(supine.length).toBeGreaterThan(0);
      expect(await findings('prone')).toEqual(supine);
      expect(await findings('reversed')).toEqual(supine);
      // The stored pixels of the prone copy really are rotated (the test would prove nothing otherwise).
      const name = readdirSync(join(root, 'supine'))[0] ?? '';
      expect(readFileSync(join(root, 'prone', name)).equals(readFileSync(join(root, 'supine', name)))).toBe(
        false,
      );
    },
  );
});
