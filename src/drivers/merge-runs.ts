/**
 * Merges the results of one run's worker threads into the result a single driver would report.
 * Latencies merge through each summary's HDR histogram, so merged percentiles are those of all
 * samples, not averages of the workers' percentiles.
 */
import { mergeNegotiationCounts } from '../checks/tally.ts';
import { mergeErrorCounts } from '../stats/counts.ts';
import { mergeLatencySummaries } from '../stats/histogram.ts';
import type { ArrivalStats, HandshakeRunResult } from './handshake.ts';
import type { RequestsRunResult } from './requests.ts';

/** One worker's result of a run, with when the worker started it. */
export interface WorkerRun<Result> {
  result: Result;
  /** `process.hrtime.bigint()` read in the worker just before it started the run. */
  startNs: bigint;
}

/** CPU time in microseconds, as `process.cpuUsage()` differences give it. */
export interface CpuUs {
  user: number;
  system: number;
}

/**
 * Returns when a worker's run ended. `process.hrtime` is the process's monotonic clock, the same
 * in every thread, so the workers' readings compare directly.
 */
function endNsOf(run: WorkerRun<{ elapsedUs: number }>): bigint {
  return run.startNs + BigInt(run.result.elapsedUs) * 1000n;
}

/** Microseconds from the earliest worker start to the latest worker end. */
function spanUs(runs: readonly WorkerRun<{ elapsedUs: number }>[]): number {
  const startNs = runs.reduce((earliest, run) => (run.startNs < earliest ? run.startNs : earliest), runs[0]?.startNs ?? 0n);
  const endNs = runs.reduce((latest, run) => {
    const end = endNsOf(run);
    return end > latest ? end : latest;
  }, startNs);
  return Number((endNs - startNs) / 1000n);
}

function sumOf<Result>(runs: readonly WorkerRun<Result>[], field: (result: Result) => number): number {
  return runs.reduce((sum, run) => sum + field(run.result), 0);
}

function mergeErrors(runs: readonly WorkerRun<{ errors: Record<string, number> }>[]): Record<string, number> {
  return mergeErrorCounts(runs.map(({ result }) => result.errors));
}

function perSecond(count: number, elapsedUs: number): number {
  return elapsedUs === 0 ? 0 : count / (elapsedUs / 1e6);
}

/**
 * Merges the workers' open-loop schedules into one schedule of every start. The merged
 * `scheduleUs` runs from the earliest worker start to the latest end of a worker's schedule, so
 * `achievedPerSec` stays `started` per second of `scheduleUs`, and equals the total rate, within
 * one worker interval, when every worker kept its schedule. Null when any worker ran a closed loop.
 */
function mergeArrivals(runs: readonly WorkerRun<HandshakeRunResult>[]): ArrivalStats | null {
  const schedules: { startNs: bigint; arrivals: ArrivalStats }[] = [];
  for (const run of runs) {
    if (run.result.arrivals === null) return null;
    schedules.push({ startNs: run.startNs, arrivals: run.result.arrivals });
  }
  const ratePerSec = schedules.reduce((sum, entry) => sum + entry.arrivals.ratePerSec, 0);
  const started = schedules.reduce((sum, entry) => sum + entry.arrivals.started, 0);

  const firstStartNs = schedules.reduce((earliest, entry) => (entry.startNs < earliest ? entry.startNs : earliest), schedules[0]?.startNs ?? 0n);
  let scheduleUs = 0;
  for (const { startNs, arrivals } of schedules) {
    if (arrivals.started === 0) continue;
    // A worker's schedule runs from its own first due time, which its phase puts less than one
    // of its intervals after its start.
    scheduleUs = Math.max(scheduleUs, Math.round(Number(startNs - firstStartNs) / 1000) + arrivals.scheduleUs);
  }

  return {
    ratePerSec,
    started,
    missed: schedules.reduce((sum, entry) => sum + entry.arrivals.missed, 0),
    late: schedules.reduce((sum, entry) => sum + entry.arrivals.late, 0),
    scheduleUs,
    achievedPerSec: scheduleUs === 0 ? 0 : started / (scheduleUs / 1e6),
    startDelayUs: mergeLatencySummaries(schedules.map((entry) => entry.arrivals.startDelayUs)),
  };
}

/**
 * Merges the workers' handshake runs. `clientCpuUs` is the process's CPU time over the whole run,
 * measured by the caller, because each worker's own figure is the whole process's too.
 * `negotiated` comes from the worker whose run ended last among those that have one, as a single
 * driver reports the last connection to finish.
 */
export function mergeHandshakeRuns(runs: readonly WorkerRun<HandshakeRunResult>[], clientCpuUs: CpuUs): HandshakeRunResult {
  const count = sumOf(runs, (result) => result.count);
  const elapsedUs = spanUs(runs);
  let lastNegotiated: WorkerRun<HandshakeRunResult> | undefined;
  for (const run of runs) {
    if (run.result.negotiated === null) continue;
    if (lastNegotiated === undefined || endNsOf(run) >= endNsOf(lastNegotiated)) lastNegotiated = run;
  }
  const resumedWithTicket = runs.every((run) => run.result.resumedWithTicket !== null)
    ? sumOf(runs, (result) => result.resumedWithTicket ?? 0)
    : null;

  return {
    count,
    errors: mergeErrors(runs),
    errorCount: sumOf(runs, (result) => result.errorCount),
    resumed: sumOf(runs, (result) => result.resumed),
    elapsedUs,
    handshakesPerSec: perSecond(count, elapsedUs),
    connectUs: mergeLatencySummaries(runs.map((run) => run.result.connectUs)),
    latencyUs: {
      full: mergeLatencySummaries(runs.map((run) => run.result.latencyUs.full)),
      resumed: mergeLatencySummaries(runs.map((run) => run.result.latencyUs.resumed)),
    },
    clientCpuUs: { user: clientCpuUs.user, system: clientCpuUs.system },
    negotiated: lastNegotiated?.result.negotiated ?? null,
    negotiations: mergeNegotiationCounts(runs.map((run) => run.result.negotiations)),
    sessionsOffered: sumOf(runs, (result) => result.sessionsOffered),
    sessionsReceived: sumOf(runs, (result) => result.sessionsReceived),
    resumedWithTicket,
    arrivals: mergeArrivals(runs),
  };
}

/**
 * Returns the coordinated-omission interval of the merged histogram: the workers' intervals,
 * weighted by the responses each corrected. They differ only by the rounding of the workers'
 * rate shares. Null when the run had no rate.
 */
function mergeExpectedIntervals(runs: readonly WorkerRun<RequestsRunResult>[]): number | null {
  let weighted = 0;
  let responses = 0;
  for (const { result } of runs) {
    if (result.expectedIntervalUs === null) return null;
    weighted += result.expectedIntervalUs * result.count;
    responses += result.count;
  }
  if (responses === 0) return runs[0]?.result.expectedIntervalUs ?? null;
  return Math.round(weighted / responses);
}

/**
 * Merges the workers' requests runs. The window runs from the earliest worker start to the
 * latest window close, and throughput is the total count over it. `clientCpuUs` is measured by
 * the caller, as for handshakes. `negotiated` comes from the first worker, in worker order, that
 * verified a connection.
 */
export function mergeRequestsRuns(runs: readonly WorkerRun<RequestsRunResult>[], clientCpuUs: CpuUs): RequestsRunResult {
  const count = sumOf(runs, (result) => result.count);
  const elapsedUs = spanUs(runs);

  return {
    count,
    errors: mergeErrors(runs),
    errorCount: sumOf(runs, (result) => result.errorCount),
    non2xx: sumOf(runs, (result) => result.non2xx),
    throughputRps: perSecond(count, elapsedUs),
    elapsedUs,
    latencyUs: mergeLatencySummaries(runs.map((run) => run.result.latencyUs)),
    expectedIntervalUs: mergeExpectedIntervals(runs),
    clientCpuUs: { user: clientCpuUs.user, system: clientCpuUs.system },
    negotiated: runs.find((run) => run.result.negotiated !== null)?.result.negotiated ?? null,
    negotiations: mergeNegotiationCounts(runs.map((run) => run.result.negotiations)),
    connectionsVerified: sumOf(runs, (result) => result.connectionsVerified),
    connectionsUnverified: sumOf(runs, (result) => result.connectionsUnverified),
  };
}
