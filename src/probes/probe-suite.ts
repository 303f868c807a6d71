import { createPkiFactory } from '../pki/factory.ts';
import type { Cell, ResolvedTarget, TlsScenario } from '../scenario/types.ts';
import { startEchoServer } from '../servers/spawn.ts';
import { loadTargetMaterial } from '../targets/files.ts';
import { generateTargetProbeCertificates, probeTarget } from '../targets/probe.ts';
import { createProbeCertificateCache, probeEchoServer } from './echo-server.ts';
import type { ConfigurationProbes } from './types.ts';

/** Bytes of the HTTPS listener's default response body. The probes of the raw TLS listener never read one. */
const PAYLOAD_BYTES = 64;

/** One mTLS server configuration to probe. */
export interface ProbeConfiguration {
  /**
   * Cell id without its workload, for example `ecdsa-p256/tls1.3/default/x25519/none/d0/mtls`,
   * or `127.0.0.1:18443/ecdsa-p256/tls1.3/default/x25519/none/mtls` for a target.
   */
  configuration: string;
  tls: TlsScenario;
}

/**
 * Returns the distinct mTLS server configurations of `cells`, in order of first appearance.
 * Cells that differ only in their workload share one configuration, and `tls` cells have none.
 */
export function mtlsConfigurationsOf(cells: readonly Cell[]): ProbeConfiguration[] {
  const configurations = new Map<string, ProbeConfiguration>();
  for (const cell of cells) {
    if (cell.tls.auth !== 'mtls') continue;
    const key = JSON.stringify(cell.tls);
    if (configurations.has(key)) continue;

    const workloadPrefix = `${cell.workload.name}/`;
    const configuration = cell.id.startsWith(workloadPrefix) ? cell.id.slice(workloadPrefix.length) : cell.id;
    configurations.set(key, { configuration, tls: cell.tls });
  }
  return [...configurations.values()];
}

/**
 * Probes each configuration against its own echo server child, one after another. Generates
 * one certificate set and one set of probe certificates per key-type and chain-depth
 * combination, all in memory. Each server is stopped before the next one starts, also when
 * probing fails. Throws `MtlsBenchError` with code `SERVER_FAILED` when a server cannot start.
 */
export async function probeConfigurations(configurations: readonly ProbeConfiguration[]): Promise<ConfigurationProbes[]> {
  const pki = createPkiFactory();
  const probeCertificates = createProbeCertificateCache();
  const results: ConfigurationProbes[] = [];

  for (const { configuration, tls } of configurations) {
    const certs = await pki.get(tls.serverKeyType, tls.clientKeyType, tls.chainDepth);
    const material = await probeCertificates.get(certs);
    const server = await startEchoServer({ tls, certs, payloadBytes: PAYLOAD_BYTES });
    try {
      results.push({ configuration, tls, outcomes: await probeEchoServer(server, tls, certs, material) });
    } finally {
      await server.stop();
    }
  }
  return results;
}

/**
 * Probes the target's mTLS port once per configuration, one after another, with the TLS
 * settings of each. Reads and checks the target's files first, throwing InvalidSuiteError
 * (named after `suiteFile`) when one no longer passes. Generates the probe certificates once.
 */
export async function probeTargetConfigurations(
  target: ResolvedTarget,
  suiteFile: string,
  configurations: readonly ProbeConfiguration[],
): Promise<ConfigurationProbes[]> {
  const material = loadTargetMaterial(target, suiteFile);
  const probeCertificates = await generateTargetProbeCertificates(material);
  const results: ConfigurationProbes[] = [];
  for (const { configuration, tls } of configurations) {
    results.push({ configuration, tls, outcomes: await probeTarget(target, material, probeCertificates, tls) });
  }
  return results;
}
