/**
 * The `lucent` command (Node host). stdout carries only JSON; errors go to stderr, one line each.
 * Exit codes: 0 success, 1 nothing could be analysed, 2 bad arguments.
 */
import { writeFile } from 'node:fs/promises';
import { LucentError, messageOf } from '../lib/errors';
import { parseArgs, numberOption } from './args';
import { analyzePaths } from './analyze';
import { version } from './version';

const USAGE = `usage: lucent <command> [options]

commands:
  --version                       print the version
  analyze <file|folder|zip>...    load DICOM and report series, findings and errors as lucent.analysis/1 JSON
      [--model ID] [--min-score P] [--out FILE]
`;

export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
}

const processIo: Io = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
};

async function emitJson(value: unknown, out: string | undefined, io: Io): Promise<void> {
  const text = `${JSON.stringify(value, null, 2)}\n`;
  if (out) await writeFile(out, text);
  else io.stdout(text);
}

async function analyze(argv: readonly string[], io: Io): Promise<number> {
  const args = parseArgs(argv, { values: ['model', 'min-score', 'out', 'lang'], flags: [] });
  numberOption(args, 'min-score', 0, 1);
  if (args.positionals.length === 0)
    throw new LucentError('bad-arguments', 'analyze needs at least one file, folder or zip');
  const analysis = await analyzePaths(args.positionals);
  for (const e of analysis.errors) io.stderr(`lucent: ${e.file}: ${e.message}\n`);
  const out = args.options.get('out');
  await emitJson(analysis, typeof out === 'string' ? out : undefined, io);
  if (analysis.series.length === 0) {
    io.stderr('lucent: nothing could be analysed: no readable DICOM was found\n');
    return 1;
  }
  return 0;
}

export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case '--version':
      case '-v':
      case 'version':
        io.stdout(`${version}\n`);
        return 0;
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        if (command === undefined) io.stderr(USAGE);
        else io.stdout(USAGE);
        return command === undefined ? 2 : 0;
      case 'analyze':
        return await analyze(rest, io);
      default:
        io.stderr(`lucent: unknown command "${command}"\n${USAGE}`);
        return 2;
    }
  } catch (e) {
    if (e instanceof LucentError && e.code === 'bad-arguments') {
      io.stderr(`lucent: ${e.message}\n`);
      return 2;
    }
    io.stderr(`lucent: ${messageOf(e)}\n`);
    return 1;
  }
}
