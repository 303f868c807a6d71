import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSuite } from '../../scenario/load.ts';
import { MtlsBenchError } from '../../errors.ts';
import { roundsOf, runSuite, selectCells } from '../../runner/run.ts';
import { MAX_ROUNDS } from '../../scenario/schema.ts';
import { renderSuiteHeading } from '../../report/heading.ts';
import { renderTables } from '../../report/table.ts';
import { defaultResultsPath, saveResults, serializeResults } from '../../results/write.ts';
import { checkOutputPath } from '../paths.ts';
import type { RunResults } from '../../results/types.ts';
import type { ResolvedSuite } from '../../scenario/types.ts';
import { colorEnabled, parseCommandArgs } from '../args.ts';
import { EXIT_CODES } from '../exit-codes.ts';
import type { ExitCode } from '../exit-codes.ts';
import { createProgressRenderer } from '../progress.ts';
import { SIGNAL_EXIT_CODES, stopRunOnSignal } from '../signals.ts';
import type { StopSignal } from '../signals.ts';
import { GATE_OPTIONS, GATE_OPTIONS_HELP, gateResults, prepareBaselineGate } from '../gate.ts';
import type { Comparison } from '../../gate/types.ts';
import { checkReportFiles, hasReportFiles, REPORT_OPTIONS, REPORT_OPTIONS_HELP, reportFilesOf, writeReportFiles } from '../report-files.ts';

export const DEFAULT_SUITE = 'scenarios/default.yaml';

/**
 * Returns the default suite: `scenarios/default.yaml` in the working directory when there is
 * one, otherwise the one shipped with mtls-bench, so the command works from any directory.
 */
export function defaultSuiteFile(): string {
  if (existsSync(DEFAULT_SUITE)) return DEFAULT_SUITE;
  return fileURLToPath(new URL(`../../../${DEFAULT_SUITE}`, import.meta.url));
}

export const RUN_HELP = `Usage: mtls-bench run [options] [SUITE...]

Runs each suite (YAML or TypeScript; default ${DEFAULT_SUITE}), prints a table per
workload with every mTLS cell against its server-only TLS baseline, and writes the
results JSON to results/<suite>-<time>.json, never over an earlier run's file.
Ctrl-C (SIGINT) or SIGTERM stops the run and writes the cells already finished as a
partial run (exit 130 or 143); a second one quits at once.

Options:
  --quick          Short bounds: the default suite in about 30 s; figures for a smoke test only
  --filter TEXT    Run only the cells whose id contains TEXT (see \`mtls-bench validate\`)
  --rounds N       Measured rounds per cell, 1 to 50, each with 1/N of the bounds
                   (default: the suite's rounds, or 5); fewer than 4 can show no
                   difference at 95%, so the report then has no overhead intervals
  --out FILE       Write the results JSON to FILE instead of results/ (one suite only)
  --json           Print the results JSON on stdout; tables and messages go to stderr
  --quiet          No progress line
  --no-crypto-floor  Skip the micro-benchmark of sign, verify and key exchange
  --baseline FILE  Compare the results with FILE, an earlier run of the same suite, and exit
                   with 1 on a regression; FILE is checked before anything runs (one suite only)
${GATE_OPTIONS_HELP.replace(/ {2}--markdown FILE[^\n]*\n/, '')}${REPORT_OPTIONS_HELP.replace(
  /(--markdown FILE[^\n]*\n)/,
  '$1                   (with --baseline, the comparison first)\n',
)}  -h, --help       Show this help
`;

const OPTIONS = {
  quick: { type: 'boolean' },
  filter: { type: 'string' },
  rounds: { type: 'string' },
  out: { type: 'string' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean' },
  'no-crypto-floor': { type: 'boolean' },
  baseline: { type: 'string' },
  ...GATE_OPTIONS,
  ...REPORT_OPTIONS,
} as const;

/** Reads `--rounds`; the range is checked with the suite, by `roundsOf`. */
function parseRounds(text: string): number {
  if (!/^\d+$/.test(text.trim())) {
    throw new MtlsBenchError('INVALID_ARGUMENT', `--rounds: got "${text}"; expected a whole number from 1 to ${MAX_ROUNDS}`);
  }
  return Number(text);
}

/**
 * Checks that `--out` names a new file or an earlier results file: it never replaces a suite
 * being run, or any other file that is not mtls-bench results.
 */
async function checkOutReplacesResults(file: string, suiteFiles: readonly string[]): Promise<void> {
  if (suiteFiles.some((suite) => path.resolve(suite) === path.resolve(file))) {
    throw new MtlsBenchError('INVALID_ARGUMENT', `--out: ${JSON.stringify(file)} is a suite being run, which the results would replace; name another file`);
  }
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    // Missing, or unreadable, in which case the write reports it.
    return;
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    document = null;
  }
  if (typeof document !== 'object' || document === null || !('schemaVersion' in document)) {
    throw new MtlsBenchError(
      'INVALID_ARGUMENT',
      `--out: ${JSON.stringify(file)} exists and is not an mtls-bench results file; --out replaces only results files, so name a new file or remove it`,
    );
  }
}

function hasFailedCell(results: RunResults): boolean {
  return results.cells.some((cell) => cell.state === 'failed');
}

/** `mtls-bench run`: loads and checks every suite first, then runs them one after another. */
export async function runCommand(args: string[]): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs('run', args, OPTIONS);
  const files = positionals.length === 0 ? [defaultSuiteFile()] : positionals;
  if (values.out !== undefined && files.length > 1) {
    throw new MtlsBenchError('INVALID_ARGUMENT', `run: --out names one file but ${files.length} suites were given; run them one at a time`);
  }

  // Every suite and the filter are checked before the first socket opens.
  const suites: ResolvedSuite[] = [];
  for (const file of files) suites.push(await loadSuite(file));
  const runOptions = {
    filter: values.filter ?? null,
    quick: values.quick === true,
    skipCryptoFloor: values['no-crypto-floor'] === true,
    ...(values.rounds === undefined ? {} : { rounds: parseRounds(values.rounds) }),
  };
  for (const suite of suites) {
    selectCells(suite, runOptions);
    roundsOf(suite, runOptions);
  }
  if (values.out !== undefined) {
    await checkOutputPath(values.out, '--out', 'file');
    await checkOutReplacesResults(values.out, files);
  }
  const reportFiles = reportFilesOf(values);
  if (hasReportFiles(reportFiles) && files.length > 1) {
    throw new MtlsBenchError('INVALID_ARGUMENT', `run: report options name one file each but ${files.length} suites were given; run them one at a time`);
  }
  await checkReportFiles(
    reportFiles,
    values.baseline === undefined ? [] : [values.baseline],
    values.out === undefined ? [] : [{ option: '--out', file: values.out }],
  );
  // The run writes the Markdown itself, with the tables after the comparison.
  const gate = await prepareBaselineGate(
    { ...values, markdown: undefined },
    suites.map((suite) => ({
      suite,
      cellIds: selectCells(suite, runOptions).map((cell) => cell.id),
      rounds: roundsOf(suite, runOptions),
    })),
  );

  const tableStream = values.json === true ? process.stderr : process.stdout;
  const showProgress = values.quiet !== true && process.stderr.isTTY === true;
  const allResults: RunResults[] = [];
  let writeFailed = false;
  const stopper = stopRunOnSignal();
  try {
    for (const suite of suites) {
      if (stopper.signal.aborted) break;
      const progress = createProgressRenderer(process.stderr);
      let results: RunResults;
      try {
        results = await runSuite(suite, { ...runOptions, signal: stopper.signal, onEvent: showProgress ? progress.onEvent : undefined });
      } finally {
        progress.done();
      }
      if (results.partial != null && results.cells.length === 0) {
        process.stderr.write(`mtls-bench: stopped by ${results.partial.stoppedBy} before any cell of suite "${suite.name}" finished; no results written\n`);
        break;
      }
      allResults.push(results);
      // Saved before anything is printed, so a closed stdout cannot cost the measurements.
      const saved = await saveResults(results, values.out ?? null);
      tableStream.write(`\n${renderSuiteHeading(results.suite, { quick: results.quick, partial: results.partial ?? null, cellsFinished: results.cells.length })}\n`);
      tableStream.write(`${renderTables(results, { color: colorEnabled(tableStream) })}\n`);
      if (saved.error !== null) {
        writeFailed = true;
        process.stderr.write(`mtls-bench: could not write results: ${saved.error.message}; saved them to ${saved.file} instead\n`);
      } else {
        const partial = results.partial == null ? '' : ` (partial run: ${results.cells.length} of ${results.partial.cellsPlanned} cells)`;
        process.stderr.write(`results written to ${saved.file}${partial}\n`);
      }
    }
  } finally {
    stopper.restore();
  }

  if (values.json === true) {
    const documents = allResults.map((results) => serializeResults(results).trimEnd());
    process.stdout.write(`${documents.length === 1 ? documents[0] : `[\n${documents.join(',\n')}\n]`}\n`);
  }

  // A regression decides the exit code over a failed cell: it is what the gate is run for. A
  // stopped run is not compared, but its reports are written like its results.
  const stopped = stopper.signal.aborted ? (stopper.signal.reason as StopSignal) : null;
  const [results] = allResults;
  let gateExit: ExitCode = EXIT_CODES.success;
  let comparison: Comparison | null = null;
  if (gate !== null && stopped !== null) {
    process.stderr.write(`mtls-bench: the run was stopped by ${stopped}, so it was not compared with ${gate.file}\n`);
  } else if (gate !== null && results !== undefined) {
    const streams = { table: tableStream, stdout: process.stdout };
    ({ exitCode: gateExit, comparison } = await gateResults(gate.baseline, results, gate.settings, streams, { base: gate.file, head: 'this run' }));
  }
  if (results !== undefined && hasReportFiles(reportFiles)) {
    const written = await writeReportFiles({ results, base: null, comparison }, reportFiles);
    for (const file of written) process.stderr.write(`report written to ${file}\n`);
  }

  if (stopped !== null) return SIGNAL_EXIT_CODES[stopped];
  if (gateExit === EXIT_CODES.regression) return gateExit;
  return writeFailed || allResults.some(hasFailedCell) ? EXIT_CODES.runFailed : EXIT_CODES.success;
}
