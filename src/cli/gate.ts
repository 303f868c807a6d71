import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { MtlsBenchError } from '../errors.ts';
import { checkRoundCounts, compareResults } from '../gate/compare.ts';
import type { CompareOptions } from '../gate/compare.ts';
import { serializeComparison } from '../gate/json.ts';
import { renderComparisonJunit } from '../gate/junit.ts';
import { renderComparisonMarkdown } from '../gate/markdown.ts';
import { parseThresholdOptions } from '../gate/thresholds.ts';
import { COMPARE_MODE_OPTIONS } from '../gate/types.ts';
import type { CompareModeOption, Comparison } from '../gate/types.ts';
import { renderComparisonTables } from '../report/compare-table.ts';
import { readResultsFile } from '../results/read.ts';
import type { RunResults } from '../results/types.ts';
import type { ResolvedSuite } from '../scenario/types.ts';
import { formatChoices } from '../scenario/messages.ts';
import { colorEnabled } from './args.ts';
import { EXIT_CODES } from './exit-codes.ts';
import type { ExitCode } from './exit-codes.ts';
import { checkOutputPath } from './paths.ts';

/**
 * The regression gate as the CLI runs it, shared by `mtls-bench compare` and `run --baseline`:
 * its options, the comparison, and where each output goes.
 */

/** Options of the gate that `compare` and `run` both take, for `parseCommandArgs`. */
export const GATE_OPTIONS = {
  threshold: { type: 'string', multiple: true },
  mode: { type: 'string' },
  markdown: { type: 'string' },
  junit: { type: 'string' },
} as const;

/** Help lines of the options in `GATE_OPTIONS`, aligned like the other help texts. */
export const GATE_OPTIONS_HELP = `  --threshold T    Largest accepted worsening: "10%" for every metric, "METRIC=10%" for one,
                   "off" or "METRIC=off" to gate nothing; repeatable. Default: the base
                   file's suite gate, which defaults to 10%
  --mode MODE      auto (default: absolute for files from one machine, else normalized),
                   absolute (each cell's own values) or normalized (mTLS/TLS overhead)
  --markdown FILE  Write a Markdown summary of the comparison to FILE
  --junit FILE     Write JUnit XML to FILE, one test case per gated metric
`;

/** The gate options after parsing: what to compare and where each output goes. */
export interface GateSettingsFromArgs {
  compare: CompareOptions;
  /** Markdown summary file (`--markdown`), or null. */
  markdownFile: string | null;
  /** JUnit XML file (`--junit`), or null. */
  junitFile: string | null;
  /** Comparison JSON file (`compare --out`), or null. */
  jsonFile: string | null;
  /** Whether to print the comparison JSON on stdout (`compare --json`). */
  printJson: boolean;
}

interface GateValues {
  threshold?: string[];
  mode?: string;
  markdown?: string;
  junit?: string;
}

function parseMode(text: string | undefined): CompareModeOption {
  if (text === undefined) return 'auto';
  const mode = COMPARE_MODE_OPTIONS.find((option) => option === text);
  if (mode !== undefined) return mode;
  throw new MtlsBenchError('INVALID_ARGUMENT', `--mode: got ${JSON.stringify(text)}; expected ${formatChoices(COMPARE_MODE_OPTIONS)}`);
}

/**
 * Parses the gate options and checks, before anything runs or is read, that every output file
 * can be written and none of them is one of `inputFiles` (the results files read), which it
 * would overwrite.
 */
export async function parseGateOptions(
  values: GateValues,
  outputs: { jsonFile: string | null; printJson: boolean },
  inputFiles: readonly string[],
): Promise<GateSettingsFromArgs> {
  const settings: GateSettingsFromArgs = {
    compare: { mode: parseMode(values.mode), thresholds: parseThresholdOptions(values.threshold ?? []) },
    markdownFile: values.markdown ?? null,
    junitFile: values.junit ?? null,
    jsonFile: outputs.jsonFile,
    printJson: outputs.printJson,
  };
  const files: [string, string | null][] = [
    ['--markdown', settings.markdownFile],
    ['--junit', settings.junitFile],
    ['--out', settings.jsonFile],
  ];
  const inputs = new Set(inputFiles.map((file) => path.resolve(file)));
  for (const [option, file] of files) {
    if (file === null) continue;
    if (inputs.has(path.resolve(file))) {
      throw new MtlsBenchError('INVALID_ARGUMENT', `${option}: ${JSON.stringify(file)} is a results file being compared; name another file`);
    }
    await checkOutputPath(file, option, 'file');
  }
  return settings;
}

/** Output streams of the gate: tables go to `table`, and the comparison JSON (when requested) to `stdout`. */
export interface GateStreams {
  table: NodeJS.WriteStream;
  stdout: NodeJS.WriteStream;
}

/** Writes each requested file and the GitHub step summary; returns one message per write that failed. */
async function writeOutputs(settings: GateSettingsFromArgs, documents: { markdown: string; junit: string; json: string }): Promise<string[]> {
  const writes: { label: string; write: () => Promise<void> }[] = [];
  const files: [string, string | null, string][] = [
    ['--markdown', settings.markdownFile, documents.markdown],
    ['--junit', settings.junitFile, documents.junit],
    ['--out', settings.jsonFile, documents.json],
  ];
  for (const [option, file, text] of files) {
    if (file === null) continue;
    const write = async (): Promise<void> => {
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, text);
    };
    writes.push({ label: `${option} ${file}`, write });
  }
  // GitHub Actions sets this to a file per step; each step's content is shown on the run's page.
  const stepSummary = process.env.GITHUB_STEP_SUMMARY;
  if (stepSummary !== undefined && stepSummary !== '') {
    writes.push({ label: `GITHUB_STEP_SUMMARY ${stepSummary}`, write: () => appendFile(stepSummary, `${documents.markdown}\n`) });
  }

  const failures: string[] = [];
  for (const { label, write } of writes) {
    try {
      await write();
    } catch (error) {
      failures.push(`${label}: could not write: ${(error as Error).message}`);
    }
  }
  return failures;
}

/**
 * Compares `head` with `base`, prints the tables, writes the requested outputs, and returns the
 * comparison with exit code 1 when some metric is worse beyond its threshold, else 0. Throws `INVALID_RESULTS` when
 * the files cannot be compared, and `INVALID_ARGUMENT` naming each output that could not be
 * written, after the tables are printed.
 */
export async function gateResults(
  base: RunResults,
  head: RunResults,
  settings: GateSettingsFromArgs,
  streams: GateStreams,
  labels: { base: string; head: string },
): Promise<{ exitCode: ExitCode; comparison: Comparison }> {
  let comparison: Comparison;
  try {
    comparison = compareResults(base, head, settings.compare);
  } catch (error) {
    if (!(error instanceof MtlsBenchError)) throw error;
    throw new MtlsBenchError(error.code, `${error.message} (base: ${labels.base}, head: ${labels.head})`, { cause: error });
  }
  const heading = `base: ${labels.base} (run started ${base.startedAt})\nhead: ${labels.head} (run started ${head.startedAt})`;
  streams.table.write(`\n${heading}\n\n${renderComparisonTables(comparison, { color: colorEnabled(streams.table) })}\n`);

  const json = serializeComparison(comparison);
  const failures = await writeOutputs(settings, {
    markdown: renderComparisonMarkdown(comparison),
    junit: renderComparisonJunit(comparison),
    json,
  });
  if (settings.printJson) streams.stdout.write(json);
  if (failures.length > 0) throw new MtlsBenchError('INVALID_ARGUMENT', failures.join('\n'));
  return { exitCode: comparison.passed ? EXIT_CODES.success : EXIT_CODES.regression, comparison };
}

/** Baseline of `run --baseline`, read and checked before the run starts, with the gate options. */
export interface BaselineGate {
  /** The `--baseline` file as given. */
  file: string;
  baseline: RunResults;
  settings: GateSettingsFromArgs;
}

/**
 * Prepares `run --baseline FILE` before any socket opens: parses the gate options, reads the
 * baseline and checks that it is of the suite about to run and has a cell that will run. Returns
 * null without `--baseline`, and rejects the gate options without it, since they would do nothing.
 */
export async function prepareBaselineGate(
  values: GateValues & { baseline?: string; out?: string },
  suites: readonly { suite: ResolvedSuite; cellIds: readonly string[]; rounds: number }[],
): Promise<BaselineGate | null> {
  const file = values.baseline;
  if (file === undefined) {
    const given = (['threshold', 'mode', 'junit'] as const).filter((option) => values[option] !== undefined);
    if (given.length > 0) {
      throw new MtlsBenchError('INVALID_ARGUMENT', `run: --${given[0]} needs --baseline FILE, the results to compare the run with`);
    }
    return null;
  }
  const [only, ...others] = suites;
  if (only === undefined || others.length > 0) {
    throw new MtlsBenchError('INVALID_ARGUMENT', `run: --baseline compares one suite but ${suites.length} suites were given; run them one at a time`);
  }

  if (values.out !== undefined && path.resolve(values.out) === path.resolve(file)) {
    throw new MtlsBenchError('INVALID_ARGUMENT', `--out: ${JSON.stringify(values.out)} is the --baseline file, which the run would overwrite; name another file`);
  }
  const settings = await parseGateOptions(values, { jsonFile: null, printJson: false }, [file]);
  const baseline = await readResultsFile(file);
  if (baseline.suite.name !== only.suite.name) {
    throw new MtlsBenchError(
      'INVALID_RESULTS',
      `--baseline ${file}: results of suite "${baseline.suite.name}", but this run is of suite "${only.suite.name}"; pass a results file of "${only.suite.name}"`,
    );
  }
  checkRoundCounts(baseline.rounds, only.rounds);
  const baselineIds = new Set(baseline.cells.map((cell) => cell.id));
  if (!only.cellIds.some((id) => baselineIds.has(id))) {
    throw new MtlsBenchError(
      'INVALID_RESULTS',
      `--baseline ${file}: none of the ${only.cellIds.length} cells to run is in the baseline (it has ${baseline.cells.length}, ` +
        `for example ${baseline.cells[0]?.id ?? 'none'}); use the --filter the baseline was run with, or none`,
    );
  }
  return { file, baseline, settings };
}
