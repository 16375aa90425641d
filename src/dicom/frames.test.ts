import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { corpusFile, sourceOf } from '../../test/support/corpus';
import { extractFrame } from './frames';
import { readInstance } from './read';

async function frameBytes(name: string, frame: number): Promise<Uint8Array> {
  const path = corpusFile(name);
  const src = sourceOf(path);
  const r = await readInstance(src);
  if (!r.ok || !r.info.image) throw new Error(`not an image: ${name}`);
  const { pixelData } = r.info.image;
  const all = pixelData.inline ?? (await src.read(pixelData.offset, src.size));
  return extractFrame(r.info.image, all, frame, pixelData.encapsulated);
}

/** dcmtk writes the raw Pixel Data value to a file with `dcmdump +W`: an independent reference. */
function dcmtkPixelData(name: string): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'lucent-raw-'));
  execFileSync('dcmdump', ['-q', '+W', dir, corpusFile(name)], { stdio: 'ignore' });
  const file = readdirSync(dir).find((f) => f.includes('7fe0') || f.endsWith('.raw'));
  if (!file) throw new Error(`dcmtk wrote no pixel data for ${name}`);
  return new Uint8Array(readFileSync(join(dir, file)));
}

describe('frame extraction', () => {
  it('native frames are the bytes dcmtk reports, frame by frame', async () => {
    const raw = dcmtkPixelData('rtdose.dcm');
    const frameSize = 10 * 10 * 4;
    for (const k of [0, 7, 14]) {
      const mine = await frameBytes('rtdose.dcm', k);
      expect(mine.length).toBe(frameSize);
      expect(Buffer.from(mine).equals(Buffer.from(raw.subarray(k * frameSize, (k + 1) * frameSize)))).toBe(
        true,
      );
    }
  });

  it('RLE multi-frame: one fragment per frame, each a valid RLE header', async () => {
    for (let k = 0; k < 15; k++) {
      const f = await frameBytes('rtdose_rle.dcm', k);
      const segments = new DataView(f.buffer, f.byteOffset).getUint32(0, true);
      expect(segments).toBe(4); // 32-bit samples → four byte planes
    }
  });

  it('JPEG frames start with a start-of-image marker', async () => {
    const f = await frameBytes('SC_rgb_jpeg_dcmtk.dcm', 0);
    expect([f[0], f[1]]).toEqual([0xff, 0xd8]);
  });

  it('refuses frames that do not exist', async () => {
    await expect(frameBytes('CT_small.dcm', 1)).rejects.toThrow(/does not exist/);
  });
});
