import type { RoundResult } from './types.ts';

/**
 * The metrics that rounds record, that overheads are computed for and that the gate compares.
 * Names are dotted paths, as users write them in `--threshold METRIC=PCT` and in a suite's `gate`.
 */

export const METRIC_NAMES = [
  'handshake.full.p50',
  'handshake.full.p99',
  'handshake.resumed.p50',
  'handshake.resumed.p99',
  'requests.p50',
  'requests.p99',
  'throughput',
  'cpu.server',
  'cpu.client',
] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

/** Whether a larger value of a metric is worse (latency, CPU) or better (throughput). */
export type MetricDirection = 'lower-is-better' | 'higher-is-better';

export interface MetricInfo {
  direction: MetricDirection;
  /** Unit of the values: integer microseconds, operations per second, or CPU microseconds per operation. */
  unit: 'us' | 'ops/s' | 'us/op';
  /** Short label for tables, for example `full p99`. */
  label: string;
}

export const METRICS: Record<MetricName, MetricInfo> = {
  'handshake.full.p50': { direction: 'lower-is-better', unit: 'us', label: 'full p50' },
  'handshake.full.p99': { direction: 'lower-is-better', unit: 'us', label: 'full p99' },
  'handshake.resumed.p50': { direction: 'lower-is-better', unit: 'us', label: 'resumed p50' },
  'handshake.resumed.p99': { direction: 'lower-is-better', unit: 'us', label: 'resumed p99' },
  'requests.p50': { direction: 'lower-is-better', unit: 'us', label: 'p50' },
  'requests.p99': { direction: 'lower-is-better', unit: 'us', label: 'p99' },
  // Handshakes per second in handshake cells, 2xx responses per second in requests cells.
  throughput: { direction: 'higher-is-better', unit: 'ops/s', label: 'rate' },
  'cpu.server': { direction: 'lower-is-better', unit: 'us/op', label: 'server CPU' },
  'cpu.client': { direction: 'lower-is-better', unit: 'us/op', label: 'client CPU' },
};

/** Metrics of each workload kind, in table order. */
export const WORKLOAD_METRICS: Record<'handshake' | 'requests', readonly MetricName[]> = {
  handshake: [
    'handshake.full.p50',
    'handshake.full.p99',
    'handshake.resumed.p50',
    'handshake.resumed.p99',
    'throughput',
    'cpu.server',
    'cpu.client',
  ],
  requests: ['requests.p50', 'requests.p99', 'throughput', 'cpu.server', 'cpu.client'],
};

/**
 * One round's value of each metric that applies to the cell's workload. A metric is missing when
 * it does not apply (requests metrics in a handshake cell) and null when the round has too few
 * samples for it (resumed percentiles in a cell without resumption) or no server side (a target).
 */
export type MetricValues = Partial<Record<MetricName, number | null>>;

/** Returns a metric's values over the rounds, in round order, without the rounds that have none. */
export function roundValues(rounds: readonly RoundResult[], metric: MetricName): number[] {
  const values: number[] = [];
  for (const round of rounds) {
    const value = round.values[metric];
    if (typeof value === 'number') values.push(value);
  }
  return values;
}

export function isMetricName(name: string): name is MetricName {
  return (METRIC_NAMES as readonly string[]).includes(name);
}
