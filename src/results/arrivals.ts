/**
 * Whether a cell with a rate kept it. An open-loop handshake cell starts connections on a fixed
 * schedule; a requests cell with a rate passes it to autocannon. Either can fall short when the
 * server or the load generator cannot keep up, and then the figures describe a lower load than
 * the suite asked for.
 */
import type { ArrivalStats } from '../drivers/handshake.ts';
import { mergeLatencySummaries } from '../stats/histogram.ts';
import type { LatencySummary } from '../stats/histogram.ts';

/** Share of the asked rate that a cell must achieve to count as having reached it. */
export const REACHED_RATE_SHARE = 0.95;

/** Open-loop handshake arrivals over a cell's measured rounds. */
export interface HandshakeArrivals {
  /** New connections per second the workload asked for. */
  ratePerSec: number;
  /** Connections started per second of the rounds' schedules. */
  achievedPerSec: number;
  /** True when `achievedPerSec` is at least {@link REACHED_RATE_SHARE} of `ratePerSec`. */
  reached: boolean;
  /** Connections started, failed ones included. */
  started: number;
  /** Connections due before a round's time bound that never started. */
  missed: number;
  /** Connections that started more than `LATE_START_US` (2 ms) after their intended time. */
  late: number;
  /** From each connection's intended start to its actual start. */
  startDelayUs: LatencySummary;
}

/** A requests cell's asked rate against what it achieved. */
export interface RequestsRate {
  ratePerSec: number;
  /** Counted responses per second over the measured rounds. */
  achievedPerSec: number;
  /** True when `achievedPerSec` is at least {@link REACHED_RATE_SHARE} of `ratePerSec`. */
  reached: boolean;
  /** Interval between requests on one connection that the latency histogram was corrected against. */
  expectedIntervalUs: number;
}

export function rateReached(ratePerSec: number, achievedPerSec: number): boolean {
  return achievedPerSec >= ratePerSec * REACHED_RATE_SHARE;
}

/** Adds up the arrivals of a cell's rounds, which all ran at the same rate. */
export function mergeArrivals(rounds: readonly ArrivalStats[]): HandshakeArrivals | undefined {
  const first = rounds[0];
  if (first === undefined) return undefined;
  const started = rounds.reduce((sum, round) => sum + round.started, 0);
  const scheduleUs = rounds.reduce((sum, round) => sum + round.scheduleUs, 0);
  const achievedPerSec = scheduleUs === 0 ? 0 : started / (scheduleUs / 1e6);
  return {
    ratePerSec: first.ratePerSec,
    achievedPerSec,
    reached: rateReached(first.ratePerSec, achievedPerSec),
    started,
    missed: rounds.reduce((sum, round) => sum + round.missed, 0),
    late: rounds.reduce((sum, round) => sum + round.late, 0),
    startDelayUs: mergeLatencySummaries(rounds.map((round) => round.startDelayUs)),
  };
}
