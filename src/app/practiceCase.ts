/**
 * The generator options for a practice case request (the practice worker's, and the tests'): a clean
 * chest with the requested nodules, the request's slice thickness and noise, in the given field of view
 * and z-range.
 */
import type { CaseRequest } from '../practice/difficulty';
import type { CaseOptions } from '../synth/case';
import type { Scanner } from '../synth/scanner';

export function practiceCaseOptions(
  request: CaseRequest,
  field: Partial<Scanner> = {},
  zRange?: readonly [number, number],
): CaseOptions {
  return {
    clean: true,
    label: 'PRACTICE',
    nodules: request.nodules.map((n) => ({
      type: n.type,
      diameter: n.diameterMm,
      ...(n.placement ? { location: n.placement } : {}),
    })),
    scanner: {
      ...field,
      sliceThickness: request.sliceThicknessMm,
      sliceSpacing: request.sliceThicknessMm,
      noiseSigma: request.noiseSigma,
      lowDose: request.noiseSigma > 20,
    },
    ...(zRange ? { zRange } : {}),
  };
}
