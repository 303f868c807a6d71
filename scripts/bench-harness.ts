/**
 * Checks that mtls-bench's load generators are not the bottleneck: it drives one local echo
 * server (ECDSA P-256, 127.0.0.1) per phase with mtls-bench's own driver and with reference
 * tools, interleaved and repeated, and compares the median rates.
 *
 *   npm run bench:harness -- [--repeat 3] [--duration 2s] [--concurrency auto] [--phases full,https,resumed,resumed-https,requests]
 *
 * Phases, each against an echo server of its own:
 * - full: full mTLS handshakes (TLS 1.3 by default) from HandshakeDriver, a minimal tls.connect
 *   loop and `openssl s_time -new`, at concurrency 1 and at a concurrency that saturates the server.
 * - https: the same handshakes on the server's HTTPS listener, each followed by one `GET /` that
 *   the server responds to after it has finished its side of the handshake
 *   (`openssl s_time -new -www /`), so that every tool does the same work per connection.
 * - resumed: TLS 1.2 mTLS handshakes resumed with session tickets, from the same three tools
 *   (`openssl s_time -reuse`).
 * - resumed-https: the resumed handshakes on the HTTPS listener, each followed by one `GET /`
 *   (`openssl s_time -reuse -www /`), so that every tool does the same work per connection.
 * - requests: keep-alive requests from runRequests, plain autocannon and wrk, on a server-only
 *   TLS listener, because wrk cannot present a client certificate.
 *
 * Handshake rates are what the server completed in a window inside each run, so every tool is
 * counted the same way. The table goes to stdout, progress to stderr, and everything to
 * results/harness-<UTC time>.json. Exit codes: 0 when the script ran (whatever the verdicts),
 * 2 for invalid options, 3 when a server or the PKI failed, 70 for a bug.
 */
import { createRequire } from 'node:module';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { HandshakeDriver } from '../src/drivers/handshake.ts';
import { startHandshakePool } from '../src/drivers/handshake-pool.ts';
import type { HandshakePool } from '../src/drivers/handshake-pool.ts';
import { MtlsBenchError } from '../src/errors.ts';
import { createPkiFactory } from '../src/pki/factory.ts';
import { createPrivateDir, removeLivePrivateDirsSync } from '../src/pki/private-dir.ts';
import type { PrivateDir } from '../src/pki/private-dir.ts';
import type { CertificateSet } from '../src/pki/types.ts';
import { describeEnvironment } from '../src/results/environment.ts';
import type { TlsScenario } from '../src/scenario/types.ts';
import { startEchoServer } from '../src/servers/spawn.ts';
import type { EchoServerHandle } from '../src/servers/spawn.ts';
import { clientTlsOptions } from '../src/servers/tls-options.ts';
import { runMinimalLoop } from './harness/minimal-loop.ts';
import { HarnessOptionError, parseHarnessOptions, USAGE } from './harness/options.ts';
import type { HarnessOptions, Phase } from './harness/options.ts';
import { findTool, killLiveChildren } from './harness/processes.ts';
import { checkRatios, renderRateTable, renderRatioTable, summarize } from './harness/summary.ts';
import {
  autocannonStarter,
  driverStarter,
  loopStarter,
  MAX_OPERATIONS,
  runRequestsStarter,
  sTimeStarter,
  wrkPostScript,
  wrkStarter,
} from './harness/tools.ts';
import type { ClientFiles } from './harness/tools.ts';
import { TOOL_LABELS } from './harness/types.ts';
import type { Measurement, ToolId } from './harness/types.ts';
import { runInWindow } from './harness/window.ts';
import type { ToolStarter, WindowedRun, WindowPlan } from './harness/window.ts';

const ROOT = path.resolve(import.meta.dirname, '..');

/**
 * Time from a tool's start to the server window, which keeps process start-up (s_time, wrk),
 * connection set-up and the compiling of hot paths (in-process tools) out of the window.
 */
const WINDOW_LEAD_MS = 300;
/** Time each tool keeps running after the window, so that a late `endWindow` still measures full load. */
const WINDOW_TAIL_MS = 500;
/** Concurrencies the sweep tries with the minimal loop, and the length of each try. */
const SWEEP_CONCURRENCIES = [1, 2, 4, 8, 16];
const SWEEP_RUN_MS = 1_000;
/** The sweep picks the smallest concurrency whose rate is at least this share of the best one. */
const SATURATION_SHARE = 0.95;
/** Length of each in-process tool's discarded warm-up at the start of a phase. */
const WARMUP_MS = 500;

const MISSING_TOOL_HINT = "run 'bash scripts/install-wrk.sh' as root (or through sudo), which installs wrk and openssl from Debian's packages";

const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

function scenarioOf(overrides: Pick<TlsScenario, 'tlsVersion' | 'resumption' | 'auth'>): TlsScenario {
  return {
    serverKeyType: 'ecdsa-p256',
    clientKeyType: 'ecdsa-p256',
    cipherSuite: null,
    group: 'x25519',
    chainDepth: 0,
    ...overrides,
  };
}

/** Returns the certificate set without the root's private key, which stays in this process. */
function withoutRootKey(set: CertificateSet): CertificateSet {
  const { rootKeyPem: _rootKeyPem, ...rest } = set;
  return rest;
}

/** Versions of the reference tools, or null for a tool that is not on PATH. */
interface ToolVersions {
  openssl: string | null;
  wrk: string | null;
  autocannon: string;
}

function toolVersions(): ToolVersions {
  const require = createRequire(import.meta.url);
  const autocannonPackage = require('autocannon/package.json') as { version: string };
  return {
    openssl: findTool('openssl', ['version']),
    wrk: findTool('wrk', ['-v']),
    autocannon: autocannonPackage.version,
  };
}

/** Everything a phase shares: options, certificates, files and the results so far. */
interface HarnessContext {
  options: HarnessOptions;
  certs: CertificateSet;
  dir: PrivateDir;
  files: ClientFiles;
  versions: ToolVersions;
  measurements: Measurement[];
  /**
   * The saturating concurrency once known, picked by a sweep in the first handshake phase that
   * runs (`sweepPhase`) or given with --concurrency.
   */
  saturation: {
    concurrency: number;
    source: 'option' | 'sweep';
    sweepPhase: Phase | null;
    sweep: { concurrency: number; handshakesPerSec: number }[];
  } | null;
  skipped: string[];
}

/** Turns a windowed run into a measurement row. */
function measurementOf(
  phase: Phase,
  tool: ToolId,
  concurrency: number,
  repetition: number,
  position: number,
  run: WindowedRun,
): Measurement {
  const { stats, report } = run;
  const handshakes = stats.handshakes.full + stats.handshakes.resumed;
  const windowSec = stats.windowUs / 1e6;
  const errors: Record<string, number> = {};
  for (const [code, count] of Object.entries(report.errors)) errors[`tool:${code}`] = count;
  for (const [code, count] of Object.entries(stats.errors)) errors[`server:${code}`] = count;
  const handshakePhase = phase !== 'requests';
  return {
    phase,
    tool,
    concurrency,
    repetition,
    position,
    serverRate: handshakePhase && report.failure === null && windowSec > 0 ? handshakes / windowSec : null,
    toolRate: report.toolRate,
    latencyP50Us: report.latencyP50Us,
    resumedShare: handshakePhase && handshakes > 0 ? stats.handshakes.resumed / handshakes : null,
    serverCpuShare: stats.windowUs > 0 ? (stats.cpuUs.user + stats.cpuUs.system) / stats.windowUs : null,
    clientCpuShare: run.clientCpuUs === null || run.clientWindowUs === 0 ? null : run.clientCpuUs / run.clientWindowUs,
    errors,
    failure: report.failure,
  };
}

function describeMeasurement(measurement: Measurement): string {
  const rate = measurement.phase === 'requests' ? measurement.toolRate : measurement.serverRate;
  const unit = measurement.phase === 'requests' ? 'req/s' : 'hs/s';
  const cpu = `server CPU ${measurement.serverCpuShare?.toFixed(2) ?? '-'}, client CPU ${measurement.clientCpuShare?.toFixed(2) ?? '-'}`;
  const failure = measurement.failure === null ? '' : `; FAILED: ${measurement.failure}`;
  return `${rate === null ? '-' : Math.round(rate)} ${unit} (${cpu})${failure}`;
}

/** A tool of a phase: how to start it at a given concurrency. */
interface PhaseTool {
  id: ToolId;
  starterFor(concurrency: number): ToolStarter;
}

/** Runs every tool at every concurrency, `repeat` times, rotating the tool order each repetition. */
async function measureTools(
  context: HarnessContext,
  phase: Phase,
  server: EchoServerHandle,
  tools: readonly PhaseTool[],
  concurrencies: readonly number[],
): Promise<void> {
  const { options } = context;
  const plan: WindowPlan = { leadMs: WINDOW_LEAD_MS, windowMs: options.durationMs, tailMs: WINDOW_TAIL_MS };
  for (let repetition = 1; repetition <= options.repeat; repetition++) {
    const shift = (repetition - 1) % tools.length;
    const order = [...tools.slice(shift), ...tools.slice(0, shift)];
    for (const concurrency of concurrencies) {
      for (const [index, tool] of order.entries()) {
        const run = await runInWindow(server, tool.starterFor(concurrency), plan);
        const measurement = measurementOf(phase, tool.id, concurrency, repetition, index + 1, run);
        context.measurements.push(measurement);
        log(`[${phase}] repetition ${repetition}/${options.repeat}, concurrency ${concurrency}, ${TOOL_LABELS[tool.id]}: ${describeMeasurement(measurement)}`);
      }
    }
  }
}

async function withServer(tlsScenario: TlsScenario, certs: CertificateSet, payloadBytes: number, body: (server: EchoServerHandle) => Promise<void>): Promise<void> {
  const server = await startEchoServer({ tls: tlsScenario, certs: withoutRootKey(certs), payloadBytes });
  try {
    await body(server);
  } finally {
    await server.stop();
  }
}

/** Port, client context and request mode of a phase's minimal loop. */
interface LoopTarget {
  port: number;
  secureContext: tls.SecureContext;
  resume: boolean;
  protocol: 'tls' | 'https';
}

/**
 * Picks the saturating concurrency with short runs of the minimal loop, unless --concurrency set
 * it. The first handshake phase that runs picks it, and the later ones reuse it.
 */
async function saturatingConcurrency(context: HarnessContext, phase: Phase, target: LoopTarget): Promise<number> {
  if (context.saturation !== null) return context.saturation.concurrency;
  if (context.options.concurrency !== 'auto') {
    context.saturation = { concurrency: context.options.concurrency, source: 'option', sweepPhase: null, sweep: [] };
    return context.options.concurrency;
  }

  const sweep: { concurrency: number; handshakesPerSec: number }[] = [];
  for (const concurrency of SWEEP_CONCURRENCIES) {
    const run = await runMinimalLoop({ ...target, concurrency, durationMs: SWEEP_RUN_MS, maxCount: MAX_OPERATIONS, stopTimeLimitMs: 10_000 });
    sweep.push({ concurrency, handshakesPerSec: Math.round(run.handshakesPerSec) });
  }
  const best = Math.max(...sweep.map((entry) => entry.handshakesPerSec));
  // Concurrency 1 is measured anyway, so the saturating one is at least 2.
  const picked = sweep.find((entry) => entry.concurrency > 1 && entry.handshakesPerSec >= SATURATION_SHARE * best)?.concurrency ?? 2;
  context.saturation = { concurrency: picked, source: 'sweep', sweepPhase: phase, sweep };
  log(`[${phase}] saturation sweep (tls.connect loop, ${SWEEP_RUN_MS} ms each): ${sweep.map((entry) => `${entry.concurrency}: ${entry.handshakesPerSec} hs/s`).join(', ')}; picked ${picked}`);
  return picked;
}

/** Path the https phase requests. The echo server responds to any path with its default body. */
const HTTPS_PATH = '/';
/** Default body of the echo server in the handshake phases, which is the https phase's response body. */
const HANDSHAKE_SERVER_BODY_BYTES = 64;

/** Measures one handshake phase: full, https, resumed or resumed-https. */
async function runHandshakePhase(context: HarnessContext, phase: Exclude<Phase, 'requests'>): Promise<void> {
  const { options, certs } = context;
  const resumed = phase === 'resumed' || phase === 'resumed-https';
  // Node's HTTP server closes the connection after its response both to HTTP/1.1 requests with
  // `Connection: close` (HandshakeDriver, the loop) and to HTTP/1.0 ones without keep-alive
  // (s_time -www), so s_time's read until the close ends after one response.
  const protocol = phase === 'https' || phase === 'resumed-https' ? 'https' : 'tls';
  // OpenSSL 3.0.19 s_time -reuse resumed nothing against a TLS 1.3 tickets server, because TLS 1.3
  // tickets arrive after the handshake and s_time reads nothing after it. So this phase is TLS 1.2.
  const tlsScenario = scenarioOf(resumed ? { tlsVersion: 'tls1.2', resumption: 'tickets', auth: 'mtls' } : { tlsVersion: options.tlsVersion, resumption: 'none', auth: 'mtls' });
  const listener = protocol === 'https' ? `HTTPS listener, GET ${HTTPS_PATH} after each handshake` : 'TLS echo listener, 1 byte echoed after each handshake';
  log(`[${phase}] echo server: mTLS, ${tlsScenario.tlsVersion}, resumption ${tlsScenario.resumption}, ECDSA P-256; ${listener}`);

  await withServer(tlsScenario, certs, HANDSHAKE_SERVER_BODY_BYTES, async (server) => {
    const port = protocol === 'https' ? server.ports.https : server.ports.tls;
    const secureContext = tls.createSecureContext(clientTlsOptions(tlsScenario, certs));
    const loopTarget: LoopTarget = { port, secureContext, resume: resumed, protocol };
    // payloadBytes is not used with `https`, but the driver checks it all the same.
    const driverOptions = { port, tls: tlsScenario, certs, payloadBytes: 1, protocol } as const;
    const drivers = new Map<number, Pick<HandshakeDriver, 'run'>>();
    const pools: HandshakePool[] = [];
    const startDriver = async (concurrency: number): Promise<void> => {
      const workers = concurrency > 1 ? Math.min(options.driverWorkers, concurrency) : 1;
      if (workers === 1) {
        drivers.set(concurrency, new HandshakeDriver({ ...driverOptions, concurrency }));
        return;
      }
      const pool = await startHandshakePool({ ...driverOptions, concurrency, workers });
      pools.push(pool);
      drivers.set(concurrency, pool);
    };
    const driverFor = (concurrency: number): Pick<HandshakeDriver, 'run'> => {
      const driver = drivers.get(concurrency);
      if (driver === undefined) throw new Error(`no HandshakeDriver started for concurrency ${concurrency}`);
      return driver;
    };

    // Warm-ups compile the hot paths of both in-process clients and of the server.
    await runMinimalLoop({ ...loopTarget, concurrency: 1, durationMs: WARMUP_MS, maxCount: MAX_OPERATIONS, stopTimeLimitMs: 10_000 });
    const saturating = await saturatingConcurrency(context, phase, loopTarget);
    try {
      const concurrencies = [1, saturating];
      for (const concurrency of concurrencies) {
        await startDriver(concurrency);
        await driverFor(concurrency).run({ maxCount: MAX_OPERATIONS, durationMs: WARMUP_MS });
      }

      const tools: PhaseTool[] = [
        { id: 'driver', starterFor: (concurrency) => driverStarter(driverFor(concurrency), resumed) },
        { id: 'loop', starterFor: (concurrency) => loopStarter(port, secureContext, concurrency, resumed, protocol) },
      ];
      const openssl = context.versions.openssl;
      if (openssl !== null) {
        tools.push({
          id: 's_time',
          starterFor: (concurrency) =>
            sTimeStarter({
              openssl: 'openssl',
              port,
              files: context.files,
              tlsVersion: tlsScenario.tlsVersion,
              mode: resumed ? 'reuse' : 'new',
              processes: concurrency,
              wwwPath: protocol === 'https' ? HTTPS_PATH : null,
            }),
        });
      }
      await measureTools(context, phase, server, tools, concurrencies);
    } finally {
      for (const pool of pools) await pool.close();
    }
  });
}

/** Measures keep-alive requests on a server-only TLS listener. */
async function runRequestsPhase(context: HarnessContext): Promise<void> {
  const { options, certs } = context;
  const tlsScenario = scenarioOf({ tlsVersion: options.tlsVersion, resumption: 'none', auth: 'tls' });
  log(`[requests] echo server: server-only TLS, ${tlsScenario.tlsVersion}, ECDSA P-256; ${options.connections} connections, ${options.payloadBytes > 0 ? `POST of ${options.payloadBytes} bytes` : 'GET'}`);
  const shape = { payloadBytes: options.payloadBytes };

  let scriptFile: string | null = null;
  if (options.payloadBytes > 0) {
    scriptFile = await context.dir.writeFile('post.lua', wrkPostScript(options.payloadBytes), { secret: false });
  }

  await withServer(tlsScenario, certs, options.payloadBytes > 0 ? options.payloadBytes : 64, async (server) => {
    const port = server.ports.https;
    const tools: PhaseTool[] = [
      { id: 'runRequests', starterFor: (connections) => runRequestsStarter(port, tlsScenario, certs, connections, shape) },
      { id: 'autocannon', starterFor: (connections) => autocannonStarter(port, connections, shape) },
    ];
    if (context.versions.wrk !== null) {
      tools.push({
        id: 'wrk',
        starterFor: (connections) => wrkStarter({ wrk: 'wrk', port, connections, threads: options.wrkThreads, scriptFile }),
      });
    }

    const warmup = await runInWindow(server, runRequestsStarter(port, tlsScenario, certs, options.connections, shape), { leadMs: 0, windowMs: WARMUP_MS, tailMs: 0 });
    if (warmup.report.failure !== null) throw new MtlsBenchError('RUN_FAILED', `requests warm-up failed: ${warmup.report.failure}`);
    await measureTools(context, 'requests', server, tools, [options.connections]);
  });
}

/** Statements printed under the tables and stored in the results, so that no figure is read without them. */
function notesOf(options: HarnessOptions, context: HarnessContext): string[] {
  const notes = [
    `Handshake rate: handshakes the echo server completed per second in a ${options.durationMs / 1000} s window that starts ${WINDOW_LEAD_MS} ms into each tool's run and ends ${WINDOW_TAIL_MS} ms before it. Requests rate: what each tool reports over its whole run.`,
    'tool-reported rate: HandshakeDriver and the loop count connections that got their echo or response over their run; s_time, the sum of its processes\' connections over the longest process wall time, start-up included; autocannon, 2xx responses over the wall time of the call; wrk, its Requests/sec.',
    'p50: handshake time from TCP connect to secureConnect (HandshakeDriver, loop), request latency (runRequests, wrk). s_time reports no latency, and autocannon 9 only whole milliseconds.',
  ];
  if (options.phases.includes('full') || options.phases.includes('resumed')) {
    notes.push(
      'In the full and resumed phases openssl s_time does no echo and closes without reading or sending close_notify, so it does less client work per connection than HandshakeDriver and the loop. The server counts some of those closes as ECONNRESET (server:ECONNRESET in the errors) after the handshake completed.',
    );
  }
  if (options.phases.includes('https') || options.phases.includes('resumed-https')) {
    notes.push(
      `In the https and resumed-https phases every tool sends one request after each handshake, and the server responds to it with a ${HANDSHAKE_SERVER_BODY_BYTES}-byte body after it has finished the handshake, then closes the connection. HandshakeDriver and the loop send GET ${HTTPS_PATH} HTTP/1.1 with Connection: close and complete at the status line. openssl s_time -www ${HTTPS_PATH} sends GET ${HTTPS_PATH} HTTP/1.0 and reads until the server closes.`,
    );
  }
  notes.push(
    'wrk 4.1 cannot present a client certificate: it has no certificate option, its Lua API has no TLS settings, and its binary calls no SSL_CTX_use_certificate or SSL_CTX_use_PrivateKey function. Against an mTLS listener every wrk connection fails, so the requests comparison runs on a server-only TLS listener (auth tls).',
    'autocannon and wrk do not verify the server certificate; runRequests verifies every connection.',
  );
  if (options.tlsVersion === 'tls1.3' && options.phases.includes('full')) {
    notes.push(
      'Under TLS 1.3 an s_time connection is done once the client has sent its Finished, before the server has checked the client certificate, so s_time\'s own count can run ahead of the server; the compared rate is what the server completed.',
    );
  }
  if (options.driverWorkers > 1) {
    notes.push(`At the saturating concurrency HandshakeDriver ran in ${options.driverWorkers} worker threads (--driver-workers), or in as many as its concurrency where that is lower.`);
  }
  notes.push(...context.skipped);
  return notes;
}

function resultsPath(options: HarnessOptions, startedAt: Date): string {
  if (options.out !== null) return path.resolve(options.out);
  const stamp = startedAt.toISOString().replace(/\.\d+Z$/, 'Z').replaceAll(':', '-');
  return path.join(ROOT, 'results', `harness-${stamp}.json`);
}

async function writePkiFiles(dir: PrivateDir, certs: CertificateSet): Promise<ClientFiles> {
  // chainDepth 0: the client leaf is its whole chain, which is what s_time's -cert reads.
  return {
    ca: await dir.writeFile('ca.pem', certs.caPem, { secret: false }),
    cert: await dir.writeFile('client.pem', certs.client.certPem, { secret: false }),
    key: await dir.writeFile('client-key.pem', certs.client.keyPem, { secret: true }),
  };
}

function onSignal(signal: NodeJS.Signals, exitCode: number): void {
  process.once(signal, () => {
    killLiveChildren();
    removeLivePrivateDirsSync();
    log(`\nbench-harness: stopped by ${signal}; tool processes killed, private keys removed, no results written`);
    process.exit(exitCode);
  });
}

async function main(argv: readonly string[]): Promise<number> {
  const options = parseHarnessOptions(argv);
  if (options.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  onSignal('SIGINT', 130);
  onSignal('SIGTERM', 143);

  const startedAt = new Date();
  const loadAtStart = os.loadavg();
  const versions = toolVersions();
  const skipped: string[] = [];
  if (versions.openssl === null) {
    skipped.push('openssl was not found on PATH, so the openssl s_time rows are skipped.');
    log(`bench-harness: openssl not found on PATH; the s_time rows are skipped. To add them, ${MISSING_TOOL_HINT}.`);
  }
  if (versions.wrk === null && options.phases.includes('requests')) {
    skipped.push('wrk was not found on PATH, so the wrk rows are skipped.');
    log(`bench-harness: wrk not found on PATH; the wrk rows are skipped. To add them, ${MISSING_TOOL_HINT}.`);
  }
  log(`tools: node ${process.versions.node} (OpenSSL ${process.versions.openssl}), ${versions.openssl ?? 'no openssl'}, ${versions.wrk ?? 'no wrk'}, autocannon ${versions.autocannon}; load average ${loadAtStart.map((load) => load.toFixed(2)).join(' ')}`);

  const certs = await createPkiFactory().get('ecdsa-p256', 'ecdsa-p256', 0);
  const dir = await createPrivateDir('mtls-bench-harness-');
  const context: HarnessContext = { options, certs, dir, files: { ca: '', cert: '', key: '' }, versions, measurements: [], saturation: null, skipped };
  try {
    context.files = await writePkiFiles(dir, certs);
    for (const phase of options.phases) {
      if (phase === 'requests') await runRequestsPhase(context);
      else await runHandshakePhase(context, phase);
    }
  } finally {
    killLiveChildren();
    await dir.remove();
  }

  const finishedAt = new Date();
  const summaries = summarize(context.measurements);
  const ratios = checkRatios(summaries);
  const notes = notesOf(options, context);
  const out = resultsPath(options, startedAt);
  const report = {
    kind: 'mtls-bench-harness',
    command: `npm run bench:harness${argv.length > 0 ? ` -- ${argv.join(' ')}` : ''}`,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    wallTimeMs: finishedAt.getTime() - startedAt.getTime(),
    environment: describeEnvironment(),
    loadAverage: { start: loadAtStart, end: os.loadavg() },
    tools: versions,
    options,
    window: { leadMs: WINDOW_LEAD_MS, windowMs: options.durationMs, tailMs: WINDOW_TAIL_MS },
    saturation: context.saturation,
    summaries,
    ratios,
    notes,
    measurements: context.measurements,
  };
  await mkdir(path.dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify(report, null, 2)}\n`);

  const saturationLine =
    context.saturation === null
      ? ''
      : `saturating concurrency: ${context.saturation.concurrency} (${context.saturation.source === 'sweep' ? `sweep in the ${context.saturation.sweepPhase} phase: ${context.saturation.sweep.map((entry) => `${entry.concurrency}: ${entry.handshakesPerSec}`).join(', ')} hs/s` : '--concurrency'})\n`;
  process.stdout.write(
    `${saturationLine}${renderRateTable(summaries)}\n${renderRatioTable(ratios)}\n${notes.map((note) => `- ${note}`).join('\n')}\n` +
      `wall time ${(report.wallTimeMs / 1000).toFixed(0)} s; load average at start ${loadAtStart.map((load) => load.toFixed(2)).join(' ')}\n` +
      `results written to ${path.relative(process.cwd(), out) || out}\n`,
  );
  return 0;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  killLiveChildren();
  removeLivePrivateDirsSync();
  if (error instanceof HarnessOptionError) {
    log(`bench-harness: ${error.message}`);
    process.exitCode = 2;
  } else if (error instanceof MtlsBenchError) {
    log(`bench-harness: ${error.message}`);
    process.exitCode = error.code === 'INVALID_ARGUMENT' ? 2 : 3;
  } else {
    log(`bench-harness: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exitCode = 70;
  }
}
