import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

describe('lucent synth', () => {
  it(
    'writes three valid CT series with truth that dcmtk and dicom3tools accept',
    { timeout: 240_000 },
    async () => {
      const out = mkdtempSync(join(tmpdir(), 'lucent-synth-'));
      const { stdout } = await run(
        'npx',
        ['--no-install', 'lucent', 'synth', '--out', out, '--cases', '3', '--seed', '1'],
        {
          maxBuffer: 16 << 20,
        },
      );
      const summary = JSON.parse(stdout) as { cases: { name: string; slices: number }[] };
      expect(summary.cases.map((c) => c.name)).toEqual(['case-0001', 'case-0002', 'case-0003']);
      for (const c of summary.cases) {
        const dir = join(out, c.name);
        const files = readdirSync(dir).filter((f) => f.endsWith('.dcm'));
        expect(files.length).toBe(c.slices);
        const truth = JSON.parse(readFileSync(join(dir, 'truth.json'), 'utf8')) as {
          schema: string;
          nodules: unknown[];
        };
        expect(truth.schema).toBe('lucent.truth/1');
        expect(Array.isArray(truth.nodules)).toBe(true);
        // Every slice parses without errors in dcmtk; a sample goes through dciodvfy's IOD checks.
        const dump = spawnSync('dcmdump', ['-q', '+P', '0008,0018', ...files.map((f) => join(dir, f))], {
          encoding: 'utf8',
          maxBuffer: 64 << 20,
        });
        expect(dump.status).toBe(0);
        expect(dump.stderr).toBe('');
        expect(dump.stdout.split('\n').filter((l) => l.startsWith('(0008,0018)')).length).toBe(files.length);
        for (const f of files.filter((_, i) => i % 40 === 0)) {
          const r = execFileSync('dciodvfy', [join(dir, f)], {
            encoding: 'utf8',
            stdio: ['ignore', 'pipe', 'pipe'],
          });
          expect(r).not.toMatch(/Error/);
        }
        // Patient and body part as the issue requires; fake name only.
        const head = execFileSync(
          'dcmdump',
          ['-q', '+P', '0010,0010', '+P', '0018,0015', '+P', '0008,0016', join(dir, files[0])],
          { encoding: 'utf8' },
        );
        expect(head).toMatch(/PHANTOM\^/);
        expect(head).toMatch(/CHEST/);
        expect(head).toMatch(/CTImageStorage/);
      }
    },
  );
});
