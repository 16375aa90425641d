import { describe, expect, it } from 'vitest';
import { chest, ct, thin } from '../../test/support/modelFacts';
import { firstApplicable } from './chooseModel';

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
