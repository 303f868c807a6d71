import type { CellResult, MeasuredCell, RunResults } from '../../results/types.ts';
import type { LatencySummary } from '../../stats/histogram.ts';
import { METRICS, WORKLOAD_METRICS } from '../../results/metrics.ts';
import type { MetricName } from '../../results/metrics.ts';
import { DEFAULT_CONFIDENCE } from '../../stats/ratio.ts';
import { overheadsOf } from '../overhead.ts';
import { AUTH_COLORS, CPU_COLORS, METRIC_COLORS } from './colors.ts';
import { scenarioLabel, varyingFields } from './labels.ts';
import { alignCurves, percentileCurve } from './percentiles.ts';

/**
 * Chart specifications: plain data that the page script hands to uPlot. Everything that needs
 * the results (decoding histograms, estimating overheads) happens here, in Node, so the page
 * needs only the chart library and the numbers.
 */

export interface LineSeriesSpec {
  label: string;
  color: string;
  /** Dashed line, for resumed handshakes. */
  dash: boolean;
  /** Latency in microseconds at each of the chart's `inverseTails`, or null where the curve has no point. */
  valuesUs: (number | null)[];
}

/** Latency against percentile of one mTLS cell and its TLS baseline, in one run or in base and head. */
export interface PercentileChartSpec {
  kind: 'percentiles';
  id: string;
  title: string;
  /** Sentences shown under the title, such as why a cell has no curve. */
  notes: string[];
  /** Shared x values: 1/(1-p) for each percentile p. */
  inverseTails: number[];
  series: LineSeriesSpec[];
}

export interface BarSeriesSpec {
  label: string;
  color: string;
  /** One value per category, or null for no bar. */
  values: (number | null)[];
  /** Interval ends per category, or null where the bar has no interval. */
  low: (number | null)[];
  high: (number | null)[];
}

/** Grouped bars: one group per category, one bar per series. */
export interface BarChartSpec {
  kind: 'bars';
  id: string;
  title: string;
  notes: string[];
  /** Label of the value axis. */
  axisLabel: string;
  /** `ratio` prints values as `1.25×`, `us` as whole microseconds. */
  valueFormat: 'ratio' | 'us';
  /** Value the bars grow from: 1 for ratios, so that a bar shows the change, and 0 otherwise. */
  origin: number;
  /** One label per group; a line break splits it over two lines under the axis. */
  categories: string[];
  series: BarSeriesSpec[];
}

export type ChartSpec = PercentileChartSpec | BarChartSpec;

/** A run as charts see it: its results, and `base` or `head` when the report compares two runs. */
export interface ChartRun {
  name: 'base' | 'head' | null;
  results: RunResults;
}

const AUTH_NAMES = { tls: 'TLS', mtls: 'mTLS' } as const;

/** Returns the latency summaries a cell's percentile chart shows: full and resumed handshakes, or request latency. */
function latencySummaries(cell: MeasuredCell): { phase: 'full' | 'resumed' | null; summary: LatencySummary }[] {
  if (cell.handshake !== undefined) {
    return [
      { phase: 'full', summary: cell.handshake.latencyUs.full },
      { phase: 'resumed', summary: cell.handshake.latencyUs.resumed },
    ];
  }
  if (cell.requests !== undefined) return [{ phase: null, summary: cell.requests.latencyUs }];
  return [];
}

/** Maximum length of an error message in a chart note. The problems table above has the whole message. */
const MAX_NOTE_MESSAGE_LENGTH = 240;

function shortMessage(text: string): string {
  const oneLine = text.replace(/\s*\n\s*/g, ' ').trim();
  return oneLine.length <= MAX_NOTE_MESSAGE_LENGTH ? oneLine : `${oneLine.slice(0, MAX_NOTE_MESSAGE_LENGTH - 1)}…`;
}

/** Returns the mTLS cell ids of a workload: the head run's in order, then those only the base run has. */
function mtlsIdsOf(workload: string, runs: readonly ChartRun[]): string[] {
  const ids: string[] = [];
  for (const run of [...runs].reverse()) {
    for (const cell of run.results.cells) {
      if (cell.scenario.workload === workload && cell.scenario.auth === 'mtls' && !ids.includes(cell.id)) ids.push(cell.id);
    }
  }
  return ids;
}

/**
 * Builds one percentile chart per mTLS cell of a workload, with its TLS baseline's curves beside
 * its own. Full and resumed handshakes are apart (resumed dashed). When `runs` has two runs, the
 * base run's curves are in a lighter tint under the head's. A failed cell has a note instead of a
 * curve. `runs` lists the base run first, so its curves are drawn first.
 */
export function percentileChartsOf(workload: string, workloadIndex: number, runs: readonly ChartRun[]): PercentileChartSpec[] {
  const workloadCells = runs.flatMap((run) => run.results.cells.filter((cell) => cell.scenario.workload === workload));
  const fields = varyingFields(workloadCells, ['auth']);
  const charts: PercentileChartSpec[] = [];

  for (const [chartIndex, id] of mtlsIdsOf(workload, runs).entries()) {
    const series: Omit<LineSeriesSpec, 'valuesUs'>[] = [];
    const curves: ReturnType<typeof percentileCurve>[] = [];
    const notes: string[] = [];
    let labelCell: CellResult | undefined;

    for (const run of runs) {
      const byId = new Map(run.results.cells.map((cell) => [cell.id, cell]));
      const mtlsCell = byId.get(id);
      const baselineId = mtlsCell?.baselineId ?? null;
      const pair = [baselineId === null ? undefined : byId.get(baselineId), mtlsCell];
      const prefix = run.name === null ? '' : `${run.name} `;
      if (mtlsCell === undefined && run.name !== null) notes.push(`The ${run.name} run has no such cell.`);

      for (const cell of pair) {
        if (cell === undefined) continue;
        labelCell ??= cell;
        const auth = cell.scenario.auth;
        if (cell.state === 'failed') {
          notes.push(`${prefix}${AUTH_NAMES[auth]} cell FAILED: ${cell.error.code}: ${shortMessage(cell.error.message)}`);
          continue;
        }
        for (const { phase, summary } of latencySummaries(cell)) {
          if (summary.count === 0) continue;
          series.push({
            label: `${prefix}${AUTH_NAMES[auth]}${phase === null ? '' : ` ${phase}`}`,
            color: AUTH_COLORS[auth][run.name === 'base' ? 'base' : 'head'],
            dash: phase === 'resumed',
          });
          curves.push(percentileCurve(summary));
        }
      }
    }

    if (labelCell === undefined) continue;
    const aligned = alignCurves(curves);
    charts.push({
      kind: 'percentiles',
      id: `w${workloadIndex}-percentiles-${chartIndex}`,
      title: scenarioLabel(labelCell, fields),
      notes,
      inverseTails: aligned.inverseTails,
      series: series.map((entry, index) => ({ ...entry, valuesUs: aligned.valuesUs[index] ?? [] })),
    });
  }
  return charts;
}

/** Returns a cell's merged value of a metric over all its rounds, or null when the metric does not apply. */
function mergedValue(cell: MeasuredCell, metric: MetricName): number | null {
  const latency = (summary: LatencySummary | undefined, percentile: 'p50' | 'p99'): number | null =>
    summary === undefined || summary.count === 0 ? null : summary[percentile];
  switch (metric) {
    case 'handshake.full.p50':
      return latency(cell.handshake?.latencyUs.full, 'p50');
    case 'handshake.full.p99':
      return latency(cell.handshake?.latencyUs.full, 'p99');
    case 'handshake.resumed.p50':
      return latency(cell.handshake?.latencyUs.resumed, 'p50');
    case 'handshake.resumed.p99':
      return latency(cell.handshake?.latencyUs.resumed, 'p99');
    case 'requests.p50':
      return latency(cell.requests?.latencyUs, 'p50');
    case 'requests.p99':
      return latency(cell.requests?.latencyUs, 'p99');
    case 'throughput':
      return cell.handshake?.handshakesPerSec ?? cell.requests?.throughputRps ?? null;
    case 'cpu.server':
      return cell.cpu.serverUsPerOp;
    case 'cpu.client':
      return cell.cpu.clientUsPerOp;
  }
}

/**
 * Builds the overhead chart of a workload: per mTLS cell with a measured baseline, one bar per
 * metric of mTLS/TLS, growing from 1. A bar is the Hodges-Lehmann estimate over the rounds with
 * its confidence interval as whiskers, or, with fewer than 2 rounds, the ratio of the merged
 * values without an interval. Returns null when no mTLS cell of the workload has a measured baseline.
 */
export function overheadChartOf(workload: string, workloadIndex: number, results: RunResults): BarChartSpec | null {
  const cells = results.cells.filter((cell) => cell.scenario.workload === workload);
  const kind = cells[0]?.scenario.workloadKind;
  if (kind === undefined) return null;
  const byId = new Map(results.cells.map((cell) => [cell.id, cell]));
  const overheads = overheadsOf(results);
  const rows = cells.flatMap((cell) => {
    const overhead = overheads.get(cell.id);
    const baseline = cell.baselineId === null ? undefined : byId.get(cell.baselineId);
    if (overhead === undefined || cell.state !== 'measured' || baseline?.state !== 'measured') return [];
    return [{ cell, baseline, overhead }];
  });
  if (rows.length === 0) return null;

  const fields = varyingFields(cells, ['auth']);
  let lowCoverage = false;
  let withoutInterval = false;
  const series: BarSeriesSpec[] = WORKLOAD_METRICS[kind].map((metric, index) => {
    const entry: BarSeriesSpec = { label: METRICS[metric].label, color: METRIC_COLORS[index % METRIC_COLORS.length]!, values: [], low: [], high: [] };
    for (const { cell, baseline, overhead } of rows) {
      const estimate = overhead.metrics.find((candidate) => candidate.metric === metric)?.estimate ?? null;
      if (estimate !== null) {
        entry.values.push(estimate.ratio);
        entry.low.push(estimate.low);
        entry.high.push(estimate.high);
        if (estimate.confidence < DEFAULT_CONFIDENCE) lowCoverage = true;
        continue;
      }
      const value = mergedValue(cell, metric);
      const baselineValue = mergedValue(baseline, metric);
      const ratio = value === null || baselineValue === null || baselineValue <= 0 ? null : value / baselineValue;
      if (ratio !== null) withoutInterval = true;
      entry.values.push(ratio);
      entry.low.push(null);
      entry.high.push(null);
    }
    return entry;
  });

  const notes = [
    'Each bar is mTLS divided by its TLS baseline (1 = no change); for the rate, below 1 means fewer operations per second.',
  ];
  notes.push(
    lowCoverage
      ? 'Whiskers: the confidence interval over the rounds, which covers less than 95% with so few rounds.'
      : `Whiskers: the ${DEFAULT_CONFIDENCE * 100}% confidence interval over the ${results.rounds} rounds.`,
  );
  if (withoutInterval) notes.push('A bar without whiskers is the ratio of the merged values: too few rounds for an interval.');
  const left = cells.filter((cell) => cell.scenario.auth === 'mtls' && !rows.some((row) => row.cell.id === cell.id));
  for (const cell of left) notes.push(`Left out: ${cell.id}, because it or its baseline was not measured.`);

  return {
    kind: 'bars',
    id: `w${workloadIndex}-overhead`,
    title: 'mTLS overhead: mTLS / TLS',
    notes,
    axisLabel: 'mTLS / TLS',
    valueFormat: 'ratio',
    origin: 1,
    categories: rows.map(({ cell }) => scenarioLabel(cell, fields, '\n')),
    series: series.filter((entry) => entry.values.some((value) => value !== null)),
  };
}

const NO_INTERVALS = (count: number): null[] => new Array<null>(count).fill(null);

/**
 * Builds the CPU chart of a handshake workload: server and client CPU µs per handshake of every
 * measured cell, each beside the crypto floor of its side (what the signatures, verifications and
 * key exchange of one full handshake cost alone). Cells are ordered by key type. Returns null for
 * a requests workload, which has no crypto floor, and for a workload without a measured cell.
 */
export function cpuChartOf(workload: string, workloadIndex: number, results: RunResults): BarChartSpec | null {
  const all = results.cells.filter((cell) => cell.scenario.workload === workload);
  if (all[0]?.scenario.workloadKind !== 'handshake') return null;
  const keyTypes = [...new Set(all.map((cell) => cell.scenario.keyType))];
  const cells = all
    .filter((cell): cell is MeasuredCell => cell.state === 'measured')
    .sort((a, b) => keyTypes.indexOf(a.scenario.keyType) - keyTypes.indexOf(b.scenario.keyType));
  if (cells.length === 0) return null;

  const floorOf = (cell: MeasuredCell, side: 'serverUs' | 'clientUs'): number | null =>
    cell.cryptoFloorUs === undefined ? null : Math.round(cell.cryptoFloorUs[side]);
  const candidates: BarSeriesSpec[] = [
    { label: 'server CPU', color: CPU_COLORS.server, values: cells.map((cell) => cell.cpu.serverUsPerOp), low: [], high: [] },
    { label: 'server crypto floor (full handshake)', color: CPU_COLORS.serverFloor, values: cells.map((cell) => floorOf(cell, 'serverUs')), low: [], high: [] },
    { label: 'client CPU', color: CPU_COLORS.client, values: cells.map((cell) => cell.cpu.clientUsPerOp), low: [], high: [] },
    { label: 'client crypto floor (full handshake)', color: CPU_COLORS.clientFloor, values: cells.map((cell) => floorOf(cell, 'clientUs')), low: [], high: [] },
  ];
  const series = candidates
    .filter((entry) => entry.values.some((value) => value !== null))
    .map((entry) => ({ ...entry, low: NO_INTERVALS(cells.length), high: NO_INTERVALS(cells.length) }));

  const notes = [
    'CPU time (user plus system) per handshake in the server and the client process, over all rounds. ' +
      'The crypto floor is what the sign, verify and key-exchange operations of one full handshake cost alone (micro-benchmark), ' +
      'so the gap above it is protocol and runtime overhead.',
  ];
  const failed = all.filter((cell) => cell.state === 'failed');
  if (failed.length > 0) notes.push(`Left out, because they failed: ${failed.map((cell) => cell.id).join(', ')}.`);

  return {
    kind: 'bars',
    id: `w${workloadIndex}-cpu`,
    title: 'CPU µs per handshake',
    notes,
    axisLabel: 'CPU µs per handshake',
    valueFormat: 'us',
    origin: 0,
    categories: cells.map((cell) => scenarioLabel(cell, varyingFields(all), '\n')),
    series,
  };
}
