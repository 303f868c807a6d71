import { X509Certificate } from 'node:crypto';
import type { PeerCertificate, TLSSocket } from 'node:tls';
import { keyTypeOfPublicKey } from '../pki/keys.ts';
import type { NegotiationCount } from '../servers/types.ts';

/**
 * Full handshakes per read of the peer certificate: the first full handshake of a tally is read,
 * then every 64th. Node 20's `getPeerX509Certificate()` builds an `X509Certificate` for every
 * certificate of the peer chain. Called on every handshake of a server child, it raised the
 * median server CPU of a TLS 1.3 mTLS handshake by 150 to 250 µs (10 to 16%) in two runs of 900
 * to 1,500 handshakes. A client call took about 170 µs. Both were measured on Node 20.20 with
 * ECDSA P-256 leaves and one intermediate, on a busy 2-core VM. Sampling brings the cost under
 * 0.3% of a full handshake.
 */
export const PEER_CERT_SAMPLE_INTERVAL = 64;

/**
 * Returns the peer's leaf certificate, or undefined when the peer sent none or the socket has
 * closed. Node 20.20's `getPeerX509Certificate()` leaves about 5 KiB of native memory allocated
 * per call, which no garbage collection frees: in a client `tls.connect` loop, 7,477 calls left
 * 37 MiB more in use in malloc, after `malloc_trim`, than the loop without them. An
 * `X509Certificate` built from the DER bytes of the shallow peer certificate is freed with its
 * object, and it can be read again on the same socket.
 */
export function peerX509CertificateOf(socket: TLSSocket): X509Certificate | undefined {
  // Node returns `{}` when the peer sent no certificate, and null once the socket has closed.
  const certificate = socket.getPeerCertificate(false) as Partial<PeerCertificate> | null;
  return certificate?.raw === undefined ? undefined : new X509Certificate(certificate.raw);
}

/** Values one connection negotiated, as `NegotiationTally.add` takes them. */
export type NegotiationObservation = Omit<NegotiationCount, 'count'>;

/**
 * Counts connections per distinct negotiated values. `add` runs once per handshake on both
 * sides, so it does one string concatenation and one map lookup.
 */
export class NegotiationTally {
  readonly #counts = new Map<string, NegotiationCount>();
  #fullHandshakes = 0;

  /** Whether the next full handshake is one whose peer certificate should be read. */
  peerCertDue(): boolean {
    return this.#fullHandshakes % PEER_CERT_SAMPLE_INTERVAL === 0;
  }

  add(observation: NegotiationObservation, count = 1): void {
    if (!observation.resumed) this.#fullHandshakes += count;
    const { protocol, cipherSuite, resumed, group, peerKeyType, clientCertVerified } = observation;
    const key = `${protocol}|${cipherSuite}|${resumed}|${group}|${peerKeyType}|${clientCertVerified}`;
    const entry = this.#counts.get(key);
    if (entry === undefined) {
      this.#counts.set(key, { protocol, cipherSuite, resumed, group, peerKeyType, clientCertVerified, count });
    } else {
      entry.count += count;
    }
  }

  /** Returns a copy of the counts, in the order their values first appeared. */
  counts(): NegotiationCount[] {
    return [...this.#counts.values()].map((entry) => ({ ...entry }));
  }

  /** Forgets every count and restarts the peer certificate sampling. */
  clear(): void {
    this.#counts.clear();
    this.#fullHandshakes = 0;
  }
}

/** Adds up lists of counts, for example those of a cell's rounds, into one list. */
export function mergeNegotiationCounts(lists: readonly (readonly NegotiationCount[])[]): NegotiationCount[] {
  const tally = new NegotiationTally();
  for (const list of lists) {
    for (const { count, ...observation } of list) tally.add(observation, count);
  }
  return tally.counts();
}

/**
 * Names the key type of a peer's leaf certificate as `NegotiationCount.peerKeyType` spells it:
 * a project key type, `unknown` for a key this project does not generate, `none` without one.
 */
export function peerKeyTypeOf(certificate: X509Certificate | undefined): string {
  if (certificate === undefined) return 'none';
  return keyTypeOfPublicKey(certificate.publicKey) ?? 'unknown';
}
