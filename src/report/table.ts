import Table from 'cli-table3';
import { describeCheck, failedChecks, PHASE_NAMES } from '../checks/cell-checks.ts';
import type { CellResult, CellScenario, FailedCell, MeasuredCell, RunResults } from '../results/types.ts';
import type { LatencySummary } from '../stats/histogram.ts';
import { formatRatioChange, overheadsOf } from './overhead.ts';
import type { Overhead } from './overhead.ts';

export interface TableOptions {
  /** Colour the headers and borders. The CLI turns it off for NO_COLOR and non-TTY output. */
  color: boolean;
}

/** Scenario fields that can be table columns, with their headers. */
const SCENARIO_COLUMNS: { field: keyof CellScenario; header: string }[] = [
  { field: 'keyType', header: 'key type' },
  { field: 'serverKeyType', header: 'server key' },
  { field: 'clientKeyType', header: 'client key' },
  { field: 'tlsVersion', header: 'TLS' },
  { field: 'cipherSuite', header: 'cipher suite' },
  { field: 'group', header: 'group' },
  { field: 'resumption', header: 'resumption' },
  { field: 'chainDepth', header: 'chain' },
  { field: 'auth', header: 'auth' },
];

/**
 * Keeps the scenario columns whose value differs between cells, so that a table shows what
 * the suite compares and not the settings every row shares. `auth` always stays, because
 * every comparison in this tool is between auth modes. One `key type` column stands for
 * both sides unless some cell splits them.
 */
function varyingColumns(cells: CellResult[]): typeof SCENARIO_COLUMNS {
  const splitKeys = cells.some((cell) => cell.scenario.serverKeyType !== cell.scenario.clientKeyType);
  const hidden = new Set<keyof CellScenario>(splitKeys ? ['keyType'] : ['serverKeyType', 'clientKeyType']);
  return SCENARIO_COLUMNS.filter(
    ({ field }) =>
      !hidden.has(field) &&
      (field === 'auth' || new Set(cells.map((cell) => String(cell.scenario[field]))).size > 1),
  );
}

function formatPercentiles(latency: LatencySummary): string {
  return latency.count === 0 ? '-' : `${latency.p50} / ${latency.p90} / ${latency.p99}`;
}

function formatRate(perSecond: number): string {
  return perSecond >= 100 ? String(Math.round(perSecond)) : perSecond.toFixed(1);
}

/** Overhead cells: latency p50 and p99, throughput, and CPU per operation on each side. */
function formatOverhead(overhead: Overhead | undefined): string[] {
  if (overhead === undefined) return ['', '', ''];
  return [
    `${formatRatioChange(overhead.latencyP50Ratio)} / ${formatRatioChange(overhead.latencyP99Ratio)}`,
    formatRatioChange(overhead.throughputRatio),
    `${formatRatioChange(overhead.serverCpuRatio)} / ${formatRatioChange(overhead.clientCpuRatio)}`,
  ];
}

/** CPU per operation on each side; a target's server side is not measured and shows `-`. */
function formatCpu(cell: MeasuredCell): string {
  return `${cell.cpu.serverUsPerOp ?? '-'} / ${cell.cpu.clientUsPerOp}`;
}

function newTable(head: string[], options: TableOptions): Table.Table {
  return new Table({
    head,
    // No rule between body rows: a suite has dozens of rows and they read as one list.
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
    style: { head: options.color ? ['cyan'] : [], border: options.color ? ['grey'] : [] },
  });
}

/** Returns the sentences saying why a cell failed: one per failed check, or else its error. */
function failureLines(cell: FailedCell): string[] {
  const failed = failedChecks(cell.checks);
  if (failed.length === 0) return [`${cell.error.code}: ${cell.error.message}`];
  return failed.map((check) => `in ${PHASE_NAMES[check.phase]}: ${describeCheck(check)}`);
}

/**
 * Builds a failed cell's row, which shows a reference and no numbers. The reasons go under
 * the table, because a sentence in a cell spanning the metric columns breaks cli-table3's borders.
 */
function failedRow(scenarioValues: string[], metricCount: number, reference: number): string[] {
  return [...scenarioValues, `FAILED [${reference}]`, ...Array<string>(metricCount - 1).fill('-')];
}

function handshakeRow(cell: MeasuredCell, overhead: Overhead | undefined): string[] {
  const handshake = cell.handshake;
  if (handshake === undefined) return [];
  const floor = cell.cryptoFloorUs;
  return [
    formatPercentiles(handshake.latencyUs.full),
    formatPercentiles(handshake.latencyUs.resumed),
    formatRate(handshake.handshakesPerSec),
    `${Math.round(handshake.resumedShare * 100)}%`,
    formatCpu(cell),
    floor === undefined ? '-' : `${Math.round(floor.serverUs)} / ${Math.round(floor.clientUs)}`,
    String(handshake.errors),
    ...formatOverhead(overhead),
  ];
}

function requestsRow(cell: MeasuredCell, overhead: Overhead | undefined): string[] {
  const requests = cell.requests;
  if (requests === undefined) return [];
  return [
    formatPercentiles(requests.latencyUs),
    formatRate(requests.throughputRps),
    formatCpu(cell),
    String(requests.errors + requests.non2xx),
    ...formatOverhead(overhead),
  ];
}

/** mTLS against its baseline row, as signed percentage changes. */
const OVERHEAD_HEADERS = ['mTLS Δ latency\np50 / p99', 'mTLS Δ\nrate', 'mTLS Δ CPU\nserver / client'];

const HANDSHAKE_HEADERS = [
  'full µs\np50 / p90 / p99',
  'resumed µs\np50 / p90 / p99',
  'hs/s',
  'resumed',
  'CPU µs/hs\nserver / client',
  'crypto floor µs\n(full) srv / cli',
  'errors',
  ...OVERHEAD_HEADERS,
];

const REQUESTS_HEADERS = ['latency µs\np50 / p90 / p99', 'req/s', 'CPU µs/req\nserver / client', 'errors', ...OVERHEAD_HEADERS];

/**
 * Renders one table per workload, one row per cell, each mTLS row with its overhead against
 * its baseline. Returns the text; the caller decides where it goes.
 */
export function renderTables(results: RunResults, options: TableOptions): string {
  const overheads = overheadsOf(results);
  const workloads = [...new Set(results.cells.map((cell) => cell.scenario.workload))];
  const sections: string[] = [];

  for (const workload of workloads) {
    const cells = results.cells.filter((cell) => cell.scenario.workload === workload);
    const kind = cells[0]?.scenario.workloadKind;
    const columns = varyingColumns(cells);
    const metricHeaders = kind === 'handshake' ? HANDSHAKE_HEADERS : REQUESTS_HEADERS;
    const table = newTable([...columns.map((column) => column.header), ...metricHeaders], options);

    const failures: string[] = [];
    let failedCount = 0;
    for (const cell of cells) {
      const scenarioValues = columns.map(({ field }) => String(cell.scenario[field]));
      if (cell.state === 'failed') {
        failedCount++;
        failures.push(...failureLines(cell).map((line) => `[${failedCount}] ${cell.id}: FAILED ${line}`));
        table.push(failedRow(scenarioValues, metricHeaders.length, failedCount));
        continue;
      }
      const overhead = overheads.get(cell.id);
      const metrics = kind === 'handshake' ? handshakeRow(cell, overhead) : requestsRow(cell, overhead);
      table.push([...scenarioValues, ...metrics]);
    }
    const notes = failures.length === 0 ? '' : `\n${failures.join('\n')}`;
    sections.push(`${kind} workload "${workload}"\n${table.toString()}${notes}`);
  }
  return sections.join('\n\n');
}
