import { checkCell, describeCheck, failedChecks, PHASE_NAMES } from '../checks/cell-checks.ts';
import type { ClientObservations } from '../checks/types.ts';
import type { CryptoFloor } from '../drivers/crypto-floor.ts';
import type { HandshakeProtocol } from '../drivers/handshake.ts';
import type { EchoServerHandle } from '../servers/spawn.ts';
import type { CertificateSet } from '../pki/types.ts';
import type { Cell } from '../scenario/types.ts';
import type { CellCheck, CellResult, CellScenario, CheckPhase, FailedCell, ServerCounts } from '../results/types.ts';
import { LOOPBACK_HOST } from '../servers/tls-options.ts';
import type { ClientTlsMaterial } from '../servers/tls-options.ts';
import type { ServerWindowStats } from '../servers/types.ts';
import type { MtlsBenchErrorCode } from '../errors.ts';
import { describeClientResourceErrors, splitClientResourceErrors } from '../results/client-errors.ts';

/** Address, ports and certificates that a cell's clients connect with. */
export interface CellEndpoint {
  host: string;
  /** SNI name and the name the server certificate is checked against, or undefined for `host`. */
  servername?: string;
  /** Port and protocol of the handshake workload. */
  handshakePort: number;
  handshakeProtocol: HandshakeProtocol;
  /** HTTPS port of the requests workload. */
  requestsPort: number;
  /** Request method of the requests workload; see `RequestsRunOptions.method`. */
  requestsMethod?: 'GET' | 'POST';
  certs: CertificateSet | ClientTlsMaterial;
}

/** The part of an echo server that counts its side of a measurement window. */
export type ServerWindow = Pick<EchoServerHandle, 'beginWindow' | 'endWindow'>;

/** Input of measuring one cell: the cell, its endpoint, the server's counters and the crypto floor. */
export interface CellContext {
  cell: Cell;
  endpoint: CellEndpoint;
  /** The echo server's window, or null for a target, whose side is not counted. */
  server: ServerWindow | null;
  cryptoFloor: CryptoFloor | null;
  /** Measured rounds; each gets an equal share of the workload's bounds. */
  rounds: number;
}

/**
 * One cell's measurement, taken in steps so that a runner can interleave the rounds of an mTLS
 * cell with those of its baseline.
 */
export interface CellMeasurement {
  /**
   * Runs the discarded warm-up and checks its connections. Returns the failed cell when a check
   * failed or no warm-up operation completed, otherwise null.
   */
  warmUp(): Promise<FailedCell | null>;
  /** Measures the next round. */
  measureRound(): Promise<void>;
  /** Checks the connections of every round together and returns the cell's result. */
  finish(): CellResult;
  /** Releases the measurement's resources, such as worker threads. Called once, however the cell ended. */
  close?(): Promise<void>;
}

/** Returns the endpoint of an echo server: its two listeners on 127.0.0.1 with its generated certificates. */
export function echoServerEndpoint(server: Pick<EchoServerHandle, 'ports'>, certs: CertificateSet): CellEndpoint {
  return {
    host: LOOPBACK_HOST,
    handshakePort: server.ports.tls,
    handshakeProtocol: 'tls',
    requestsPort: server.ports.https,
    certs,
  };
}

/**
 * Runs `work` inside a window of the echo server, or on its own for a target. Returns its
 * result with the server's counts, null for a target.
 */
export async function inWindow<T>(
  server: ServerWindow | null,
  work: () => Promise<T>,
): Promise<{ run: T; stats: ServerWindowStats | null }> {
  if (server === null) return { run: await work(), stats: null };
  await server.beginWindow();
  const run = await work();
  return { run, stats: await server.endWindow() };
}

/** Returns the fields every cell result starts with: its id, its baseline and its scenario. */
export function cellIdentityOf(cell: Cell): Pick<CellResult, 'id' | 'baselineId' | 'scenario'> {
  return { id: cell.id, baselineId: cell.baselineId, scenario: cellScenarioOf(cell) };
}

/** Flattens a cell's scenario into the form results and tables use. */
export function cellScenarioOf(cell: Cell): CellScenario {
  const { tls, workload } = cell;
  return {
    keyType: tls.serverKeyType,
    serverKeyType: tls.serverKeyType,
    clientKeyType: tls.clientKeyType,
    tlsVersion: tls.tlsVersion,
    cipherSuite: tls.cipherSuite ?? 'default',
    group: tls.group,
    resumption: tls.resumption,
    auth: tls.auth,
    chainDepth: tls.chainDepth,
    workload: workload.name,
    workloadKind: workload.kind,
  };
}

export function serverCountsOf(stats: ServerWindowStats | null): ServerCounts | null {
  if (stats === null) return null;
  return {
    handshakesFull: stats.handshakes.full,
    handshakesResumed: stats.handshakes.resumed,
    clientCertsVerified: stats.clientCertsVerified,
    errorsByCode: stats.errors,
  };
}

/** Error code of a cell whose connections failed a check. */
export const CHECK_FAILED = 'CHECK_FAILED';

/**
 * Runs one phase's checks and adds them to `checks`. Returns the failed cell when one failed,
 * so that the caller reports no numbers, or null when every check passed.
 */
export function verifyPhase(
  cell: Cell,
  phase: CheckPhase,
  client: ClientObservations,
  stats: ServerWindowStats | null,
  checks: CellCheck[],
  durationMs: number,
): FailedCell | null {
  checks.push(...checkCell({ tls: cell.tls, phase, client, server: stats === null ? null : stats.negotiations }));
  const failed = failedChecks(checks);
  if (failed.length === 0) return null;
  return {
    ...cellIdentityOf(cell),
    state: 'failed',
    probes: [],
    durationMs,
    error: { code: CHECK_FAILED, message: `checks failed in ${PHASE_NAMES[phase]}: ${failed.map(describeCheck).join('; ')}` },
    checks,
  };
}

/**
 * Builds the error of a cell in which no operation completed, from the failed operations' codes. When
 * some ran out of a client resource, the cell fails with `CLIENT_RESOURCES` and the hint, because
 * the limit was the load generator's.
 */
export function noOperationError(summary: string, errors: Readonly<Record<string, number>>): { code: MtlsBenchErrorCode; message: string } {
  const { clientResource, other } = splitClientResourceErrors(errors);
  const codes = Object.entries(other)
    .map(([code, count]) => `${code} x${count}`)
    .join(', ');
  const otherText = codes === '' ? '' : `; errors: ${codes}`;
  if (Object.keys(clientResource).length > 0) {
    return {
      code: 'CLIENT_RESOURCES',
      message: `${summary}; client resource errors: ${describeClientResourceErrors(clientResource)}${otherText}`,
    };
  }
  return { code: 'RUN_FAILED', message: `${summary}${otherText}` };
}

/** Fails a cell whose warm-up completed no operation (`handshake` or `request`), with the warm-up's errors by code. */
export function warmupFailed(cell: Cell, operation: string, errors: Record<string, number>, checks: CellCheck[]): FailedCell {
  return {
    ...cellIdentityOf(cell),
    state: 'failed',
    probes: [],
    durationMs: 0,
    error: noOperationError(`no warm-up ${operation} completed`, errors),
    checks,
  };
}
