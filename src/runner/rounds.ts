/**
 * Rounds: each cell's bounds split into equal shares, and what a cell's rounds add up to. A cell
 * measured in R rounds does the work of one measurement in R parts, so more rounds do not make a
 * suite take longer, apart from a few milliseconds of setup per round.
 */
import { mergeNegotiationCounts } from '../checks/tally.ts';
import type { LatencySummary } from '../stats/histogram.ts';
import { mergeErrorCounts } from '../stats/counts.ts';
import type { RoundResult } from '../results/types.ts';
import type { ServerWindowStats } from '../servers/types.ts';
import { inWindow } from './measure-cell.ts';
import type { ServerWindow } from './measure-cell.ts';

/**
 * Minimum samples of a kind (full handshakes, resumed handshakes, responses) for a round to report
 * percentiles of it. Below that the round's p50 and p99 are unreliable, so they are null and left out
 * of intervals; the merged histogram still has every sample.
 */
export const MIN_ROUND_SAMPLES = 10;

/**
 * Returns round `round`'s share of a count bound (0-based), so that the rounds together do the
 * whole count: 12 over 5 rounds is 3, 3, 2, 2, 2. `atLeast` raises a share that a driver cannot
 * run with, such as fewer requests than connections.
 */
export function roundCount(count: number | null, rounds: number, round: number, atLeast = 0): number | null {
  if (count === null) return null;
  const share = Math.floor(count / rounds) + (round < count % rounds ? 1 : 0);
  return Math.max(share, atLeast);
}

/** Returns one round's share of a time bound in milliseconds. */
export function roundDurationMs(durationMs: number | null, rounds: number): number | null {
  return durationMs === null ? null : durationMs / rounds;
}

/** Returns a percentile of a round's latencies, or null when the round has too few samples. */
export function roundPercentile(summary: LatencySummary, percentile: 'p50' | 'p99'): number | null {
  return summary.count >= MIN_ROUND_SAMPLES ? summary[percentile] : null;
}


/** Adds up `process.cpuUsage` differences. */
export function sumCpuUs(list: readonly { user: number; system: number }[]): { user: number; system: number } {
  return {
    user: list.reduce((sum, cpu) => sum + cpu.user, 0),
    system: list.reduce((sum, cpu) => sum + cpu.system, 0),
  };
}

/** Adds up a server's windows, one per round, or returns null for a target, which has none. */
export function mergeServerWindows(windows: readonly (ServerWindowStats | null)[]): ServerWindowStats | null {
  const known = windows.filter((stats): stats is ServerWindowStats => stats !== null);
  if (known.length === 0) return null;
  return {
    handshakes: {
      full: known.reduce((sum, stats) => sum + stats.handshakes.full, 0),
      resumed: known.reduce((sum, stats) => sum + stats.handshakes.resumed, 0),
    },
    clientCertsVerified: known.reduce((sum, stats) => sum + stats.clientCertsVerified, 0),
    cpuUs: sumCpuUs(known.map((stats) => stats.cpuUs)),
    windowUs: known.reduce((sum, stats) => sum + stats.windowUs, 0),
    errors: mergeErrorCounts(known.map((stats) => stats.errors)),
    negotiations: mergeNegotiationCounts(known.map((stats) => stats.negotiations)),
  };
}

/** CPU microseconds per operation, or null when no operation completed. */
export function usPerOp(cpuUs: { user: number; system: number }, operations: number): number | null {
  return operations === 0 ? null : Math.round((cpuUs.user + cpuUs.system) / operations);
}

/** A cell's measured rounds: each round's driver result and the server's window, in the order they ran. */
export class RoundLog<Run> {
  readonly runs: Run[] = [];
  readonly windows: (ServerWindowStats | null)[] = [];

  /** Runs one round inside a server window, or on its own for a target, and keeps both sides. */
  async record(server: ServerWindow | null, work: () => Promise<Run>): Promise<void> {
    const { run, stats } = await inWindow(server, work);
    this.runs.push(run);
    this.windows.push(stats);
  }

  /** Returns every round's result, built by `resultOf` from its run and window. */
  roundResults(resultOf: (run: Run, stats: ServerWindowStats | null) => RoundResult): RoundResult[] {
    return this.runs.map((run, index) => resultOf(run, this.windows[index] ?? null));
  }
}
