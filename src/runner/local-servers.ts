import { MtlsBenchError } from '../errors.ts';
import type { CertificateSet } from '../pki/types.ts';
import { probeEchoServer } from '../probes/echo-server.ts';
import type { ProbeCertificateCache } from '../probes/echo-server.ts';
import type { ProbeOutcome } from '../probes/types.ts';
import type { SimulatedSlowdown, TlsScenario } from '../scenario/types.ts';
import { startEchoServer } from '../servers/spawn.ts';
import type { EchoServerHandle } from '../servers/spawn.ts';
import type { GroupPreparer } from './cell-loop.ts';
import type { RunEventListener } from './events.ts';
import { echoServerEndpoint } from './measure-cell.ts';

/**
 * Probes an mTLS server before any of its cells measures. Returns the outcomes, or the error
 * that kept the probes from running.
 */
async function probeServer(
  server: EchoServerHandle,
  tls: TlsScenario,
  certs: CertificateSet,
  probeCertificates: ProbeCertificateCache,
): Promise<ProbeOutcome[] | Error> {
  try {
    return await probeEchoServer(server, tls, certs, await probeCertificates.get(certs));
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

/** The certificate set as a server child receives it: the root's private key stays in this process. */
function withoutRootKey(set: CertificateSet): CertificateSet {
  const { rootKeyPem: _rootKeyPem, ...rest } = set;
  return rest;
}

async function startServers(
  scenarios: TlsScenario[],
  certsFor: (tls: TlsScenario) => Promise<CertificateSet>,
  payloadBytes: number,
  simulate: SimulatedSlowdown | null,
): Promise<Map<TlsScenario, EchoServerHandle>> {
  const servers = new Map<TlsScenario, EchoServerHandle>();
  const started = await Promise.allSettled(
    scenarios.map(async (tls) => {
      const server = await startEchoServer({ tls, certs: withoutRootKey(await certsFor(tls)), payloadBytes, simulate });
      servers.set(tls, server);
    }),
  );
  const failure = started.find((outcome) => outcome.status === 'rejected');
  if (failure !== undefined) {
    await Promise.all([...servers.values()].map((server) => server.stop()));
    throw (failure as PromiseRejectedResult).reason;
  }
  return servers;
}

function sameTls(a: TlsScenario, b: TlsScenario): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Prepares each group by starting one echo server child per auth mode, with the group's
 * certificate set and the suite's simulated slowdown (or null), and probing the mTLS one.
 */
export function echoServerPreparer(
  certsFor: (tls: TlsScenario) => Promise<CertificateSet>,
  probeCertificates: ProbeCertificateCache,
  emit: RunEventListener,
  simulate: SimulatedSlowdown | null,
): GroupPreparer {
  return async (group) => {
    const payloadBytes = Math.max(...group.cells.map((cell) => cell.workload.payloadBytes));
    const servers = await startServers(group.servers, certsFor, payloadBytes, simulate);

    const probesByServer = new Map<EchoServerHandle, ProbeOutcome[] | Error>();
    const probe = async (tls: TlsScenario, server: EchoServerHandle): Promise<void> => {
      if (tls.auth !== 'mtls') return;
      emit({ type: 'phase', message: `probing the mTLS server of ${group.cells[0]?.id ?? 'this group'}` });
      probesByServer.set(server, await probeServer(server, tls, await certsFor(tls), probeCertificates));
    };
    for (const [tls, server] of servers) await probe(tls, server);

    const restartErrors = new Map<TlsScenario, unknown>();
    const serverOf = (tls: TlsScenario): EchoServerHandle => {
      const server = [...servers].find(([serverTls]) => sameTls(serverTls, tls))?.[1];
      const restartError = [...restartErrors].find(([serverTls]) => sameTls(serverTls, tls))?.[1];
      if (server === undefined && restartError !== undefined) throw restartError;
      if (server === undefined) throw new MtlsBenchError('RUN_FAILED', 'no server was started for this cell');
      return server;
    };
    return {
      async contextFor(cell) {
        const server = serverOf(cell.tls);
        return { endpoint: echoServerEndpoint(server, await certsFor(cell.tls)), server };
      },
      probesFor(cell) {
        return probesByServer.get(serverOf(cell.tls));
      },
      async recover() {
        for (const [tls, server] of servers) {
          if (server.exit === null) continue;
          servers.delete(tls);
          emit({ type: 'phase', message: `restarting the echo server that exited with ${server.exit.signal ?? `code ${server.exit.code}`}` });
          try {
            const fresh = await startEchoServer({ tls, certs: withoutRootKey(await certsFor(tls)), payloadBytes, simulate });
            servers.set(tls, fresh);
            await probe(tls, fresh);
          } catch (error) {
            // The cells that need this server fail with the reason, through serverOf.
            restartErrors.set(tls, error);
          }
        }
      },
      async release() {
        await Promise.all([...servers.values()].map((server) => server.stop()));
      },
    };
  };
}
