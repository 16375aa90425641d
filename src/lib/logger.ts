/**
 * The one logger. It takes an event name and a small record of numbers, codes and booleans only,
 * so patient identifiers (names, IDs, UIDs, dates, file names) cannot reach a log by accident.
 */
export type LogFields = Readonly<Record<string, number | boolean | null | undefined>> & {
  readonly code?: never;
};
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

type Sink = (level: LogLevel, event: string, fields: Record<string, unknown>) => void;

const consoleSink: Sink = (level, event, fields) => {
  const line = `[lucent] ${event}`;
  const payload = Object.keys(fields).length > 0 ? fields : undefined;
  // eslint-disable-next-line no-console
  const fn = level === 'error' ? console.error : level === 'warn' ? console.warn : console.debug;
  if (payload) fn(line, payload);
  else fn(line);
};

let sink: Sink = consoleSink;
let minLevel: LogLevel = 'info';
const order: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

export function setLogSink(next: Sink | null, level: LogLevel = 'info'): void {
  sink = next ?? consoleSink;
  minLevel = level;
}

/** `code` is allowed separately because error codes are safe, short identifiers. */
export function log(level: LogLevel, event: string, fields: LogFields = {}, code?: string): void {
  if (order[level] < order[minLevel]) return;
  const out: Record<string, unknown> = { ...fields };
  if (code) out['code'] = code;
  sink(level, event, out);
}
