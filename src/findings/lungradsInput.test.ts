/** The `lucent lungrads` input (CONTRACTS.md, "lungrads input"): what it accepts and how it refuses. */
import { describe, expect, it } from 'vitest';
import { parseLungRadsInput } from './lungradsInput';

const contractExample = {
  nodules: [
    { type: 'solid', meanDiameterMm: 7.0, solidComponentMm: null, status: 'baseline', juxtapleural: false },
  ],
};

function errorOf(raw: unknown): string {
  const r = parseLungRadsInput(raw);
  if (r.ok) throw new Error('expected a validation error');
  expect(r.error.code).toBe('invalid-lungrads-input');
  return r.error.message;
}

describe('parseLungRadsInput', () => {
  it('accepts the example from CONTRACTS.md', () => {
    const r = parseLungRadsInput(contractExample);
    expect(r.ok && r.value.nodules[0]).toEqual({
      type: 'solid',
      status: 'baseline',
      meanDiameterMm: 7,
      solidComponentMm: null,
      juxtapleural: false,
    });
  });

  it('accepts an empty list, missing optional fields, and the optional extensions', () => {
    expect(parseLungRadsInput({ nodules: [] }).ok).toBe(true);
    const r = parseLungRadsInput({
      incomplete: 'prior-ct-pending',
      nodules: [
        { type: 'ground-glass', meanDiameterMm: 12, status: 'new' },
        {
          type: 'solid',
          meanDiameterMm: 9,
          status: 'stable',
          margin: 'spiculated',
          priorCategory: '4A',
          slowGrowth: false,
          suspiciousFeatures: true,
        },
      ],
    });
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.value.incomplete).toBe('prior-ct-pending');
      expect(r.value.nodules[1]).toMatchObject({
        margin: 'spiculated',
        priorCategory: '4A',
        suspiciousFeatures: true,
      });
    }
  });

  it.each([
    [null, /JSON object/],
    [[], /JSON object/],
    [{}, /input\.nodules must be an array/],
    [{ nodules: {} }, /input\.nodules must be an array/],
    [{ nodules: [3] }, /nodules\[0\] must be an object/],
    [
      { nodules: [{ ...contractExample.nodules[0], type: 'mass' }] },
      /nodules\[0\]\.type must be one of solid/,
    ],
    [{ nodules: [{ ...contractExample.nodules[0], status: 'old' }] }, /nodules\[0\]\.status must be one of/],
    [
      { nodules: [{ ...contractExample.nodules[0], meanDiameterMm: '7' }] },
      /meanDiameterMm must be a number/,
    ],
    [
      { nodules: [{ ...contractExample.nodules[0], meanDiameterMm: 0 }] },
      /meanDiameterMm must be .* above 0/,
    ],
    [{ nodules: [{ ...contractExample.nodules[0], meanDiameterMm: -4 }] }, /meanDiameterMm/],
    [{ nodules: [{ ...contractExample.nodules[0], meanDiameterMm: 301 }] }, /at most 300/],
    [
      { nodules: [{ ...contractExample.nodules[0], juxtapleural: 'yes' }] },
      /juxtapleural must be true or false/,
    ],
    [{ nodules: [{ ...contractExample.nodules[0], margin: 'fuzzy' }] }, /margin must be one of/],
    [{ nodules: [{ ...contractExample.nodules[0], priorCategory: '5' }] }, /priorCategory must be one of/],
    [
      { nodules: [{ ...contractExample.nodules[0], solidComponentMm: 'x' }] },
      /solidComponentMm must be a number or null/,
    ],
    [
      { nodules: [{ type: 'part-solid', meanDiameterMm: 8, status: 'new' }] },
      /solidComponentMm must be .* part-solid/,
    ],
    [
      { nodules: [{ type: 'part-solid', meanDiameterMm: 8, solidComponentMm: 9, status: 'new' }] },
      /must not exceed nodules\[0\]\.meanDiameterMm/,
    ],
    [{ nodules: [], incomplete: 'maybe' }, /input\.incomplete must be one of/],
  ])('refuses %j', (raw, message) => {
    expect(errorOf(raw)).toMatch(message);
  });

  it('names the offending nodule by index', () => {
    const second = { type: 'solid', meanDiameterMm: 5, status: 'later' };
    expect(errorOf({ nodules: [contractExample.nodules[0], second] })).toMatch(/^nodules\[1\]\.status/);
  });
});
