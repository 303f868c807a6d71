import { METRIC_NAMES, METRICS } from '../results/metrics.ts';
import type { MetricName } from '../results/metrics.ts';
import { formatThreshold } from '../gate/thresholds.ts';
import { DEFAULT_CONFIDENCE } from '../stats/ratio.ts';
import type { Comparison, ComparisonKind, MetricComparison, SkippedCell } from '../gate/types.ts';

/**
 * Wording and number formats shared by the terminal table, the Markdown summary and the JUnit
 * report of a comparison, so that all three show a change the same way.
 */

/** Comparisons of one kind and metric: one table each. */
export interface ComparisonGroup {
  kind: ComparisonKind;
  metric: MetricName;
  entries: MetricComparison[];
}

const UNIT_WORDS = { us: 'µs', 'ops/s': 'operations/s', 'us/op': 'CPU µs per operation' } as const;

/**
 * Splits comparisons into one group per kind and metric: overhead groups first, because normalized
 * mode gates on them, then absolute ones, each in `METRIC_NAMES` order.
 */
export function groupComparisons(metrics: readonly MetricComparison[]): ComparisonGroup[] {
  const groups = new Map<string, ComparisonGroup>();
  for (const entry of metrics) {
    const key = `${entry.kind}/${entry.metric}`;
    let group = groups.get(key);
    if (group === undefined) {
      group = { kind: entry.kind, metric: entry.metric, entries: [] };
      groups.set(key, group);
    }
    group.entries.push(entry);
  }
  const rank = (group: ComparisonGroup): number => (group.kind === 'overhead' ? 0 : METRIC_NAMES.length) + METRIC_NAMES.indexOf(group.metric);
  return [...groups.values()].sort((a, b) => rank(a) - rank(b));
}

/** Title of a group: `handshake.full.p99, absolute, µs` or `throughput, mTLS/TLS overhead ratio`. */
export function describeGroup(group: { kind: ComparisonKind; metric: MetricName }): string {
  if (group.kind === 'overhead') return `${group.metric}, mTLS/TLS overhead ratio`;
  return `${group.metric}, absolute, ${UNIT_WORDS[METRICS[group.metric].unit]}`;
}

function formatRate(perSecond: number): string {
  return perSecond >= 100 ? String(Math.round(perSecond)) : perSecond.toFixed(1);
}

/** Formats a compared value: a ratio such as `1.64×` for overhead, else the metric's unit without its name. */
export function formatComparedValue(kind: ComparisonKind, metric: MetricName, value: number): string {
  if (kind === 'overhead') return `${value.toFixed(2)}×`;
  return METRICS[metric].unit === 'ops/s' ? formatRate(value) : String(Math.round(value));
}

/** Formats a ratio as a signed percentage change with one decimal: 1.123 → `+12.3%`. */
export function formatPercentChange(ratio: number): string {
  const percent = (ratio - 1) * 100;
  const text = Math.abs(percent).toFixed(1);
  if (text === '0.0') return '+0.0%';
  return `${percent > 0 ? '+' : '-'}${text}%`;
}

/**
 * Formats the change with its interval: `+12.3% [+8.1, +16.0]`, or why there is none. Exact
 * intervals have at least the requested confidence, but with very few rounds (2 vs 2) no interval
 * reaches it. Such an interval is marked with its own coverage: `+4.0% [-2.0, +9.0] (67% CI)`.
 */
export function formatChange(entry: MetricComparison): string {
  const estimate = entry.estimate;
  if (estimate === null) return `too few values (${entry.baseValues.length} vs ${entry.headValues.length})`;
  const low = formatPercentChange(estimate.low).slice(0, -1);
  const high = formatPercentChange(estimate.high).slice(0, -1);
  const coverage = estimate.confidence < DEFAULT_CONFIDENCE ? ` (${Math.floor(estimate.confidence * 100)}% CI)` : '';
  return `${formatPercentChange(estimate.ratio)} [${low}, ${high}]${coverage}`;
}

/** Returns the header of the change column. `formatChange` marks an interval below this confidence with its own. */
export function changeHeader(): string {
  return `change [${Math.round(DEFAULT_CONFIDENCE * 100)}% CI]`;
}

/** Formats the verdict for a table: `FAIL` for a failed metric, otherwise `worse`, `better` or `~`. */
export function formatVerdict(entry: MetricComparison): string {
  return entry.failed ? 'FAIL' : entry.verdict;
}

/**
 * Formats a metric's threshold. A rate fails at a ratio below 1/(1+t), so a 10% threshold is
 * shown with the drop it allows: `10% (rate -9.1%)`.
 */
export function formatMetricThreshold(entry: Pick<MetricComparison, 'metric' | 'threshold'>): string {
  const text = formatThreshold(entry.threshold);
  if (entry.threshold === null || METRICS[entry.metric].direction !== 'higher-is-better') return text;
  return `${text} (rate ${formatPercentChange(1 / (1 + entry.threshold))})`;
}

/** Names a failed metric in one line: `cell overhead handshake.full.p99: +25.3% [+18.0, +31.2] > 10%`. */
export function describeFailure(entry: MetricComparison): string {
  return `${entry.cellId} ${entry.kind} ${entry.metric}: ${formatChange(entry)}, threshold ${formatMetricThreshold(entry)}`;
}

/**
 * Describes the mode and why: `normalized mode: different machines (…); absolute CPU per
 * operation skipped because …`.
 */
export function describeMode(comparison: Comparison): string {
  const cpu = comparison.absoluteCpu === null ? '' : `; absolute CPU per operation ${comparison.absoluteCpu.compared ? 'compared: ' : ''}${comparison.absoluteCpu.reason}`;
  return `${comparison.mode} mode: ${comparison.modeReason}${cpu}`;
}

/** Describes the counts in one sentence: `120 metrics compared: 2 worse, 1 better, 117 ~`. */
export function describeCounts(comparison: Comparison): string {
  const { compared, worse, better, unchanged } = comparison.counts;
  return `${compared} metric${compared === 1 ? '' : 's'} compared: ${worse} worse, ${better} better, ${unchanged} ~`;
}

/** Describes the gate's outcome in one sentence. */
export function describeOutcome(comparison: Comparison): string {
  const failed = comparison.counts.failed;
  if (failed === 0) return 'gate passed: no metric is worse beyond its threshold';
  return `gate FAILED: ${failed} metric${failed === 1 ? ' is' : 's are'} worse beyond ${failed === 1 ? 'its threshold' : 'their thresholds'}`;
}

/**
 * Shortens cell ids for a table whose rows share most id segments: the shared segments become `*`
 * in a pattern shown above the table, and each row keeps the segments that differ. Ids with
 * different numbers of segments, and single rows, are kept whole.
 */
export function abbreviateIds(ids: readonly string[]): { pattern: string | null; short: string[] } {
  const split = ids.map((id) => id.split('/'));
  const length = split[0]?.length ?? 0;
  if (ids.length < 2 || split.some((segments) => segments.length !== length)) return { pattern: null, short: [...ids] };

  const varying: boolean[] = [];
  for (let i = 0; i < length; i++) varying.push(new Set(split.map((segments) => segments[i])).size > 1);
  const pattern = (split[0] ?? []).map((segment, i) => (varying[i] === true ? '*' : segment)).join('/');
  const short = split.map((segments) => segments.filter((_, i) => varying[i] === true).join('/'));
  return { pattern, short };
}

/** Ids listed for each group of cells left out for the same reason. */
const LISTED_SKIPPED_IDS = 3;

const SKIP_REASON_WORDS = {
  'only-in-base': 'measured in base only',
  'only-in-head': 'measured in head only',
  'no-baseline': 'without a TLS baseline to compute an overhead against',
} as const;

/**
 * Describes the cells that were not compared, one line each. A failed cell or a missing baseline
 * gets a line of its own with the reason. Cells in one file only are counted with a few ids, because
 * a run with `--filter` against a full baseline leaves out dozens of them.
 */
export function describeSkipped(skipped: readonly SkippedCell[]): string[] {
  const lines: string[] = [];
  for (const reason of ['only-in-base', 'only-in-head', 'no-baseline'] as const) {
    const ids = skipped.filter((cell) => cell.reason === reason).map((cell) => cell.cellId);
    if (ids.length === 0) continue;
    const more = ids.length > LISTED_SKIPPED_IDS ? ` and ${ids.length - LISTED_SKIPPED_IDS} more` : '';
    const noun = ids.length === 1 ? 'cell' : 'cells';
    lines.push(`${ids.length} ${noun} ${SKIP_REASON_WORDS[reason]}: ${ids.slice(0, LISTED_SKIPPED_IDS).join(', ')}${more}`);
  }
  for (const cell of skipped) {
    if (cell.reason === 'failed' || cell.reason === 'baseline-not-measured') lines.push(`${cell.cellId}: ${cell.detail}`);
  }
  return lines;
}
