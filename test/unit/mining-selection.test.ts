/**
 * Which training cases the second stage's hard negatives are mined from (models/training/mine.mjs): a share
 * of every generator in the training set, spread through each, never only the generator whose cases sort
 * first.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const MODELDIR = join(__dirname, '../../models/training/modeldir.mjs');

const pick = (names: readonly string[], count: number): string[] =>
  JSON.parse(
    execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { spreadAcrossGroups } from ${JSON.stringify(MODELDIR)};
         console.log(JSON.stringify(spreadAcrossGroups(${JSON.stringify(names)}, ${count})));`,
      ],
      { encoding: 'utf8' },
    ),
  ) as string[];

const cases = (prefix: string, n: number): string[] =>
  Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(4, '0')}`);

describe('cases mined for hard negatives', () => {
  const training = [...cases('case-', 64), ...cases('g2-', 48)];

  it('takes an equal share from each generator, spread through each', () => {
    const chosen = pick(training, 64);
    expect(chosen).toHaveLength(64);
    expect(new Set(chosen).size).toBe(64);
    const synth = chosen.filter((n) => n.startsWith('case-'));
    const g2 = chosen.filter((n) => n.startsWith('g2-'));
    expect([synth.length, g2.length]).toEqual([32, 32]);
    // Spread: the last chosen case of each generator lies in the last quarter of its cases.
    expect(Number(synth.at(-1)?.slice(5))).toBeGreaterThanOrEqual(48);
    expect(Number(g2.at(-1)?.slice(3))).toBeGreaterThanOrEqual(36);
  });

  it('gives a small generator all its cases and the rest to the others', () => {
    const chosen = pick([...cases('case-', 64), ...cases('g2-', 10)], 50);
    expect(chosen.filter((n) => n.startsWith('g2-'))).toHaveLength(10);
    expect(chosen.filter((n) => n.startsWith('case-'))).toHaveLength(40);
  });

  it('takes every case when asked for more than there are', () => {
    expect(pick(training, 500)).toEqual([...training].sort());
  });
});
