import { MtlsBenchError } from '../errors.ts';
import { generateProbeCertificatesFor } from '../pki/probe-certs.ts';
import type { ProbeCertificates } from '../pki/probe-certs.ts';
import type { CertificateSet } from '../pki/types.ts';
import type { TlsScenario } from '../scenario/types.ts';
import type { EchoServerHandle } from '../servers/spawn.ts';
import { LOOPBACK_HOST } from '../servers/tls-options.ts';
import { runProbes } from './run-probes.ts';
import type { ProbeOutcome } from './types.ts';

/** Probe certificates of one run, generated once per certificate set. */
export interface ProbeCertificateCache {
  /**
   * Returns the probe certificates for `set`, generating them on the first call for that set
   * object. Concurrent calls share one generation, and a failed generation is not kept, so a
   * later call tries again.
   */
  get(set: CertificateSet): Promise<ProbeCertificates>;
}

/**
 * Creates an empty cache. It is keyed by the set object, which a `PkiFactory` returns the
 * same for every cell of one combination. A new cache per run gives every run fresh probe
 * certificates.
 */
export function createProbeCertificateCache(): ProbeCertificateCache {
  const generated = new WeakMap<CertificateSet, Promise<ProbeCertificates>>();
  return {
    get(set) {
      const cached = generated.get(set);
      if (cached !== undefined) return cached;

      const pending = generateProbeCertificatesFor(set);
      generated.set(set, pending);
      pending.catch(() => generated.delete(set));
      return pending;
    },
  };
}

/**
 * Probes the raw TLS listener of an echo server started for `tls` with `certs`. Its HTTPS
 * listener is built from the same server options, so it enforces the same. The probes add
 * failed handshakes to the server's error counters, so call this before `beginWindow()`.
 * Throws `MtlsBenchError` with code `INVALID_ARGUMENT` for a scenario without client
 * authentication, whose server is meant to accept every client.
 */
export function probeEchoServer(
  server: Pick<EchoServerHandle, 'ports'>,
  tls: TlsScenario,
  certs: CertificateSet,
  material: ProbeCertificates,
): Promise<ProbeOutcome[]> {
  if (tls.auth !== 'mtls') {
    throw new MtlsBenchError('INVALID_ARGUMENT', `probeEchoServer: tls.auth is "${tls.auth}"; only mtls servers are probed`);
  }
  return runProbes(
    {
      host: LOOPBACK_HOST,
      port: server.ports.tls,
      ca: certs.caPem,
      tls,
      rightClient: { certChainPem: certs.clientChainPem, keyPem: certs.client.keyPem },
      protocol: 'tls',
    },
    material,
  );
}
