/**
 * Command-line options of `npm run bench:harness`, parsed and checked before any server starts.
 */
import { readScriptArgs } from '../script-args.ts';
import { parseDurationMs } from '../../src/scenario/duration.ts';
import type { TlsVersion } from '../../src/scenario/types.ts';
import { TLS_VERSIONS } from '../../src/scenario/types.ts';

/** Comparisons the script can run, each against an echo server of its own, in the order they run. */
export const PHASES = ['full', 'https', 'resumed', 'resumed-https', 'requests'] as const;
export type Phase = (typeof PHASES)[number];

/** Resolved options, every default filled in. */
export interface HarnessOptions {
  /** Measurements of each tool at each concurrency. Default 3. */
  repeat: number;
  /** Server-side measurement window of each measurement, in milliseconds. Default 2000. */
  durationMs: number;
  /** Handshakes in flight for the saturating runs, or `auto` to pick it with a sweep. Default `auto`. */
  concurrency: number | 'auto';
  /** TLS version of the full, https and requests phases. The resumed phase is always TLS 1.2. Default tls1.3. */
  tlsVersion: TlsVersion;
  /** Keep-alive connections of the requests phase. Default 8, as in scenarios/default.yaml. */
  connections: number;
  /** Request body in bytes (POST), or 0 for GET without a body. Default 64. */
  payloadBytes: number;
  /** wrk threads. Default 1, because runRequests and autocannon run on one thread too. */
  wrkThreads: number;
  /**
   * Worker threads of HandshakeDriver at the saturating concurrency, as a workload's `workers`
   * sets them. Default 1: the driver runs in the script's own thread. The concurrency-1 runs
   * always use one thread.
   */
  driverWorkers: number;
  /** Phases to run, in this order. Default all. */
  phases: Phase[];
  /** Results file, or null for `results/harness-<UTC time>.json`. */
  out: string | null;
  help: boolean;
}

export const USAGE = `Usage: npm run bench:harness -- [options]

Compares mtls-bench's load generators with a minimal tls.connect loop, openssl s_time,
autocannon and wrk against one local echo server (ECDSA P-256) per phase.

  --repeat N          measurements of each tool per concurrency, order rotated (default 3)
  --duration D        measurement window of each run, whole seconds, such as 3s (default 2s)
  --concurrency N     handshakes in flight for the saturating runs, 2 to 64, or auto (default:
                      auto, the smallest that reaches 95% of the best rate in a short sweep)
  --tls-version V     tls1.2 or tls1.3, for the full, https and requests phases (default tls1.3)
  --connections N     keep-alive connections for requests, 1 to 1000 (default 8)
  --payload-bytes N   request body in bytes, 0 for GET (default 64)
  --wrk-threads N     wrk threads, at most --connections (default 1)
  --driver-workers N  worker threads of HandshakeDriver at the saturating concurrency, 1 to 16,
                      as a workload's workers setting (default 1, the script's own thread)
  --phases LIST       comma-separated: full, https, resumed, resumed-https, requests (default all)
  --out FILE          results JSON (default results/harness-<UTC time>.json)
  --help              print this text
`;

/** An option with a value the script cannot use. The message names the option, the value and what is accepted. */
export class HarnessOptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HarnessOptionError';
  }
}

const MAX_CONCURRENCY = 64;
const MAX_DURATION_MS = 60_000;

function invalid(option: string, value: string, expected: string): HarnessOptionError {
  return new HarnessOptionError(`--${option}: got ${JSON.stringify(value)}; expected ${expected}`);
}

function integerOption(option: string, value: string, min: number, max: number): number {
  const parsed = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!(Number.isSafeInteger(parsed) && parsed >= min && parsed <= max)) {
    throw invalid(option, value, `a whole number from ${min} to ${max}`);
  }
  return parsed;
}

function durationOption(value: string): number {
  // openssl s_time -time and wrk -d take whole seconds, so the window does too.
  const durationMs = parseDurationMs(value);
  if (durationMs === null || durationMs % 1000 !== 0 || durationMs < 1000 || durationMs > MAX_DURATION_MS) {
    throw invalid('duration', value, 'whole seconds from 1s to 60s, such as 2s (openssl s_time and wrk take whole seconds)');
  }
  return durationMs;
}

function concurrencyOption(value: string): number | 'auto' {
  if (value === 'auto') return 'auto';
  const parsed = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  // 1 is left out because the concurrency-1 runs are always measured beside this one.
  if (!(parsed >= 2 && parsed <= MAX_CONCURRENCY)) throw invalid('concurrency', value, `"auto" or a whole number from 2 to ${MAX_CONCURRENCY}`);
  return parsed;
}

function phasesOption(value: string): Phase[] {
  const names = value.split(',').map((name) => name.trim());
  const phases: Phase[] = [];
  for (const name of names) {
    const phase = PHASES.find((candidate) => candidate === name);
    if (phase === undefined) throw invalid('phases', value, `a comma-separated list of ${PHASES.join(', ')}`);
    if (!phases.includes(phase)) phases.push(phase);
  }
  // Run them in the documented order whatever order the list has.
  return PHASES.filter((phase) => phases.includes(phase));
}

const OPTION_SPEC = {
  repeat: { type: 'string' },
  duration: { type: 'string' },
  concurrency: { type: 'string' },
  'tls-version': { type: 'string' },
  connections: { type: 'string' },
  'payload-bytes': { type: 'string' },
  'wrk-threads': { type: 'string' },
  'driver-workers': { type: 'string' },
  phases: { type: 'string' },
  out: { type: 'string' },
  help: { type: 'boolean' },
} as const;

/** Parses and checks the options; throws `HarnessOptionError` for the first bad one. */
export function parseHarnessOptions(argv: readonly string[]): HarnessOptions {
  const { values, positionals } = readScriptArgs(argv, OPTION_SPEC, (message) => new HarnessOptionError(message));
  if (positionals.length > 0) {
    throw new HarnessOptionError(`unexpected argument ${JSON.stringify(positionals[0])}; every setting is an option, see --help`);
  }

  const concurrencyText = values.concurrency ?? 'auto';
  const tlsVersionText = values['tls-version'] ?? 'tls1.3';
  const tlsVersion = TLS_VERSIONS.find((version) => version === tlsVersionText);
  if (tlsVersion === undefined) throw invalid('tls-version', tlsVersionText, TLS_VERSIONS.map((version) => `"${version}"`).join(' or '));

  const connections = integerOption('connections', values.connections ?? '8', 1, 1000);
  const wrkThreadsText = values['wrk-threads'] ?? '1';
  const wrkThreads = integerOption('wrk-threads', wrkThreadsText, 1, 1000);
  // wrk spreads the connections over its threads and refuses more threads than connections.
  if (wrkThreads > connections) throw invalid('wrk-threads', wrkThreadsText, `at most --connections (${connections})`);

  return {
    repeat: integerOption('repeat', values.repeat ?? '3', 1, 50),
    durationMs: durationOption(values.duration ?? '2s'),
    concurrency: concurrencyOption(concurrencyText),
    tlsVersion,
    connections,
    payloadBytes: integerOption('payload-bytes', values['payload-bytes'] ?? '64', 0, 1024 * 1024),
    wrkThreads,
    driverWorkers: integerOption('driver-workers', values['driver-workers'] ?? '1', 1, 16),
    phases: phasesOption(values.phases ?? PHASES.join(',')),
    out: values.out ?? null,
    help: values.help ?? false,
  };
}
