/**
 * A measured cell's figures as a flat list of named values, each in one unit, for the CSV
 * export. Names are dotted paths; those that rounds also record (`handshake.full.p50`,
 * `throughput`, `cpu.server`, ...) keep the names that `--threshold` and `compare` use.
 */
import type { HandshakeResults, MeasuredCell, RequestsResults } from '../../results/types.ts';
import type { LatencySummary } from '../../stats/histogram.ts';
import type { Overhead } from '../overhead.ts';

/**
 * Unit of a value: microseconds, CPU microseconds per operation, operations per second, a
 * count, or a dimensionless ratio (a share from 0 to 1, or mtls/tls).
 */
export type ValueUnit = 'us' | 'us_per_op' | 'per_s' | 'count' | 'ratio';

/** One figure of a cell. An overhead ratio also has its confidence interval. */
export interface CellMetric {
  metric: string;
  unit: ValueUnit;
  value: number;
  interval?: { low: number; high: number; confidence: number };
}

const SUMMARY_FIELDS = ['p50', 'p90', 'p99', 'p999', 'max', 'mean'] as const;

/**
 * Lists a latency summary: its percentiles, maximum and mean in µs, then `PREFIX.samples`.
 * An empty summary has only `samples`, because its zeros are no measurement.
 */
function latencyMetrics(prefix: string, summary: LatencySummary): CellMetric[] {
  const samples: CellMetric = { metric: `${prefix}.samples`, unit: 'count', value: summary.count };
  if (summary.count === 0) return [samples];
  return [...SUMMARY_FIELDS.map((field): CellMetric => ({ metric: `${prefix}.${field}`, unit: 'us', value: summary[field] })), samples];
}

function errorMetrics(results: HandshakeResults | RequestsResults): CellMetric[] {
  const metrics: CellMetric[] = [{ metric: 'errors', unit: 'count', value: results.errors }];
  for (const [code, count] of Object.entries(results.errorsByCode)) metrics.push({ metric: `errors.${code}`, unit: 'count', value: count });
  for (const [code, count] of Object.entries(results.clientResourceErrors ?? {})) {
    metrics.push({ metric: `client_resource_errors.${code}`, unit: 'count', value: count });
  }
  return metrics;
}

/** Lists CPU per operation on each side. A target's server side is not measured, so it is left out. */
function cpuMetrics(cell: MeasuredCell): CellMetric[] {
  const metrics: CellMetric[] = [];
  if (cell.cpu.serverUsPerOp !== null) metrics.push({ metric: 'cpu.server', unit: 'us_per_op', value: cell.cpu.serverUsPerOp });
  metrics.push({ metric: 'cpu.client', unit: 'us_per_op', value: cell.cpu.clientUsPerOp });
  return metrics;
}

function handshakeMetrics(cell: MeasuredCell, handshake: HandshakeResults): CellMetric[] {
  const metrics: CellMetric[] = [
    ...latencyMetrics('handshake.full', handshake.latencyUs.full),
    ...latencyMetrics('handshake.resumed', handshake.latencyUs.resumed),
    ...latencyMetrics('connect', handshake.connectUs),
    { metric: 'handshake.count', unit: 'count', value: handshake.count },
    { metric: 'handshake.resumed_share', unit: 'ratio', value: handshake.resumedShare },
    { metric: 'throughput', unit: 'per_s', value: handshake.handshakesPerSec },
    ...cpuMetrics(cell),
  ];
  if (cell.cryptoFloorUs !== undefined) {
    metrics.push(
      { metric: 'crypto_floor.server', unit: 'us_per_op', value: cell.cryptoFloorUs.serverUs },
      { metric: 'crypto_floor.client', unit: 'us_per_op', value: cell.cryptoFloorUs.clientUs },
    );
  }
  metrics.push(...errorMetrics(handshake));

  const arrivals = handshake.arrivals;
  if (arrivals !== undefined) {
    metrics.push(
      { metric: 'arrivals.rate_requested', unit: 'per_s', value: arrivals.ratePerSec },
      { metric: 'arrivals.rate_achieved', unit: 'per_s', value: arrivals.achievedPerSec },
      { metric: 'arrivals.started', unit: 'count', value: arrivals.started },
      { metric: 'arrivals.missed', unit: 'count', value: arrivals.missed },
      { metric: 'arrivals.late', unit: 'count', value: arrivals.late },
      ...latencyMetrics('arrivals.start_delay', arrivals.startDelayUs),
    );
  }
  return metrics;
}

function requestsMetrics(cell: MeasuredCell, requests: RequestsResults): CellMetric[] {
  const metrics: CellMetric[] = [
    ...latencyMetrics('requests', requests.latencyUs),
    { metric: 'requests.count', unit: 'count', value: requests.count },
    { metric: 'requests.non_2xx', unit: 'count', value: requests.non2xx },
    { metric: 'throughput', unit: 'per_s', value: requests.throughputRps },
    ...cpuMetrics(cell),
    ...errorMetrics(requests),
    { metric: 'requests.connections_verified', unit: 'count', value: requests.connectionsVerified },
    { metric: 'requests.connections_unverified', unit: 'count', value: requests.connectionsUnverified },
  ];
  const rate = requests.rate;
  if (rate !== undefined) {
    metrics.push(
      { metric: 'rate.requested', unit: 'per_s', value: rate.ratePerSec },
      { metric: 'rate.achieved', unit: 'per_s', value: rate.achievedPerSec },
      { metric: 'rate.expected_interval', unit: 'us', value: rate.expectedIntervalUs },
    );
  }
  return metrics;
}

/** Lists the overhead of an mTLS cell as `overhead.METRIC` ratios, leaving out metrics without an estimate. */
function overheadMetrics(overhead: Overhead): CellMetric[] {
  return overhead.metrics.flatMap(({ metric, estimate }): CellMetric[] =>
    estimate === null
      ? []
      : [
          {
            metric: `overhead.${metric}`,
            unit: 'ratio',
            value: estimate.ratio,
            interval: { low: estimate.low, high: estimate.high, confidence: estimate.confidence },
          },
        ],
  );
}

/**
 * Lists a measured cell's figures: its workload's latency, counts, rate and CPU, the client's
 * CPU share, and for an mTLS cell with a measured baseline its overhead against it.
 */
export function cellMetrics(cell: MeasuredCell, overhead: Overhead | undefined): CellMetric[] {
  const metrics: CellMetric[] = [];
  if (cell.handshake !== undefined) metrics.push(...handshakeMetrics(cell, cell.handshake));
  if (cell.requests !== undefined) metrics.push(...requestsMetrics(cell, cell.requests));
  metrics.push({ metric: 'client.cpu_share', unit: 'ratio', value: cell.client.cpuShare });
  if (overhead !== undefined) metrics.push(...overheadMetrics(overhead));
  return metrics;
}
