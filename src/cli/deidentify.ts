/**
 * `lucent deidentify <file|folder|zip>… --out DIR [--keep-dates|--shift-dates DAYS] [--keep-uids]
 * [--allow-burned-in]`: writes de-identified copies under DIR as STUDY/SERIES/INSTANCE.dcm (the new
 * UIDs, so no input file name, which may hold a name, reaches the output) and prints `lucent.deidentify/1`.
 * Never writes into an input folder, nor over an existing file.
 */
import { mkdir, realpath, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { LucentError, messageOf } from '../lib/errors';
import { expandArchive } from '../dicom/archive';
import { createDeidentifier, type DeidentifyOptions } from '../dicom/deidentify';
import { DicomError } from '../dicom/parse';
import type { ByteSource } from '../dicom/source';
import { parseArgs, type ParsedArgs } from './args';
import { collectSources } from './fsSource';
import type { Io } from './main';

export interface DeidentifySummary {
  readonly schema: 'lucent.deidentify/1';
  readonly profile: string;
  readonly options: {
    readonly dates: 'remove' | 'keep' | 'shift';
    readonly keepUids: boolean;
    readonly allowBurnedIn: boolean;
  };
  readonly out: string;
  readonly written: { readonly source: string; readonly file: string }[];
  readonly refused: { readonly file: string; readonly code: string; readonly message: string }[];
}

const bad = (message: string): LucentError => new LucentError('bad-arguments', message);

function optionsFrom(args: ParsedArgs): DeidentifyOptions {
  const shift = args.options.get('shift-dates');
  const keepDates = args.options.get('keep-dates') === true;
  if (keepDates && shift !== undefined) throw bad('--keep-dates and --shift-dates exclude each other');
  let dates: DeidentifyOptions['dates'] = keepDates ? 'keep' : 'remove';
  if (shift !== undefined) {
    const days = Number(shift);
    if (typeof shift !== 'string' || !/^[+-]?\d+$/.test(shift) || Math.abs(days) > 36_500) {
      throw bad('--shift-dates needs a whole number of days (at most 36500 either way)');
    }
    dates = { shiftDays: days };
  }
  return {
    dates,
    keepUids: args.options.get('keep-uids') === true,
    allowBurnedIn: args.options.get('allow-burned-in') === true,
  };
}

/** The real path of `path`, or of its nearest existing ancestor joined with the rest. */
async function realish(path: string): Promise<string> {
  const abs = resolve(path);
  try {
    return await realpath(abs);
  } catch {
    const parent = dirname(abs);
    return parent === abs ? abs : join(await realish(parent), basename(abs));
  }
}

const within = (child: string, parent: string): boolean =>
  child === parent || child.startsWith(parent.endsWith(sep) ? parent : parent + sep);

/** Refuse an output folder that is, is inside, or contains the folder of any input. */
async function checkOutput(out: string, inputs: readonly string[]): Promise<void> {
  const target = await realish(out);
  for (const input of inputs) {
    let info;
    try {
      info = await stat(input);
    } catch {
      throw bad(`cannot read ${input}: no such file or folder`);
    }
    const real = await realpath(input);
    const folder = info.isDirectory() ? real : dirname(real);
    if (within(target, folder) || within(folder, target)) {
      throw bad(
        `--out ${out} would write into the folder of input ${input}: choose an output folder outside every input folder`,
      );
    }
  }
  try {
    if (!(await stat(target)).isDirectory()) throw bad(`--out ${out} is not a folder`);
  } catch (e) {
    if (e instanceof LucentError) throw e;
  }
}

async function expanded(sources: readonly ByteSource[], refuse: (file: string, e: unknown) => void) {
  const out: ByteSource[] = [];
  for (const s of sources) {
    try {
      out.push(...((await expandArchive(s)) ?? [s]));
    } catch (e) {
      refuse(s.name, e);
    }
  }
  return out;
}

const codeOf = (e: unknown): string =>
  e instanceof LucentError ? e.code : e instanceof RangeError ? 'not-dicom' : 'read-failed';

export async function deidentifyCommand(argv: readonly string[], io: Io): Promise<number> {
  const args = parseArgs(argv, {
    values: ['out', 'shift-dates'],
    flags: ['keep-dates', 'keep-uids', 'allow-burned-in'],
  });
  const out = args.options.get('out');
  if (typeof out !== 'string') throw bad('deidentify needs --out DIR');
  if (args.positionals.length === 0) throw bad('deidentify needs at least one file, folder or zip');
  const options = optionsFrom(args);
  await checkOutput(out, args.positionals);

  const summary: DeidentifySummary = {
    schema: 'lucent.deidentify/1',
    profile: 'DICOM PS3.15 E.1-1 Basic Application Level Confidentiality Profile',
    options: {
      dates: typeof options.dates === 'object' ? 'shift' : (options.dates ?? 'remove'),
      keepUids: options.keepUids ?? false,
      allowBurnedIn: options.allowBurnedIn ?? false,
    },
    out,
    written: [],
    refused: [],
  };
  const refuse = (file: string, e: unknown): void => {
    const message = e instanceof DicomError || e instanceof LucentError ? e.message : messageOf(e);
    summary.refused.push({ file, code: codeOf(e), message });
    io.stderr(`lucent: ${file}: ${message}\n`);
  };

  const deidentifier = createDeidentifier(options);
  const sources = await expanded(await collectSources(args.positionals), refuse);
  for (const source of sources) {
    try {
      const result = deidentifier.file(await source.read(0, source.size));
      const folder = join(out, result.studyInstanceUID || 'study', result.seriesInstanceUID || 'series');
      const file = join(folder, `${result.sopInstanceUID}.dcm`);
      await mkdir(folder, { recursive: true });
      try {
        await writeFile(file, result.bytes, { flag: 'wx' });
      } catch (e) {
        if ((e as { code?: string }).code !== 'EEXIST') throw e;
        throw new LucentError(
          'output-exists',
          `${relative(out, file)} exists already (the same instance twice, or an earlier run): not overwritten`,
        );
      }
      summary.written.push({ source: source.name, file: relative(out, file) });
    } catch (e) {
      refuse(source.name, e);
    }
  }
  io.stdout(`${JSON.stringify(summary, null, 2)}\n`);
  if (summary.written.length === 0) {
    io.stderr('lucent: nothing was de-identified\n');
    return 1;
  }
  return 0;
}
