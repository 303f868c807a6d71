import type { HandshakeArrivals, RequestsRate } from './arrivals.ts';
import type { LatencySummary } from '../stats/histogram.ts';
import type { ProbeOutcome } from '../probes/types.ts';
import type { Negotiated } from '../servers/types.ts';
import type { CryptoFloor } from '../drivers/crypto-floor.ts';
import type { MetricValues } from './metrics.ts';
import type { ClientLoad } from './client-load.ts';
import type { Auth, ChainDepth, Group, KeyType, ResolvedSuite, Resumption, TlsVersion, WorkloadKind } from '../scenario/types.ts';

/** Version of the results format; bumped on any change that breaks a reader. */
export const RESULTS_SCHEMA_VERSION = 2;

/** Where the numbers were taken, so results from different machines are not mixed up. */
export interface Environment {
  tool: { name: string; version: string };
  node: string;
  openssl: string;
  cpu: { model: string; count: number };
  os: { platform: string; release: string; arch: string };
  totalMemoryBytes: number;
  /**
   * Short hash of the host name, CPU model and count, and memory size. Two results files with the
   * same id were taken on the same machine, so their absolute times can be compared. The host
   * name itself is not stored.
   */
  machineId: string;
}

/** The scenario values of one cell, flat, as tables and later comparisons read them. */
export interface CellScenario {
  /** Server key type; also the client's unless `clientKeyType` differs. */
  keyType: KeyType;
  serverKeyType: KeyType;
  clientKeyType: KeyType;
  tlsVersion: TlsVersion;
  /** Requested suite in OpenSSL spelling, or `default` for OpenSSL's default list. */
  cipherSuite: string;
  group: Group;
  resumption: Resumption;
  auth: Auth;
  chainDepth: ChainDepth;
  /** Workload name from the suite. */
  workload: string;
  workloadKind: WorkloadKind;
}

export interface HandshakeResults {
  /** Measured handshakes that completed. */
  count: number;
  /** Failed connections, apart from client resource errors; `errorsByCode` splits them. */
  errors: number;
  errorsByCode: Record<string, number>;
  /**
   * Connections that failed for lack of a client resource (`EADDRNOTAVAIL`, `EMFILE`, `ENFILE`),
   * by code: limits of the load generator, kept out of `errors`. Absent in files from before 0.1.
   */
  clientResourceErrors?: Record<string, number>;
  /** Handshakes the client saw resumed (`isSessionReused()`). */
  resumed: number;
  /** `resumed / count`, from 0 to 1. */
  resumedShare: number;
  handshakesPerSec: number;
  /** TCP connect time, apart from the TLS handshake. */
  connectUs: LatencySummary;
  /**
   * TLS handshake time from TCP connect to `secureConnect`. With `arrivals`, it runs from each
   * connection's intended start instead, so it includes the wait to start and the TCP connect.
   */
  latencyUs: { full: LatencySummary; resumed: LatencySummary };
  /** Open-loop workloads (`rate`): the schedule asked for and how well it was kept. */
  arrivals?: HandshakeArrivals;
}

export interface RequestsResults {
  /** Responses with a 2xx status. */
  count: number;
  /** Failures apart from client resource errors; `errorsByCode` splits them. */
  errors: number;
  errorsByCode: Record<string, number>;
  /** Connection failures for lack of a client resource, by code, kept out of `errors`. */
  clientResourceErrors?: Record<string, number>;
  non2xx: number;
  throughputRps: number;
  /** From queueing each request to its response; with `rate`, corrected for coordinated omission. */
  latencyUs: LatencySummary;
  /** Workloads with a `rate`: the rate asked for and achieved, and the interval latency was corrected against. */
  rate?: RequestsRate;
  /** Keep-alive connections whose server certificate verified, and those that did not. */
  connectionsVerified: number;
  connectionsUnverified: number;
}

/** What the echo server counted over the measurement window. */
export interface ServerCounts {
  handshakesFull: number;
  handshakesResumed: number;
  clientCertsVerified: number;
  errorsByCode: Record<string, number>;
}

/** Connections a check looked at: the warm-up's, or the measured run's. */
export type CheckPhase = 'warm-up' | 'measured';

/**
 * What a check compares: the negotiated protocol, cipher suite and group, the key types of
 * both leaf certificates, the server's verification of the client certificate, and resumption.
 */
export type CheckName =
  | 'protocol'
  | 'cipher suite'
  | 'group'
  | 'server key type'
  | 'client certificate'
  | 'client key type'
  | 'resumption'
  | 'resumption mechanism';

/** One comparison of what a cell requested with what its connections negotiated. */
export interface CellCheck {
  name: CheckName;
  phase: CheckPhase;
  /** The requested value, for example `TLSv1.3` or `at least 95% resumed`. */
  expected: string;
  /** What the connections showed, with counts, for example `negotiated TLSv1.3 on 20 of 20 handshakes`. */
  actual: string;
  passed: boolean;
}

/** CPU per operation in microseconds (user plus system), from `process.cpuUsage` on each side. */
export interface CpuPerOp {
  /** Null for a target, whose process mtls-bench does not run and cannot measure. */
  serverUsPerOp: number | null;
  clientUsPerOp: number;
}

interface CellResultBase {
  id: string;
  baselineId: string | null;
  scenario: CellScenario;
  /** Wall time the measurement window took, in milliseconds. */
  durationMs: number;
  /**
   * Checks of the warm-up connections, then of the measured ones. Empty when the cell failed
   * before any connection completed.
   */
  checks: CellCheck[];
  /**
   * Enforcement probes of the cell's server, run before anything was measured: `mtls` cells
   * only, empty for `tls` cells and for cells whose server never started.
   */
  probes: ProbeOutcome[];
}

/** One measured round of a cell, kept next to the merged histograms so that comparisons see the spread. */
export interface RoundResult {
  /** Wall time of the round's measurement window, in milliseconds. */
  durationMs: number;
  /** Operations completed in the round: handshakes, or 2xx responses. */
  count: number;
  /** The round's value of every metric that applies to the cell's workload. */
  values: MetricValues;
}

/** A cell that ran to the end. */
export interface MeasuredCell extends CellResultBase {
  state: 'measured';
  /**
   * The measured rounds in the order they ran. The cell's other numbers are the rounds merged:
   * histograms added together, counts summed, rates and CPU per operation over all rounds.
   */
  rounds: RoundResult[];
  negotiated: Negotiated | null;
  handshake?: HandshakeResults;
  requests?: RequestsResults;
  /** The echo server's counts, or null for a target, whose side mtls-bench cannot see. */
  server: ServerCounts | null;
  cpu: CpuPerOp;
  /**
   * The load generator's CPU over the measured rounds: `cpuShare` is CPU time over wall time (1 is
   * one core busy), and `bound` is true above 0.9. The drivers run on one thread, so a bound
   * client set the pace, and the cell's rate and latency show its limit as much as the server's.
   */
  client: ClientLoad;
  /** Minimum crypto cost of a full handshake on each side, from the micro-benchmark. Handshake cells only. */
  cryptoFloorUs?: { serverUs: number; clientUs: number };
}

/**
 * A cell that could not be measured, whose connections failed a check (`error.code` is
 * `CHECK_FAILED`), or whose server accepted a wrong client (`PROBE_FAILED`). Its numbers are
 * not reported.
 */
export interface FailedCell extends CellResultBase {
  state: 'failed';
  error: { code: string; message: string };
}

export type CellResult = MeasuredCell | FailedCell;

/** The whole results file. */
export interface RunResults {
  schemaVersion: typeof RESULTS_SCHEMA_VERSION;
  environment: Environment;
  /** ISO 8601 timestamps of the run. */
  startedAt: string;
  finishedAt: string;
  /** True when bounds were shortened with `--quick`. */
  quick: boolean;
  /** `--filter` text the run used, or null. */
  filter: string | null;
  /** Measured rounds per cell that the run asked for, after a discarded warm-up. */
  rounds: number;
  suite: ResolvedSuite;
  cryptoFloor: CryptoFloor | null;
  /**
   * Set when the run was stopped before every cell ran, as by Ctrl-C: `cells` then holds only
   * the cells that finished. Null for a complete run; absent in files from before it existed.
   */
  partial?: PartialRun | null;
  cells: CellResult[];
}

/** Stop record of a run that did not finish. */
export interface PartialRun {
  /** Signal that stopped it: `SIGINT` or `SIGTERM` from the command line. */
  stoppedBy: string;
  /** Cells the run set out to measure; `cells` has the ones that finished. */
  cellsPlanned: number;
}
