import { checkCell, describeCheck, failedChecks, PHASE_NAMES } from '../checks/cell-checks.ts';
import type { ClientObservations } from '../checks/types.ts';
import { HandshakeDriver } from '../drivers/handshake.ts';
import type { HandshakeRunResult } from '../drivers/handshake.ts';
import { runRequests } from '../drivers/requests.ts';
import { handshakeFloorUs } from '../drivers/crypto-floor.ts';
import type { CryptoFloor } from '../drivers/crypto-floor.ts';
import type { HandshakeProtocol } from '../drivers/handshake.ts';
import type { EchoServerHandle } from '../servers/spawn.ts';
import type { CertificateSet } from '../pki/types.ts';
import type { Cell, HandshakeWorkload, RequestsWorkload } from '../scenario/types.ts';
import type { CellCheck, CellResult, CellScenario, CheckPhase, FailedCell, ServerCounts } from '../results/types.ts';
import { LOOPBACK_HOST } from '../servers/tls-options.ts';
import type { ClientTlsMaterial } from '../servers/tls-options.ts';
import type { ServerWindowStats } from '../servers/types.ts';

/**
 * Upper bound on a handshake warm-up, so a server that accepts and never responds cannot hold
 * the run. Each connection also has its own handshake timeout in the driver.
 */
const WARMUP_TIME_LIMIT_MS = 10_000;

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
async function inWindow<T>(server: ServerWindow | null, work: () => Promise<T>): Promise<{ run: T; stats: ServerWindowStats | null }> {
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

function serverCountsOf(stats: ServerWindowStats | null): ServerCounts | null {
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
function verifyPhase(
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

function handshakeObservations(run: HandshakeRunResult): ClientObservations {
  return {
    negotiations: run.negotiations,
    sessions: { offered: run.sessionsOffered, received: run.sessionsReceived, resumedWithTicket: run.resumedWithTicket },
  };
}

function usPerOp(cpuUs: { user: number; system: number }, operations: number): number {
  return operations === 0 ? 0 : Math.round((cpuUs.user + cpuUs.system) / operations);
}

function serverUsPerOp(stats: ServerWindowStats | null, operations: number): number | null {
  return stats === null ? null : usPerOp(stats.cpuUs, operations);
}

/** Fails a cell whose warm-up completed no handshake, with the warm-up's errors by code. */
function warmupFailed(cell: Cell, errors: Record<string, number>, checks: CellCheck[]): FailedCell {
  const codes = Object.entries(errors)
    .map(([code, count]) => `${code} x${count}`)
    .join(', ');
  return {
    ...cellIdentityOf(cell),
    state: 'failed',
    probes: [],
    durationMs: 0,
    error: { code: 'RUN_FAILED', message: `no warm-up handshake completed; errors: ${codes}` },
    checks,
  };
}

/**
 * Warms up and checks the warm-up, then measures and checks the measured run. The warm-up runs
 * in a server window of its own so that its checks see both sides. A failed warm-up check skips
 * the measurement.
 */
async function measureHandshakeCell(context: CellContext, workload: HandshakeWorkload): Promise<CellResult> {
  const { cell, server, endpoint } = context;
  const driver = new HandshakeDriver({
    host: endpoint.host,
    ...(endpoint.servername === undefined ? {} : { servername: endpoint.servername }),
    port: endpoint.handshakePort,
    protocol: endpoint.handshakeProtocol,
    tls: cell.tls,
    certs: endpoint.certs,
    concurrency: workload.concurrency,
    payloadBytes: workload.payloadBytes,
  });
  const checks: CellCheck[] = [];
  if (workload.warmupCount > 0) {
    const warmup = await inWindow(server, () =>
      driver.run({ maxCount: workload.warmupCount, durationMs: WARMUP_TIME_LIMIT_MS }),
    );
    const failed = verifyPhase(cell, 'warm-up', handshakeObservations(warmup.run), warmup.stats, checks, 0);
    if (failed !== null) return failed;
    // When every warm-up handshake failed, the measured run would fail the same way.
    if (warmup.run.count === 0 && warmup.run.errorCount > 0) {
      return warmupFailed(cell, warmup.run.errors, checks);
    }
  }

  const { run, stats } = await inWindow(server, () =>
    driver.run({ maxCount: workload.maxCount, durationMs: workload.durationMs }),
  );
  const durationMs = Math.round(run.elapsedUs / 1000);
  const failed = verifyPhase(cell, 'measured', handshakeObservations(run), stats, checks, durationMs);
  if (failed !== null) return failed;

  const floor = context.cryptoFloor === null ? undefined : handshakeFloorUs(context.cryptoFloor, cell.tls);
  return {
    ...cellIdentityOf(cell),
    state: 'measured',
    probes: [],
    durationMs,
    checks,
    negotiated: run.negotiated,
    handshake: {
      count: run.count,
      errors: run.errorCount,
      errorsByCode: run.errors,
      resumed: run.resumed,
      resumedShare: run.count === 0 ? 0 : run.resumed / run.count,
      handshakesPerSec: run.handshakesPerSec,
      connectUs: run.connectUs,
      latencyUs: run.latencyUs,
    },
    server: serverCountsOf(stats),
    cpu: {
      serverUsPerOp: serverUsPerOp(stats, stats === null ? 0 : stats.handshakes.full + stats.handshakes.resumed),
      clientUsPerOp: usPerOp(run.clientCpuUs, run.count),
    },
    ...(floor === undefined ? {} : { cryptoFloorUs: floor }),
  };
}

/** Like `measureHandshakeCell`, with keep-alive requests, whose warm-up is bounded by time. */
async function measureRequestsCell(context: CellContext, workload: RequestsWorkload): Promise<CellResult> {
  const { cell, server, endpoint } = context;
  const requestOptions = {
    host: endpoint.host,
    ...(endpoint.servername === undefined ? {} : { servername: endpoint.servername }),
    ...(endpoint.requestsMethod === undefined ? {} : { method: endpoint.requestsMethod }),
    port: endpoint.requestsPort,
    tls: cell.tls,
    certs: endpoint.certs,
    connections: workload.connections,
    pipelining: workload.pipelining,
    rateRps: workload.rateRps,
    payloadBytes: workload.payloadBytes,
  };
  const checks: CellCheck[] = [];
  if (workload.warmupMs > 0) {
    const warmup = await inWindow(server, () =>
      runRequests({ ...requestOptions, durationMs: workload.warmupMs, maxCount: null }),
    );
    const observations = { negotiations: warmup.run.negotiations, sessions: null };
    const failed = verifyPhase(cell, 'warm-up', observations, warmup.stats, checks, 0);
    if (failed !== null) return failed;
  }

  const { run, stats } = await inWindow(server, () =>
    runRequests({ ...requestOptions, durationMs: workload.durationMs, maxCount: workload.maxCount }),
  );
  const durationMs = Math.round(run.elapsedUs / 1000);
  const failed = verifyPhase(cell, 'measured', { negotiations: run.negotiations, sessions: null }, stats, checks, durationMs);
  if (failed !== null) return failed;

  return {
    ...cellIdentityOf(cell),
    state: 'measured',
    probes: [],
    durationMs,
    checks,
    negotiated: run.negotiated,
    requests: {
      count: run.count,
      errors: run.errorCount,
      errorsByCode: run.errors,
      non2xx: run.non2xx,
      throughputRps: run.throughputRps,
      latencyUs: run.latencyUs,
      connectionsVerified: run.connectionsVerified,
      connectionsUnverified: run.connectionsUnverified,
    },
    server: serverCountsOf(stats),
    cpu: {
      serverUsPerOp: serverUsPerOp(stats, run.count),
      clientUsPerOp: usPerOp(run.clientCpuUs, run.count),
    },
  };
}

/**
 * Warms up, opens the server's measurement window, drives the cell's workload and collects both
 * sides (the client side alone for a target). Checks the warm-up and the measured connections against the scenario, and returns a
 * failed cell, without its numbers, when a check fails.
 */
export function measureCell(context: CellContext): Promise<CellResult> {
  const { workload } = context.cell;
  return workload.kind === 'handshake'
    ? measureHandshakeCell(context, workload)
    : measureRequestsCell(context, workload);
}
