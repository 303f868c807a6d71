import { debuglog } from 'node:util';
import { MtlsBenchError } from '../errors.ts';
import { measureCryptoFloor } from '../drivers/crypto-floor.ts';
import type { CryptoFloor } from '../drivers/crypto-floor.ts';
import { createPkiFactory, createPrivateDir, writeCertificateSetFiles } from '../pki/index.ts';
import type { PrivateDir } from '../pki/index.ts';
import type { CertificateSet } from '../pki/types.ts';
import { startEchoServer } from '../servers/spawn.ts';
import type { EchoServerHandle } from '../servers/spawn.ts';
import { describeEnvironment } from '../results/environment.ts';
import { RESULTS_SCHEMA_VERSION } from '../results/types.ts';
import type { CellResult, FailedCell, RunResults } from '../results/types.ts';
import type { Cell, ResolvedSuite, TlsScenario } from '../scenario/types.ts';
import type { RunEventListener } from './events.ts';
import { cellScenarioOf, measureCell } from './measure-cell.ts';
import { planCellGroups } from './plan.ts';
import { createProbeCertificateCache, failedProbes, probeEchoServer } from '../probes/index.ts';
import type { ProbeCertificateCache } from '../probes/index.ts';
import type { ProbeOutcome } from '../probes/types.ts';
import { quickWorkload } from './quick.ts';

const debug = debuglog('mtls-bench');

/** Time per crypto-floor task; `--quick` uses a tenth of it. */
const CRYPTO_FLOOR_TIME_MS = 150;

export interface RunOptions {
  /** Keep only cells whose id contains this text. Default: every cell. */
  filter?: string | null;
  /** Cut every bound down to a smoke-test size (see `quickWorkload`). Default false. */
  quick?: boolean;
  /** Skip the crypto-floor micro-benchmark. Default false. */
  skipCryptoFloor?: boolean;
  /** Receives progress events; the runner itself never prints. */
  onEvent?: RunEventListener;
}

/** Returns the suite's cells after `--filter` and `--quick`, in suite order. */
export function selectCells(suite: ResolvedSuite, options: RunOptions): Cell[] {
  const filter = options.filter ?? null;
  const cells = filter === null ? suite.cells : suite.cells.filter((cell) => cell.id.includes(filter));
  if (cells.length === 0) {
    throw new MtlsBenchError(
      'INVALID_ARGUMENT',
      `--filter: no cell id of suite "${suite.name}" contains "${filter}"; run \`mtls-bench validate\` to list the ids`,
    );
  }
  if (options.quick !== true) return cells;
  return cells.map((cell) => ({ ...cell, workload: quickWorkload(cell.workload) }));
}

function failedCell(cell: Cell, error: unknown): FailedCell {
  const code = error instanceof MtlsBenchError ? error.code : ((error as NodeJS.ErrnoException)?.code ?? 'ERROR');
  const message = error instanceof Error ? error.message : String(error);
  return {
    id: cell.id,
    baselineId: cell.baselineId,
    scenario: cellScenarioOf(cell),
    state: 'failed',
    durationMs: 0,
    error: { code, message },
    checks: [],
    probes: [],
  };
}

/** A measured cell whose workload completed no operation measured nothing, so it is failed. */
function rejectEmptyMeasurement(cell: Cell, measured: CellResult): CellResult {
  if (measured.state === 'failed') return measured;
  const section = measured.handshake ?? measured.requests;
  if (section === undefined || section.count > 0) return measured;
  const codes = Object.entries(section.errorsByCode)
    .map(([code, count]) => `${code} x${count}`)
    .join(', ');
  const failed = failedCell(
    cell,
    new MtlsBenchError('RUN_FAILED', `no operation completed${codes === '' ? '' : `; errors: ${codes}`}`),
  );
  return { ...failed, checks: measured.checks, probes: measured.probes };
}

/**
 * Probes an mTLS server before any of its cells measures: a server that accepts a wrong
 * client is not an mTLS server, and its cells fail instead of reporting numbers.
 * Returns the outcomes, or the error that kept the probes from running.
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

function probeFailure(probes: ProbeOutcome[] | Error): MtlsBenchError | null {
  if (probes instanceof Error) {
    return new MtlsBenchError('PROBE_FAILED', `enforcement probes could not run: ${probes.message}`, { cause: probes });
  }
  const failed = failedProbes(probes);
  if (failed.length === 0) return null;
  const list = failed.map((probe) => `${probe.name} expected ${probe.expected}, got ${probe.actual}`).join('; ');
  return new MtlsBenchError('PROBE_FAILED', `the server is not enforcing mTLS: ${list}`);
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
): Promise<Map<TlsScenario, EchoServerHandle>> {
  const servers = new Map<TlsScenario, EchoServerHandle>();
  const started = await Promise.allSettled(
    scenarios.map(async (tls) => {
      const server = await startEchoServer({ tls, certs: withoutRootKey(await certsFor(tls)), payloadBytes });
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
 * Runs a resolved suite: generates the PKI, measures the crypto floor, then measures every
 * cell against its own echo server child. A cell that fails is recorded as failed and the run
 * goes on. The private key directory is removed however the run ends.
 */
export async function runSuite(suite: ResolvedSuite, options: RunOptions = {}): Promise<RunResults> {
  const emit = options.onEvent ?? (() => {});
  const cells = selectCells(suite, options);
  const startedAt = new Date();
  const startNs = process.hrtime.bigint();
  const elapsedMs = (): number => Number((process.hrtime.bigint() - startNs) / 1_000_000n);
  emit({ type: 'run-start', cellCount: cells.length });

  const privateDir: PrivateDir = await createPrivateDir();
  try {
    const pki = createPkiFactory();
    const writtenSets = new Set<string>();
    const certsFor = async (tls: TlsScenario): Promise<CertificateSet> => {
      const set = await pki.get(tls.serverKeyType, tls.clientKeyType, tls.chainDepth);
      const name = `${tls.serverKeyType}+${tls.clientKeyType}-d${tls.chainDepth}`;
      if (!writtenSets.has(name)) {
        writtenSets.add(name);
        await writeCertificateSetFiles(set, `${privateDir.path}/${name}`);
      }
      return set;
    };

    emit({ type: 'phase', message: 'generating certificates' });
    for (const cell of cells) await certsFor(cell.tls);

    let cryptoFloor: CryptoFloor | null = null;
    if (options.skipCryptoFloor !== true) {
      emit({ type: 'phase', message: 'measuring the crypto floor' });
      cryptoFloor = await measureCryptoFloor({
        keyTypes: [...new Set(cells.flatMap((cell) => [cell.tls.serverKeyType, cell.tls.clientKeyType]))],
        groups: [...new Set(cells.map((cell) => cell.tls.group))],
        timeMs: options.quick === true ? CRYPTO_FLOOR_TIME_MS / 10 : CRYPTO_FLOOR_TIME_MS,
      });
    }

    const probeCertificates = createProbeCertificateCache();
    const results = new Map<string, CellResult>();
    let index = 0;
    for (const group of planCellGroups(cells)) {
      const payloadBytes = Math.max(...group.cells.map((cell) => cell.workload.payloadBytes));
      let servers: Map<TlsScenario, EchoServerHandle>;
      try {
        servers = await startServers(group.servers, certsFor, payloadBytes);
      } catch (error) {
        for (const cell of group.cells) {
          const result = failedCell(cell, error);
          results.set(cell.id, result);
          emit({ type: 'cell-end', index: index++, cellCount: cells.length, result, elapsedMs: elapsedMs() });
        }
        continue;
      }

      const probesByServer = new Map<EchoServerHandle, ProbeOutcome[] | Error>();
      for (const [tls, server] of servers) {
        if (tls.auth !== 'mtls') continue;
        emit({ type: 'phase', message: `probing the mTLS server of ${group.cells[0]?.id ?? 'this group'}` });
        probesByServer.set(server, await probeServer(server, tls, await certsFor(tls), probeCertificates));
      }

      try {
        for (const cell of group.cells) {
          const done = index;
          emit({
            type: 'cell-start',
            index,
            cellCount: cells.length,
            cell,
            elapsedMs: elapsedMs(),
            estimatedRemainingMs: done === 0 ? null : Math.round((elapsedMs() / done) * (cells.length - done)),
          });
          const server = [...servers].find(([tls]) => sameTls(tls, cell.tls))?.[1];
          let result: CellResult;
          try {
            if (server === undefined) throw new MtlsBenchError('RUN_FAILED', 'no server was started for this cell');
            const probes = probesByServer.get(server);
            const probeError = probes === undefined ? null : probeFailure(probes);
            const probeOutcomes = probes === undefined || probes instanceof Error ? [] : probes;
            if (probeError !== null) {
              result = { ...failedCell(cell, probeError), probes: probeOutcomes };
            } else {
              const measured = await measureCell({ cell, server, certs: await certsFor(cell.tls), cryptoFloor });
              result = { ...rejectEmptyMeasurement(cell, measured), probes: probeOutcomes };
            }
          } catch (error) {
            debug('cell %s failed: %o', cell.id, error);
            result = failedCell(cell, error);
          }
          results.set(cell.id, result);
          emit({ type: 'cell-end', index: index++, cellCount: cells.length, result, elapsedMs: elapsedMs() });
        }
      } finally {
        await Promise.all([...servers.values()].map((server) => server.stop()));
      }
    }

    emit({ type: 'run-end', elapsedMs: elapsedMs() });
    return {
      schemaVersion: RESULTS_SCHEMA_VERSION,
      environment: describeEnvironment(),
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      quick: options.quick === true,
      filter: options.filter ?? null,
      // The suite as run: with --quick, its workloads carry the shortened bounds.
      suite: options.quick === true ? { ...suite, workloads: suite.workloads.map(quickWorkload) } : suite,
      cryptoFloor,
      cells: cells.map((cell) => results.get(cell.id) ?? failedCell(cell, new Error('cell was not run'))),
    };
  } finally {
    await privateDir.remove();
  }
}
