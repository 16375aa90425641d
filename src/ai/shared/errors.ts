/** The analysis' own failures: a series too large to resample in memory, and a cancelled run. */
import { LucentError } from '../../lib/errors';

export class TooLargeError extends LucentError {
  /** `detail`: the model's pixel spacing (`pixelSpacingMm`), the memory needed and allowed (`neededMb`, `limitMb`). */
  constructor(message: string, detail: { pixelSpacingMm: number; neededMb: number; limitMb: number }) {
    super('too-large', message, detail);
    this.name = 'TooLargeError';
  }
}

export class CancelledError extends LucentError {
  constructor() {
    super('cancelled', 'The analysis was cancelled.');
    this.name = 'CancelledError';
  }
}
