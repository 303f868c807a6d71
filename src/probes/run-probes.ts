import type { ProbeCertificate, ProbeCertificates } from '../pki/probe-certs.ts';
import { probeConnection } from './probe-connection.ts';
import type { ConnectionVerdict } from './probe-connection.ts';
import type { ProbeClient, ProbeName, ProbeOutcome, ProbeTarget } from './types.ts';

/**
 * Limit on one probe connection. A verdict on loopback takes milliseconds, and the margin is
 * for a slow RSA-4096 handshake on a busy machine.
 */
export const DEFAULT_PROBE_TIMEOUT_MS = 5_000;

/** Input of one probe: no certificate, a certificate, or the reason it was skipped. */
type ProbeInput = { client: ProbeClient | null } | { skipped: string };

/**
 * Connects to `target` once per probe, one probe at a time, and returns the outcomes in
 * `PROBE_NAMES` order: the five wrong clients, each expected to be rejected, then the valid
 * client, expected to be accepted. The valid client is the control: a server that rejects
 * every client also rejects the wrong ones, so their passes mean something only when
 * `right-certificate` passes too. Never rejects: every failure is an outcome.
 */
export async function runProbes(target: ProbeTarget, material: ProbeCertificates): Promise<ProbeOutcome[]> {
  const inputs: [ProbeName, ProbeInput][] = [
    ['no-certificate', { client: null }],
    ['other-ca', inputOf(material.otherCa)],
    ['expired', inputOf(material.expired)],
    ['server-auth-only', inputOf(material.serverAuthOnly)],
    ['unsent-intermediate', inputOf(material.unsentIntermediate)],
    ['right-certificate', { client: target.rightClient }],
  ];

  const outcomes: ProbeOutcome[] = [];
  for (const [name, input] of inputs) {
    const expected = name === 'right-certificate' ? 'accepted' : 'rejected';
    if ('skipped' in input) {
      outcomes.push({ name, expected, actual: 'skipped', passed: false, code: null, detail: input.skipped });
      continue;
    }
    const verdict = await probeConnection({
      host: target.host,
      port: target.port,
      servername: target.servername,
      ca: target.ca,
      tls: target.tls,
      client: input.client,
      protocol: target.protocol ?? 'tls',
      timeoutMs: target.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS,
    });
    outcomes.push(outcomeOf(name, expected, verdict));
  }
  return outcomes;
}

/** Returns the probes that ran and did not get the expected result. Skipped probes are not among them. */
export function failedProbes(outcomes: readonly ProbeOutcome[]): ProbeOutcome[] {
  return outcomes.filter((outcome) => !outcome.passed && outcome.actual !== 'skipped');
}

function inputOf(certificate: ProbeCertificate): ProbeInput {
  if (certificate.state === 'skipped') return { skipped: certificate.reason };
  return { client: { certChainPem: certificate.certChainPem, keyPem: certificate.keyPem } };
}

function outcomeOf(name: ProbeName, expected: ProbeOutcome['expected'], verdict: ConnectionVerdict): ProbeOutcome {
  const outcome: ProbeOutcome = {
    name,
    expected,
    actual: verdict.actual,
    passed: verdict.actual === expected,
    code: verdict.code,
  };
  if (verdict.detail !== undefined) outcome.detail = verdict.detail;
  return outcome;
}
