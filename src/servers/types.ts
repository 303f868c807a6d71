import type { CertificateSet } from '../pki/types.ts';
import type { SimulatedSlowdown, TlsScenario } from '../scenario/types.ts';

/** What an echo server child needs to start: the TLS settings and the PEM material. */
export interface EchoServerConfig {
  tls: TlsScenario;
  certs: CertificateSet;
  /** Bytes in each HTTPS response body when the request has none. Default 64. */
  payloadBytes: number;
  /** Server CPU to burn inside every handshake, as a testing aid. Default: none (undefined or null). */
  simulate?: SimulatedSlowdown | null;
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

/**
 * Connections that negotiated the same parameters, as one side saw them, and their number.
 * Each side counts its connections per distinct set of values, so a window of thousands of
 * handshakes comes back as a handful of entries.
 */
export interface NegotiationCount {
  /** `TLSv1.2` or `TLSv1.3`, from `getProtocol()`. */
  protocol: string | null;
  /** OpenSSL name of the cipher suite, from `getCipher().name`. */
  cipherSuite: string | null;
  /** Whether the handshake resumed a session, from `isSessionReused()`. */
  resumed: boolean;
  /**
   * Key-exchange group of a full handshake on the client side: this project's spelling
   * (`x25519`, `p-256`, `p-384`), OpenSSL's name for any other group, or `none` without an
   * ephemeral key exchange. Null for resumed handshakes, and on the server side, where Node 20's
   * `getEphemeralKeyInfo()` returns null.
   */
  group: string | null;
  /**
   * Key type of the peer's leaf certificate on a sampled full handshake: a project key type,
   * `unknown` for another key, `none` when the peer sent no certificate. Null on full handshakes
   * that were not sampled (see `PEER_CERT_SAMPLE_INTERVAL`) and on resumed ones.
   */
  peerKeyType: string | null;
  /**
   * Server side: `socket.authorized`, which Node sets only when the server requested a client
   * certificate and it verified. On a resumed handshake it is the verification stored in the
   * session. Null on the client side.
   */
  clientCertVerified: boolean | null;
  /** Connections with exactly these values. */
  count: number;
}

/** Server-side counters over one measurement window. */
export interface ServerWindowStats {
  /** Completed handshakes, split by whether OpenSSL resumed a session. */
  handshakes: { full: number; resumed: number };
  /** Full handshakes in which the client presented a certificate that verified. */
  clientCertsVerified: number;
  /** CPU time the server process used over the window, in microseconds (`process.cpuUsage`). */
  cpuUs: { user: number; system: number };
  /** Window length in microseconds, from `process.hrtime.bigint()`. */
  windowUs: number;
  /** Failed handshakes and socket errors, by error code. */
  errors: Record<string, number>;
  /** Every completed handshake of the window, counted per distinct negotiated values. */
  negotiations: NegotiationCount[];
}
