import { RATE_PACING_MS } from '../scenario/rate.ts';
import type { Workload } from '../scenario/types.ts';

/**
 * Bounds for `--quick`: enough operations to check a suite end to end and read rough
 * figures, small enough that the 48-cell default suite finishes in about 30 s on 2 cores.
 * Figures from a quick run are not fit for decisions; the results file records `quick: true`.
 */
const QUICK_HANDSHAKE_DURATION_MS = 250;
const QUICK_HANDSHAKE_MAX_COUNT = 300;
const QUICK_HANDSHAKE_WARMUP_COUNT = 5;
const QUICK_REQUESTS_DURATION_MS = 250;
const QUICK_REQUESTS_WARMUP_MS = 100;

function atMost(value: number | null, limit: number): number {
  return value === null ? limit : Math.min(value, limit);
}

/**
 * Returns the workload with its bounds cut down to the quick limits; bounds already below them
 * stay. A requests workload with a rate keeps one second per round, the least autocannon's
 * per-second pacing allows (see `rateRoundProblem`).
 */
export function quickWorkload(workload: Workload, rounds: number): Workload {
  if (workload.kind === 'handshake') {
    return {
      ...workload,
      durationMs: atMost(workload.durationMs, QUICK_HANDSHAKE_DURATION_MS),
      maxCount: atMost(workload.maxCount, QUICK_HANDSHAKE_MAX_COUNT),
      warmupCount: Math.min(workload.warmupCount, QUICK_HANDSHAKE_WARMUP_COUNT),
    };
  }
  return {
    ...workload,
    durationMs:
      workload.rateRps === null
        ? Math.min(workload.durationMs, QUICK_REQUESTS_DURATION_MS)
        : Math.min(workload.durationMs, rounds * RATE_PACING_MS),
    warmupMs: Math.min(workload.warmupMs, QUICK_REQUESTS_WARMUP_MS),
  };
}
