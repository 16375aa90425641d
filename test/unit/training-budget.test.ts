/**
 * The training budget (models/training/common.py CpuBudget, used by train.py and fpr.py): with `--steps`
 * a run trains exactly that many optimiser steps whatever the machine's speed, and its learning rate warms
 * up and decays over those steps; without, CPU time per thread bounds it as before. Run in Python
 * (test/reference/budget_check.py), as the pipeline runs it.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '../..');

interface Run {
  steps: number;
  first: number;
  peak: number;
  last: number;
  fractionAtEnd: number;
}

const result = JSON.parse(
  execFileSync('/usr/bin/python3', [
    join(ROOT, 'test/reference/budget_check.py'),
    join(ROOT, 'models/training'),
  ]).toString(),
) as { bySteps: Run; slowSteps: Run; byTime: Run };

describe('training budget', () => {
  it('stops after exactly the steps asked, however long each step takes', () => {
    expect(result.bySteps.steps).toBe(120);
    // 40 steps of 2 ms of CPU each outlast the 0.03 s of CPU also given: the steps decide.
    expect(result.slowSteps.steps).toBe(40);
    expect(result.bySteps.fractionAtEnd).toBe(1);
  });

  it('warms up, then decays to 5% of the peak learning rate over the steps', () => {
    for (const run of [result.bySteps, result.slowSteps]) {
      expect(run.first).toBeCloseTo(2e-4, 8);
      expect(run.peak).toBeGreaterThan(0.85 * 2e-3);
      expect(run.last / 2e-3).toBeGreaterThan(0.05);
      expect(run.last / 2e-3).toBeLessThan(0.06);
    }
  });

  it('without steps, CPU time bounds the run', () => {
    // 0.3 s of CPU at 2 ms of CPU a step: at most 151 steps, fewer by the loop's own cost.
    expect(result.byTime.steps).toBeLessThanOrEqual(151);
    expect(result.byTime.steps).toBeGreaterThan(100);
    expect(result.byTime.fractionAtEnd).toBeGreaterThanOrEqual(1);
    expect(result.byTime.last / 2e-3).toBeLessThan(0.06);
  });
});
