/**
 * Measures how often the regression gate is wrong on this machine. It counts false positives in
 * A/A comparisons (the same suite run twice, nothing changed), and catches of a slowdown that
 * `simulate.handshakeCpuUs` injects at 5% and 10% of the server CPU of a full mTLS handshake.
 *
 * The slowdown hits the mTLS server only, as a regression of client authentication would, so
 * both comparison modes can see it. Absolute mode, which `compare` picks for two files from one
 * machine, sees it in the mTLS cell's own figures. Normalized mode, its pick across machines,
 * sees it in the mTLS/TLS overhead.
 *
 *   npm run bench:gate-power -- [--iterations 20] [--out FILE]
 *
 * Every run is a fresh `mtls-bench run` process, as in CI. Each iteration runs A (no slowdown),
 * the 10% slowdown, B (no slowdown) and the 5% slowdown, and compares A with B, A with the 10%
 * run and B with the 5% run, in both modes. A comparison is flagged when some metric fails the
 * gate; the counts are given at thresholds of 5% and 10%. The figures go to stdout and to
 * results/gate-power-<time>.json.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parse, stringify } from 'yaml';

import { compareResults } from '../src/gate/compare.ts';
import type { CompareMode, Comparison } from '../src/gate/types.ts';
import type { MetricName } from '../src/results/metrics.ts';
import { describeEnvironment } from '../src/results/environment.ts';
import type { MeasuredCell, RunResults } from '../src/results/types.ts';
import type { Auth } from '../src/scenario/types.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const BIN = path.join(ROOT, 'bin', 'mtls-bench.js');

/** The suite every run measures: the CI gating suite that docs/ci.md recommends. */
const SUITE_FILE = path.join(ROOT, 'scenarios', 'gate.yaml');
const SUITE = parse(readFileSync(SUITE_FILE, 'utf8')) as Record<string, unknown>;

const MTLS_FULL_CELL = 'handshake/ecdsa-p256/tls1.3/default/x25519/none/d0/mtls';

const { values } = parseArgs({
  options: {
    iterations: { type: 'string', default: '20' },
    out: { type: 'string' },
  },
});
const iterations = Number(values.iterations);
if (!(Number.isInteger(iterations) && iterations >= 1)) {
  throw new Error(`--iterations: got "${values.iterations}"; expected a whole number of at least 1`);
}

const workDir = mkdtempSync(path.join(os.tmpdir(), 'mtls-bench-gate-power-'));

/** Writes the gating suite, with `simulate` when given, to a file of the work directory. */
function writeSuite(name: string, simulate: { handshakeCpuUs: number; auth: Auth[] } | null): string {
  const file = path.join(workDir, `${name}.yaml`);
  writeFileSync(file, stringify(simulate === null ? SUITE : { ...SUITE, simulate }));
  return file;
}

let runCount = 0;

/** Runs the suite in a fresh process and returns its results. */
function runOnce(suiteFile: string): RunResults {
  const out = path.join(workDir, `run-${++runCount}.json`);
  const run = spawnSync(process.execPath, [BIN, 'run', suiteFile, '--out', out, '--quiet', '--no-crypto-floor'], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (run.status !== 0) {
    throw new Error(`mtls-bench run ${suiteFile} exited with ${run.status ?? run.signal}: ${run.stderr}`);
  }
  return JSON.parse(readFileSync(out, 'utf8')) as RunResults;
}

function measuredCell(results: RunResults, id: string): MeasuredCell {
  const cell = results.cells.find((candidate) => candidate.id === id);
  if (cell?.state !== 'measured') throw new Error(`cell ${id} was not measured`);
  return cell;
}

function percentChange(ratio: number | undefined): number {
  return Math.round(((ratio ?? 1) - 1) * 1000) / 10;
}

/** One metric of one comparison: what `compare` estimated and its verdict, which no threshold changes. */
interface Outcome {
  cell: string;
  kind: 'absolute' | 'overhead';
  metric: MetricName;
  ratio: number | null;
  verdict: string;
}

/** Thresholds the flagged counts are given for. */
const THRESHOLDS = [0.05, 0.1];

function outcomesOf(comparison: Comparison): Outcome[] {
  return comparison.metrics.map((entry) => ({
    cell: entry.cellId.split('/').at(-1) ?? entry.cellId,
    kind: entry.kind,
    metric: entry.metric,
    ratio: entry.estimate === null ? null : Math.round(entry.estimate.ratio * 10_000) / 10_000,
    verdict: entry.verdict,
  }));
}

/** Whether one comparison failed the gate, in all its rows and in its overhead rows alone. */
interface Flags {
  failed: boolean;
  overheadFailed: boolean;
}

/** Comparisons of one kind (A/A, or a slowdown) in one mode. */
class Tally {
  readonly comparisons: Outcome[][] = [];
  /** Per threshold, one entry per comparison. */
  readonly #flags = new Map<number, Flags[]>(THRESHOLDS.map((threshold) => [threshold, []]));

  constructor(private readonly mode: CompareMode) {}

  record(base: RunResults, head: RunResults): void {
    for (const threshold of THRESHOLDS) {
      const comparison = compareResults(base, head, { mode: this.mode, thresholds: { global: threshold, metrics: {} } });
      const overheadFailed = comparison.metrics.some((entry) => entry.failed && entry.kind === 'overhead');
      this.#flags.get(threshold)?.push({ failed: !comparison.passed, overheadFailed });
      if (threshold === THRESHOLDS[0]) this.comparisons.push(outcomesOf(comparison));
    }
  }

  /** Comparisons that failed the gate at `threshold`, or whose overhead rows failed it. */
  flagged(threshold: number, overheadOnly = false): number {
    const flags = this.#flags.get(threshold) ?? [];
    return flags.filter((flag) => (overheadOnly ? flag.overheadFailed : flag.failed)).length;
  }

  summary(threshold: number): string {
    return `${this.flagged(threshold)}/${this.comparisons.length}`;
  }
}

/** Mean and standard deviation of the estimated change of each metric, in percent. */
function changesOf(tally: Tally): Record<string, { meanPercent: number; sdPercent: number }> {
  const byMetric = new Map<string, number[]>();
  for (const outcomes of tally.comparisons) {
    for (const outcome of outcomes) {
      if (outcome.ratio === null) continue;
      const key = `${outcome.cell} ${outcome.kind} ${outcome.metric}`;
      byMetric.set(key, [...(byMetric.get(key) ?? []), (outcome.ratio - 1) * 100]);
    }
  }
  const changes: Record<string, { meanPercent: number; sdPercent: number }> = {};
  for (const [key, values] of byMetric) {
    const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
    const variance = values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / Math.max(values.length - 1, 1);
    changes[key] = { meanPercent: Math.round(mean * 10) / 10, sdPercent: Math.round(Math.sqrt(variance) * 10) / 10 };
  }
  return changes;
}

/** Flagged counts of each tally at each threshold; for normalized mode also without the absolute CPU rows. */
function figuresOf(tallies: Record<string, Tally>, mode: CompareMode) {
  const figures: Record<string, Record<string, string>> = {};
  for (const [name, tally] of Object.entries(tallies)) {
    figures[name] = {};
    for (const threshold of THRESHOLDS) {
      figures[name][`${threshold * 100}%`] = tally.summary(threshold);
      if (mode === 'normalized') {
        const overheadOnly = tally.flagged(threshold, true);
        figures[name][`${threshold * 100}% overhead only`] = `${overheadOnly}/${tally.comparisons.length}`;
      }
    }
  }
  return figures;
}

try {
  const startedAt = new Date();
  const plainSuite = writeSuite('plain', null);

  // The first run warms the machine up and sizes the slowdowns.
  const calibration = runOnce(plainSuite);
  const fullHandshakeCpuUs = measuredCell(calibration, MTLS_FULL_CELL).cpu.serverUsPerOp ?? 0;
  const slowdownUs = { 5: Math.round(fullHandshakeCpuUs * 0.05), 10: Math.round(fullHandshakeCpuUs * 0.1) };
  const suites = {
    slow5: writeSuite('mtls-5', { handshakeCpuUs: slowdownUs[5], auth: ['mtls'] }),
    slow10: writeSuite('mtls-10', { handshakeCpuUs: slowdownUs[10], auth: ['mtls'] }),
  };
  process.stderr.write(
    `server CPU of a full mTLS handshake: ${fullHandshakeCpuUs} µs; slowdowns ${slowdownUs[5]} µs (5%) and ${slowdownUs[10]} µs (10%)\n`,
  );

  const tallies = {
    absolute: { aa: new Tally('absolute'), caught10: new Tally('absolute'), caught5: new Tally('absolute') },
    normalized: { aa: new Tally('normalized'), caught10: new Tally('normalized'), caught5: new Tally('normalized') },
  };
  for (let iteration = 1; iteration <= iterations; iteration++) {
    const a = runOnce(plainSuite);
    const slow10 = runOnce(suites.slow10);
    const b = runOnce(plainSuite);
    const slow5 = runOnce(suites.slow5);
    for (const modeTallies of Object.values(tallies)) {
      modeTallies.aa.record(a, b);
      modeTallies.caught10.record(a, slow10);
      modeTallies.caught5.record(b, slow5);
    }
    const progress = Object.entries(tallies).map(
      ([mode, { aa, caught10, caught5 }]) =>
        `${mode} A/A ${aa.summary(0.1)}, 10% ${caught10.summary(0.1)}, 5% ${caught5.summary(0.1)}`,
    );
    process.stderr.write(`iteration ${iteration}/${iterations} (flagged at a 10% threshold): ${progress.join('; ')}\n`);
  }

  const report = {
    command: `npm run bench:gate-power -- ${process.argv.slice(2).join(' ')}`.trim(),
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    environment: describeEnvironment(),
    suite: path.relative(ROOT, SUITE_FILE),
    fullHandshakeServerCpuUs: fullHandshakeCpuUs,
    slowdownUs,
    flagged: {
      absolute: figuresOf(tallies.absolute, 'absolute'),
      normalized: figuresOf(tallies.normalized, 'normalized'),
    },
    changes: {
      absolute: { aa: changesOf(tallies.absolute.aa), caught10: changesOf(tallies.absolute.caught10), caught5: changesOf(tallies.absolute.caught5) },
      normalized: {
        aa: changesOf(tallies.normalized.aa),
        caught10: changesOf(tallies.normalized.caught10),
        caught5: changesOf(tallies.normalized.caught5),
      },
    },
    comparisons: tallies,
  };
  const out = values.out ?? path.join(ROOT, 'results', `gate-power-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(report.flagged, null, 2)}\nwritten to ${out}\n`);
} finally {
  rmSync(workDir, { recursive: true, force: true });
}
