import { MtlsBenchError } from '../errors.ts';
import { measureCryptoFloor } from '../drivers/crypto-floor.ts';
import type { CryptoFloor } from '../drivers/crypto-floor.ts';
import { createPkiFactory, createPrivateDir, writeCertificateSetFiles } from '../pki/index.ts';
import type { PrivateDir } from '../pki/index.ts';
import type { CertificateSet } from '../pki/types.ts';
import { describeEnvironment } from '../results/environment.ts';
import { RESULTS_SCHEMA_VERSION } from '../results/types.ts';
import type { CellResult, RunResults } from '../results/types.ts';
import { INLINE_SUITE_FILE } from '../scenario/load.ts';
import { MAX_ROUNDS } from '../scenario/schema.ts';
import type { Cell, ResolvedSuite, ResolvedTarget, SimulatedSlowdown, TlsScenario } from '../scenario/types.ts';
import { loadTargetMaterial } from '../targets/files.ts';
import { generateTargetProbeCertificates } from '../targets/probe.ts';
import { createProbeCertificateCache } from '../probes/index.ts';
import { failedCell, runCellGroups } from './cell-loop.ts';
import type { RunEventListener } from './events.ts';
import { echoServerPreparer } from './local-servers.ts';
import { quickWorkload } from './quick.ts';
import { rateRoundProblem } from '../scenario/rate.ts';
import path from 'node:path';
import { targetPreparer } from './target.ts';

/** Time per crypto-floor task; `--quick` uses a tenth of it. */
const CRYPTO_FLOOR_TIME_MS = 150;

export interface RunOptions {
  /** Keep only cells whose id contains this text. Default: every cell. */
  filter?: string | null;
  /** Cut every bound down to a smoke-test size (see `quickWorkload`). Default false. */
  quick?: boolean;
  /** Skip the crypto-floor micro-benchmark. Default false. */
  skipCryptoFloor?: boolean;
  /** Measured rounds per cell, from 1 to 50. Default: the suite's `rounds`, which defaults to 5. */
  rounds?: number;
  /** Receives progress events; the runner itself never prints. */
  onEvent?: RunEventListener;
  /**
   * Stops the run early: the pair of cells under way is abandoned and its servers stopped, and
   * the results hold the cells that finished, with `partial` set. Its `reason` should be the
   * signal's name, which `partial.stoppedBy` records.
   */
  signal?: AbortSignal;
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
  const rounds = roundsOf(suite, options);
  const selected = options.quick === true ? cells.map((cell) => ({ ...cell, workload: quickWorkload(cell.workload, rounds) })) : cells;
  // The suite file was checked against its own rounds; --rounds can change them.
  for (const workload of new Set(selected.map((cell) => cell.workload))) {
    const problem = workload.kind === 'requests' ? rateRoundProblem(workload, rounds) : null;
    if (problem !== null) {
      const index = suite.workloads.findIndex((candidate) => candidate.name === workload.name);
      const where = `${suite.sourceFile === null ? 'suite' : path.relative(process.cwd(), suite.sourceFile)}: workloads[${index}].duration`;
      throw new MtlsBenchError('INVALID_ARGUMENT', `--rounds ${rounds}: ${where} (workload "${workload.name}"): ${problem}`);
    }
  }
  return selected;
}

/** Settings that every cell loop of a run shares. */
interface LoopSettings {
  emit: RunEventListener;
  elapsedMs: () => number;
  rounds: number;
  signal: AbortSignal | undefined;
}

/** Returns the rounds a run measures: `options.rounds`, or the suite's. */
export function roundsOf(suite: ResolvedSuite, options: RunOptions): number {
  const rounds = options.rounds ?? suite.rounds;
  if (!(Number.isInteger(rounds) && rounds >= 1 && rounds <= MAX_ROUNDS)) {
    throw new MtlsBenchError('INVALID_ARGUMENT', `--rounds: got ${rounds}; expected a whole number from 1 to ${MAX_ROUNDS}`);
  }
  return rounds;
}

/** Measures the cells against echo server children, with a PKI generated for the run. */
async function runAgainstEchoServers(
  cells: Cell[],
  simulate: SimulatedSlowdown | null,
  options: RunOptions,
  loop: LoopSettings,
): Promise<{ cryptoFloor: CryptoFloor | null; results: Map<string, CellResult> }> {
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

    const { emit } = loop;
    emit({ type: 'phase', message: 'generating certificates' });
    for (const cell of cells) {
      if (loop.signal?.aborted === true) return { cryptoFloor: null, results: new Map() };
      await certsFor(cell.tls);
    }

    let cryptoFloor: CryptoFloor | null = null;
    if (options.skipCryptoFloor !== true && loop.signal?.aborted !== true) {
      emit({ type: 'phase', message: 'measuring the crypto floor' });
      cryptoFloor = await measureCryptoFloor({
        keyTypes: [...new Set(cells.flatMap((cell) => [cell.tls.serverKeyType, cell.tls.clientKeyType]))],
        groups: [...new Set(cells.map((cell) => cell.tls.group))],
        timeMs: options.quick === true ? CRYPTO_FLOOR_TIME_MS / 10 : CRYPTO_FLOOR_TIME_MS,
      });
    }

    const prepare = echoServerPreparer(certsFor, createProbeCertificateCache(), emit, simulate);
    const results = await runCellGroups(cells, { ...loop, prepare, cryptoFloor });
    return { cryptoFloor, results };
  } finally {
    await privateDir.remove();
  }
}

/**
 * Measures the cells against the user's target. Its certificate files are read again, because
 * they may have changed since the suite was loaded. There is no crypto floor: the target's
 * certificate chain, which decides how many signatures a handshake verifies, is not known.
 */
async function runAgainstTarget(
  suite: ResolvedSuite,
  target: ResolvedTarget,
  cells: Cell[],
  loop: LoopSettings,
): Promise<Map<string, CellResult>> {
  const { emit } = loop;
  const material = loadTargetMaterial(target, suite.sourceFile ?? INLINE_SUITE_FILE);
  emit({ type: 'phase', message: 'generating probe certificates' });
  const probeCertificates = await generateTargetProbeCertificates(material);
  const prepare = targetPreparer(target, material, probeCertificates, emit);
  return runCellGroups(cells, { ...loop, prepare, cryptoFloor: null });
}

/**
 * Runs a resolved suite. Without a target it generates the PKI, measures the crypto floor, then
 * measures every cell against its own echo server child, and removes the private key directory
 * however the run ends. With a target it measures every cell against the target. A cell that
 * fails is recorded as failed and the run goes on.
 */
export async function runSuite(suite: ResolvedSuite, options: RunOptions = {}): Promise<RunResults> {
  const emit = options.onEvent ?? (() => {});
  const cells = selectCells(suite, options);
  const rounds = roundsOf(suite, options);
  const startedAt = new Date();
  const startNs = process.hrtime.bigint();
  const elapsedMs = (): number => Number((process.hrtime.bigint() - startNs) / 1_000_000n);
  emit({ type: 'run-start', cellCount: cells.length });
  const loop: LoopSettings = { emit, elapsedMs, rounds, signal: options.signal };

  let cryptoFloor: CryptoFloor | null = null;
  let results: Map<string, CellResult>;
  if (suite.target === null) {
    ({ cryptoFloor, results } = await runAgainstEchoServers(cells, suite.simulate, options, loop));
  } else {
    results = await runAgainstTarget(suite, suite.target, cells, loop);
  }

  emit({ type: 'run-end', elapsedMs: elapsedMs() });
  const partial = options.signal?.aborted === true ? { stoppedBy: stopReasonOf(options.signal), cellsPlanned: cells.length } : null;
  return {
    schemaVersion: RESULTS_SCHEMA_VERSION,
    environment: describeEnvironment(),
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    quick: options.quick === true,
    filter: options.filter ?? null,
    rounds,
    // The suite as run: with --quick, its workloads carry the shortened bounds.
    suite: options.quick === true ? { ...suite, workloads: suite.workloads.map((workload) => quickWorkload(workload, rounds)) } : suite,
    cryptoFloor,
    partial,
    // A partial run keeps only the cells that finished; the others were never measured.
    cells:
      partial === null
        ? cells.map((cell) => results.get(cell.id) ?? failedCell(cell, new Error('cell was not run')))
        : cells.flatMap((cell) => results.get(cell.id) ?? []),
  };
}

/** Returns what stopped a run: the abort reason when it is a string, such as a signal's name. */
function stopReasonOf(signal: AbortSignal): string {
  return typeof signal.reason === 'string' ? signal.reason : 'abort';
}
