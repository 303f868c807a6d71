import type { MeasuredCell, RunResults } from '../results/types.ts';
import { roundValues, WORKLOAD_METRICS } from '../results/metrics.ts';
import type { MetricName } from '../results/metrics.ts';
import { DEFAULT_CONFIDENCE, estimateRatio } from '../stats/ratio.ts';
import type { RatioEstimate } from '../stats/ratio.ts';

/** Cost of mTLS in one metric: the ratio mtls/tls over the rounds, with its interval. */
export interface MetricOverhead {
  metric: MetricName;
  /** Null when either cell has fewer than 2 rounds with a value, for example resumed latency without resumption. */
  estimate: RatioEstimate | null;
}

/** Cost of mTLS in one cell against its baseline, one entry per metric of the workload. */
export interface Overhead {
  cellId: string;
  baselineId: string;
  metrics: MetricOverhead[];
}

/** Computes the overhead of a measured mTLS cell against its measured baseline, from their rounds. */
export function overheadOf(cell: MeasuredCell, baseline: MeasuredCell): Overhead {
  const metrics = WORKLOAD_METRICS[cell.scenario.workloadKind].map((metric) => ({
    metric,
    estimate: estimateRatio(roundValues(baseline.rounds, metric), roundValues(cell.rounds, metric)),
  }));
  return { cellId: cell.id, baselineId: baseline.id, metrics };
}

/** Overheads of every measured mTLS cell whose baseline was measured too, by cell id. */
export function overheadsOf(results: RunResults): Map<string, Overhead> {
  const byId = new Map(results.cells.map((cell) => [cell.id, cell]));
  const overheads = new Map<string, Overhead>();
  for (const cell of results.cells) {
    if (cell.state !== 'measured' || cell.baselineId === null) continue;
    const baseline = byId.get(cell.baselineId);
    if (baseline?.state !== 'measured') continue;
    overheads.set(cell.id, overheadOf(cell, baseline));
  }
  return overheads;
}

/** Formats a ratio as a signed percentage change: 1.25 → `+25%`, 0.8 → `-20%`. */
export function formatRatioChange(value: number): string {
  const percent = Math.round((value - 1) * 100);
  return `${percent >= 0 ? '+' : ''}${percent}%`;
}

/**
 * Formats an estimate as its change and interval, `+25%` and `[+18%, +31%]`. A change whose
 * interval includes no change is `~` and is not called a difference, and so is one from too few
 * rounds to reach 95%. `-` when there is no estimate.
 */
export function formatEstimate(estimate: RatioEstimate | null): { change: string; interval: string } {
  if (estimate === null) return { change: '-', interval: '' };
  // The interval of samples too small for the requested confidence covers less than 95%.
  if (estimate.confidence < DEFAULT_CONFIDENCE) return { change: '~', interval: '(too few rounds)' };
  const interval = `[${formatRatioChange(estimate.low)}, ${formatRatioChange(estimate.high)}]`;
  return { change: estimate.differs ? formatRatioChange(estimate.ratio) : '~', interval };
}
