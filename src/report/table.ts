import Table from 'cli-table3';
import { describeCheck, failedChecks, PHASE_NAMES } from '../checks/cell-checks.ts';
import type { CellResult, CellScenario, FailedCell, MeasuredCell, RunResults } from '../results/types.ts';
import type { LatencySummary } from '../stats/histogram.ts';
import { METRICS, WORKLOAD_METRICS } from '../results/metrics.ts';
import { CLIENT_BOUND_SHARE } from '../results/client-load.ts';
import { describeClientResourceErrors } from '../results/client-errors.ts';
import { LATE_START_US } from '../drivers/handshake.ts';
import { canShowDifference } from '../stats/ratio.ts';
import { formatEstimate, overheadsOf } from './overhead.ts';
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

/** Describes the scenario values that no column shows because every cell has the same one. */
function sharedValuesOf(cells: CellResult[], shownColumns: typeof SCENARIO_COLUMNS): string {
  const [first] = cells;
  if (first === undefined) return '';
  const splitKeys = cells.some((cell) => cell.scenario.serverKeyType !== cell.scenario.clientKeyType);
  // The same key columns as varyingColumns: one for both sides unless some cell splits them.
  const otherKeyColumns = new Set<keyof CellScenario>(splitKeys ? ['keyType'] : ['serverKeyType', 'clientKeyType']);
  const shownFields = new Set(shownColumns.map(({ field }) => field));
  const values = SCENARIO_COLUMNS.filter(({ field }) => !shownFields.has(field) && !otherKeyColumns.has(field)).map(
    ({ field, header }) => `${header} ${String(first.scenario[field])}`,
  );
  return values.length === 0 ? '' : `every cell: ${values.join(', ')}`;
}

function formatPercentiles(latency: LatencySummary): string {
  return latency.count === 0 ? '-' : `${latency.p50} / ${latency.p90} / ${latency.p99}`;
}

function formatRate(perSecond: number): string {
  return perSecond >= 100 ? String(Math.round(perSecond)) : perSecond.toFixed(1);
}

/** Mark after the rate of a cell whose load generator was the bottleneck; the note under the table explains it. */
const CLIENT_BOUND_MARK = '*';

/** Mark after the rate of a cell that fell short of the rate its workload requested. */
const RATE_MISSED_MARK = '!';

/**
 * Returns the rate a cell's workload requested and whether the cell reached it, or null without
 * a rate. For an open-loop handshake cell it also gives the rate at which connections started.
 */
function requestedRateOf(cell: MeasuredCell): { perSecond: number; reached: boolean; startedPerSecond: number | null } | null {
  const arrivals = cell.handshake?.arrivals;
  if (arrivals !== undefined) {
    return { perSecond: arrivals.ratePerSec, reached: arrivals.reached, startedPerSecond: arrivals.achievedPerSec };
  }
  const rate = cell.requests?.rate;
  if (rate !== undefined) return { perSecond: rate.ratePerSec, reached: rate.reached, startedPerSecond: null };
  return null;
}

/**
 * The measured rate with its marks, and under it the requested rate for a workload with one. An
 * open-loop handshake cell also shows how many connections started per second, because its
 * completions per second count the time the last connections of each round took to finish.
 */
function formatClientRate(cell: MeasuredCell, perSecond: number): string {
  const requested = requestedRateOf(cell);
  const marks = `${cell.client.bound ? CLIENT_BOUND_MARK : ''}${requested !== null && !requested.reached ? RATE_MISSED_MARK : ''}`;
  const measured = `${formatRate(perSecond)}${marks}`;
  if (requested === null) return measured;
  const started = requested.startedPerSecond === null ? '' : `\nstarted ${formatRate(requested.startedPerSecond)}`;
  return `${measured}${started}\nof ${formatRate(requested.perSecond)}`;
}

/**
 * Lines under a requests table for cells in which fewer connections completed their handshake
 * than the workload opens per round, summed over the rounds. The others waited in the server's
 * accept queue or failed, so the load was lighter than requested.
 */
function connectionNotes(results: RunResults, cells: CellResult[]): string[] {
  return cells.flatMap((cell) => {
    if (cell.state !== 'measured' || cell.requests === undefined) return [];
    const workload = results.suite.workloads.find((candidate) => candidate.name === cell.scenario.workload);
    if (workload?.kind !== 'requests') return [];
    // autocannon opens no more connections than the rate.
    const perRound = Math.min(workload.connections, workload.rateRps ?? Number.POSITIVE_INFINITY);
    const requested = perRound * cell.rounds.length;
    const { connectionsVerified, connectionsUnverified } = cell.requests;
    if (connectionsVerified + connectionsUnverified >= requested) return [];
    return [
      `${cell.id}: ${connectionsVerified} of ${requested} connections (${perRound} in each of ${cell.rounds.length} rounds) ` +
        'finished their handshake within the window; the others were still waiting for the server, so the load was lighter ' +
        'than requested: lengthen the duration or lower the connections',
    ];
  });
}

/** Lines under a table for cells whose load generator ran out of ports or file descriptors. */
function clientResourceNotes(cells: CellResult[]): string[] {
  return cells.flatMap((cell) => {
    if (cell.state !== 'measured') return [];
    const clientResource = (cell.handshake ?? cell.requests)?.clientResourceErrors ?? {};
    if (Object.keys(clientResource).length === 0) return [];
    return [`${cell.id}: client resource errors, not counted as errors: ${describeClientResourceErrors(clientResource)}`];
  });
}

/** Lines under a table about rates: what latency means with a rate, and each cell that fell short. */
function rateNotes(cells: CellResult[]): string[] {
  const notes: string[] = [];
  const measured = cells.filter((cell): cell is MeasuredCell => cell.state === 'measured');
  if (measured.some((cell) => cell.handshake?.arrivals !== undefined)) {
    notes.push(
      "open loop: connections start on a fixed schedule, and latency counts from each connection's intended start, " +
        'so it includes any wait to start and the TCP connect',
    );
  }
  const interval = measured.find((cell) => cell.requests?.rate !== undefined)?.requests?.rate?.expectedIntervalUs;
  if (interval !== undefined) {
    notes.push(
      `latency corrected for coordinated omission: a response slower than the rate's interval per connection ` +
        `(${interval} µs) also counts the requests the rate would have sent meanwhile`,
    );
  }
  for (const cell of measured) {
    const arrivals = cell.handshake?.arrivals;
    if (arrivals !== undefined && !arrivals.reached) {
      notes.push(
        `${RATE_MISSED_MARK} ${cell.id}: started ${formatRate(arrivals.achievedPerSec)}/s of the ${arrivals.ratePerSec}/s requested ` +
          `(${arrivals.missed} never started, ${arrivals.late} late by over ${LATE_START_US / 1000} ms); the server or the load generator could not keep up`,
      );
    }
    const rate = cell.requests?.rate;
    if (rate !== undefined && !rate.reached) {
      notes.push(
        `${RATE_MISSED_MARK} ${cell.id}: ${formatRate(rate.achievedPerSec)} req/s of the ${rate.ratePerSec}/s requested; ` +
          'the server or the load generator could not keep up',
      );
    }
  }
  return notes;
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

function handshakeRow(cell: MeasuredCell): string[] {
  const handshake = cell.handshake;
  if (handshake === undefined) return [];
  const floor = cell.cryptoFloorUs;
  return [
    formatPercentiles(handshake.latencyUs.full),
    formatPercentiles(handshake.latencyUs.resumed),
    formatClientRate(cell, handshake.handshakesPerSec),
    `${Math.round(handshake.resumedShare * 100)}%`,
    formatCpu(cell),
    floor === undefined ? '-' : `${Math.round(floor.serverUs)} / ${Math.round(floor.clientUs)}`,
    String(handshake.errors),
  ];
}

function requestsRow(cell: MeasuredCell): string[] {
  const requests = cell.requests;
  if (requests === undefined) return [];
  return [
    formatPercentiles(requests.latencyUs),
    formatClientRate(cell, requests.throughputRps),
    formatCpu(cell),
    String(requests.errors + requests.non2xx),
  ];
}

const HANDSHAKE_HEADERS = [
  'full µs\np50 / p90 / p99',
  'resumed µs\np50 / p90 / p99',
  'hs/s',
  'resumed',
  'CPU µs/hs\nserver / client',
  'crypto floor µs\n(full) srv / cli',
  'errors',
];

const REQUESTS_HEADERS = ['latency µs\np50 / p90 / p99', 'req/s', 'CPU µs/req\nserver / client', 'errors'];

/** A table as rows of cell texts; a line break inside a text splits it over two lines. */
export interface TableModel {
  head: string[];
  rows: string[][];
}

/** The overhead part of a workload's report: a table with its heading, or a sentence saying why there is none. */
export type OverheadSection = { heading: string; table: TableModel } | { message: string };

/** Content of the report for one workload, before it is drawn as text, Markdown or HTML. */
export interface WorkloadReport {
  workload: string;
  kind: CellResult['scenario']['workloadKind'];
  /** Title line, such as `handshake workload "handshake"`. */
  title: string;
  /**
   * Scenario values every cell of the workload shares, which the tables leave out as columns,
   * such as `every cell: TLS tls1.3, cipher suite default, group x25519, chain 0`. Empty when none.
   */
  shared: string;
  /** The measured figures, one row per cell. */
  figures: TableModel;
  /** Reasons for failed cells, then the notes on marks and client limits. */
  notes: string[];
  /** Null when no mTLS cell has a measured baseline. */
  overhead: OverheadSection | null;
}

/**
 * Builds the overhead table of a workload: one row per mTLS cell with a baseline, one column
 * per metric that some row has an estimate for, each value the change and its 95% interval.
 * Returns null when no mTLS cell has a measured baseline.
 */
function overheadSectionOf(
  cells: CellResult[],
  overheads: Map<string, Overhead>,
  columns: typeof SCENARIO_COLUMNS,
  rounds: number,
): OverheadSection | null {
  const rows = cells.flatMap((cell) => {
    const overhead = overheads.get(cell.id);
    return overhead === undefined ? [] : [{ cell, overhead }];
  });
  const kind = cells[0]?.scenario.workloadKind;
  if (rows.length === 0 || kind === undefined) return null;
  const roundsText = `${rounds} round${rounds === 1 ? '' : 's'}`;
  if (!canShowDifference(rounds, rounds)) {
    return {
      message: `mTLS against TLS: no intervals, because ${roundsText} per cell can never show a difference at 95%; run at least 4 rounds (5 by default)`,
    };
  }

  const metrics = WORKLOAD_METRICS[kind].filter((metric) =>
    rows.some(({ overhead }) => overhead.metrics.some((entry) => entry.metric === metric && entry.estimate !== null)),
  );
  const scenarioColumns = columns.filter(({ field }) => field !== 'auth');
  const table: TableModel = {
    head: [...scenarioColumns.map((column) => column.header), ...metrics.map((metric) => METRICS[metric].label)],
    rows: [],
  };
  for (const { cell, overhead } of rows) {
    const values = metrics.map((metric) => {
      const { change, interval } = formatEstimate(overhead.metrics.find((entry) => entry.metric === metric)?.estimate ?? null);
      return interval === '' ? change : `${change}\n${interval}`;
    });
    table.rows.push([...scenarioColumns.map(({ field }) => String(cell.scenario[field])), ...values]);
  }
  const heading =
    `mTLS against TLS, change and 95% interval over ${roundsText} ` +
    '(~: the interval includes no change, so no difference is claimed)';
  return { heading, table };
}

/**
 * Builds what the report shows per workload: the measured figures, one row per cell, the notes,
 * then each mTLS cell's overhead against its baseline. The text, Markdown and HTML reports all
 * draw this one model.
 */
export function buildWorkloadReports(results: RunResults): WorkloadReport[] {
  const overheads = overheadsOf(results);
  const workloads = [...new Set(results.cells.map((cell) => cell.scenario.workload))];
  const reports: WorkloadReport[] = [];

  for (const workload of workloads) {
    const cells = results.cells.filter((cell) => cell.scenario.workload === workload);
    const kind = cells[0]!.scenario.workloadKind;
    const columns = varyingColumns(cells);
    const metricHeaders = kind === 'handshake' ? HANDSHAKE_HEADERS : REQUESTS_HEADERS;
    const figures: TableModel = { head: [...columns.map((column) => column.header), ...metricHeaders], rows: [] };

    const notes: string[] = [];
    let failedCount = 0;
    for (const cell of cells) {
      const scenarioValues = columns.map(({ field }) => String(cell.scenario[field]));
      if (cell.state === 'failed') {
        failedCount++;
        notes.push(...failureLines(cell).map((line) => `[${failedCount}] ${cell.id}: FAILED ${line}`));
        figures.rows.push(failedRow(scenarioValues, metricHeaders.length, failedCount));
        continue;
      }
      const metrics = kind === 'handshake' ? handshakeRow(cell) : requestsRow(cell);
      figures.rows.push([...scenarioValues, ...metrics]);
    }
    const boundCount = cells.filter((cell) => cell.state === 'measured' && cell.client.bound).length;
    if (boundCount > 0) {
      notes.push(
        `${CLIENT_BOUND_MARK} client-bound: in ${boundCount === 1 ? 'this cell' : `these ${boundCount} cells`} the load generator ` +
          `kept the cores it may use (one per thread) over ${CLIENT_BOUND_SHARE * 100}% busy, so the rate and latency show ` +
          "its limit as much as the server's; add worker threads (`workers`) where cores are free, or lower the rate, " +
          'concurrency or connections',
      );
    }
    notes.push(...rateNotes(cells), ...clientResourceNotes(cells), ...connectionNotes(results, cells));
    reports.push({
      workload,
      kind,
      title: `${kind} workload "${workload}"`,
      shared: sharedValuesOf(cells, columns),
      figures,
      notes,
      overhead: overheadSectionOf(cells, overheads, columns, results.rounds),
    });
  }
  return reports;
}

function drawTable(model: TableModel, options: TableOptions): string {
  const table = newTable(model.head, options);
  for (const row of model.rows) table.push(row);
  return table.toString();
}

/**
 * Renders two tables per workload: the measured figures, one row per cell, then each mTLS
 * cell's overhead against its baseline. Returns the text; the caller decides where it goes.
 */
export function renderTables(results: RunResults, options: TableOptions): string {
  return buildWorkloadReports(results)
    .map((report) => {
      const notes = report.notes.length === 0 ? '' : `\n${report.notes.join('\n')}`;
      let overhead = '';
      if (report.overhead !== null) {
        overhead = 'message' in report.overhead ? `\n${report.overhead.message}` : `\n${report.overhead.heading}\n${drawTable(report.overhead.table, options)}`;
      }
      const shared = report.shared === '' ? '' : `\n${report.shared}`;
      return `${report.title}${shared}\n${drawTable(report.figures, options)}${notes}${overhead}`;
    })
    .join('\n\n');
}
