import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeDemoIndex, type DemoIndexEntry } from '../../src/cli/synth';
import { demoIsCurrent } from '../../scripts/demo.mjs';

const isCurrent = demoIsCurrent as (dir: string) => boolean;

const entries: DemoIndexEntry[] = ['a', 'b', 'c', 'd', 'e'].map((id) => ({
  id,
  label: id.toUpperCase(),
  nodules: [{ type: 'solid', diameterMm: 8.2 }],
  files: ['IM0001.dcm'],
}));

describe('demo index', () => {
  it('is recognised as current by the start script, so the demo set is generated only once', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lucent-demo-'));
    writeDemoIndex(dir, entries);
    expect(isCurrent(dir)).toBe(true);
    const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as {
      cases: DemoIndexEntry[];
    };
    expect(index.cases[0]?.nodules[0]).toEqual({ type: 'solid', diameterMm: 8.2 });
  });

  it('is regenerated when written by another generator version or in the older format', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lucent-demo-'));
    writeDemoIndex(dir, entries);
    const path = join(dir, 'index.json');
    const index = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    writeFileSync(path, JSON.stringify({ ...index, generator: 'lucent-synth/0' }));
    expect(isCurrent(dir)).toBe(false);
    writeFileSync(path, JSON.stringify({ ...index, schema: 'lucent.demo/1' }));
    expect(isCurrent(dir)).toBe(false);
    writeFileSync(path, JSON.stringify({ ...index, cases: entries.slice(0, 2) }));
    expect(isCurrent(dir)).toBe(false);
    // A set whose generation was interrupted (npm start stopped half-way) is generated again.
    writeDemoIndex(dir, entries.slice(0, 2), 'generating');
    expect(isCurrent(dir)).toBe(false);
    writeDemoIndex(dir, entries, 'failed');
    expect(isCurrent(dir)).toBe(false);
    expect(isCurrent(join(dir, 'missing'))).toBe(false);
  });
});
