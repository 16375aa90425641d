import { zipSync } from 'fflate';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { corpusFile, sourceOf } from '../../test/support/corpus';
import { expandArchive } from './archive';
import { memorySource } from './source';
import { readInstance } from './read';

describe('archives', () => {
  it('expands a zip with folders and a nested zip, skipping macOS metadata', async () => {
    const ct = new Uint8Array(readFileSync(corpusFile('CT_small.dcm')));
    const mr = new Uint8Array(readFileSync(corpusFile('MR_small.dcm')));
    const inner = zipSync({ 'inner/mr.dcm': mr });
    const outer = zipSync({
      'study/ct.dcm': ct,
      'study/nested.zip': inner,
      '__MACOSX/._ct.dcm': new Uint8Array(4),
    });
    const entries = await expandArchive(memorySource('case.zip', outer));
    expect(entries?.map((e) => e.name).sort()).toEqual([
      'case.zip/study/ct.dcm',
      'case.zip/study/nested.zip/inner/mr.dcm',
    ]);
    for (const e of entries ?? []) expect((await readInstance(e)).ok).toBe(true);
  });

  it('un-gzips a gzip-compressed DICOM file (pydicom zipMR.gz)', async () => {
    const entries = await expandArchive(sourceOf(corpusFile('zipMR.gz')));
    expect(entries?.length).toBe(1);
    const r = await readInstance(entries?.[0] as never);
    expect(r.ok && r.info.modality).toBe('MR');
  });

  it('reports a damaged zip as an archive error', async () => {
    const good = zipSync({ 'a.dcm': new Uint8Array(1000).fill(7) });
    const bad = good.slice(0, 40);
    await expect(expandArchive(memorySource('bad.zip', bad))).rejects.toMatchObject({
      code: 'archive-error',
    });
  });

  it('passes through files that are not archives', async () => {
    expect(await expandArchive(sourceOf(corpusFile('CT_small.dcm')))).toBeNull();
  });
});
