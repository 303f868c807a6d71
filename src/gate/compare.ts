import { MtlsBenchError } from '../errors.ts';
import { METRIC_NAMES, METRICS, roundValues } from '../results/metrics.ts';
import type { MetricName } from '../results/metrics.ts';
import type { CellResult, MeasuredCell, RunResults } from '../results/types.ts';
import { canShowDifference, estimateRatio } from '../stats/ratio.ts';
import type { RatioEstimate } from '../stats/ratio.ts';
import { resolveThreshold } from './thresholds.ts';
import type { ThresholdOverrides } from './thresholds.ts';
import { COMPARISON_FORMAT_VERSION } from './types.ts';
import type {
  ComparedFile,
  CompareMode,
  CompareModeOption,
  Comparison,
  MetricComparison,
  SkippedCell,
  Verdict,
} from './types.ts';

export interface CompareOptions {
  mode: CompareModeOption;
  /** Thresholds from the command line; the base file's `suite.gate` fills in the rest. */
  thresholds: ThresholdOverrides;
}

/** Metrics that normalized mode also compares in absolute terms when both files ran on the same CPU type. */
const CPU_METRICS: readonly MetricName[] = ['cpu.server', 'cpu.client'];

/** Ids listed in a message about cells that do not match; more would bury the point. */
const LISTED_IDS = 3;

/** Characters of a machine id shown in messages: enough to tell two apart at a glance. */
const MACHINE_ID_PREFIX_LENGTH = 8;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length % 2 === 1) return sorted[middle] ?? Number.NaN;
  return ((sorted[middle - 1] ?? Number.NaN) + (sorted[middle] ?? Number.NaN)) / 2;
}

function shortMachineId(id: string): string {
  return id.length > MACHINE_ID_PREFIX_LENGTH ? `${id.slice(0, MACHINE_ID_PREFIX_LENGTH)}…` : id;
}

function describeCpu(cpu: { model: string; count: number }): string {
  return `${cpu.model} × ${cpu.count}`;
}

function listIds(cells: readonly CellResult[]): string {
  const ids = cells.slice(0, LISTED_IDS).map((cell) => cell.id);
  const more = cells.length > LISTED_IDS ? ` and ${cells.length - LISTED_IDS} more` : '';
  return `${ids.join(', ')}${more}`;
}

function checkComparable(base: RunResults, head: RunResults): void {
  if (base.suite.name !== head.suite.name) {
    throw new MtlsBenchError(
      'INVALID_RESULTS',
      `base and head are results of different suites ("${base.suite.name}" and "${head.suite.name}"); compare two runs of the same suite`,
    );
  }
  const baseIds = new Set(base.cells.map((cell) => cell.id));
  if (!head.cells.some((cell) => baseIds.has(cell.id))) {
    throw new MtlsBenchError(
      'INVALID_RESULTS',
      `base and head have no cell in common: base has ${listIds(base.cells)}; head has ${listIds(head.cells)}. ` +
        'Run both with the same --filter, or none.',
    );
  }
}

/**
 * Rejects round counts too small for the rank test to call any difference, because the gate
 * would then pass whatever changed.
 */
export function checkRoundCounts(baseRounds: number, headRounds: number): void {
  if (canShowDifference(baseRounds, headRounds)) return;
  throw new MtlsBenchError(
    'INVALID_RESULTS',
    `base has ${baseRounds} round${baseRounds === 1 ? '' : 's'} per cell and head ${headRounds}: ` +
      'so few rounds can never show a difference at 95%, so the gate could not fail; ' +
      'run both with at least 4 rounds (5 by default)',
  );
}

/** Describes what about the two files weakens the comparison, one sentence each. */
function warningsOf(base: RunResults, head: RunResults): string[] {
  const warnings: string[] = [];
  const quick = [base.quick ? 'base' : null, head.quick ? 'head' : null].filter((side) => side !== null);
  if (quick.length > 0) {
    warnings.push(`${quick.join(' and ')} ${quick.length === 1 ? 'is a --quick run' : 'are --quick runs'}, whose short bounds make chance failures likely`);
  }
  for (const [side, results] of [['base', base] as const, ['head', head] as const]) {
    const partial = results.partial;
    if (partial == null) continue;
    warnings.push(
      `${side} is a partial run, stopped by ${partial.stoppedBy} after ${results.cells.length} of ${partial.cellsPlanned} cells, ` +
        'so only the cells it finished are compared',
    );
  }
  if (base.rounds !== head.rounds) {
    warnings.push(`base has ${base.rounds} rounds per cell and head ${head.rounds}, so their rounds are of different lengths`);
  }
  if (base.startedAt === head.startedAt && JSON.stringify(base.cells) === JSON.stringify(head.cells)) {
    warnings.push('base and head are the same run, so every change is zero');
  }
  return warnings;
}

function chooseMode(base: RunResults, head: RunResults, requested: CompareModeOption): { mode: CompareMode; reason: string } {
  const baseId = base.environment.machineId;
  const headId = head.environment.machineId;
  const sameMachine = baseId === headId;
  const machines = sameMachine
    ? `same machine (machine id ${shortMachineId(baseId)})`
    : `different machines (machine ids ${shortMachineId(baseId)} vs ${shortMachineId(headId)})`;
  if (requested !== 'auto') return { mode: requested, reason: `requested; the files come from ${sameMachine ? 'the ' : ''}${machines}` };
  return { mode: sameMachine ? 'absolute' : 'normalized', reason: machines };
}

/**
 * Per-round overhead ratios mTLS/TLS. Round i of an mTLS cell ran back to back with round i of its
 * baseline, so pairing by index divides out whatever slowed or sped up the machine for both.
 */
function overheadRatios(cell: MeasuredCell, baseline: MeasuredCell, metric: MetricName): number[] {
  const ratios: number[] = [];
  const pairs = Math.min(cell.rounds.length, baseline.rounds.length);
  for (let i = 0; i < pairs; i++) {
    const value = cell.rounds[i]?.values[metric];
    const baselineValue = baseline.rounds[i]?.values[metric];
    if (typeof value !== 'number' || typeof baselineValue !== 'number' || value === 0 || baselineValue === 0) continue;
    ratios.push(value / baselineValue);
  }
  return ratios;
}

function judge(metric: MetricName, estimate: RatioEstimate | null, threshold: number | null): { verdict: Verdict; failed: boolean } {
  if (estimate === null || !estimate.differs) return { verdict: '~', failed: false };
  const higherIsBetter = METRICS[metric].direction === 'higher-is-better';
  const worse = estimate.ratio > 1 !== higherIsBetter;
  if (!worse) return { verdict: 'better', failed: false };
  // A threshold t on throughput fails at a ratio below 1/(1+t), so that 10% means the same
  // slowdown for a rate as for a latency: an operation taking 10% longer.
  const beyond = threshold !== null && (higherIsBetter ? estimate.ratio < 1 / (1 + threshold) : estimate.ratio > 1 + threshold);
  return { verdict: 'worse', failed: beyond };
}

/** A metric comparison before its estimate and verdict. */
type Pending = Pick<MetricComparison, 'cellId' | 'workload' | 'kind' | 'baselineId' | 'metric' | 'baseValues' | 'headValues'>;

function finish(pending: Pending, options: CompareOptions, base: RunResults): MetricComparison {
  const estimate = estimateRatio(pending.baseValues, pending.headValues);
  const { threshold, source } = resolveThreshold(pending.metric, options.thresholds, base.suite.gate);
  const { verdict, failed } = judge(pending.metric, estimate, threshold);
  return {
    ...pending,
    base: median(pending.baseValues),
    head: median(pending.headValues),
    estimate,
    verdict,
    threshold,
    thresholdSource: source,
    failed,
  };
}

/** Absolute comparisons of the given metrics that both cells have at least one value of. */
function absolutePending(base: MeasuredCell, head: MeasuredCell, metrics: readonly MetricName[]): Pending[] {
  const pending: Pending[] = [];
  for (const metric of metrics) {
    const baseValues = roundValues(base.rounds, metric);
    const headValues = roundValues(head.rounds, metric);
    if (baseValues.length === 0 || headValues.length === 0) continue;
    pending.push({ cellId: head.id, workload: head.scenario.workload, kind: 'absolute', baselineId: null, metric, baseValues, headValues });
  }
  return pending;
}

function overheadPending(
  pair: { base: MeasuredCell; head: MeasuredCell },
  baselines: { base: MeasuredCell; head: MeasuredCell },
): Pending[] {
  const pending: Pending[] = [];
  for (const metric of METRIC_NAMES) {
    const baseValues = overheadRatios(pair.base, baselines.base, metric);
    const headValues = overheadRatios(pair.head, baselines.head, metric);
    if (baseValues.length === 0 || headValues.length === 0) continue;
    pending.push({
      cellId: pair.head.id,
      workload: pair.head.scenario.workload,
      kind: 'overhead',
      baselineId: baselines.head.id,
      metric,
      baseValues,
      headValues,
    });
  }
  return pending;
}

/** A cell present in both files, or the reason it is listed as not compared. */
type Matched = { base: MeasuredCell; head: MeasuredCell } | { skipped: SkippedCell };

function matchCell(id: string, base: CellResult | undefined, head: CellResult | undefined): Matched {
  if (head === undefined) return { skipped: { cellId: id, reason: 'only-in-base', detail: 'measured in base only' } };
  if (base === undefined) return { skipped: { cellId: id, reason: 'only-in-head', detail: 'measured in head only' } };
  if (base.state === 'failed' || head.state === 'failed') {
    const sides = [
      base.state === 'failed' ? `in base: ${base.error.code}: ${base.error.message}` : null,
      head.state === 'failed' ? `in head: ${head.error.code}: ${head.error.message}` : null,
    ].filter((side) => side !== null);
    return { skipped: { cellId: id, reason: 'failed', detail: `failed ${sides.join('; ')}` } };
  }
  return { base, head };
}

/** Ids of both files: the head's in order, then those only the base has. */
function allIds(base: RunResults, head: RunResults): string[] {
  const ids = head.cells.map((cell) => cell.id);
  const headIds = new Set(ids);
  for (const cell of base.cells) if (!headIds.has(cell.id)) ids.push(cell.id);
  return ids;
}

function describeFile(results: RunResults): ComparedFile {
  const { machineId, cpu } = results.environment;
  return { startedAt: results.startedAt, machineId, cpu: { model: cpu.model, count: cpu.count } };
}

function sameCpu(base: RunResults, head: RunResults): { compared: boolean; reason: string } {
  const baseCpu = base.environment.cpu;
  const headCpu = head.environment.cpu;
  if (baseCpu.model === headCpu.model && baseCpu.count === headCpu.count) {
    return { compared: true, reason: `same CPU in both files (${describeCpu(baseCpu)})` };
  }
  return { compared: false, reason: `skipped because the CPU models differ (${describeCpu(baseCpu)} vs ${describeCpu(headCpu)})` };
}

/**
 * Compares two results files of one suite, cell by cell (matched by id), metric by metric, and
 * judges each change against its threshold. Throws `INVALID_RESULTS` for results of different
 * suites and for files without a cell in common. Cells measured in one file only, or failed in
 * either, are listed in `skipped` instead of compared.
 */
export function compareResults(base: RunResults, head: RunResults, options: CompareOptions): Comparison {
  checkComparable(base, head);
  checkRoundCounts(base.rounds, head.rounds);
  const { mode, reason } = chooseMode(base, head, options.mode);
  const absoluteCpu = mode === 'normalized' ? sameCpu(base, head) : null;

  const baseById = new Map(base.cells.map((cell) => [cell.id, cell]));
  const headById = new Map(head.cells.map((cell) => [cell.id, cell]));
  const matched = new Map<string, { base: MeasuredCell; head: MeasuredCell }>();
  const skipped: SkippedCell[] = [];
  for (const id of allIds(base, head)) {
    const match = matchCell(id, baseById.get(id), headById.get(id));
    if ('skipped' in match) skipped.push(match.skipped);
    else matched.set(id, match);
  }

  const pending: Pending[] = [];
  for (const [id, pair] of matched) {
    if (mode === 'absolute') {
      pending.push(...absolutePending(pair.base, pair.head, METRIC_NAMES));
      continue;
    }
    if (pair.head.scenario.auth === 'mtls' || pair.head.baselineId !== null) {
      const baselineId = pair.head.baselineId;
      const baselines = baselineId === null ? undefined : matched.get(baselineId);
      if (baselineId === null) {
        skipped.push({ cellId: id, reason: 'no-baseline', detail: 'has no TLS baseline cell to compute its overhead against' });
      } else if (baselines === undefined || pair.base.baselineId !== baselineId) {
        skipped.push({ cellId: id, reason: 'baseline-not-measured', detail: `its baseline ${baselineId} was not measured in both files` });
      } else {
        pending.push(...overheadPending(pair, baselines));
      }
    }
    if (absoluteCpu?.compared === true) pending.push(...absolutePending(pair.base, pair.head, CPU_METRICS));
  }

  const metrics = pending.map((entry) => finish(entry, options, base));
  const counts = {
    compared: metrics.length,
    worse: metrics.filter((entry) => entry.verdict === 'worse').length,
    better: metrics.filter((entry) => entry.verdict === 'better').length,
    unchanged: metrics.filter((entry) => entry.verdict === '~').length,
    failed: metrics.filter((entry) => entry.failed).length,
  };
  return {
    formatVersion: COMPARISON_FORMAT_VERSION,
    suite: head.suite.name,
    base: describeFile(base),
    head: describeFile(head),
    mode,
    modeReason: reason,
    absoluteCpu,
    metrics,
    skipped,
    warnings: warningsOf(base, head),
    counts,
    passed: counts.failed === 0,
  };
}
