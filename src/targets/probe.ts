import net from 'node:net';

import { generateProbeCertificates } from '../pki/probe-certs.ts';
import type { ProbeCertificates } from '../pki/probe-certs.ts';
import { runProbes } from '../probes/run-probes.ts';
import type { ProbeOutcome } from '../probes/types.ts';
import type { ResolvedTarget, TlsScenario } from '../scenario/types.ts';
import type { TargetMaterial } from './files.ts';

/**
 * Generates the wrong client certificates for a target: under `target.caKey` when it is set, so
 * that all five wrong clients run, and otherwise only the ones that need no key of the
 * target's CA (no certificate, another CA).
 */
export function generateTargetProbeCertificates(material: TargetMaterial): Promise<ProbeCertificates> {
  return generateProbeCertificates({
    caCertPem: material.caSigner?.certPem ?? material.caPem,
    caKeyPem: material.caSigner?.keyPem ?? null,
    leafKeyType: material.clientKeyType,
  });
}

/**
 * Probes the target's mTLS port with the TLS settings of one scenario, speaking the target's
 * protocol after each handshake. The client certificate of `target.cert` is the valid client.
 * Never rejects: a failed connection is an outcome.
 */
export async function probeTarget(
  target: ResolvedTarget,
  material: TargetMaterial,
  probeCertificates: ProbeCertificates,
  tls: TlsScenario,
): Promise<ProbeOutcome[]> {
  const outcomes = await runProbes(
    {
      host: target.host,
      port: target.port,
      // An IP address is left out because Node warns when SNI is set to one. The probe then
      // checks the server certificate against `host`.
      ...(net.isIP(target.servername) === 0 ? { servername: target.servername } : {}),
      ca: material.caPem,
      tls: { ...tls, auth: 'mtls' },
      rightClient: { certChainPem: material.certChainPem, keyPem: material.keyPem },
      protocol: target.protocol,
    },
    probeCertificates,
  );
  if (material.caSigner !== null) return outcomes;
  return outcomes.map((outcome) =>
    outcome.actual === 'skipped'
      ? { ...outcome, detail: "target.caKey is not set, and this probe's certificate must be issued by the target's CA" }
      : outcome,
  );
}
