/** The analysis' own failures: a series too large to resample in memory, and a cancelled run. */
import { LucentError } from '../../lib/errors';

export class TooLargeError extends LucentError {
  constructor(message: string) {
    super('too-large', message);
    this.name = 'TooLargeError';
  }
}

export class CancelledError extends LucentError {
  constructor() {
    super('cancelled', 'The analysis was cancelled.');
    this.name = 'CancelledError';
  }
}
