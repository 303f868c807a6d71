/**
 * Medians over repetitions, the ratios against the targets, and the printed tables. Pure:
 * measurements in, values or strings out.
 */
import Table from 'cli-table3';
import type { Phase } from './options.ts';
import { TOOL_LABELS } from './types.ts';
import type { Measurement, RatioCheck, ToolId, ToolSummary } from './types.ts';

/** Median of the values; the mean of the middle two for an even count. Null for no values. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length % 2 === 1) return sorted[middle] ?? null;
  return ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** Returns the compared rate: what the server counted for handshakes, what the tool counted for requests. */
export function comparedRate(measurement: Measurement): number | null {
  return measurement.phase === 'requests' ? measurement.toolRate : measurement.serverRate;
}

function present(values: readonly (number | null)[]): number[] {
  return values.filter((value): value is number => value !== null);
}

/** Summarizes the measurements per phase, concurrency and tool, in the order they first appear. */
export function summarize(measurements: readonly Measurement[]): ToolSummary[] {
  const groups = new Map<string, Measurement[]>();
  for (const measurement of measurements) {
    const key = `${measurement.phase}/${measurement.concurrency}/${measurement.tool}`;
    groups.set(key, [...(groups.get(key) ?? []), measurement]);
  }

  return [...groups.values()].map((runs) => {
    const first = runs[0] as Measurement;
    const rates = present(runs.map(comparedRate));
    const rateMedian = median(rates);
    return {
      phase: first.phase,
      tool: first.tool,
      concurrency: first.concurrency,
      measuredRuns: rates.length,
      runs: runs.length,
      rate: rateMedian === null ? null : { median: rateMedian, min: Math.min(...rates), max: Math.max(...rates) },
      toolRateMedian: median(present(runs.map((run) => run.toolRate))),
      latencyP50UsMedian: median(present(runs.map((run) => run.latencyP50Us))),
      resumedShareMedian: median(present(runs.map((run) => run.resumedShare))),
      serverCpuShareMedian: median(present(runs.map((run) => run.serverCpuShare))),
      clientCpuShareMedian: median(present(runs.map((run) => run.clientCpuShare))),
      errorCount: runs.reduce((sum, run) => sum + Object.values(run.errors).reduce((a, b) => a + b, 0), 0),
    };
  });
}

/** A target for the harness not being the bottleneck: the subject's rate is at least `min` times the reference's. */
interface Target {
  phases: readonly Phase[];
  subject: ToolId;
  reference: ToolId;
  min: number | null;
}

/** The targets, and the comparisons shown for information (`min: null`). */
export const TARGETS: readonly Target[] = [
  { phases: ['full', 'https', 'resumed', 'resumed-https'], subject: 'driver', reference: 'loop', min: 0.95 },
  { phases: ['full', 'https', 'resumed', 'resumed-https'], subject: 'driver', reference: 's_time', min: 0.9 },
  // How close Node's TLS client can get to s_time at all, whatever the driver does.
  { phases: ['full', 'https', 'resumed', 'resumed-https'], subject: 'loop', reference: 's_time', min: null },
  { phases: ['requests'], subject: 'runRequests', reference: 'wrk', min: 0.9 },
  { phases: ['requests'], subject: 'runRequests', reference: 'autocannon', min: null },
];

/** Checks every target at every concurrency that the summaries have for its phase. */
export function checkRatios(summaries: readonly ToolSummary[]): RatioCheck[] {
  const checks: RatioCheck[] = [];
  const find = (phase: Phase, concurrency: number, tool: ToolId): ToolSummary | undefined =>
    summaries.find((summary) => summary.phase === phase && summary.concurrency === concurrency && summary.tool === tool);

  for (const target of TARGETS) {
    for (const summary of summaries) {
      if (summary.tool !== target.subject || !target.phases.includes(summary.phase)) continue;
      const reference = find(summary.phase, summary.concurrency, target.reference);
      if (reference === undefined) continue;
      const subjectRate = summary.rate?.median ?? null;
      const referenceRate = reference.rate?.median ?? null;
      const ratio = subjectRate === null || referenceRate === null || referenceRate === 0 ? null : subjectRate / referenceRate;
      let verdict: RatioCheck['verdict'];
      if (ratio === null) verdict = 'no data';
      else if (target.min === null) verdict = 'info';
      else verdict = ratio >= target.min ? 'pass' : 'miss';
      checks.push({ phase: summary.phase, concurrency: summary.concurrency, subject: target.subject, reference: target.reference, ratio, target: target.min, verdict });
    }
  }
  return checks;
}

const PHASE_LABELS: Record<Phase, string> = {
  full: 'full handshakes',
  https: 'full handshakes + GET',
  resumed: 'resumed handshakes',
  'resumed-https': 'resumed handshakes + GET',
  requests: 'keep-alive requests',
};

function formatRate(value: number | null): string {
  return value === null ? '-' : String(Math.round(value));
}

function formatShare(value: number | null): string {
  return value === null ? '-' : value.toFixed(2);
}

function newTable(head: string[]): Table.Table {
  return new Table({
    head,
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
    style: { head: [], border: [] },
  });
}

/** Renders the rates of every tool, one row per phase, concurrency and tool. */
export function renderRateTable(summaries: readonly ToolSummary[]): string {
  const table = newTable(['phase', 'conc.', 'tool', 'rate/s median\n(min-max)', 'tool-reported\nrate/s', 'p50 µs', 'resumed', 'CPU share\nserver / client', 'runs', 'errors']);
  for (const summary of summaries) {
    const range = summary.rate === null ? '' : ` (${formatRate(summary.rate.min)}-${formatRate(summary.rate.max)})`;
    table.push([
      PHASE_LABELS[summary.phase],
      String(summary.concurrency),
      TOOL_LABELS[summary.tool],
      `${formatRate(summary.rate?.median ?? null)}${range}`,
      formatRate(summary.toolRateMedian),
      formatRate(summary.latencyP50UsMedian),
      summary.resumedShareMedian === null ? '-' : `${Math.round(summary.resumedShareMedian * 100)}%`,
      `${formatShare(summary.serverCpuShareMedian)} / ${formatShare(summary.clientCpuShareMedian)}`,
      `${summary.measuredRuns}/${summary.runs}`,
      String(summary.errorCount),
    ]);
  }
  return table.toString();
}

/** Renders each ratio with its target and verdict. */
export function renderRatioTable(checks: readonly RatioCheck[]): string {
  const table = newTable(['phase', 'conc.', 'ratio of medians', 'value', 'target', 'result']);
  for (const check of checks) {
    table.push([
      PHASE_LABELS[check.phase],
      String(check.concurrency),
      `${TOOL_LABELS[check.subject]} / ${TOOL_LABELS[check.reference]}`,
      check.ratio === null ? '-' : check.ratio.toFixed(3),
      check.target === null ? '-' : `>= ${check.target}`,
      check.verdict,
    ]);
  }
  return table.toString();
}
