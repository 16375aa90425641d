/**
 * The Brock (PanCan) full model with spiculation, against worked examples computed by hand from the
 * coefficients published by McWilliams et al., N Engl J Med 2013;369:910–919 (Supplementary Appendix):
 *
 *   logit = −6.7892 + 0.0287·(age − 62) + 0.6011·female + 0.2961·family history + 0.2953·emphysema
 *           − 5.3854·((size/10)^−0.5 − 1.58113883) + 0.377·part-solid − 0.1276·non-solid
 *           + 0.6581·upper lobe − 0.0824·(count − 4) + 0.7729·spiculation
 *   p = 1 / (1 + e^−logit)
 */
import { describe, expect, it } from 'vitest';
import { brockProbability, brockSizeTransform, type BrockInput } from './brock';

const reference: BrockInput = {
  ageYears: 62,
  sex: 'male',
  familyHistoryOfLungCancer: false,
  emphysema: false,
  noduleSizeMm: 4,
  noduleType: 'solid',
  upperLobe: false,
  noduleCount: 4,
  spiculation: false,
};

function brock(input: BrockInput) {
  const r = brockProbability(input);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

describe('worked examples', () => {
  it('example 1: every centred term at zero leaves the intercept', () => {
    // Man of 62, solid 4 mm nodule, 4 nodules, nothing else.
    // age: 0.0287 × (62 − 62) = 0; size: (4/10)^−0.5 = 1.58113883 → −5.3854 × 0 = 0;
    // count: −0.0824 × (4 − 4) = 0. logit = −6.7892.
    // e^6.7892 = e^6 × e^0.7892 = 403.4288 × 2.20170 = 888.20; p = 1 / 889.20 = 0.0011246 (0.11 %).
    const r = brock(reference);
    expect(r.logit).toBeCloseTo(-6.7892, 6);
    expect(r.probability).toBeCloseTo(0.0011246, 6);
  });

  it('example 2: a high-risk part-solid nodule', () => {
    // Woman of 65, family history, emphysema, part-solid 15 mm, upper lobe, 1 nodule, spiculated.
    //   intercept                               −6.7892
    //   age       0.0287 × (65 − 62) = 0.0287 × 3 =  0.0861
    //   female                                   0.6011
    //   family history                           0.2961
    //   emphysema                                0.2953
    //   size      (15/10)^−0.5 = 0.8164966; 0.8164966 − 1.5811388 = −0.7646422;
    //             −5.3854 × −0.7646422           = 4.1179044
    //   part-solid                               0.377
    //   upper lobe                               0.6581
    //   count     −0.0824 × (1 − 4) = −0.0824 × −3 = 0.2472
    //   spiculation                              0.7729
    //   logit = 0.6625044
    //   e^−0.6625044 = 0.5155586; p = 1 / 1.5155586 = 0.659823 (66.0 %).
    const r = brock({
      ageYears: 65,
      sex: 'female',
      familyHistoryOfLungCancer: true,
      emphysema: true,
      noduleSizeMm: 15,
      noduleType: 'part-solid',
      upperLobe: true,
      noduleCount: 1,
      spiculation: true,
    });
    expect(r.logit).toBeCloseTo(0.6625044, 6);
    expect(r.probability).toBeCloseTo(0.659823, 5);
  });

  it('example 3: a ground-glass nodule in an older man', () => {
    // Man of 70, non-solid 10 mm, lower lobe, 2 nodules, no other factor.
    //   intercept                                −6.7892
    //   age       0.0287 × 8                    =  0.2296
    //   size      (10/10)^−0.5 − 1.5811388 = −0.5811388; −5.3854 × −0.5811388 = 3.1296651
    //   non-solid                                −0.1276
    //   count     −0.0824 × (2 − 4)             =  0.1648
    //   logit = −3.3927349
    //   e^3.3927349 = e^3 × e^0.3927349 = 20.085537 × 1.4810259 = 29.747198; p = 1 / 30.747198 = 0.0325233 (3.3 %).
    const r = brock({
      ...reference,
      ageYears: 70,
      noduleSizeMm: 10,
      noduleType: 'ground-glass',
      noduleCount: 2,
    });
    expect(r.logit).toBeCloseTo(-3.3927349, 6);
    expect(r.probability).toBeCloseTo(0.0325233, 6);
  });
});

describe('the model', () => {
  it('centres the size transform at 4 mm', () => {
    expect(brockSizeTransform(4)).toBeCloseTo(0, 8);
    expect(brockSizeTransform(10)).toBeCloseTo(1 - 1.58113883, 8);
  });

  it('shows its inputs and terms that add up to the logit', () => {
    const r = brock({ ...reference, spiculation: true, upperLobe: true });
    expect(r.inputs).toEqual({ ...reference, spiculation: true, upperLobe: true });
    expect(r.terms.reduce((s, t) => s + t.contribution, 0)).toBeCloseTo(r.logit, 12);
    expect(r.terms.find((t) => t.name === 'spiculation')?.contribution).toBe(0.7729);
    expect(r.source).toMatch(/McWilliams et al\., N Engl J Med 2013/);
  });

  it('multiplies the odds by e^coefficient for each yes/no predictor', () => {
    const odds = (p: number): number => p / (1 - p);
    const base = brock(reference).probability;
    expect(odds(brock({ ...reference, spiculation: true }).probability) / odds(base)).toBeCloseTo(
      Math.exp(0.7729),
      10,
    );
    expect(odds(brock({ ...reference, sex: 'female' }).probability) / odds(base)).toBeCloseTo(
      Math.exp(0.6011),
      10,
    );
    expect(odds(brock({ ...reference, noduleType: 'ground-glass' }).probability) / odds(base)).toBeCloseTo(
      Math.exp(-0.1276),
      10,
    );
  });

  it('rises with size and falls with the number of nodules', () => {
    expect(brock({ ...reference, noduleSizeMm: 12 }).probability).toBeGreaterThan(
      brock(reference).probability,
    );
    expect(brock({ ...reference, noduleCount: 1 }).probability).toBeGreaterThan(
      brock({ ...reference, noduleCount: 10 }).probability,
    );
  });

  it('warns outside the ages of the PanCan cohort (50–75)', () => {
    expect(brock(reference).warnings).toEqual([]);
    expect(brock({ ...reference, ageYears: 50 }).warnings).toEqual([]);
    expect(brock({ ...reference, ageYears: 49 }).warnings[0]).toMatch(/50–75/);
    const zh = brockProbability({ ...reference, ageYears: 80 }, 'zh-CN');
    expect(zh.ok && zh.value.warnings[0]).toMatch(/PanCan/);
  });

  it.each([
    [{ ageYears: Number.NaN }, /ageYears/],
    [{ noduleSizeMm: 0 }, /noduleSizeMm/],
    [{ noduleCount: 0 }, /noduleCount/],
    [{ noduleCount: 2.5 }, /noduleCount/],
  ])('refuses %j', (change, message) => {
    const r = brockProbability({ ...reference, ...change });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(message);
  });
});
