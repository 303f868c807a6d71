import type { CertificateSet } from '../pki/types.ts';
import type { TlsScenario } from '../scenario/types.ts';

/** What an echo server child needs to start: the TLS settings and the PEM material. */
export interface EchoServerConfig {
  tls: TlsScenario;
  certs: CertificateSet;
  /** Bytes in each HTTPS response body when the request has none. Default 64. */
  payloadBytes: number;
}

/** Negotiated parameters of one connection, as one side saw them. */
export interface Negotiated {
  /** `TLSv1.2` or `TLSv1.3`, as `TLSSocket.getProtocol()` returns it. */
  protocol: string | null;
  /** OpenSSL name of the cipher suite, from `getCipher().name` (IANA names for TLS 1.3). */
  cipherSuite: string | null;
  /** Key-exchange group in this project's spelling (`x25519`, `p-256`, `p-384`), or null when unknown. */
  group: string | null;
  /** Key type of the peer's leaf certificate in this project's spelling, or null when there is none. */
  peerKeyType: string | null;
}

/** Server-side counters over one measurement window. */
export interface ServerWindowStats {
  /** Completed handshakes, split by whether OpenSSL resumed a session. */
  handshakes: { full: number; resumed: number };
  /** Handshakes in which the client presented a certificate that verified. */
  clientCertsVerified: number;
  /** CPU time the server process used over the window, in microseconds (`process.cpuUsage`). */
  cpuUs: { user: number; system: number };
  /** Window length in microseconds, from `process.hrtime.bigint()`. */
  windowUs: number;
  /** Failed handshakes and socket errors, by error code. */
  errors: Record<string, number>;
  /** What the server negotiated on the last connection of the window, or null when there was none. */
  lastNegotiated: Negotiated | null;
}
