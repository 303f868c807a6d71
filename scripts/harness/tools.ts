/**
 * Starters for the six load generators. Each runs for the time it is given and reports its own
 * rate, latency and errors; `runInWindow` adds what the server counted.
 */
import autocannon from 'autocannon';
import type { SecureContext } from 'node:tls';
import { HandshakeDriver } from '../../src/drivers/handshake.ts';
import { runRequests } from '../../src/drivers/requests.ts';
import type { CertificateSet } from '../../src/pki/types.ts';
import type { TlsScenario, TlsVersion } from '../../src/scenario/types.ts';
import { runMinimalLoop } from './minimal-loop.ts';
import { runChild } from './processes.ts';
import type { ChildOutcome } from './processes.ts';
import { parseSTimeOutput, parseWrkOutput } from './tool-output.ts';
import type { StartedRun, ToolReport, ToolStarter } from './window.ts';

/**
 * Count bound of every in-process run, far above what two cores reach in a minute, so that the
 * time bound ends the run. It is there so that no loop is unbounded in count.
 */
export const MAX_OPERATIONS = 5_000_000;

/** Time a tool gets after its own time bound before it is stopped by force, in milliseconds. */
const STOP_TIME_LIMIT_MS = 10_000;

const LOOPBACK_HOST = '127.0.0.1';

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Wraps a run in this process: no child pids, and a report that never rejects. */
function inProcess(run: () => Promise<ToolReport>): StartedRun {
  return {
    pids: [],
    report: run().catch((error: unknown) => ({ toolRate: null, latencyP50Us: null, errors: {}, failure: messageOf(error) })),
  };
}

/** Starts mtls-bench's HandshakeDriver, which keeps its session across runs as it does across the rounds of a cell. */
export function driverStarter(driver: Pick<HandshakeDriver, 'run'>, resumed: boolean): ToolStarter {
  return (runMs) =>
    inProcess(async () => {
      const run = await driver.run({ maxCount: MAX_OPERATIONS, durationMs: runMs });
      const latency = resumed ? run.latencyUs.resumed : run.latencyUs.full;
      return {
        toolRate: run.handshakesPerSec,
        latencyP50Us: latency.count === 0 ? null : latency.p50,
        errors: run.errors,
        failure: null,
      };
    });
}

/** Starts the minimal `tls.connect` loop of minimal-loop.ts, which sends a byte (`tls`) or a `GET /` request (`https`). */
export function loopStarter(port: number, secureContext: SecureContext, concurrency: number, resume: boolean, protocol: 'tls' | 'https' = 'tls'): ToolStarter {
  return (runMs) =>
    inProcess(async () => {
      const run = await runMinimalLoop({
        port,
        secureContext,
        concurrency,
        durationMs: runMs,
        maxCount: MAX_OPERATIONS,
        resume,
        stopTimeLimitMs: STOP_TIME_LIMIT_MS,
        protocol,
      });
      return { toolRate: run.handshakesPerSec, latencyP50Us: run.handshakeP50Us, errors: run.errors, failure: null };
    });
}

/** PEM files that openssl s_time reads. */
export interface ClientFiles {
  ca: string;
  cert: string;
  key: string;
}

export interface STimeSettings {
  openssl: string;
  port: number;
  files: ClientFiles;
  tlsVersion: TlsVersion;
  /** `new` for full handshakes, `reuse` to resume the session of the first connection. */
  mode: 'new' | 'reuse';
  /** s_time processes run at once, one connection in flight each. */
  processes: number;
  /**
   * Path for `-www`, or null to send nothing. With a path, s_time sends `GET <path> HTTP/1.0`
   * after each handshake and reads until the server closes the connection.
   */
  wwwPath: string | null;
}

/** Returns the arguments of one s_time process. `-time` takes whole seconds. */
export function sTimeArgs(settings: STimeSettings, seconds: number): string[] {
  return [
    's_time',
    '-connect',
    `${LOOPBACK_HOST}:${settings.port}`,
    settings.mode === 'new' ? '-new' : '-reuse',
    '-time',
    String(seconds),
    '-cert',
    settings.files.cert,
    '-key',
    settings.files.key,
    '-CAfile',
    settings.files.ca,
    settings.tlsVersion === 'tls1.3' ? '-tls1_3' : '-tls1_2',
    ...(settings.wwwPath === null ? [] : ['-www', settings.wwwPath]),
  ];
}

function firstStderrLine(outcome: ChildOutcome): string {
  return outcome.stderr.split('\n').find((line) => line.trim() !== '' && line.trim() !== 'ERROR')?.trim() ?? '(nothing on stderr)';
}

function exitDescription(outcome: ChildOutcome): string {
  if (outcome.timedOut) return 'was killed after its time limit';
  return outcome.signal === null ? `exited with code ${outcome.code}` : `ended by ${outcome.signal}`;
}

/**
 * Starts `processes` s_time processes in parallel. The tool rate is the sum of their connections over
 * the longest wall time, process start-up included. s_time stops at the first handshake that
 * fails, or with `-www` at the first request it cannot write, so one failure ends that
 * process's run. A failed read does not stop it, and the connection still counts, so with
 * `-www` a process that read no response bytes at all counts as failed.
 */
export function sTimeStarter(settings: STimeSettings): ToolStarter {
  return (runMs) => {
    // s_time runs until time(NULL) passes start + seconds: between `seconds` and `seconds` + 1 s.
    const seconds = Math.ceil(runMs / 1000);
    const children = Array.from({ length: settings.processes }, () =>
      runChild(settings.openssl, sTimeArgs(settings, seconds), (seconds + 1) * 1000 + STOP_TIME_LIMIT_MS),
    );
    const report = Promise.allSettled(children.map((child) => child.outcome)).then((outcomes): ToolReport => {
      let connections = 0;
      let wallUs = 0;
      const failures: string[] = [];
      const errors: Record<string, number> = {};
      for (const settled of outcomes) {
        if (settled.status === 'rejected') {
          failures.push(`openssl could not be started: ${messageOf(settled.reason)}`);
          continue;
        }
        const outcome = settled.value;
        wallUs = Math.max(wallUs, outcome.wallUs);
        if (outcome.code !== 0) {
          errors.S_TIME_EXIT = (errors.S_TIME_EXIT ?? 0) + 1;
          failures.push(`openssl s_time ${exitDescription(outcome)}: ${firstStderrLine(outcome)}`);
          continue;
        }
        try {
          const parsed = parseSTimeOutput(outcome.stdout);
          connections += parsed.connections;
          if (settings.wwwPath !== null && parsed.connections > 0 && parsed.bytesRead === 0) {
            errors.S_TIME_NO_RESPONSE = (errors.S_TIME_NO_RESPONSE ?? 0) + 1;
            failures.push(`openssl s_time -www ${settings.wwwPath} read no response bytes in ${parsed.connections} connections`);
          }
        } catch (error) {
          failures.push(messageOf(error));
        }
      }
      return {
        toolRate: failures.length > 0 || wallUs === 0 ? null : connections / (wallUs / 1e6),
        latencyP50Us: null,
        errors,
        failure: failures.length === 0 ? null : [...new Set(failures)].join('; '),
      };
    });
    return { pids: children.map((child) => child.pid), report };
  };
}

/** The request every requests tool sends: POST with a body, or GET without one. */
export interface RequestShape {
  payloadBytes: number;
}

function methodOf(shape: RequestShape): 'GET' | 'POST' {
  return shape.payloadBytes > 0 ? 'POST' : 'GET';
}

/** Starts mtls-bench's runRequests, which verifies every connection's server certificate itself. */
export function runRequestsStarter(port: number, tls: TlsScenario, certs: CertificateSet, connections: number, shape: RequestShape): ToolStarter {
  return (runMs) =>
    inProcess(async () => {
      const run = await runRequests({
        port,
        tls,
        certs,
        connections,
        pipelining: 1,
        durationMs: runMs,
        maxCount: MAX_OPERATIONS,
        rateRps: null,
        payloadBytes: shape.payloadBytes,
        method: methodOf(shape),
      });
      const errors = { ...run.errors, ...(run.non2xx > 0 ? { non2xx: run.non2xx } : {}) };
      return { toolRate: run.throughputRps, latencyP50Us: run.latencyUs.count === 0 ? null : run.latencyUs.p50, errors, failure: null };
    });
}

/**
 * Starts autocannon as a user would run it: the same URL, connections, method and body, no
 * `setupClient` or other hooks, and autocannon's own default of not verifying the server.
 * The rate is 2xx responses over the wall time from the call to its callback.
 */
export function autocannonStarter(port: number, connections: number, shape: RequestShape): ToolStarter {
  return (runMs) =>
    inProcess(
      () =>
        new Promise<ToolReport>((resolve, reject) => {
          const startNs = process.hrtime.bigint();
          const method = methodOf(shape);
          const instance = autocannon(
            {
              url: `https://${LOOPBACK_HOST}:${port}/`,
              connections,
              pipelining: 1,
              duration: runMs / 1000,
              maxOverallRequests: MAX_OPERATIONS,
              method,
              ...(method === 'POST' ? { body: 'a'.repeat(shape.payloadBytes), headers: { 'content-type': 'application/octet-stream' } } : {}),
            },
            (error: unknown, result: autocannon.Result) => {
              clearTimeout(stopTimer);
              if (error !== null && error !== undefined) {
                reject(error instanceof Error ? error : new Error(String(error)));
                return;
              }
              const elapsedUs = Number((process.hrtime.bigint() - startNs) / 1000n);
              const errors: Record<string, number> = {};
              if (result.errors > 0) errors.errors = result.errors;
              if (result.timeouts > 0) errors.timeouts = result.timeouts;
              if (result.non2xx > 0) errors.non2xx = result.non2xx;
              resolve({
                toolRate: result['2xx'] / (elapsedUs / 1e6),
                // autocannon 9 records latency in whole milliseconds, too coarse for loopback requests.
                latencyP50Us: null,
                errors,
                failure: null,
              });
            },
          );
          const stopTimer = setTimeout(() => instance.stop(), runMs + STOP_TIME_LIMIT_MS);
        }),
    );
}

export interface WrkSettings {
  wrk: string;
  port: number;
  connections: number;
  threads: number;
  /** Lua script that sets the method and body, or null for GET. */
  scriptFile: string | null;
}

/** Returns the arguments of one wrk run. `-d` takes whole seconds. */
export function wrkArgs(settings: WrkSettings, seconds: number): string[] {
  return [
    '-t',
    String(settings.threads),
    '-c',
    String(settings.connections),
    '-d',
    `${seconds}s`,
    '--latency',
    ...(settings.scriptFile === null ? [] : ['-s', settings.scriptFile]),
    `https://${LOOPBACK_HOST}:${settings.port}/`,
  ];
}

/** Returns the Lua script that makes wrk send the same POST as the other tools. */
export function wrkPostScript(payloadBytes: number): string {
  return [
    'wrk.method = "POST"',
    `wrk.body = string.rep("a", ${payloadBytes})`,
    'wrk.headers["Content-Type"] = "application/octet-stream"',
    '',
  ].join('\n');
}

/** Starts wrk, which reports its own Requests/sec: responses over its exact run time, connection set-up included. */
export function wrkStarter(settings: WrkSettings): ToolStarter {
  return (runMs) => {
    const seconds = Math.ceil(runMs / 1000);
    const child = runChild(settings.wrk, wrkArgs(settings, seconds), seconds * 1000 + STOP_TIME_LIMIT_MS);
    const report = child.outcome.then(
      (outcome): ToolReport => {
        if (outcome.code !== 0) {
          return { toolRate: null, latencyP50Us: null, errors: {}, failure: `wrk ${exitDescription(outcome)}: ${firstStderrLine(outcome)}` };
        }
        try {
          const parsed = parseWrkOutput(outcome.stdout);
          const errors: Record<string, number> = {};
          for (const [kind, count] of Object.entries(parsed.socketErrors)) {
            if (count > 0) errors[`socket ${kind}`] = count;
          }
          if (parsed.non2xx3xx > 0) errors['non-2xx/3xx'] = parsed.non2xx3xx;
          return { toolRate: parsed.requestsPerSec, latencyP50Us: parsed.latencyP50Us, errors, failure: null };
        } catch (error) {
          return { toolRate: null, latencyP50Us: null, errors: {}, failure: messageOf(error) };
        }
      },
      (error: unknown): ToolReport => ({ toolRate: null, latencyP50Us: null, errors: {}, failure: `wrk could not be started: ${messageOf(error)}` }),
    );
    return { pids: [child.pid], report };
  };
}
