import type { TlsScenario } from '../scenario/types.ts';

/** The probes in the order they run: five wrong clients, then the valid client as the control. */
export const PROBE_NAMES = [
  'no-certificate',
  'other-ca',
  'expired',
  'server-auth-only',
  'unsent-intermediate',
  'right-certificate',
] as const;
export type ProbeName = (typeof PROBE_NAMES)[number];

/**
 * Result of one probe. `timeout` is neither accepted nor rejected. `error`
 * means the probe could not tell: the TCP connection failed, or this client rejected the
 * server's certificate before the server had decided about the client's.
 */
export type ProbeResult = 'accepted' | 'rejected' | 'skipped' | 'timeout' | 'error';

/** Outcome of one probe. */
export interface ProbeOutcome {
  name: ProbeName;
  expected: 'rejected' | 'accepted';
  actual: ProbeResult;
  /** True when `actual` equals `expected`, so false for a skipped probe too (`actual` is then `skipped`). */
  passed: boolean;
  /**
   * Error or alert code the client saw, for example `ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED`,
   * `ECONNRESET`, `ETIMEDOUT`, or `HTTP_400` for an HTTPS server that rejects the client in
   * its response. Null when the server accepted the client or the probe was skipped.
   */
  code: string | null;
  /** Error message, HTTP status line or the reason a probe was skipped. */
  detail?: string;
}

/** Application protocol spoken after the handshake, to learn whether the server accepted the client. */
export type ProbeProtocol = 'tls' | 'https';

/** A client certificate chain with its key, both PEM. */
export interface ProbeClient {
  /** Leaf first, then the intermediates the client sends. */
  certChainPem: string;
  keyPem: string;
}

/** A server to probe and how to reach it. */
export interface ProbeTarget {
  host: string;
  port: number;
  /**
   * Name for SNI and for checking the server's certificate. Default: `host`, which for an IP
   * address means no SNI and a check against the certificate's IP entries.
   */
  servername?: string;
  /** CA certificates (PEM) that verify the server. Verification stays on in every probe. */
  ca: string;
  /** TLS version, cipher suite and group of every probe connection, as a benchmark client sets them. */
  tls: TlsScenario;
  /** The valid client, for the `right-certificate` probe. */
  rightClient: ProbeClient;
  /**
   * `tls` writes one byte and waits for it to come back (the echo listener). `https` sends
   * `GET / HTTP/1.1` and waits for the status line. Default `tls`.
   */
  protocol?: ProbeProtocol;
  /** Limit on one probe connection, from connect to a verdict, in milliseconds. Default 5000. */
  timeoutMs?: number;
}

/** Probe outcomes of one server configuration. */
export interface ConfigurationProbes {
  /** The configuration as in cell ids without the workload, for example `ecdsa-p256/tls1.3/default/x25519/none/d0/mtls`. */
  configuration: string;
  tls: TlsScenario;
  outcomes: ProbeOutcome[];
}
