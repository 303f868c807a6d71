/**
 * Resolves the `workloads` field: fills in defaults, converts durations to milliseconds and
 * checks what the schema cannot see (unique names, a bound for every handshake workload).
 */
import { HANDSHAKE_DEFAULTS, REQUESTS_DEFAULTS } from './defaults.ts';
import { parseDurationMs } from './duration.ts';
import { parseRatePerSec, RATE_PACING_MS, rateRoundProblem } from './rate.ts';
import { formatPath, quote } from './messages.ts';
import type { PathIssue, PathSegment } from './messages.ts';
import { WorkloadSchema } from './schema.ts';
import type { WorkloadInput } from './schema.ts';
import type { HandshakeWorkload, RequestsWorkload, Workload } from './types.ts';

/**
 * Reads `rawWorkloads` (the field as written, or undefined when left out, which yields one
 * handshake and one requests workload with defaults). Items the schema rejects are skipped,
 * because the schema parse reports them. `rounds` is the suite's, which a requests workload
 * with a rate must split into whole seconds.
 */
export function readWorkloads(rawWorkloads: unknown, rounds: number): { workloads: Workload[]; issues: PathIssue[] } {
  if (rawWorkloads === undefined) {
    return {
      workloads: [resolveHandshakeWorkload({ kind: 'handshake' }), resolveRequestsWorkload({ kind: 'requests' }, rounds)],
      issues: [],
    };
  }
  if (!Array.isArray(rawWorkloads)) {
    return { workloads: [], issues: [] };
  }

  const workloads: Workload[] = [];
  const issues: PathIssue[] = [];
  const firstPathByName = new Map<string, PathSegment[]>();

  rawWorkloads.forEach((rawWorkload: unknown, index) => {
    const parsed = WorkloadSchema.safeParse(rawWorkload);
    if (!parsed.success) {
      return;
    }
    const input = parsed.data;
    const path: PathSegment[] = ['workloads', index];

    if (input.kind === 'handshake' && input.duration === null && input.count == null) {
      issues.push({
        path: [...path, 'duration'],
        message: 'null leaves the workload without a bound; set a duration, a count, or both',
      });
    }

    const workload = input.kind === 'handshake' ? resolveHandshakeWorkload(input) : resolveRequestsWorkload(input, rounds);
    const rateProblem = workload.kind === 'requests' ? rateRoundProblem(workload, rounds) : null;
    if (rateProblem !== null) {
      issues.push({ path: [...path, 'duration'], message: rateProblem });
    }
    issues.push(...workerIssues(workload, path), ...requestsRateIssues(workload, path));
    const firstPath = firstPathByName.get(workload.name);
    if (firstPath === undefined) {
      firstPathByName.set(workload.name, path);
    } else {
      issues.push(duplicateNameIssue(input, path, workload.name, firstPath));
    }
    workloads.push(workload);
  });
  return { workloads, issues };
}

/**
 * Checks that a requests rate gives each connection more requests per second than its first
 * `pipelining`, which wait for the handshake and stay out of the latency histogram. Below that,
 * autocannon opens fewer connections than asked or the cell measures no latency at all.
 */
function requestsRateIssues(workload: Workload, path: PathSegment[]): PathIssue[] {
  if (workload.kind !== 'requests' || workload.rateRps === null) return [];
  const least = (workload.pipelining + 1) * workload.connections;
  if (workload.rateRps >= least) return [];
  return [
    {
      path: [...path, 'rate'],
      message:
        `got ${workload.rateRps}/s; expected at least ${least}/s with ${workload.connections} connections and pipelining ` +
        `${workload.pipelining}, because each connection's first ` +
        `${workload.pipelining === 1 ? 'response of a round waits for its handshake and stays' : `${workload.pipelining} responses of a round wait for its handshake and stay`} ` +
        'out of the latency; lower the connections or raise the rate',
    },
  ];
}

/** Checks that each worker gets at least one connection, and with a rate at least one operation per second. */
function workerIssues(workload: Workload, path: PathSegment[]): PathIssue[] {
  const { workers } = workload;
  if (workers === 1) return [];
  const issues: PathIssue[] = [];
  const [field, value] = workload.kind === 'handshake' ? ['concurrency', workload.concurrency] : ['connections', workload.connections];
  if (value < workers) {
    issues.push({
      path: [...path, 'workers'],
      message: `got ${workers}; expected at most ${field} (${value}), because each worker needs a connection of its own`,
    });
  }
  const rate = workload.kind === 'handshake' ? workload.ratePerSec : workload.rateRps;
  if (rate !== null && rate < workers) {
    issues.push({
      path: [...path, 'workers'],
      message: `got ${workers}; expected at most the rate (${rate}/s), because each worker gets a share of it`,
    });
  }
  return issues;
}

function duplicateNameIssue(
  input: WorkloadInput,
  path: PathSegment[],
  name: string,
  firstPath: PathSegment[],
): PathIssue {
  if (input.name === undefined) {
    return {
      path,
      message:
        `workload name ${quote(name)} (taken from kind) is already used by ${formatPath(firstPath)}; ` +
        'give this workload a name, because names start every cell id',
    };
  }
  return {
    path: [...path, 'name'],
    message:
      `${quote(name)} is already the name of ${formatPath(firstPath)}; ` +
      'give each workload its own name, because names start every cell id',
  };
}

function resolveHandshakeWorkload(input: Extract<WorkloadInput, { kind: 'handshake' }>): HandshakeWorkload {
  const maxCount = input.count ?? null;
  // A count alone bounds the run, so the default duration applies only without one.
  const duration = input.duration === undefined && maxCount === null ? HANDSHAKE_DEFAULTS.duration : input.duration;
  const ratePerSec = toRate(input.rate);
  const defaultConcurrency = ratePerSec === null ? HANDSHAKE_DEFAULTS.concurrency : HANDSHAKE_DEFAULTS.openLoopConcurrency;
  return {
    kind: 'handshake',
    name: input.name ?? input.kind,
    concurrency: input.concurrency ?? defaultConcurrency,
    ratePerSec,
    workers: input.workers ?? HANDSHAKE_DEFAULTS.workers,
    maxCount,
    durationMs: duration == null ? null : toMs(duration),
    warmupCount: input.warmup ?? HANDSHAKE_DEFAULTS.warmup,
    payloadBytes: input.payloadBytes ?? HANDSHAKE_DEFAULTS.payloadBytes,
  };
}

/**
 * Fills in a requests workload. With a rate and no duration, each of the `rounds` rounds gets
 * one second, the least that autocannon's per-second pacing allows.
 */
function resolveRequestsWorkload(input: Extract<WorkloadInput, { kind: 'requests' }>, rounds: number): RequestsWorkload {
  const rateRps = toRate(input.rate);
  const defaultDurationMs = rateRps === null ? toMs(REQUESTS_DEFAULTS.duration) : rounds * RATE_PACING_MS;
  return {
    kind: 'requests',
    name: input.name ?? input.kind,
    connections: input.connections ?? REQUESTS_DEFAULTS.connections,
    workers: input.workers ?? REQUESTS_DEFAULTS.workers,
    pipelining: input.pipelining ?? REQUESTS_DEFAULTS.pipelining,
    durationMs: input.duration === undefined ? defaultDurationMs : toMs(input.duration),
    maxCount: input.count ?? null,
    rateRps,
    warmupMs: toMs(input.warmup ?? REQUESTS_DEFAULTS.warmup),
    payloadBytes: input.payloadBytes ?? REQUESTS_DEFAULTS.payloadBytes,
  };
}

/** Converts a rate the schema has already accepted. */
function toRate(rate: number | string | null | undefined): number | null {
  if (rate == null) return null;
  const perSec = parseRatePerSec(rate);
  if (perSec === null) {
    throw new Error(`rate ${quote(String(rate))} passed the schema but does not parse`);
  }
  return perSec;
}

/** Converts a duration the schema has already accepted. */
function toMs(duration: string): number {
  const durationMs = parseDurationMs(duration);
  if (durationMs === null) {
    throw new Error(`duration ${quote(duration)} passed the schema but does not parse`);
  }
  return durationMs;
}
