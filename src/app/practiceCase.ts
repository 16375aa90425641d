/**
 * The generator options for a practice case request (the practice worker's, and the tests'): a clean
 * chest with the requested nodules, the request's slice thickness and noise, in a field of view that
 * holds the whole body, over the given z-range.
 */
import type { CaseRequest } from '../practice/difficulty';
import type { CaseOptions } from '../synth/case';

export function practiceCaseOptions(request: CaseRequest, zRange?: readonly [number, number]): CaseOptions {
  return {
    clean: true,
    fullField: true,
    label: 'PRACTICE',
    nodules: request.nodules.map((n) => ({
      type: n.type,
      diameter: n.diameterMm,
      ...(n.placement ? { location: n.placement } : {}),
    })),
    scanner: {
      sliceThickness: request.sliceThicknessMm,
      sliceSpacing: request.sliceThicknessMm,
      noiseSigma: request.noiseSigma,
      lowDose: request.noiseSigma > 20,
    },
    ...(zRange ? { zRange } : {}),
  };
}
