import type { TLSSocket } from 'node:tls';
import { NegotiationTally, peerKeyTypeOf, peerX509CertificateOf } from '../checks/tally.ts';
import type { ServerWindowStats } from './types.ts';

/** Counters of one echo server child over one measurement window. */
export class ServerWindow {
  readonly #negotiations = new NegotiationTally();
  readonly #errors = new Map<string, number>();
  #startNs = process.hrtime.bigint();
  #startCpu = process.cpuUsage();

  /** Resets every counter and starts the CPU and wall clocks of a new window. */
  begin(): void {
    this.#negotiations.clear();
    this.#errors.clear();
    this.#startNs = process.hrtime.bigint();
    this.#startCpu = process.cpuUsage();
  }

  /**
   * Counts a completed handshake. Called from `secureConnection`, so it reads only cheap fields,
   * and the client certificate on sampled full handshakes only (see `PEER_CERT_SAMPLE_INTERVAL`).
   */
  recordHandshake(socket: TLSSocket): void {
    const resumed = socket.isSessionReused();
    const peerKeyType = !resumed && this.#negotiations.peerCertDue() ? peerKeyTypeOf(peerX509CertificateOf(socket)) : null;
    this.#negotiations.add({
      protocol: socket.getProtocol(),
      cipherSuite: socket.getCipher()?.name ?? null,
      resumed,
      group: null,
      peerKeyType,
      clientCertVerified: socket.authorized,
    });
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
    const negotiations = this.#negotiations.counts();

    let full = 0;
    let resumed = 0;
    let clientCertsVerified = 0;
    for (const entry of negotiations) {
      if (entry.resumed) {
        resumed += entry.count;
        continue;
      }
      full += entry.count;
      // A resumed handshake restores the client certificate from the session without the
      // client sending it, so only full handshakes count as verified certificates.
      if (entry.clientCertVerified === true) clientCertsVerified += entry.count;
    }

    return {
      handshakes: { full, resumed },
      clientCertsVerified,
      cpuUs: { user: cpu.user, system: cpu.system },
      windowUs,
      errors: Object.fromEntries(this.#errors),
      negotiations,
    };
  }
}
