/**
 * The results as Prometheus metrics, for node_exporter's textfile collector or a Pushgateway.
 *
 * Units follow Prometheus conventions: latency and CPU in seconds (the results store integer
 * microseconds), shares as `_ratio` from 0 to 1, and `_total` on counters. Every cell series
 * has the labels of `cellLabels`, so series of different cells never collide and a dashboard
 * can group by any scenario axis.
 */
import type { CellResult, HandshakeResults, MeasuredCell, RequestsResults, RunResults } from '../results/types.ts';
import type { LatencySummary } from '../stats/histogram.ts';
import { overheadsOf } from './overhead.ts';
import { MetricFamily, renderExposition } from './export/exposition.ts';
import type { FamilyType, Labels } from './export/exposition.ts';

/** Every family name starts with this. */
const PREFIX = 'mtls_bench_';

const MICROSECONDS_PER_SECOND = 1e6;

function seconds(microseconds: number): number {
  return microseconds / MICROSECONDS_PER_SECOND;
}

/**
 * Returns the labels that identify a cell within a run. `key_type` is the server's key type and
 * `client_key_type` the client's. Both are always present, and equal unless the suite splits
 * them, so that a series keeps the same label names whatever the suite.
 */
function cellLabels(results: RunResults, cell: CellResult): Labels {
  const scenario = cell.scenario;
  return [
    ['suite', results.suite.name],
    ['workload', scenario.workload],
    ['key_type', scenario.serverKeyType],
    ['client_key_type', scenario.clientKeyType],
    ['tls_version', scenario.tlsVersion],
    ['cipher_suite', scenario.cipherSuite],
    ['group', scenario.group],
    ['resumption', scenario.resumption],
    ['chain_depth', String(scenario.chainDepth)],
    ['auth', scenario.auth],
  ];
}

/** Quantiles written for each latency summary, from the HDR percentiles the results keep. */
const QUANTILES = [
  [0.5, 'p50'],
  [0.9, 'p90'],
  [0.99, 'p99'],
  [0.999, 'p999'],
] as const;

/**
 * Adds a latency summary in seconds. An empty summary (no resumed handshakes in a cell without
 * resumption) has no quantiles, only `_sum` and `_count` of 0.
 */
function addLatency(family: MetricFamily, labels: Labels, summary: LatencySummary): void {
  const quantiles = summary.count === 0 ? [] : QUANTILES.map(([quantile, field]) => [quantile, seconds(summary[field])] as const);
  // NOTE: the results keep the mean rounded to whole microseconds, so `_sum` can be off by up to
  // half a microsecond per observation.
  family.addSummary(labels, quantiles, seconds(summary.mean * summary.count), summary.count);
}

/** The families, created in the order they are written. */
class Families {
  private readonly all: MetricFamily[] = [];

  create(name: string, type: FamilyType, help: string): MetricFamily {
    const family = new MetricFamily(`${PREFIX}${name}`, type, help);
    this.all.push(family);
    return family;
  }

  render(): string {
    return renderExposition(this.all);
  }
}

function runFamilies(families: Families, results: RunResults): void {
  const suite: Labels = [['suite', results.suite.name]];
  const { environment } = results;
  const info = families.create(
    'run_info',
    'gauge',
    'Run of a suite, always 1: the tool, Node.js and OpenSSL versions and the machine are its labels.',
  );
  info.add(
    [
      ...suite,
      ['tool_version', environment.tool.version],
      ['node_version', environment.node],
      ['openssl_version', environment.openssl],
      ['machine_id', environment.machineId],
      ['cpu_model', environment.cpu.model],
      ['cpu_count', String(environment.cpu.count)],
      ['os', environment.os.platform],
      ['os_release', environment.os.release],
      ['arch', environment.os.arch],
      ['quick', String(results.quick)],
    ],
    1,
  );
  families
    .create('run_start_time_seconds', 'gauge', 'Start of the run, seconds since the Unix epoch.')
    .add(suite, Date.parse(results.startedAt) / 1000);
  families
    .create('run_end_time_seconds', 'gauge', 'End of the run, seconds since the Unix epoch.')
    .add(suite, Date.parse(results.finishedAt) / 1000);
  families.create('run_rounds', 'gauge', 'Measured rounds per cell.').add(suite, results.rounds);
  families
    .create('run_partial', 'gauge', '1 when the run was stopped by a signal before every cell ran, else 0.')
    .add(suite, results.partial == null ? 0 : 1);

  const cells = families.create(
    'run_cells',
    'gauge',
    'Cells of the run by state: measured, failed, and planned (which counts cells a stopped run never reached).',
  );
  const failed = results.cells.filter((cell) => cell.state === 'failed').length;
  cells.add([...suite, ['state', 'measured']], results.cells.length - failed);
  cells.add([...suite, ['state', 'failed']], failed);
  cells.add([...suite, ['state', 'planned']], results.partial?.cellsPlanned ?? results.cells.length);
}

/** Families that both workload kinds have, keyed by what they hold. */
interface CommonFamilies {
  failed: MetricFamily;
  errors: MetricFamily;
  errorsByCode: MetricFamily;
  clientResourceErrors: MetricFamily;
  clientCpu: MetricFamily;
  clientBound: MetricFamily;
  duration: MetricFamily;
  rateRequested: MetricFamily;
  rateAchieved: MetricFamily;
  rateReached: MetricFamily;
}

function createCommonFamilies(families: Families): CommonFamilies {
  return {
    failed: families.create(
      'cell_failed',
      'gauge',
      'Cell that was not measured or whose numbers were discarded, always 1, with its error code as the code label. Measured cells have no such series.',
    ),
    errors: families.create('errors_total', 'counter', 'Failed handshakes or requests over the measured rounds, apart from client resource errors.'),
    errorsByCode: families.create('errors_by_code_total', 'counter', 'Failed handshakes or requests over the measured rounds, by error code.'),
    clientResourceErrors: families.create(
      'client_resource_errors_total',
      'counter',
      'Connections that failed because the load generator ran out of ports or file descriptors, by code.',
    ),
    clientCpu: families.create('client_cpu_ratio', 'gauge', 'Load generator CPU time over wall time in the measured rounds; 1 is one core busy.'),
    clientBound: families.create('client_bound', 'gauge', '1 when the load generator kept its cores over 90% busy, so it set the pace, else 0.'),
    duration: families.create('measurement_duration_seconds', 'gauge', 'Length of the measurement windows of all rounds together.'),
    rateRequested: families.create('rate_requested_per_second', 'gauge', 'Rate the workload requested: new connections or requests per second.'),
    rateAchieved: families.create(
      'rate_achieved_per_second',
      'gauge',
      'Rate achieved against the requested one: connections started, or responses, per second.',
    ),
    rateReached: families.create('rate_reached', 'gauge', '1 when the achieved rate was at least 95% of the requested one, else 0.'),
  };
}

/** Adds the error counters of a measured cell, by code too. */
function addErrors(common: CommonFamilies, labels: Labels, results: HandshakeResults | RequestsResults): void {
  common.errors.add(labels, results.errors);
  for (const [code, count] of Object.entries(results.errorsByCode)) common.errorsByCode.add([...labels, ['code', code]], count);
  for (const [code, count] of Object.entries(results.clientResourceErrors ?? {})) {
    common.clientResourceErrors.add([...labels, ['code', code]], count);
  }
}

/** Adds a CPU-per-operation gauge for each side. A target's server side is not measured, so it has none. */
function addCpu(family: MetricFamily, labels: Labels, cell: MeasuredCell): void {
  if (cell.cpu.serverUsPerOp !== null) family.add([...labels, ['side', 'server']], seconds(cell.cpu.serverUsPerOp));
  family.add([...labels, ['side', 'client']], seconds(cell.cpu.clientUsPerOp));
}

type HandshakeFamilies = ReturnType<typeof createHandshakeFamilies>;
type RequestFamilies = ReturnType<typeof createRequestFamilies>;

function createHandshakeFamilies(families: Families) {
  return {
    latency: families.create(
      'handshake_latency_seconds',
      'summary',
      'TLS handshake latency from TCP connect to secureConnect (from the intended start with a rate), full or resumed handshakes.',
    ),
    connect: families.create('tcp_connect_latency_seconds', 'summary', 'TCP connect latency of handshake cells, apart from the TLS handshake.'),
    count: families.create('handshakes_total', 'counter', 'Completed handshakes over the measured rounds, full or resumed as the client saw them.'),
    rate: families.create('handshakes_per_second', 'gauge', 'Completed handshakes per second over the measured rounds.'),
    resumed: families.create('handshake_resumed_ratio', 'gauge', 'Share of completed handshakes that resumed a session.'),
    cpu: families.create(
      'handshake_cpu_seconds_per_op',
      'gauge',
      'CPU time (user plus system) per handshake in the server or client process.',
    ),
    cryptoFloor: families.create(
      'handshake_crypto_floor_seconds_per_op',
      'gauge',
      'CPU time the signatures, verifications and key exchange of one full handshake take alone, from a micro-benchmark.',
    ),
    missed: families.create('arrivals_missed_total', 'counter', 'Open-loop connections due before the end of a round that never started.'),
    late: families.create('arrivals_late_total', 'counter', 'Open-loop connections that started more than 2 ms after they were due.'),
  };
}

function createRequestFamilies(families: Families) {
  return {
    latency: families.create(
      'request_latency_seconds',
      'summary',
      'Request latency on established keep-alive connections (corrected for coordinated omission with a rate).',
    ),
    count: families.create('requests_total', 'counter', 'Responses with a 2xx status over the measured rounds.'),
    non2xx: families.create('requests_non_2xx_total', 'counter', 'Responses with a status other than 2xx over the measured rounds.'),
    rate: families.create('requests_per_second', 'gauge', 'Responses with a 2xx status per second over the measured rounds.'),
    cpu: families.create('request_cpu_seconds_per_op', 'gauge', 'CPU time (user plus system) per request in the server or client process.'),
    connections: families.create(
      'request_connections_total',
      'counter',
      'Keep-alive connections opened, by whether the server certificate verified.',
    ),
  };
}

function addHandshakeCell(
  handshakeFamilies: HandshakeFamilies,
  common: CommonFamilies,
  labels: Labels,
  cell: MeasuredCell,
  handshake: HandshakeResults,
): void {
  const full: Labels = [...labels, ['handshake', 'full']];
  const resumed: Labels = [...labels, ['handshake', 'resumed']];
  addLatency(handshakeFamilies.latency, full, handshake.latencyUs.full);
  addLatency(handshakeFamilies.latency, resumed, handshake.latencyUs.resumed);
  addLatency(handshakeFamilies.connect, labels, handshake.connectUs);
  handshakeFamilies.count.add(full, handshake.count - handshake.resumed);
  handshakeFamilies.count.add(resumed, handshake.resumed);
  handshakeFamilies.rate.add(labels, handshake.handshakesPerSec);
  handshakeFamilies.resumed.add(labels, handshake.resumedShare);
  addCpu(handshakeFamilies.cpu, labels, cell);
  if (cell.cryptoFloorUs !== undefined) {
    handshakeFamilies.cryptoFloor.add([...labels, ['side', 'server']], seconds(cell.cryptoFloorUs.serverUs));
    handshakeFamilies.cryptoFloor.add([...labels, ['side', 'client']], seconds(cell.cryptoFloorUs.clientUs));
  }
  addErrors(common, labels, handshake);

  const arrivals = handshake.arrivals;
  if (arrivals !== undefined) {
    common.rateRequested.add(labels, arrivals.ratePerSec);
    common.rateAchieved.add(labels, arrivals.achievedPerSec);
    common.rateReached.add(labels, arrivals.reached ? 1 : 0);
    handshakeFamilies.missed.add(labels, arrivals.missed);
    handshakeFamilies.late.add(labels, arrivals.late);
  }
}

function addRequestsCell(
  requestFamilies: RequestFamilies,
  common: CommonFamilies,
  labels: Labels,
  cell: MeasuredCell,
  requests: RequestsResults,
): void {
  addLatency(requestFamilies.latency, labels, requests.latencyUs);
  requestFamilies.count.add(labels, requests.count);
  requestFamilies.non2xx.add(labels, requests.non2xx);
  requestFamilies.rate.add(labels, requests.throughputRps);
  addCpu(requestFamilies.cpu, labels, cell);
  requestFamilies.connections.add([...labels, ['verified', 'true']], requests.connectionsVerified);
  requestFamilies.connections.add([...labels, ['verified', 'false']], requests.connectionsUnverified);
  addErrors(common, labels, requests);

  const rate = requests.rate;
  if (rate !== undefined) {
    common.rateRequested.add(labels, rate.ratePerSec);
    common.rateAchieved.add(labels, rate.achievedPerSec);
    common.rateReached.add(labels, rate.reached ? 1 : 0);
  }
}

/** Adds each mTLS cell's change against its baseline: the ratio mtls/tls, its interval, and whether it differs from 1. */
function overheadFamilies(families: Families, results: RunResults): void {
  const ratio = families.create(
    'mtls_overhead_ratio',
    'gauge',
    'mTLS cell against its TLS baseline: Hodges-Lehmann estimate of the ratio mtls/tls over the rounds, by metric.',
  );
  const low = families.create(
    'mtls_overhead_lower_bound_ratio',
    'gauge',
    'Lower bound of the confidence interval of mtls_bench_mtls_overhead_ratio.',
  );
  const high = families.create(
    'mtls_overhead_upper_bound_ratio',
    'gauge',
    'Upper bound of the confidence interval of mtls_bench_mtls_overhead_ratio.',
  );
  const confidence = families.create(
    'mtls_overhead_confidence_ratio',
    'gauge',
    'Coverage of the interval of mtls_bench_mtls_overhead_ratio, which exact intervals reach in steps (0.968 for 5 rounds against 5).',
  );
  const differs = families.create(
    'mtls_overhead_differs',
    'gauge',
    '1 when the interval of mtls_bench_mtls_overhead_ratio excludes 1 at 95% confidence or more, so mTLS made a difference, else 0.',
  );

  const cellsById = new Map(results.cells.map((cell) => [cell.id, cell]));
  for (const overhead of overheadsOf(results).values()) {
    const cell = cellsById.get(overhead.cellId)!;
    for (const { metric, estimate } of overhead.metrics) {
      if (estimate === null) continue;
      const labels: Labels = [...cellLabels(results, cell), ['metric', metric]];
      ratio.add(labels, estimate.ratio);
      low.add(labels, estimate.low);
      high.add(labels, estimate.high);
      confidence.add(labels, estimate.confidence);
      differs.add(labels, estimate.differs ? 1 : 0);
    }
  }
}

/**
 * Renders the results in the Prometheus text exposition format, without timestamps. The text
 * ends with a line feed.
 */
export function renderPrometheus(results: RunResults): string {
  const families = new Families();
  runFamilies(families, results);
  const common = createCommonFamilies(families);
  const handshakeFamilies = createHandshakeFamilies(families);
  const requestFamilies = createRequestFamilies(families);

  for (const cell of results.cells) {
    const labels = cellLabels(results, cell);
    if (cell.state === 'failed') {
      common.failed.add([...labels, ['code', cell.error.code]], 1);
      continue;
    }
    common.clientCpu.add(labels, cell.client.cpuShare);
    common.clientBound.add(labels, cell.client.bound ? 1 : 0);
    common.duration.add(labels, cell.durationMs / 1000);
    if (cell.handshake !== undefined) addHandshakeCell(handshakeFamilies, common, labels, cell, cell.handshake);
    if (cell.requests !== undefined) addRequestsCell(requestFamilies, common, labels, cell, cell.requests);
  }
  overheadFamilies(families, results);
  return families.render();
}
