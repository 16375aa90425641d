/**
 * Typed errors. Every error Lucent raises or returns carries a stable `code` that the UI maps to a
 * localised message and the CLI prints verbatim. Messages never contain patient data.
 */
export class LucentError extends Error {
  readonly code: string;
  readonly detail: Readonly<Record<string, string | number>>;

  constructor(code: string, message: string, detail: Record<string, string | number> = {}) {
    super(message);
    this.name = 'LucentError';
    this.code = code;
    this.detail = detail;
  }
}

/** Narrow an unknown thrown value to a human-readable message. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'string') return error;
  if (typeof error === 'object' && error !== null && 'message' in error) {
    const m = error.message;
    if (typeof m === 'string') return m;
  }
  return String(error);
}

/** Compile-time exhaustiveness check for switch statements over unions. */
export function assertNever(value: never, what = 'value'): never {
  throw new LucentError('internal', `Unexpected ${what}: ${JSON.stringify(value)}`);
}

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new LucentError('internal', message);
}
