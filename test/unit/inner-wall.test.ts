/**
 * The training recipe's test for tissue with lung beyond it (`inner_wall` in models/training/dataset.py),
 * which `--walls` uses to put pasted nodules on the mediastinum, the heart or the diaphragm's dome rather
 * than the chest wall; answered on a synthetic slice by test/reference/inner_wall.py.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '../..');

const answers = (): Record<string, boolean> =>
  JSON.parse(
    execFileSync(
      '/usr/bin/python3',
      [join(ROOT, 'test/reference/inner_wall.py'), join(ROOT, 'models/training')],
      { encoding: 'utf8' },
    ),
  ) as Record<string, boolean>;

describe('tissue with lung beyond it', () => {
  const a = answers();

  it('is the mediastinum and the dome of the diaphragm, never the chest wall', () => {
    expect(a.mediastinum).toBe(true);
    expect(a.dome).toBe(true);
    expect(a.chestWall).toBe(false);
  });

  it('is not a vessel crossed on the way to the chest wall', () => {
    expect(a.vesselOnTheWay).toBe(false);
  });

  it('must be reached within the walk, in a direction that exists, whatever its length', () => {
    expect(a.beyondLimit).toBe(false);
    expect(a.noDirection).toBe(false);
    expect(a.scaled).toBe(true);
  });
});
