import type { Phase } from './options.ts';

/** Load generators compared in the handshake phases (`full`, `https`, `resumed`). */
export const HANDSHAKE_TOOLS = ['driver', 'loop', 's_time'] as const;
/** Load generators compared in the `requests` phase. */
export const REQUEST_TOOLS = ['runRequests', 'autocannon', 'wrk'] as const;
export type ToolId = (typeof HANDSHAKE_TOOLS)[number] | (typeof REQUEST_TOOLS)[number];

export const TOOL_LABELS: Record<ToolId, string> = {
  driver: 'mtls-bench HandshakeDriver',
  loop: 'tls.connect loop',
  s_time: 'openssl s_time',
  runRequests: 'mtls-bench runRequests',
  autocannon: 'autocannon, no hooks',
  wrk: 'wrk',
};

/** One run of one tool against the phase's echo server. */
export interface Measurement {
  phase: Phase;
  tool: ToolId;
  /** Handshakes in flight (s_time processes), or keep-alive connections in the requests phase. */
  concurrency: number;
  /** Repetition, from 1. */
  repetition: number;
  /** Place of this run among the tools of its repetition and concurrency, from 1. */
  position: number;
  /**
   * Handshakes the echo server completed per second of its measurement window, which starts
   * after the tool's start-up and ends before the tool stops. Null in the requests phase,
   * because the server counts no requests.
   */
  serverRate: number | null;
  /** Operations per second as the tool itself reports them over its whole run (see the notes for each tool). */
  toolRate: number | null;
  /** Median handshake or request latency in microseconds as the tool measured it, or null when it reports none. */
  latencyP50Us: number | null;
  /** Share of the server's handshakes in the window that resumed a session. */
  resumedShare: number | null;
  /** Server CPU time over the window's wall time: near 1 means the server's one thread was saturated. */
  serverCpuShare: number | null;
  /** The load generator's CPU time over the window's wall time, summed over its processes; null when unknown. */
  clientCpuShare: number | null;
  /** Failed operations by error code, the tool's prefixed `tool:` and the server's `server:`. */
  errors: Record<string, number>;
  /** Why the run has no figures or only some: the tool failed or its output could not be read. Null when it ran. */
  failure: string | null;
}

/** Medians over the repetitions of one tool at one concurrency of one phase. */
export interface ToolSummary {
  phase: Phase;
  tool: ToolId;
  concurrency: number;
  /** Runs with a rate, out of `runs`. */
  measuredRuns: number;
  runs: number;
  /** The compared rate: `serverRate` in the handshake phases, `toolRate` in the requests phase. */
  rate: { median: number; min: number; max: number } | null;
  toolRateMedian: number | null;
  latencyP50UsMedian: number | null;
  resumedShareMedian: number | null;
  serverCpuShareMedian: number | null;
  clientCpuShareMedian: number | null;
  /** Errors summed over the runs. */
  errorCount: number;
}

/** A rate ratio of one tool against a reference, with its target when one is set. */
export interface RatioCheck {
  phase: Phase;
  concurrency: number;
  subject: ToolId;
  reference: ToolId;
  /** Median rate of `subject` over median rate of `reference`, or null when either has none. */
  ratio: number | null;
  /** Lowest passing ratio, or null when the comparison is shown for information only. */
  target: number | null;
  verdict: 'pass' | 'miss' | 'info' | 'no data';
}
