/** Rounding and interval membership, the two things every guideline boundary depends on. */
import { describe, expect, it } from 'vitest';
import { inInterval, roundTo, roundToTenthMm, roundToWholeMm } from './measure';

describe('rounding', () => {
  it('rounds half up as the printed decimal reads, despite binary representation', () => {
    expect(roundToTenthMm(5.95)).toBe(6);
    expect(roundToTenthMm(5.949)).toBe(5.9);
    expect(roundToTenthMm(7.85)).toBe(7.9);
    expect(roundToTenthMm(14.95)).toBe(15);
    expect(roundToTenthMm((8.0 + 3.9) / 2)).toBe(6);
    expect(roundTo(1.005, 2)).toBe(1.01); // Math.round(1.005 * 100) / 100 gives 1
  });

  it('rounds to whole millimetres for Fleischner', () => {
    expect(roundToWholeMm(5.49)).toBe(5);
    expect(roundToWholeMm(5.5)).toBe(6);
    expect(roundToWholeMm(8.5)).toBe(9);
  });
});

describe('inInterval', () => {
  it('honours each bound with its inclusivity', () => {
    const lungRads = { gte: 6, lt: 8 }; // "≥ 6 to < 8 mm"
    expect([5.9, 6, 7.9, 8].map((v) => inInterval(v, lungRads))).toEqual([false, true, true, false]);
    const fleischner = { gte: 6, lte: 8 }; // "6–8 mm"
    expect([5, 6, 8, 9].map((v) => inInterval(v, fleischner))).toEqual([false, true, true, false]);
    expect([8, 9].map((v) => inInterval(v, { gt: 8 }))).toEqual([false, true]); // "> 8 mm"
    expect(inInterval(123, {})).toBe(true);
  });
});
