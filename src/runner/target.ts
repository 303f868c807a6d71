import { MtlsBenchError } from '../errors.ts';
import type { ProbeCertificates } from '../pki/probe-certs.ts';
import type { ProbeOutcome } from '../probes/types.ts';
import type { ResolvedTarget, TlsScenario } from '../scenario/types.ts';
import type { TargetMaterial } from '../targets/files.ts';
import { probeTarget } from '../targets/probe.ts';
import type { GroupPreparer } from './cell-loop.ts';
import type { RunEventListener } from './events.ts';
import type { CellEndpoint } from './measure-cell.ts';

/** Returns where the cells of one auth mode connect: the mTLS port, or the baseline port for `tls`. */
function targetEndpoint(target: ResolvedTarget, material: TargetMaterial, tls: TlsScenario): CellEndpoint {
  const port = tls.auth === 'mtls' ? target.port : target.baselinePort;
  if (port === null) {
    // The loader rejects auth: tls without a baseline port, so only a suite built past it gets here.
    throw new MtlsBenchError('INVALID_ARGUMENT', 'target.baselinePort is not set, so auth: tls cells have no port to connect to');
  }
  return {
    host: target.host,
    servername: target.servername,
    handshakePort: port,
    handshakeProtocol: target.protocol,
    requestsPort: port,
    // A target serves `/` as it likes and may reject POST (nginx responds 405 for a static file).
    requestsMethod: 'GET',
    certs: material,
  };
}

/**
 * Prepares each group of a suite with a target: nothing to start, so only the probes of the
 * target's mTLS port run, once per TLS configuration of the group, before its cells measure.
 */
export function targetPreparer(
  target: ResolvedTarget,
  material: TargetMaterial,
  probeCertificates: ProbeCertificates,
  emit: RunEventListener,
): GroupPreparer {
  return async (group) => {
    let probes: ProbeOutcome[] | Error | undefined;
    const mtls = group.servers.find((tls) => tls.auth === 'mtls');
    if (mtls !== undefined) {
      emit({ type: 'phase', message: `probing the target for ${group.cells[0]?.id ?? 'this group'}` });
      try {
        probes = await probeTarget(target, material, probeCertificates, mtls);
      } catch (error) {
        probes = error instanceof Error ? error : new Error(String(error));
      }
    }
    return {
      async contextFor(cell) {
        return { endpoint: targetEndpoint(target, material, cell.tls), server: null };
      },
      probesFor(cell) {
        return cell.tls.auth === 'mtls' ? probes : undefined;
      },
      async release() {},
    };
  };
}
