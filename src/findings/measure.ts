/**
 * Measurement helpers shared by the guideline tables: decimal rounding that behaves as a person
 * rounds the printed number, and interval membership with explicit inclusivity.
 */
import type { Interval } from './types';

/**
 * Round half up to `decimals` places, as the printed decimal reads: 5.95 → 6.0, 1.005 → 1.01.
 * Binary floating point stores 1.005 as 1.00499999…; going through 12 significant digits first removes
 * that representation error before rounding.
 */
export function roundTo(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  const scaled = Number((value * factor).toPrecision(12));
  return Math.round(scaled) / factor;
}

/** Round to 0.1 mm (Lung-RADS v2022 reports mean diameter "to one decimal point"). */
export function roundToTenthMm(valueMm: number): number {
  return roundTo(valueMm, 1);
}

/** Round to the nearest whole millimetre (Fleischner 2017: "rounded to the nearest millimeter"). */
export function roundToWholeMm(valueMm: number): number {
  return roundTo(valueMm, 0);
}

/** Whether `value` lies in `interval`; every bound that is present must hold. */
export function inInterval(value: number, interval: Interval): boolean {
  if (interval.gt !== undefined && !(value > interval.gt)) return false;
  if (interval.gte !== undefined && !(value >= interval.gte)) return false;
  if (interval.lt !== undefined && !(value < interval.lt)) return false;
  if (interval.lte !== undefined && !(value <= interval.lte)) return false;
  return true;
}

/** Whether an optional list constraint admits `value` (an absent list admits everything). */
export function admits<T>(allowed: readonly T[] | undefined, value: T): boolean {
  return allowed === undefined || allowed.includes(value);
}

/** Whether an optional interval constraint admits `value` (an absent value fails a present interval). */
export function admitsMm(interval: Interval | undefined, value: number | null): boolean {
  if (interval === undefined) return true;
  return value !== null && inInterval(value, interval);
}

/** Whether a required-true flag constraint admits `value`. */
export function admitsFlag(required: true | undefined, value: boolean): boolean {
  return required === undefined || value;
}
