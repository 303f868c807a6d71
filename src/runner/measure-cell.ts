import { checkCell, describeCheck, failedChecks, PHASE_NAMES } from '../checks/cell-checks.ts';
import type { ClientObservations } from '../checks/types.ts';
import { HandshakeDriver } from '../drivers/handshake.ts';
import type { HandshakeRunResult } from '../drivers/handshake.ts';
import { runRequests } from '../drivers/requests.ts';
import { handshakeFloorUs } from '../drivers/crypto-floor.ts';
import type { CryptoFloor } from '../drivers/crypto-floor.ts';
import type { EchoServerHandle } from '../servers/spawn.ts';
import type { CertificateSet } from '../pki/types.ts';
import type { Cell, HandshakeWorkload, RequestsWorkload } from '../scenario/types.ts';
import type { CellCheck, CellResult, CellScenario, CheckPhase, FailedCell, ServerCounts } from '../results/types.ts';
import type { ServerWindowStats } from '../servers/types.ts';

/**
 * Upper bound on a handshake warm-up, so a server that accepts and never answers cannot hold
 * the run: each connection also has its own handshake timeout in the driver.
 */
const WARMUP_TIME_LIMIT_MS = 10_000;

/** What measuring one cell needs: the cell, its running server, and its certificates. */
export interface CellContext {
  cell: Cell;
  server: EchoServerHandle;
  certs: CertificateSet;
  cryptoFloor: CryptoFloor | null;
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

function serverCountsOf(stats: ServerWindowStats): ServerCounts {
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
  stats: ServerWindowStats,
  checks: CellCheck[],
  durationMs: number,
): FailedCell | null {
  checks.push(...checkCell({ tls: cell.tls, phase, client, server: stats.negotiations }));
  const failed = failedChecks(checks);
  if (failed.length === 0) return null;
  return {
    id: cell.id,
    baselineId: cell.baselineId,
    scenario: cellScenarioOf(cell),
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
    sessions: { offered: run.sessionsOffered, received: run.sessionsReceived },
  };
}

function usPerOp(cpuUs: { user: number; system: number }, operations: number): number {
  return operations === 0 ? 0 : Math.round((cpuUs.user + cpuUs.system) / operations);
}

/**
 * Warms up and checks the warm-up, then measures and checks the measured run. The warm-up runs
 * in a server window of its own so that its checks see both sides. A failed warm-up check skips
 * the measurement.
 */
async function measureHandshakeCell(context: CellContext, workload: HandshakeWorkload): Promise<CellResult> {
  const { cell, server, certs } = context;
  const driver = new HandshakeDriver({
    port: server.ports.tls,
    tls: cell.tls,
    certs,
    concurrency: workload.concurrency,
    payloadBytes: workload.payloadBytes,
  });
  const checks: CellCheck[] = [];
  if (workload.warmupCount > 0) {
    await server.beginWindow();
    const warmup = await driver.run({ maxCount: workload.warmupCount, durationMs: WARMUP_TIME_LIMIT_MS });
    const warmupStats = await server.endWindow();
    const failed = verifyPhase(cell, 'warm-up', handshakeObservations(warmup), warmupStats, checks, 0);
    if (failed !== null) return failed;
  }

  await server.beginWindow();
  const run = await driver.run({ maxCount: workload.maxCount, durationMs: workload.durationMs });
  const stats = await server.endWindow();
  const durationMs = Math.round(run.elapsedUs / 1000);
  const failed = verifyPhase(cell, 'measured', handshakeObservations(run), stats, checks, durationMs);
  if (failed !== null) return failed;

  const floor = context.cryptoFloor === null ? undefined : handshakeFloorUs(context.cryptoFloor, cell.tls);
  return {
    id: cell.id,
    baselineId: cell.baselineId,
    scenario: cellScenarioOf(cell),
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
      serverUsPerOp: usPerOp(stats.cpuUs, stats.handshakes.full + stats.handshakes.resumed),
      clientUsPerOp: usPerOp(run.clientCpuUs, run.count),
    },
    ...(floor === undefined ? {} : { cryptoFloorUs: floor }),
  };
}

/** Like `measureHandshakeCell`, with keep-alive requests, whose warm-up is bounded by time. */
async function measureRequestsCell(context: CellContext, workload: RequestsWorkload): Promise<CellResult> {
  const { cell, server, certs } = context;
  const requestOptions = {
    port: server.ports.https,
    tls: cell.tls,
    certs,
    connections: workload.connections,
    pipelining: workload.pipelining,
    rateRps: workload.rateRps,
    payloadBytes: workload.payloadBytes,
  };
  const checks: CellCheck[] = [];
  if (workload.warmupMs > 0) {
    await server.beginWindow();
    const warmup = await runRequests({ ...requestOptions, durationMs: workload.warmupMs, maxCount: null });
    const warmupStats = await server.endWindow();
    const failed = verifyPhase(cell, 'warm-up', { negotiations: warmup.negotiations, sessions: null }, warmupStats, checks, 0);
    if (failed !== null) return failed;
  }

  await server.beginWindow();
  const run = await runRequests({ ...requestOptions, durationMs: workload.durationMs, maxCount: workload.maxCount });
  const stats = await server.endWindow();
  const durationMs = Math.round(run.elapsedUs / 1000);
  const failed = verifyPhase(cell, 'measured', { negotiations: run.negotiations, sessions: null }, stats, checks, durationMs);
  if (failed !== null) return failed;

  return {
    id: cell.id,
    baselineId: cell.baselineId,
    scenario: cellScenarioOf(cell),
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
      serverUsPerOp: usPerOp(stats.cpuUs, run.count),
      clientUsPerOp: usPerOp(run.clientCpuUs, run.count),
    },
  };
}

/**
 * Warms up, opens the server's measurement window, drives the cell's workload and collects both
 * sides. Checks the warm-up and the measured connections against the scenario, and returns a
 * failed cell, without its numbers, when a check fails.
 */
export function measureCell(context: CellContext): Promise<CellResult> {
  const { workload } = context.cell;
  return workload.kind === 'handshake'
    ? measureHandshakeCell(context, workload)
    : measureRequestsCell(context, workload);
}
