/**
 * Command-line options of `npm run bench:soak`, parsed and checked before the suite loads.
 */
import path from 'node:path';
import { readScriptArgs } from '../script-args.ts';

/** Suite that runs when none is given, resolved against the repository so any working directory works. */
export const DEFAULT_SUITE = path.resolve(import.meta.dirname, '../../scenarios/default.yaml');

/** Maximum of `--minutes`: one day. */
const MAX_MINUTES = 24 * 60;
const MAX_ITERATIONS = 100_000;

/** Resolved options, every default filled in. */
export interface SoakOptions {
  /** Suite file to run. Default scenarios/default.yaml. */
  suiteFile: string;
  /** Time after which no new iteration starts, in minutes. The one under way finishes. Default 10. */
  minutes: number;
  /** Largest number of iterations, or null for as many as fit in `minutes`. Default null. */
  iterations: number | null;
  /** Keep only cells whose id contains this text. Default null, every cell. */
  filter: string | null;
  /** Run with the suite's own bounds instead of the `--quick` ones. Default false. */
  full: boolean;
  /** File for the samples and the verdict as JSON, or null for none. Default null. */
  json: string | null;
  help: boolean;
}

export const USAGE = `Usage: npm run bench:soak -- [options] [SUITE]
   or: npx tsx scripts/soak.ts [options] [SUITE]

Runs SUITE (default scenarios/default.yaml, with the --quick bounds) again and again in one
process until the time is up, and checks that nothing leaked: open file descriptors, threads,
child processes and mtls-bench temporary directories at the end against the start, growth
of RSS and V8 heap used (after GC) from the second iteration to the last, and failed cells. Results files go to
a scratch directory that is removed at the end. Exit codes: 0 when every check passes, 1 when
one fails, 2 for invalid options or an invalid suite, 3 when a run stopped with an error
instead of recording failed cells, 130 when stopped by Ctrl-C.

  --minutes N      start no new iteration after N minutes (default 10; fractions allowed, at most ${MAX_MINUTES})
  --iterations N   stop after N iterations even if time is left (default: no limit but --minutes)
  --filter TEXT    run only the cells whose id contains TEXT
  --full           use the suite's own bounds instead of the --quick ones
  --json FILE      also write the samples and the verdict to FILE as JSON
  --help           print this text
`;

/** An option with a value the script cannot use. The message names the option, the value and what is accepted. */
export class SoakOptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SoakOptionError';
  }
}

function invalid(option: string, value: string, expected: string): SoakOptionError {
  return new SoakOptionError(`--${option}: got ${JSON.stringify(value)}; expected ${expected}`);
}

function minutesOption(value: string): number {
  const parsed = /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!(parsed > 0 && parsed <= MAX_MINUTES)) throw invalid('minutes', value, `a number of minutes above 0 and at most ${MAX_MINUTES}, such as 10 or 0.5`);
  return parsed;
}

function iterationsOption(value: string): number {
  const parsed = /^\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!(Number.isSafeInteger(parsed) && parsed >= 1 && parsed <= MAX_ITERATIONS)) {
    throw invalid('iterations', value, `a whole number from 1 to ${MAX_ITERATIONS}`);
  }
  return parsed;
}

const OPTION_SPEC = {
  minutes: { type: 'string' },
  iterations: { type: 'string' },
  filter: { type: 'string' },
  full: { type: 'boolean' },
  json: { type: 'string' },
  help: { type: 'boolean' },
} as const;

/** Parses and checks the options. Throws `SoakOptionError` for the first invalid one. */
export function parseSoakOptions(argv: readonly string[]): SoakOptions {
  const { values, positionals } = readScriptArgs(argv, OPTION_SPEC, (message) => new SoakOptionError(message));
  if (positionals.length > 1) {
    throw new SoakOptionError(`got ${positionals.length} suites (${positionals.join(', ')}); a soak runs one suite, run the others apart`);
  }
  if (values.filter === '') throw invalid('filter', '', 'text that cell ids contain, such as "ecdsa-p256"');

  return {
    suiteFile: positionals[0] ?? DEFAULT_SUITE,
    minutes: values.minutes === undefined ? 10 : minutesOption(values.minutes),
    iterations: values.iterations === undefined ? null : iterationsOption(values.iterations),
    filter: values.filter ?? null,
    full: values.full ?? false,
    json: values.json ?? null,
    help: values.help ?? false,
  };
}
