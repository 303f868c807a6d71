/**
 * Resolves the `workloads` field: fills in defaults, converts durations to milliseconds and
 * checks what the schema cannot see (unique names, a bound for every handshake workload).
 */
import { HANDSHAKE_DEFAULTS, REQUESTS_DEFAULTS } from './defaults.ts';
import { parseDurationMs } from './duration.ts';
import { formatPath, quote } from './messages.ts';
import type { PathIssue, PathSegment } from './messages.ts';
import { WorkloadSchema } from './schema.ts';
import type { WorkloadInput } from './schema.ts';
import type { HandshakeWorkload, RequestsWorkload, Workload } from './types.ts';

/**
 * Reads `rawWorkloads` (the field as written, or undefined when left out, which yields one
 * handshake and one requests workload with defaults). Items the schema rejects are skipped,
 * because the schema parse reports them.
 */
export function readWorkloads(rawWorkloads: unknown): { workloads: Workload[]; issues: PathIssue[] } {
  if (rawWorkloads === undefined) {
    return {
      workloads: [resolveHandshakeWorkload({ kind: 'handshake' }), resolveRequestsWorkload({ kind: 'requests' })],
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

    const workload = input.kind === 'handshake' ? resolveHandshakeWorkload(input) : resolveRequestsWorkload(input);
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
  return {
    kind: 'handshake',
    name: input.name ?? input.kind,
    concurrency: input.concurrency ?? HANDSHAKE_DEFAULTS.concurrency,
    maxCount,
    durationMs: duration == null ? null : toMs(duration),
    warmupCount: input.warmup ?? HANDSHAKE_DEFAULTS.warmup,
    payloadBytes: input.payloadBytes ?? HANDSHAKE_DEFAULTS.payloadBytes,
  };
}

function resolveRequestsWorkload(input: Extract<WorkloadInput, { kind: 'requests' }>): RequestsWorkload {
  return {
    kind: 'requests',
    name: input.name ?? input.kind,
    connections: input.connections ?? REQUESTS_DEFAULTS.connections,
    pipelining: input.pipelining ?? REQUESTS_DEFAULTS.pipelining,
    durationMs: toMs(input.duration ?? REQUESTS_DEFAULTS.duration),
    maxCount: input.count ?? null,
    rateRps: input.rate ?? null,
    warmupMs: toMs(input.warmup ?? REQUESTS_DEFAULTS.warmup),
    payloadBytes: input.payloadBytes ?? REQUESTS_DEFAULTS.payloadBytes,
  };
}

/** Converts a duration the schema has already accepted. */
function toMs(duration: string): number {
  const durationMs = parseDurationMs(duration);
  if (durationMs === null) {
    throw new Error(`duration ${quote(duration)} passed the schema but does not parse`);
  }
  return durationMs;
}
