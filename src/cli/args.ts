/** A small, strict argument parser: positionals and `--name value` / `--flag` options. */
import { LucentError } from '../lib/errors';

export interface ParsedArgs {
  readonly positionals: string[];
  readonly options: Map<string, string | true>;
}

export function parseArgs(argv: readonly string[], spec: { values: string[]; flags: string[] }): ParsedArgs {
  const positionals: string[] = [];
  const options = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const [name, inline] = a.slice(2).split('=', 2) as [string, string | undefined];
      if (spec.flags.includes(name)) {
        options.set(name, true);
      } else if (spec.values.includes(name)) {
        const value = inline ?? argv[++i];
        if (value === undefined) throw new LucentError('bad-arguments', `--${name} needs a value`);
        options.set(name, value);
      } else {
        throw new LucentError('bad-arguments', `unknown option --${name}`);
      }
    } else {
      positionals.push(a);
    }
  }
  return { positionals, options };
}

export function numberOption(args: ParsedArgs, name: string, min: number, max: number): number | undefined {
  const v = args.options.get(name);
  if (v === undefined) return undefined;
  const n = typeof v === 'string' ? Number(v) : NaN;
  if (!Number.isFinite(n) || n < min || n > max) {
    throw new LucentError('bad-arguments', `--${name} must be a number from ${min} to ${max}`);
  }
  return n;
}
