/**
 * Keep-alive HTTPS requests through autocannon 9's programmatic API, with the server
 * certificate verified and latency kept in microseconds.
 *
 * Known limits:
 * - autocannon connects with `rejectUnauthorized: false` whatever `tlsOptions` sets. This
 *   driver wraps each client's `_connect` (an autocannon 9 internal) to see every socket,
 *   destroys a socket whose server failed verification, and never counts its responses.
 *   Unless `beforeRequests` is set, autocannon writes the first requests before the handshake
 *   ends. On Node 20.20 the socket is destroyed before any of them leaves: a test counts zero
 *   requests at an HTTPS server from another CA (test/drivers/requests-verify.test.ts).
 * - autocannon offers no saved session when it reconnects, so every connection makes a full
 *   handshake whatever the scenario's resumption setting.
 * - autocannon starts a request's clock when it queues the request, so the first `pipelining`
 *   responses on each connection include the TCP and TLS handshakes. They are counted but kept
 *   out of the latency histogram, which measures requests on established connections; the
 *   handshake workload measures the handshakes.
 * - After a connection error autocannon reconnects without clearing its queue of pending
 *   requests, so responses after a reconnect may be timed from an earlier request. Any such
 *   run also reports the error.
 * - With `rateRps`, autocannon sends each connection's share of a second as fast as it can at
 *   the start of that second, so the load comes in bursts. autocannon's own correction for
 *   coordinated omission passes an expected interval of `Math.ceil(1 / rate)`, which is 1 ms
 *   whatever the rate, so this driver corrects its own histogram instead (see
 *   `expectedIntervalUsOf`).
 */
import tls from 'node:tls';
import type { ConnectionOptions, SecureContext, TLSSocket } from 'node:tls';
import { debuglog } from 'node:util';
import autocannon from 'autocannon';
import * as hdr from 'hdr-histogram-js';
import { NegotiationTally } from '../checks/tally.ts';
import { MtlsBenchError } from '../errors.ts';
import type { CertificateSet } from '../pki/types.ts';
import type { TlsScenario } from '../scenario/types.ts';
import { formatHostPort } from '../targets/address.ts';
import { clientTlsOptions, LOOPBACK_HOST, servernameOptionsOf } from '../servers/tls-options.ts';
import type { ClientTlsMaterial } from '../servers/tls-options.ts';
import type { Negotiated, NegotiationCount } from '../servers/types.ts';
import {
  createLatencyHistogram,
  elapsedUs,
  recordLatencyUs,
  recordLatencyWithExpectedIntervalUs,
  summarizeLatency,
} from '../stats/histogram.ts';
import type { LatencySummary } from '../stats/histogram.ts';
import { recordClientNegotiation } from './negotiated.ts';

const debug = debuglog('mtls-bench');

/**
 * autocannon checks its stop flag only when it takes a sample, every `sampleInt` ms (default
 * 1000). A short interval lets a run end within about 50 ms of its window closing.
 */
const SAMPLE_INTERVAL_MS = 50;

/**
 * Time after the duration bound before a run that has not ended is torn down and fails. A
 * healthy run ends within one sample interval, and the margin covers a heavily loaded machine.
 */
const STOP_TIME_LIMIT_MS = 5_000;

/** Error code for a response on a connection whose server was never seen to pass verification. */
export const UNVERIFIED_SERVER = 'UNVERIFIED_SERVER';

/** Error code for a request that autocannon timed out (10 s without a response). */
export const REQUEST_TIMEOUT = 'REQUEST_TIMEOUT';

/** Options of `runRequests`. */
export interface RequestsRunOptions {
  /** Host to connect to. Default 127.0.0.1, where the echo servers listen. */
  host?: string;
  /**
   * SNI name, the name the server certificate is checked against, and the `Host` header.
   * Default: `host`.
   */
  servername?: string;
  /** HTTPS port of the echo server, or of a target. */
  port: number;
  tls: TlsScenario;
  /** CA, client certificate and key: an echo server's generated set, or a target's files. */
  certs: CertificateSet | ClientTlsMaterial;
  /** Keep-alive connections. autocannon lowers it to `rateRps` when that is smaller. */
  connections: number;
  /** Requests in flight per connection. */
  pipelining: number;
  /** Time bound in milliseconds. The run also stops at `maxCount`, whichever comes first. */
  durationMs: number;
  /**
   * Requests to send, split evenly over the connections, or null for no count bound. With
   * pipelining above 1 a connection closes once it has sent its share, so up to
   * `pipelining - 1` responses per connection go uncounted. Must be at least `connections`.
   */
  maxCount: number | null;
  /** Target requests per second over all connections, or null for as fast as possible. */
  rateRps: number | null;
  /** Request body size in bytes, which the echo server sends back; 0 sends no body. */
  payloadBytes: number;
  /**
   * Request method. Default: POST, or GET when `payloadBytes` is 0. A target gets GET, which
   * carries no body whatever the value of `payloadBytes`, and whose response is what it serves for `/`.
   */
  method?: 'GET' | 'POST';
  /**
   * Called once every connection has ended its first handshake, verified or not, or failed to
   * connect. No request is sent until the promise it returns resolves, and a rejection fails the
   * run with `RUN_FAILED`. The window still opens at the first connection attempt, so it includes
   * this wait. Default: none, so each connection sends its first requests as soon as it opens.
   */
  beforeRequests?: () => Promise<void>;
}

/** Client-side measurements of one requests run. */
export interface RequestsRunResult {
  /** 2xx responses on verified connections inside the measurement window. */
  count: number;
  /** Failures by code: connection errors, unverified servers, request timeouts. */
  errors: Record<string, number>;
  /** Sum of `errors`. */
  errorCount: number;
  /** Responses with a status outside 2xx. */
  non2xx: number;
  /** `count` per second of `elapsedUs`. */
  throughputRps: number;
  /** Measurement window in microseconds, from the first connection attempt to the stop. */
  elapsedUs: number;
  /**
   * Time from queueing each counted request to its complete response, leaving out the first
   * `pipelining` responses on each connection, which waited for its handshake. With `rateRps`,
   * corrected for coordinated omission against `expectedIntervalUs`.
   */
  latencyUs: LatencySummary;
  /**
   * With `rateRps`: the time between two requests on one connection that the rate sets, which
   * the latency histogram was corrected against. Null without a rate.
   */
  expectedIntervalUs: number | null;
  /** CPU time this process used over the window (`process.cpuUsage`), in microseconds. */
  clientCpuUs: { user: number; system: number };
  /** Parameters negotiated on the first verified connection, or null when none verified. */
  negotiated: Negotiated | null;
  /**
   * Verified connections of the window, counted per distinct negotiated values. autocannon 9
   * passes no session to `tls.connect`, so each one is a full handshake.
   */
  negotiations: NegotiationCount[];
  /** Connections whose server certificate and host name verified. */
  connectionsVerified: number;
  /** Connections destroyed after the handshake because the server failed verification. */
  connectionsUnverified: number;
}

/** The parts of autocannon 9's `lib/httpClient.js` Client that this driver relies on. */
interface AutocannonClient {
  /** Current socket, which `_connect` replaces on every connect and reconnect. */
  conn: TLSSocket;
  /** The client's own options; `_connect` spreads `tlsOptions` into each `tls.connect`. */
  opts: { tlsOptions?: ConnectionOptions };
  _connect(): void;
  /** Sends the next request: `pipelining` times on each connect, then once per response. */
  _doRequest(): void;
  destroy(): void;
  on(event: 'response', listener: (statusCode: number, responseBytes: number, responseTimeMs: number) => void): void;
  on(event: 'connError', listener: (error: Error) => void): void;
  on(event: 'timeout' | 'done', listener: () => void): void;
}

/**
 * Histograms for autocannon's own summary, which this driver does not read: it times responses
 * itself in microseconds. Left to itself, autocannon 9 builds three WebAssembly histograms per
 * run (latency at five significant digits) in the thread's one WebAssembly memory, which never
 * shrinks. In `npm run bench:memory` the process's `external` memory, which includes it, grew
 * by about 4.4 MiB at every second 1000-connection run. These JavaScript histograms are small
 * and collected with the run.
 */
function autocannonHistograms(): Record<'latencies' | 'requests' | 'throughput', hdr.Histogram> {
  const build = (): hdr.Histogram => hdr.build({ bitBucketSize: 'packed', numberOfSignificantValueDigits: 1, autoResize: true });
  return { latencies: build(), requests: build(), throughput: build() };
}

function invalidOption(field: string, value: unknown, expected: string): MtlsBenchError {
  return new MtlsBenchError('INVALID_ARGUMENT', `runRequests: ${field}: got ${String(value)}; expected ${expected}`);
}

function isPositiveInteger(value: number): boolean {
  return Number.isInteger(value) && value > 0;
}

function validateOptions(options: RequestsRunOptions): void {
  const { port, connections, pipelining, durationMs, maxCount, rateRps, payloadBytes } = options;
  if (!isPositiveInteger(port) || port > 65_535) throw invalidOption('port', port, 'an integer from 1 to 65535');
  if (!isPositiveInteger(connections)) throw invalidOption('connections', connections, 'a positive integer');
  if (!isPositiveInteger(pipelining)) throw invalidOption('pipelining', pipelining, 'a positive integer');
  if (!(Number.isFinite(durationMs) && durationMs > 0)) {
    throw invalidOption('durationMs', durationMs, 'a positive number of milliseconds');
  }
  if (maxCount !== null && !(Number.isInteger(maxCount) && maxCount >= connections)) {
    // autocannon splits maxCount over the connections and throws when one would get none.
    throw invalidOption('maxCount', maxCount, `null or an integer of at least connections (${connections})`);
  }
  if (rateRps !== null && !isPositiveInteger(rateRps)) throw invalidOption('rateRps', rateRps, 'null or a positive integer');
  if (!(Number.isInteger(payloadBytes) && payloadBytes >= 0)) {
    throw invalidOption('payloadBytes', payloadBytes, 'a non-negative integer');
  }
}

/** Node sets `authorizationError` to an OpenSSL or Node error code string, typed as Error. */
function authorizationCodeOf(socket: TLSSocket): string {
  const reason: unknown = socket.authorizationError;
  if (typeof reason === 'string' && reason !== '') return reason;
  if (reason instanceof Error) return (reason as NodeJS.ErrnoException).code ?? reason.message;
  return UNVERIFIED_SERVER;
}

function errorCodeOf(error: Error): string {
  return (error as NodeJS.ErrnoException).code ?? error.name;
}

/**
 * The interval between requests on one connection that `rateRps` sets, in whole
 * microseconds: autocannon gives each of its connections (never more than `rateRps`) an equal
 * share of the rate.
 *
 * A response slower than this interval held up requests that the rate would have sent in the
 * meantime, and a closed-loop timer never records them (coordinated omission). HdrHistogram's
 * `recordValueWithExpectedInterval` adds those missing samples: for a response of latency L
 * it also records L - I, L - 2I, ... down to I. This corrects for stalls, not for the bursts
 * within each second described at the top of this file.
 */
export function expectedIntervalUsOf(rateRps: number, connections: number): number {
  const activeConnections = Math.min(connections, rateRps);
  return Math.max(1, Math.round((1e6 * activeConnections) / rateRps));
}

/** Counters of one run. Events after the window closes are not counted. */
class RequestsTally {
  readonly histogram = createLatencyHistogram();
  readonly errors: Record<string, number> = {};
  readonly clients: AutocannonClient[] = [];
  count = 0;
  non2xx = 0;
  connectionsVerified = 0;
  connectionsUnverified = 0;
  negotiated: Negotiated | null = null;
  readonly negotiations = new NegotiationTally();
  windowOpen = true;

  private readonly verifiedSockets = new WeakSet<TLSSocket>();
  /** Responses seen on each socket, so that those that waited for the handshake stay out of the histogram. */
  private readonly responsesBySocket = new WeakMap<TLSSocket, number>();
  /** Errors already counted where they arose, which autocannon reports again as `connError`. */
  private readonly countedErrors = new WeakSet<Error>();
  private clientsDone = 0;

  constructor(
    private readonly pipelining: number,
    /** Null records latencies as they are; a number corrects them for coordinated omission. */
    private readonly expectedIntervalUs: number | null,
    private readonly onAllClientsDone: () => void,
  ) {}

  attachClient(client: AutocannonClient): void {
    const connect = client._connect;
    if (typeof connect !== 'function') {
      throw new MtlsBenchError(
        'RUN_FAILED',
        'runRequests: the autocannon client has no _connect method, so server certificates cannot be verified. Install autocannon 9.',
      );
    }
    this.clients.push(client);

    // autocannon calls this._connect() right after setupClient and again on every reconnect.
    client._connect = () => {
      connect.call(client);
      this.watchSocket(client.conn);
    };
    client.on('response', (statusCode, _responseBytes, responseTimeMs) => {
      this.recordResponse(client, statusCode, responseTimeMs);
    });
    client.on('connError', (error) => {
      if (!this.countedErrors.has(error)) this.countError(errorCodeOf(error));
    });
    // autocannon emits one timeout per pipelined request it gave up on.
    client.on('timeout', () => this.countError(REQUEST_TIMEOUT));
    client.on('done', () => {
      this.clientsDone += 1;
      if (this.clientsDone === this.clients.length) this.onAllClientsDone();
    });
  }

  countError(code: string): void {
    if (!this.windowOpen) return;
    this.errors[code] = (this.errors[code] ?? 0) + 1;
  }

  private watchSocket(socket: TLSSocket): void {
    socket.once('secureConnect', () => {
      // Node 20 runs the chain check and checkServerIdentity (against the servername, or the
      // echo server's IP SAN 127.0.0.1) even with rejectUnauthorized false, and sets
      // `authorized` only when both passed.
      if (socket.authorized) {
        this.verifiedSockets.add(socket);
        if (!this.windowOpen) return;
        this.connectionsVerified += 1;
        const negotiated = recordClientNegotiation(socket, this.negotiations, this.negotiated === null);
        if (negotiated !== null) this.negotiated = negotiated;
        return;
      }

      const code = authorizationCodeOf(socket);
      if (this.windowOpen) this.connectionsUnverified += 1;
      if (this.connectionsUnverified === 1) debug('requests: server failed verification (%s), so its connection is destroyed', code);
      this.countError(code);
      const error = Object.assign(new Error(`server certificate failed verification: ${code}`), { code });
      this.countedErrors.add(error);
      socket.destroy(error);
    });
  }

  private recordResponse(client: AutocannonClient, statusCode: number, responseTimeMs: number): void {
    if (!this.windowOpen) return;
    if (!this.verifiedSockets.has(client.conn)) {
      this.countError(UNVERIFIED_SERVER);
      return;
    }
    if (statusCode < 200 || statusCode > 299) {
      this.non2xx += 1;
      return;
    }
    this.count += 1;
    const seen = this.responsesBySocket.get(client.conn) ?? 0;
    this.responsesBySocket.set(client.conn, seen + 1);
    if (seen < this.pipelining) return;
    // autocannon times with process.hrtime and reports fractional milliseconds.
    if (this.expectedIntervalUs === null) {
      recordLatencyUs(this.histogram, responseTimeMs * 1000);
    } else {
      recordLatencyWithExpectedIntervalUs(this.histogram, responseTimeMs * 1000, this.expectedIntervalUs);
    }
  }
}

/**
 * Holds every request until `beforeRequests` has resolved, which it calls once each client has
 * ended its first handshake (verified or not) or failed to connect. autocannon sends requests only
 * from `_doRequest` (an autocannon 9 internal), and sends more only after a response, so holding
 * the calls that each connect makes delays the whole load.
 */
class RequestHold {
  /** Clients whose first requests wait for the release. */
  readonly #waiting = new Set<AutocannonClient>();
  readonly #settled = new WeakSet<AutocannonClient>();
  #settledCount = 0;
  #released = false;

  constructor(
    /** Clients that autocannon creates: `connections`, or `rateRps` when that is smaller. */
    private readonly clients: number,
    private readonly pipelining: number,
    private readonly beforeRequests: () => Promise<void>,
    private readonly windowOpen: () => boolean,
    private readonly onError: (error: unknown) => void,
  ) {}

  attach(client: AutocannonClient): void {
    const doRequest = client._doRequest;
    const connect = client._connect;
    client._doRequest = () => {
      if (this.#released) {
        doRequest.call(client);
        return;
      }
      this.#waiting.add(client);
    };
    client._connect = () => {
      connect.call(client);
      client.conn.once('secureConnect', () => this.#settle(client));
    };
    client.on('connError', () => this.#settle(client));
  }

  #settle(client: AutocannonClient): void {
    if (this.#settled.has(client)) return;
    this.#settled.add(client);
    this.#settledCount += 1;
    if (this.#settledCount < this.clients) return;
    // Starting from a resolved promise turns a synchronous throw into a rejection.
    void Promise.resolve()
      .then(() => this.beforeRequests())
      .then(() => this.#release(), this.onError);
  }

  #release(): void {
    this.#released = true;
    if (!this.windowOpen()) return;
    // A client that reconnected while held asked for its first requests on each connect. Without
    // the hold only the last `pipelining` of them would go to its current connection.
    for (const client of this.#waiting) {
      for (let i = 0; i < this.pipelining; i += 1) client._doRequest();
    }
    this.#waiting.clear();
  }
}

/**
 * Runs keep-alive HTTPS requests against `https://host:port/` until `durationMs` passes
 * or `maxCount` requests were sent. Only 2xx responses on connections whose server certificate
 * verified count. Never prints. Rejects with `RUN_FAILED` if autocannon fails to start or has
 * not stopped 5 s after the time bound.
 */
export async function runRequests(options: RequestsRunOptions): Promise<RequestsRunResult> {
  validateOptions(options);
  const host = options.host ?? LOOPBACK_HOST;
  const endpoint = options.servername === undefined ? { host } : { host, servername: options.servername };
  const tlsOptions = clientTlsOptions(options.tls, options.certs, endpoint);
  // autocannon passes its own `servername` to tls.connect over the one in tlsOptions.
  const { servername } = servernameOptionsOf(endpoint);
  // Without a context of its own, every connection builds one from the PEM options: 1.2 ms of
  // CPU each for an mTLS client, 1.4 s for 1000 connections, all inside the autocannon() call.
  // autocannon deep-copies its options, which a SecureContext does not survive (the process
  // crashed), so each client gets the shared context in setupClient instead.
  let secureContext: SecureContext;
  try {
    secureContext = tls.createSecureContext(tlsOptions);
  } catch (error) {
    throw new MtlsBenchError('INVALID_ARGUMENT', `runRequests: Node rejected the client TLS options: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const { port, connections, pipelining, durationMs, maxCount, rateRps, payloadBytes } = options;
  const method = options.method ?? (payloadBytes > 0 ? 'POST' : 'GET');
  const headers: Record<string, string> = {};
  const bodyBytes = method === 'POST' ? payloadBytes : 0;
  if (bodyBytes > 0) headers['content-type'] = 'application/octet-stream';
  if (options.servername !== undefined) headers.host = formatHostPort(options.servername, port);

  return new Promise<RequestsRunResult>((resolve, reject) => {
    let instance: autocannon.Instance | null = null;
    let settled = false;
    let windowEndNs: bigint | null = null;
    let clientCpuUs = { user: 0, system: 0 };

    debug('requests: %s %s, %d connections, pipelining %d, %d ms, maxCount %s, rateRps %s, %d-byte body',
      method, formatHostPort(host, port), connections, pipelining, durationMs, maxCount, rateRps, payloadBytes);
    const cpuStart = process.cpuUsage();
    const startNs = process.hrtime.bigint();

    const closeWindow = (reason: string): void => {
      if (!tally.windowOpen) return;
      tally.windowOpen = false;
      windowEndNs = process.hrtime.bigint();
      clientCpuUs = process.cpuUsage(cpuStart);
      debug('requests: window closed (%s) after %d responses', reason, tally.count);
      instance?.stop();
    };

    const expectedIntervalUs = rateRps === null ? null : expectedIntervalUsOf(rateRps, connections);
    const tally = new RequestsTally(pipelining, expectedIntervalUs, () =>
      closeWindow('every connection sent its share of maxCount'),
    );
    const hold =
      options.beforeRequests === undefined
        ? null
        : new RequestHold(
            rateRps === null ? connections : Math.min(connections, rateRps),
            pipelining,
            options.beforeRequests,
            () => tally.windowOpen,
            (error: unknown) => {
              closeWindow('beforeRequests failed');
              for (const client of tally.clients) client.destroy();
              const reason = error instanceof Error ? error.message : String(error);
              settle(new MtlsBenchError('RUN_FAILED', `runRequests: beforeRequests failed: ${reason}`, { cause: error }));
            },
          );

    // Node's timers count in whole milliseconds of loop time and can fire a fraction of a
    // millisecond before the hrtime deadline, so the timer re-arms until the deadline passed.
    let durationTimer: NodeJS.Timeout;
    const closeAtDeadline = (): void => {
      const remainingMs = durationMs - elapsedUs(startNs) / 1000;
      if (remainingMs > 0) {
        durationTimer = setTimeout(closeAtDeadline, Math.ceil(remainingMs));
        return;
      }
      closeWindow('duration reached');
    };
    durationTimer = setTimeout(closeAtDeadline, durationMs);

    const stopTimer = setTimeout(() => {
      closeWindow('stop time limit reached');
      for (const client of tally.clients) client.destroy();
      settle(
        new MtlsBenchError(
          'RUN_FAILED',
          `runRequests: autocannon did not stop within ${STOP_TIME_LIMIT_MS} ms after the ${durationMs} ms time bound`,
        ),
      );
    }, durationMs + STOP_TIME_LIMIT_MS);

    const settle = (error: unknown): void => {
      if (settled) return;
      settled = true;
      clearTimeout(durationTimer);
      clearTimeout(stopTimer);
      if (error !== null) {
        const cause = error instanceof Error ? error.message : String(error);
        reject(error instanceof MtlsBenchError ? error : new MtlsBenchError('RUN_FAILED', `runRequests: autocannon failed: ${cause}`, { cause: error }));
        return;
      }

      closeWindow('autocannon finished');
      const windowUs = elapsedUs(startNs, windowEndNs ?? process.hrtime.bigint());
      const errorCount = Object.values(tally.errors).reduce((sum, value) => sum + value, 0);
      resolve({
        count: tally.count,
        errors: tally.errors,
        errorCount,
        non2xx: tally.non2xx,
        throughputRps: windowUs === 0 ? 0 : tally.count / (windowUs / 1e6),
        elapsedUs: windowUs,
        latencyUs: summarizeLatency(tally.histogram),
        expectedIntervalUs,
        clientCpuUs,
        negotiated: tally.negotiated,
        negotiations: tally.negotiations.counts(),
        connectionsVerified: tally.connectionsVerified,
        connectionsUnverified: tally.connectionsUnverified,
      });
    };

    try {
      // autocannon builds its clients, and so opens every connection, inside this call.
      instance = autocannon(
        {
          url: `https://${formatHostPort(host, port)}/`,
          method,
          ...(bodyBytes > 0 ? { body: 'x'.repeat(bodyBytes) } : {}),
          ...(Object.keys(headers).length > 0 ? { headers } : {}),
          ...(servername === undefined ? {} : { servername }),
          connections,
          pipelining,
          // The driver's own timer closes the window. autocannon's duration (default 10 s) only
          // has to stay out of its way, and it ignores duration when amount is set.
          duration: (durationMs + STOP_TIME_LIMIT_MS) / 1000,
          ...(maxCount === null ? {} : { amount: maxCount }),
          ...(rateRps === null ? {} : { overallRate: rateRps }),
          sampleInt: SAMPLE_INTERVAL_MS,
          // Not in @types/autocannon: autocannon 9's lib/run.js takes it, as its worker mode does.
          ...({ histograms: autocannonHistograms() } as object),
          tlsOptions,
          setupClient: (client) => {
            const attached = client as unknown as AutocannonClient;
            attached.opts.tlsOptions = { ...attached.opts.tlsOptions, secureContext };
            tally.attachClient(attached);
            hold?.attach(attached);
          },
        },
        (error: unknown) => settle(error ?? null),
      );
    } catch (error) {
      // A throwing setupClient leaves the clients built so far connected.
      for (const client of tally.clients) client.destroy();
      settle(error);
    }
  });
}
