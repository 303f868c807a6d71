/**
 * Shows that running suites does not leak: it runs one suite again and again in this process,
 * through the library API, until the time is up, and checks that what the runs open is closed
 * again.
 *
 *   npm run bench:soak -- [--minutes 10] [--iterations N] [--filter TEXT] [--full] [--json FILE] [SUITE]
 *
 * SUITE defaults to scenarios/default.yaml, run with the `--quick` bounds unless `--full` is
 * given. An iteration that is under way when the time is up finishes; no new one starts after it.
 * Each iteration's results are written with the results writer to a scratch directory under the
 * system temporary directory, which is removed at the end.
 *
 * At the start, after every iteration and at the end it runs a full garbage collection and
 * samples this process. A sample has RSS, V8 heap used, open file descriptors and threads, and
 * counts the descendant processes and `mtls-bench-XXXXXX` private directories that were not
 * there at the start. The runs get a TMPDIR of their own inside the scratch directory, so that
 * directories of other mtls-bench processes on the machine are not counted. Echo server
 * children inherit it, so tsx in them keeps its compile cache there, which the first iteration
 * fills. The verdict (see
 * `judgeSoak`) compares the end with the start, and memory from the second iteration to the last.
 *
 * Ctrl-C (SIGINT) or SIGTERM stops at once: the processes the runs started are killed, private
 * keys and the scratch directory are removed, and no verdict is given.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { checkOutputPath } from '../src/cli/paths.ts';
import { MtlsBenchError } from '../src/errors.ts';
import { removeLivePrivateDirsSync } from '../src/pki/private-dir.ts';
import { writeResultsFile } from '../src/results/write.ts';
import { runSuite, selectCells } from '../src/runner/run.ts';
import type { RunOptions } from '../src/runner/run.ts';
import { loadSuite } from '../src/scenario/load.ts';
import type { ResolvedSuite } from '../src/scenario/types.ts';
import { parseSoakOptions, SoakOptionError, USAGE } from './soak/options.ts';
import type { SoakOptions } from './soak/options.ts';
import { renderSampleHeading, renderSampleRow, renderVerdict } from './soak/report.ts';
import { killDescendantsSync, procProblem, readResources } from './soak/resources.ts';
import { baselineOf, describeDescendant, sampleOf } from './soak/samples.ts';
import type { SoakSample } from './soak/samples.ts';
import { judgeSoak, SOAK_LIMITS } from './soak/verdict.ts';
import type { SoakVerdict } from './soak/verdict.ts';

const EXIT_PASSED = 0;
const EXIT_LEAKED = 1;
const EXIT_INVALID_INPUT = 2;
/** A run threw instead of recording its failed cells, so the soak could not go on. */
const EXIT_RUN_FAILED = 3;
/** Failed cells listed per iteration. The rest are only counted. */
const MAX_FAILURES_SHOWN = 3;
/** Time for the runs' children to die after SIGKILL when a signal stops the soak. */
const CHILD_EXIT_WAIT_MS = 2000;
/** 128 plus the signal number, as shells report a process ended by a signal. */
const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;

function fail(message: string, exitCode: number): never {
  process.stderr.write(`soak: ${message}\n`);
  process.exit(exitCode);
}

/** Loads the suite and checks the options against it, before anything runs. */
async function prepare(options: SoakOptions): Promise<{ suite: ResolvedSuite; runOptions: RunOptions; cellCount: number }> {
  const problem = procProblem();
  if (problem !== null) fail(problem, EXIT_INVALID_INPUT);
  try {
    const suite = await loadSuite(options.suiteFile);
    const runOptions: RunOptions = { filter: options.filter, quick: !options.full };
    const cellCount = selectCells(suite, runOptions).length;
    if (options.json !== null) await checkOutputPath(options.json, '--json', 'file');
    return { suite, runOptions, cellCount };
  } catch (error) {
    if (error instanceof MtlsBenchError) fail(error.message, EXIT_INVALID_INPUT);
    throw error;
  }
}

interface SoakReport {
  suiteFile: string;
  suite: string;
  cellCount: number;
  quick: boolean;
  filter: string | null;
  minutes: number;
  iterationLimit: number | null;
  limits: typeof SOAK_LIMITS;
  startedAt: string;
  /** Descendant processes at the start, which the samples do not count. */
  presentAtStart: string[];
  samples: SoakSample[];
  /** Null when a signal stopped the soak before its end. */
  verdict: SoakVerdict | null;
  stoppedBySignal: string | null;
}

function writeReport(file: string, report: SoakReport): void {
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
}

let options: SoakOptions;
try {
  options = parseSoakOptions(process.argv.slice(2));
} catch (error) {
  if (error instanceof SoakOptionError) fail(`${error.message}\n${USAGE}`, EXIT_INVALID_INPUT);
  throw error;
}
if (options.help) {
  process.stdout.write(USAGE);
  process.exit(EXIT_PASSED);
}

const { suite, runOptions, cellCount } = await prepare(options);

// Taken before TMPDIR changes below, so the scratch directory is in the system's temporary directory.
const scratch = mkdtempSync(path.join(os.tmpdir(), 'mtls-bench-soak-'));
const runTempDirectory = path.join(scratch, 'tmp');
mkdirSync(runTempDirectory);
const resultsFile = path.join(scratch, 'results.json');
// os.tmpdir() reads TMPDIR on every call, so the private directories of the runs land here.
process.env.TMPDIR = runTempDirectory;

// NOTE: tsx in this process starts an esbuild child when it first compiles a module that is not
// in its cache. Should a run import such a module for the first time, that child stays and is
// reported as a new child process with its pipes as new descriptors, though no run leaked it.
const startReading = readResources(runTempDirectory);
const baseline = baselineOf(startReading);
const startMs = performance.now();
const elapsedS = (): number => (performance.now() - startMs) / 1000;
const samples: SoakSample[] = [sampleOf(startReading, baseline, 'start', 0, null)];
const report: SoakReport = {
  suiteFile: options.suiteFile,
  suite: suite.name,
  cellCount,
  quick: !options.full,
  filter: options.filter,
  minutes: options.minutes,
  iterationLimit: options.iterations,
  limits: SOAK_LIMITS,
  startedAt: new Date().toISOString(),
  presentAtStart: startReading.descendants.map(describeDescendant),
  samples,
  verdict: null,
  stoppedBySignal: null,
};

let iteration = 0;
for (const [signal, exitCode] of Object.entries(SIGNAL_EXIT_CODES)) {
  process.once(signal, () => {
    // The runs' children inherit TMPDIR, and tsx in them writes its compile cache there, so they
    // are stopped before the scratch directory goes, instead of when their IPC channel closes.
    const killed = killDescendantsSync(baseline.descendantKeys, CHILD_EXIT_WAIT_MS);
    removeLivePrivateDirsSync();
    rmSync(scratch, { recursive: true, force: true });
    report.stoppedBySignal = signal;
    if (options.json !== null) writeReport(options.json, report);
    process.stderr.write(
      `\nsoak: stopped by ${signal} during iteration ${iteration}; ${killed.length} child process(es) killed, ` +
        `private keys and ${scratch} removed; no verdict\n`,
    );
    process.exit(exitCode);
  });
}

const bounds = options.full ? "the suite's own bounds" : 'the --quick bounds';
const iterationLimit = options.iterations === null ? '' : `, at most ${options.iterations} iterations`;
process.stdout.write(
  `soak: suite "${suite.name}" (${path.relative(process.cwd(), options.suiteFile)}), ${cellCount} cells with ${bounds}, ` +
    `new iterations for ${options.minutes} min${iterationLimit}\n` +
    `scratch directory ${scratch}, for results files and as the runs' TMPDIR; removed at the end\n`,
);
if (report.presentAtStart.length > 0) {
  process.stdout.write(`present at start and not counted: ${report.presentAtStart.join(', ')}\n`);
}
process.stdout.write(`${renderSampleHeading()}\n${renderSampleRow(samples[0] as SoakSample)}\n`);

/** Runs iterations until the deadline or the iteration limit, printing a row after each, then the end row. */
async function runIterations(): Promise<void> {
  const deadlineMs = startMs + options.minutes * 60_000;
  while (performance.now() < deadlineMs && (options.iterations === null || iteration < options.iterations)) {
    iteration += 1;
    // The crypto floor is a micro-benchmark that adds nothing a leak could hide in after the first run.
    const results = await runSuite(suite, { ...runOptions, skipCryptoFloor: iteration > 1 });
    await writeResultsFile(results, resultsFile);
    const failed = results.cells.flatMap((cell) => (cell.state === 'failed' ? [cell] : []));
    for (const cell of failed.slice(0, MAX_FAILURES_SHOWN)) {
      process.stderr.write(`soak: iteration ${iteration}: ${cell.id} failed: ${cell.error.message}\n`);
    }
    if (failed.length > MAX_FAILURES_SHOWN) {
      process.stderr.write(`soak: iteration ${iteration}: ${failed.length - MAX_FAILURES_SHOWN} more cells failed\n`);
    }
    const cells = { failed: failed.length, count: results.cells.length };
    const sample = sampleOf(readResources(runTempDirectory), baseline, iteration, elapsedS(), cells);
    samples.push(sample);
    process.stdout.write(`${renderSampleRow(sample)}\n`);
  }
  const end = sampleOf(readResources(runTempDirectory), baseline, 'end', elapsedS(), null);
  samples.push(end);
  process.stdout.write(`${renderSampleRow(end)}\n`);
}

let runError: unknown = null;
try {
  await runIterations();
} catch (error) {
  runError = error;
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
if (runError instanceof MtlsBenchError) fail(`iteration ${iteration} failed: ${runError.message}`, EXIT_RUN_FAILED);
if (runError !== null) throw runError;

const verdict = judgeSoak(samples);
report.verdict = verdict;
process.stdout.write(`\n${renderVerdict(verdict)}\n`);
if (options.json !== null) {
  writeReport(options.json, report);
  process.stdout.write(`samples and verdict written to ${options.json}\n`);
}
process.exitCode = verdict.passed ? EXIT_PASSED : EXIT_LEAKED;
