import type { X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import { keyTypeOfPublicKey } from '../pki/keys.ts';
import type { TlsScenario } from '../scenario/types.ts';
import { groupListOf } from './tls-options.ts';
import type { Negotiated, ServerWindowStats } from './types.ts';

/**
 * Returns the group a server negotiated, derived from its configuration, because Node 20's
 * `getEphemeralKeyInfo()` returns null on server sockets.
 *
 * The derivation holds only when the server's groups list has a single entry. OpenSSL clients,
 * Node's included, offer only psk_dhe_ke by default, so every TLS 1.3 handshake with them,
 * resumed or not, runs ECDHE in that group.
 * A TLS 1.2 full handshake does too when the suite is ECDHE. A resumed TLS 1.2 handshake
 * exchanges no key, and the other cases cannot be distinguished, so they give null.
 */
export function serverGroupOf(tls: TlsScenario, protocol: string | null, cipherSuite: string | null, reused: boolean): string | null {
  if (groupListOf(tls, 'server').includes(':')) {
    return null;
  }
  if (protocol === 'TLSv1.3') {
    return tls.group;
  }
  if (protocol === 'TLSv1.2' && !reused && cipherSuite !== null && cipherSuite.startsWith('ECDHE-')) {
    return tls.group;
  }
  return null;
}

/** Counters of one echo server child over one measurement window. */
export class ServerWindow {
  readonly #tls: TlsScenario;
  #full = 0;
  #resumed = 0;
  #clientCertsVerified = 0;
  #errors = new Map<string, number>();
  #startNs = process.hrtime.bigint();
  #startCpu = process.cpuUsage();

  // The last handshake is kept as a few cheap fields rather than the socket, because a closed
  // socket returns null from getProtocol() and nothing from getPeerX509Certificate().
  #hasLast = false;
  #lastProtocol: string | null = null;
  #lastCipherSuite: string | null = null;
  #lastReused = false;
  #lastPeerCert: X509Certificate | undefined = undefined;

  constructor(tls: TlsScenario) {
    this.#tls = tls;
  }

  /** Resets every counter and starts the CPU and wall clocks of a new window. */
  begin(): void {
    this.#full = 0;
    this.#resumed = 0;
    this.#clientCertsVerified = 0;
    this.#errors.clear();
    this.#hasLast = false;
    this.#lastPeerCert = undefined;
    this.#startNs = process.hrtime.bigint();
    this.#startCpu = process.cpuUsage();
  }

  /** Counts a completed handshake. Called from `secureConnection`, so it stays cheap. */
  recordHandshake(socket: TLSSocket): void {
    const reused = socket.isSessionReused();
    if (reused) {
      this.#resumed++;
    } else {
      this.#full++;
      // A resumed handshake restores the client certificate from the session without the
      // client sending it, so only full handshakes count as verified certificates. With
      // requestCert on, Node sets `authorized` only when a certificate was presented.
      if (this.#tls.auth === 'mtls' && socket.authorized) {
        this.#clientCertsVerified++;
      }
    }

    this.#hasLast = true;
    this.#lastReused = reused;
    this.#lastProtocol = socket.getProtocol();
    this.#lastCipherSuite = socket.getCipher()?.name ?? null;
    // Wrapping the peer certificate is cheap. Decoding its key waits until end().
    this.#lastPeerCert = this.#tls.auth === 'mtls' ? socket.getPeerX509Certificate() : undefined;
  }

  /** Counts a failed handshake or a socket error by its code. */
  recordError(error: Error & { code?: unknown }): void {
    const code = typeof error.code === 'string' ? error.code : error.name;
    this.#errors.set(code, (this.#errors.get(code) ?? 0) + 1);
  }

  /** Returns the counters since `begin()` (or since the window was created). */
  end(): ServerWindowStats {
    const cpu = process.cpuUsage(this.#startCpu);
    const windowUs = Number((process.hrtime.bigint() - this.#startNs) / 1000n);
    return {
      handshakes: { full: this.#full, resumed: this.#resumed },
      clientCertsVerified: this.#clientCertsVerified,
      cpuUs: { user: cpu.user, system: cpu.system },
      windowUs,
      errors: Object.fromEntries(this.#errors),
      lastNegotiated: this.#hasLast ? this.#lastNegotiated() : null,
    };
  }

  #lastNegotiated(): Negotiated {
    return {
      protocol: this.#lastProtocol,
      cipherSuite: this.#lastCipherSuite,
      group: serverGroupOf(this.#tls, this.#lastProtocol, this.#lastCipherSuite, this.#lastReused),
      peerKeyType: this.#lastPeerCert === undefined ? null : keyTypeOfPublicKey(this.#lastPeerCert.publicKey),
    };
  }
}
