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

/**
 * What went wrong, as the interface words it: a stable code and its parameters (numbers and short technical
 * strings such as a file name or an HTTP status; never patient data). The UI translates it; the English
 * `message` stays with the error for the CLI and for support.
 */
export interface Problem {
  readonly code: string;
  readonly detail: Readonly<Record<string, string | number>>;
}

/** The code and detail of a thrown value: a {@link LucentError}'s own, else `fallback` (no detail). */
export function problemOf(error: unknown, fallback = 'failed'): Problem {
  return error instanceof LucentError
    ? { code: error.code, detail: { ...error.detail } }
    : { code: fallback, detail: {} };
}

/**
 * A problem with the English sentence of the error it came from. The UI words the code (and `detail.kind`)
 * where the catalogue can; where it cannot, the English sentence is shown in English only, and other
 * languages get the code's generic wording. The CLI and logs keep using `message`.
 */
export interface Failure extends Problem {
  readonly message: string;
}

/** The code, detail and English message of a thrown value (`fallback` as the code of one without). */
export function failureOf(error: unknown, fallback = 'failed'): Failure {
  return { ...problemOf(error, fallback), message: messageOf(error) };
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
