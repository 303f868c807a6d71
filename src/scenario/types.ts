import type { MetricName } from '../results/metrics.ts';

/**
 * Resolved suite types: what the loader returns after every default is filled in and every
 * cross-field rule is checked. Authors write the looser input type (`SuiteInput`, from the
 * zod schema in `schema.ts`); nothing downstream of the loader ever sees that one.
 */

export const KEY_TYPES = ['rsa-2048', 'rsa-3072', 'rsa-4096', 'ecdsa-p256', 'ecdsa-p384', 'ed25519'] as const;
export type KeyType = (typeof KEY_TYPES)[number];

export const TLS_VERSIONS = ['tls1.2', 'tls1.3'] as const;
export type TlsVersion = (typeof TLS_VERSIONS)[number];

export const GROUPS = ['x25519', 'p-256', 'p-384'] as const;
export type Group = (typeof GROUPS)[number];

export const RESUMPTION_MODES = ['none', 'tickets', 'session-ids'] as const;
export type Resumption = (typeof RESUMPTION_MODES)[number];

export const AUTH_MODES = ['tls', 'mtls'] as const;
export type Auth = (typeof AUTH_MODES)[number];

export const CHAIN_DEPTHS = [0, 1, 2] as const;
export type ChainDepth = (typeof CHAIN_DEPTHS)[number];

export const TARGET_PROTOCOLS = ['https', 'tls'] as const;
export type TargetProtocol = (typeof TARGET_PROTOCOLS)[number];

export const WORKLOAD_KINDS = ['handshake', 'requests'] as const;
export type WorkloadKind = (typeof WORKLOAD_KINDS)[number];

/** One TLS configuration: everything that decides how a server and its clients are set up. */
export interface TlsScenario {
  serverKeyType: KeyType;
  clientKeyType: KeyType;
  tlsVersion: TlsVersion;
  /**
   * OpenSSL name of the single cipher suite to offer and accept (TLS 1.3 suites keep their
   * IANA names, which OpenSSL uses too), or null for OpenSSL's default list.
   */
  cipherSuite: string | null;
  group: Group;
  resumption: Resumption;
  auth: Auth;
  /** Intermediates between root and leaves. Always 0 in a suite with a target, whose files decide it. */
  chainDepth: ChainDepth;
}

/** New connection per operation: TCP connect, TLS handshake, one echo round trip, close. */
export interface HandshakeWorkload {
  kind: 'handshake';
  name: string;
  /** Connections in flight at once; with `ratePerSec`, the most in flight. Default 1, or 100 with a rate. */
  concurrency: number;
  /**
   * Open-loop arrivals: new connections per second on a fixed schedule, with latency from each
   * connection's intended start. Null: closed loop, where each lane starts its next connection
   * when the previous one ends. Default null.
   */
  ratePerSec: number | null;
  /** Worker threads of the load generator, each with a share of `concurrency` and `ratePerSec`. Default 1. */
  workers: number;
  /** Stop after this many measured handshakes, or null for no count bound. Default null. */
  maxCount: number | null;
  /** Stop after this long, in milliseconds, or null for no time bound. Default 3000. */
  durationMs: number | null;
  /** Handshakes run and discarded before measuring. Default 20. */
  warmupCount: number;
  /** Bytes echoed once per connection after the handshake. Default 1. */
  payloadBytes: number;
}

/** Keep-alive HTTP/1.1 requests through autocannon. */
export interface RequestsWorkload {
  kind: 'requests';
  name: string;
  /** Keep-alive connections. Default 10. */
  connections: number;
  /** Worker threads of the load generator, each running autocannon with a share of `connections` and `rateRps`. Default 1. */
  workers: number;
  /** Requests in flight per connection. Default 1. */
  pipelining: number;
  /** Measurement time in milliseconds. Default 3000. */
  durationMs: number;
  /** Stop after this many measured requests, or null for no count bound. Default null. */
  maxCount: number | null;
  /** Target request rate per second over all connections, or null for as fast as possible. */
  rateRps: number | null;
  /** Warm-up time in milliseconds, discarded. Default 500. */
  warmupMs: number;
  /** Request and response body size in bytes. Default 64. */
  payloadBytes: number;
}

export type Workload = HandshakeWorkload | RequestsWorkload;

/** One matrix combination with one workload: the unit that is measured and reported. */
export interface Cell {
  /**
   * Stable id built from the scenario values, for example
   * `handshake/ecdsa-p256/tls1.3/default/x25519/tickets/d0/mtls`. Split key types read
   * `rsa-2048+ecdsa-p256` (server+client). A cell of a suite with a target names the target
   * after the workload and has no chain depth, because the target's certificates decide it:
   * `handshake/127.0.0.1:18443/ecdsa-p256/tls1.3/default/x25519/tickets/mtls`.
   */
  id: string;
  /** Id of the `tls` cell this `mtls` cell is compared with, or null (baseline cells, or no pair). */
  baselineId: string | null;
  tls: TlsScenario;
  workload: Workload;
}

/**
 * A server the user runs, measured in place of the echo servers mtls-bench starts itself.
 * Paths are absolute; the loader resolves relative ones against the suite file's directory.
 */
export interface ResolvedTarget {
  host: string;
  /** Port that requests a client certificate; `mtls` cells connect here. */
  port: number;
  /** Port doing server-only TLS for `tls` cells, or null when the suite has no `tls` cells. */
  baselinePort: number | null;
  /** SNI name and the name the server certificate is checked against. Default: `host`. */
  servername: string;
  /** `https` (default) for an HTTP server, `tls` for a raw TLS echo server. */
  protocol: TargetProtocol;
  /** PEM file of the CA certificates that verify the server. */
  ca: string;
  /** PEM file of the client certificate chain, leaf first. */
  cert: string;
  /** PEM file of the client certificate's private key. */
  key: string;
  /** PEM file of the private key of a certificate in `ca`, for the probes that issue client certificates, or null. */
  caKey: string | null;
  /** Whether `host` may be other than a loopback address. Default false. */
  allowRemote: boolean;
}

/**
 * A slowdown of known size that the echo servers inject, as a testing aid: it checks that a
 * comparison or CI gate downstream catches a regression of that size. Never part of a real
 * measurement.
 */
export interface SimulatedSlowdown {
  /** Server CPU burnt inside every handshake, full and resumed, in microseconds (1 to 100000). */
  handshakeCpuUs: number;
  /** Servers that burn it, by the auth mode they serve. Default: both. */
  auth: Auth[];
}

/** Suite with every default filled in, as returned by the loader. */
/** Thresholds of `mtls-bench compare` and `run --baseline`, as fractions (0.1 is 10%). */
export interface GateSettings {
  /** Threshold of every metric without one of its own, or null when only the listed metrics are gated. Default 0.1. */
  threshold: number | null;
  /** Thresholds of single metrics; null turns gating off for that metric (`off` in the suite). */
  metrics: Partial<Record<MetricName, number | null>>;
}

export interface ResolvedSuite {
  name: string;
  description: string | null;
  /** Absolute path of the file the suite came from, or null for a suite built in code. */
  sourceFile: string | null;
  /** Every axis with its values after defaults were applied, in matrix order. */
  matrix: {
    serverKeyType: KeyType[];
    clientKeyType: KeyType[];
    tlsVersion: TlsVersion[];
    cipherSuite: (string | null)[];
    group: Group[];
    resumption: Resumption[];
    auth: Auth[];
    chainDepth: ChainDepth[];
  };
  workloads: Workload[];
  /** The user's server that every cell measures, or null for the echo servers mtls-bench starts. */
  target: ResolvedTarget | null;
  /** The injected slowdown, or null (the default) for echo servers that do only their normal work. */
  simulate: SimulatedSlowdown | null;
  /** Measured rounds per cell, each with its share of the workload's bounds. Default 5. */
  rounds: number;
  /** Thresholds of the regression gate. Default: every metric gated at 10%. */
  gate: GateSettings;
  /** Cells in run order; each `mtls` cell comes right after its `tls` baseline when it has one. */
  cells: Cell[];
}
