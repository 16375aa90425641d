/**
 * `lucent lungrads --input FILE|- [--lang en|zh-CN]`: ACR Lung-RADS v2022 for the nodules described in
 * the input JSON (CONTRACTS.md). Prints `{ category, management, source, perNodule }` on stdout.
 * Bad arguments and invalid input exit 2 with one line on stderr that names the field, never its
 * free-text content.
 */
import { readFile } from 'node:fs/promises';
import { text } from 'node:stream/consumers';
import { LucentError } from '../lib/errors';
import { assessCase, type LungRadsCaseAssessment } from '../findings/lungrads';
import { parseLungRadsInput, type LungRadsCaseInput } from '../findings/lungradsInput';
import type { Language } from '../findings/types';
import { parseArgs } from './args';
import type { Io } from './main';

/** Reads all of stdin; injectable for tests. */
export type ReadStdin = () => Promise<string>;

const readProcessStdin: ReadStdin = () => text(process.stdin);

function bad(message: string): LucentError {
  return new LucentError('bad-arguments', message);
}

function languageOf(value: string | true | undefined): Language {
  if (value === undefined) return 'en';
  if (value === 'en' || value === 'zh-CN') return value;
  throw bad('--lang must be en or zh-CN');
}

async function readInput(path: string, readStdin: ReadStdin): Promise<string> {
  if (path === '-') return readStdin();
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    const code = typeof e === 'object' && e !== null && 'code' in e ? String(e.code) : 'unreadable';
    throw bad(`cannot read the --input file (${code})`);
  }
}

function parseJson(source: string): unknown {
  try {
    return JSON.parse(source) as unknown;
  } catch {
    throw bad('the input is not valid JSON');
  }
}

/** The output JSON: the contract's fields plus the cited source of each decision. */
function toOutput(input: LungRadsCaseInput, result: LungRadsCaseAssessment): unknown {
  return {
    category: result.category,
    management: result.management,
    source: result.source,
    perNodule: result.perNodule.map((a, index) => ({
      index,
      type: input.nodules[index].type,
      status: input.nodules[index].status,
      meanDiameterMm: a.meanDiameterMm,
      solidComponentMm: a.solidComponentMm,
      category: a.category,
      management: a.management,
      rowId: a.rowId,
      source: a.rowSource,
      interpretation: a.interpretation,
      upgrade: a.upgrade,
    })),
  };
}

/** Runs the command; returns the exit code. Throws `bad-arguments` errors for `main` to report. */
export async function lungrads(
  argv: readonly string[],
  io: Io,
  readStdin: ReadStdin = readProcessStdin,
): Promise<number> {
  const args = parseArgs(argv, { values: ['input', 'lang'], flags: [] });
  if (args.positionals.length > 0)
    throw bad('lungrads takes no file arguments; use --input FILE or --input -');
  const path = args.options.get('input');
  if (typeof path !== 'string') throw bad('lungrads needs --input FILE (or --input - to read stdin)');
  const language = languageOf(args.options.get('lang'));
  const parsed = parseLungRadsInput(parseJson(await readInput(path, readStdin)));
  if (!parsed.ok) throw bad(parsed.error.message);
  const result = assessCase(parsed.value.nodules, { language, incomplete: parsed.value.incomplete });
  io.stdout(`${JSON.stringify(toOutput(parsed.value, result), null, 2)}\n`);
  return 0;
}
