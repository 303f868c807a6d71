/**
 * Client side of the handshake workload: every operation opens a new TCP connection, completes
 * a TLS handshake, sends one payload, waits for its echo and closes. Against an HTTPS server
 * (`protocol: 'https'`) the payload is a `GET /` request and the wait is for the status line.
 * Either way the server has finished its side of the handshake, and TLS 1.3 tickets have
 * arrived, before the connection closes.
 *
 * The hot path is written for rate, because the driver's own overhead lowers the measured
 * handshake rate. Listeners are module-level functions that find their lane through a symbol
 * on the socket, so a connection allocates no closures, and each lane reuses its timers.
 *
 * The peer certificate is read with `peerX509CertificateOf`, never with Node's
 * `getPeerX509Certificate()`, which leaves native memory allocated on every call.
 */
import tls from 'node:tls';
import type { ConnectionOptions, PeerCertificate, SecureContext } from 'node:tls';
import { debuglog } from 'node:util';
import type { Histogram } from 'hdr-histogram-js';
import { NegotiationTally } from '../checks/tally.ts';
import { MtlsBenchError } from '../errors.ts';
import type { CertificateSet } from '../pki/types.ts';
import type { TlsScenario } from '../scenario/types.ts';
import { formatHostPort } from '../targets/address.ts';
import { clientTlsOptions, LOOPBACK_HOST, servernameOptionsOf } from '../servers/tls-options.ts';
import type { ClientTlsMaterial } from '../servers/tls-options.ts';
import type { Negotiated, NegotiationCount } from '../servers/types.ts';
import { createLatencyHistogram, elapsedUs, recordLatencyUs, summarizeLatency } from '../stats/histogram.ts';
import type { LatencySummary } from '../stats/histogram.ts';
import { recordClientNegotiation } from './negotiated.ts';

const debug = debuglog('mtls-bench');

/** Default limit on one operation, from `tls.connect` to the echo, so a hung server cannot hang a run. */
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;

/**
 * Time to wait after the echo for a TLS 1.3 ticket that has not arrived yet. OpenSSL servers
 * send tickets right after the handshake, ahead of the echo, so this wait is a fallback. The
 * connection then closes without a ticket and the next one resumes with the previous session.
 * NOTE: no test reaches this wait, because Node 20 TLS 1.3 servers always send tickets first.
 */
const SESSION_WAIT_MS = 1_000;

/**
 * Time a finished run waits for its last sockets to close, so that their close work is
 * counted in this run's client CPU and not in the next one's.
 */
const CLOSE_WAIT_MS = 2_000;

/**
 * Error code of a connection that closed, without an error, before the echo came back (or,
 * with `protocol: 'https'`, before the status line).
 */
export const CLOSED_BEFORE_ECHO = 'ERR_CLOSED_BEFORE_ECHO';

/** Error code of an HTTPS response that does not start with an `HTTP/` status line. */
export const INVALID_HTTP_RESPONSE = 'ERR_INVALID_HTTP_RESPONSE';

/** Bytes read before giving up on finding the end of an HTTP status line. */
const MAX_STATUS_LINE_BYTES = 8 * 1024;

const HTTP_VERSION_PREFIX = Buffer.from('HTTP/');

/** What the client sends after the handshake: an echo payload (`tls`) or a `GET /` request (`https`). */
export type HandshakeProtocol = 'tls' | 'https';

export interface HandshakeDriverOptions {
  /** Host to connect to. Default 127.0.0.1, where the echo servers listen. */
  host?: string;
  /** SNI name and the name the server certificate is checked against. Default: `host`. */
  servername?: string;
  /** Port of the server's TLS listener: the echo server's raw one, or a target's. */
  port: number;
  tls: TlsScenario;
  /** CA, client certificate and key: an echo server's generated set, or a target's files. */
  certs: CertificateSet | ClientTlsMaterial;
  /** Connections in flight at once. */
  concurrency: number;
  /** Bytes sent and echoed once per connection, at least 1. Not used with `protocol: 'https'`. */
  payloadBytes: number;
  /**
   * `tls` (default) sends `payloadBytes` and waits for the echo. `https` sends
   * `GET / HTTP/1.1` with `Connection: close` and waits for the status line, whatever the status.
   */
  protocol?: HandshakeProtocol;
  /** Limit on one operation, from `tls.connect` to the echo, in milliseconds. Default 10000. */
  handshakeTimeoutMs?: number;
  /**
   * Open-loop arrivals: new connections per second, started on a fixed schedule however slowly
   * earlier ones finish, with `concurrency` as the most in flight at once. Latency then counts
   * from each connection's intended start. Null or absent: each of `concurrency` lanes starts
   * its next connection when the previous one ends (closed loop).
   */
  ratePerSec?: number | null;
  /**
   * Open loop: shifts the schedule by this fraction of one interval, from 0 (default) to below 1,
   * so that drivers sharing a rate in several worker threads take turns instead of starting together.
   */
  ratePhase?: number;
}

/** When a run stops: at whichever bound comes first. At least one is non-null. */
export interface HandshakeRunBounds {
  /** Connections to attempt, failed ones included, or null for no count bound. */
  maxCount: number | null;
  /** Time after which no new connection starts, in milliseconds, or null for no time bound. */
  durationMs: number | null;
}

/** Outcome of one `HandshakeDriver.run()`. */
export interface HandshakeRunResult {
  /** Operations that completed: handshake, echo and close. */
  count: number;
  /** Failed operations by error code (`err.code`, or `err.name` when there is no code). */
  errors: Record<string, number>;
  errorCount: number;
  /** Completed operations whose handshake resumed a session. */
  resumed: number;
  /** From the start of the run until the last operation ended, in microseconds. */
  elapsedUs: number;
  /** Completed operations per second of `elapsedUs`. */
  handshakesPerSec: number;
  /** From `tls.connect` to the TCP `connect` event, for completed operations. */
  connectUs: LatencySummary;
  /** From the TCP `connect` event to `secureConnect`, split by whether the session resumed. */
  latencyUs: { full: LatencySummary; resumed: LatencySummary };
  /** CPU time of this process over the run, in microseconds (`process.cpuUsage`). */
  clientCpuUs: { user: number; system: number };
  /**
   * Parameters the client negotiated on a completed connection: the last one of the last lane to
   * finish, or the first of the run when no lane's last connection completed. Null when none did.
   */
  negotiated: Negotiated | null;
  /** Every completed operation, counted per distinct negotiated values as the client saw them. */
  negotiations: NegotiationCount[];
  /** Completed operations whose connection offered a session to resume. */
  sessionsOffered: number;
  /** Sessions the server issued during the run (`session` events), 0 for `resumption: none`. */
  sessionsReceived: number;
  /**
   * TLS 1.2 resumption cells: resumed handshakes whose session carried a ticket, so that the
   * rest resumed through a session ID. Null where the client cannot distinguish them (TLS 1.3, `none`).
   */
  resumedWithTicket: number | null;
  /** The open-loop schedule and how well it was kept, or null for a closed-loop run. */
  arrivals: ArrivalStats | null;
}

/**
 * The schedule of an open-loop run, and the record of how it was kept. Latency in such a run is measured from each
 * connection's intended start to `secureConnect`, so a connection that waited for a free slot or
 * for the event loop has that wait in its latency (the coordinated-omission correction).
 */
export interface ArrivalStats {
  /** Connections per second the run was asked for. */
  ratePerSec: number;
  /** Connections started, failed ones included. */
  started: number;
  /** Connections due before the time bound that never started, because the run fell behind. */
  missed: number;
  /** Connections that started more than {@link LATE_START_US} after their intended start. */
  late: number;
  /**
   * Time the starts took: from the first due time to the last start, plus one interval, or to
   * the time bound when connections were missed, in microseconds. 0 when nothing started.
   */
  scheduleUs: number;
  /** `started` per second of `scheduleUs`, which equals `ratePerSec` when the schedule was kept. */
  achievedPerSec: number;
  /** From each connection's intended start to its `tls.connect` call. */
  startDelayUs: LatencySummary;
}

/**
 * A connection that starts this much after its intended time counts as late. Node's timers fire
 * on whole milliseconds of loop time, so starts on schedule already lag by up to about 1 ms.
 */
export const LATE_START_US = 2_000;

type CodedError = Error & { code?: unknown };

/** Settings and session state shared by every lane of a driver, across runs. */
class ConnectionPlan {
  /** Passed to every `tls.connect`. Sessions are set on the socket instead (see `#connect`). */
  readonly connectOptions: ConnectionOptions;
  readonly payload: Buffer;
  /** Whether the payload is an HTTP request, answered by a status line instead of an echo. */
  readonly http: boolean;
  readonly handshakeTimeoutMs: number;
  /** Whether to keep sessions and offer them on the next connection. */
  readonly resumes: boolean;
  /** Whether tickets come after the handshake, so that a connection may have to wait for one. */
  readonly ticketsFollowHandshake: boolean;
  /** Open-loop arrival rate in connections per second, or null for a closed loop. */
  readonly ratePerSec: number | null;
  /** Fraction of an interval by which the open-loop schedule is shifted. */
  readonly ratePhase: number;
  /**
   * Whether to tell ticket resumption from session-ID resumption. Only TLS 1.2 has both, and
   * there a session that resumed through a ticket carries it (`getTLSTicket()`) while one
   * that resumed through its session ID carries none.
   */
  readonly tellsResumptionMechanism: boolean;
  /** The most recent session any connection received. */
  session: Buffer | undefined = undefined;

  constructor(options: HandshakeDriverOptions, secureContext: SecureContext) {
    // NOTE: with an `https.Agent` the agent's own session cache would resume sessions
    // silently, even for `none`. Raw `tls.connect` offers a session only when given one.
    const host = options.host ?? LOOPBACK_HOST;
    const endpoint = options.servername === undefined ? { host } : { host, servername: options.servername };
    this.connectOptions = {
      host,
      port: options.port,
      ...servernameOptionsOf(endpoint),
      secureContext,
      rejectUnauthorized: true,
    };
    this.http = options.protocol === 'https';
    this.payload = this.http
      ? Buffer.from(`GET / HTTP/1.1\r\nHost: ${formatHostPort(options.servername ?? host, options.port)}\r\nConnection: close\r\n\r\n`, 'latin1')
      : Buffer.alloc(options.payloadBytes, 0x61);
    this.handshakeTimeoutMs = options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS;
    this.resumes = options.tls.resumption !== 'none';
    this.ticketsFollowHandshake = this.resumes && options.tls.tlsVersion === 'tls1.3';
    this.tellsResumptionMechanism = this.resumes && options.tls.tlsVersion === 'tls1.2';
    this.ratePerSec = options.ratePerSec ?? null;
    this.ratePhase = options.ratePhase ?? 0;
  }
}

/** Counters and histograms of one run. */
class RunState {
  readonly plan: ConnectionPlan;
  readonly connectHistogram: Histogram = createLatencyHistogram();
  readonly fullHistogram: Histogram = createLatencyHistogram();
  readonly resumedHistogram: Histogram = createLatencyHistogram();
  readonly errors = new Map<string, number>();
  readonly negotiations = new NegotiationTally();
  readonly maxCount: number;
  readonly deadlineNs: bigint | null;
  readonly startNs: bigint;
  readonly startCpu: NodeJS.CpuUsage;
  count = 0;
  resumed = 0;
  sessionsOffered = 0;
  sessionsReceived = 0;
  resumedWithTicket = 0;
  started = 0;
  errorCount = 0;
  openSockets = 0;
  activeLanes = 0;
  endNs = 0n;
  negotiated: Negotiated | null = null;
  /** The open-loop schedule, or null when lanes loop on their own (closed loop). */
  schedule: ArrivalSchedule | null = null;
  /** Set once the run has an outcome; later events change nothing. */
  settled = false;
  resolve: (result: HandshakeRunResult) => void = () => {};
  reject: (error: Error) => void = () => {};
  #closeWaitTimer: NodeJS.Timeout | null = null;

  constructor(plan: ConnectionPlan, bounds: HandshakeRunBounds) {
    this.plan = plan;
    this.maxCount = bounds.maxCount ?? Number.POSITIVE_INFINITY;
    this.startCpu = process.cpuUsage();
    this.startNs = process.hrtime.bigint();
    this.deadlineNs = bounds.durationMs === null ? null : this.startNs + BigInt(Math.round(bounds.durationMs * 1e6));
  }

  shouldStop(): boolean {
    return this.started >= this.maxCount || (this.deadlineNs !== null && process.hrtime.bigint() >= this.deadlineNs);
  }

  recordError(code: string): void {
    this.errorCount++;
    this.errors.set(code, (this.errors.get(code) ?? 0) + 1);
  }

  laneFinished(): void {
    this.activeLanes--;
    if (this.activeLanes > 0) return;
    this.endNs = process.hrtime.bigint();
    if (this.openSockets === 0) {
      this.settle();
    } else {
      this.#closeWaitTimer = setTimeout(() => {
        debug('handshake run: %d sockets still open %d ms after the last operation', this.openSockets, CLOSE_WAIT_MS);
        this.settle();
      }, CLOSE_WAIT_MS);
    }
  }

  socketClosed(): void {
    this.openSockets--;
    if (this.openSockets === 0 && this.activeLanes === 0) {
      this.settle();
    }
  }

  fail(error: Error): void {
    if (this.settled) return;
    this.settled = true;
    this.reject(error);
  }

  settle(): void {
    if (this.settled) return;
    this.settled = true;
    if (this.#closeWaitTimer !== null) clearTimeout(this.#closeWaitTimer);
    const cpu = process.cpuUsage(this.startCpu);
    const runUs = elapsedUs(this.startNs, this.endNs);
    this.resolve({
      count: this.count,
      errors: Object.fromEntries(this.errors),
      errorCount: this.errorCount,
      resumed: this.resumed,
      elapsedUs: runUs,
      handshakesPerSec: runUs === 0 ? 0 : this.count / (runUs / 1e6),
      connectUs: summarizeLatency(this.connectHistogram),
      latencyUs: { full: summarizeLatency(this.fullHistogram), resumed: summarizeLatency(this.resumedHistogram) },
      clientCpuUs: { user: cpu.user, system: cpu.system },
      negotiated: this.negotiated,
      negotiations: this.negotiations.counts(),
      sessionsOffered: this.sessionsOffered,
      sessionsReceived: this.sessionsReceived,
      resumedWithTicket: this.plan.tellsResumptionMechanism ? this.resumedWithTicket : null,
      arrivals: this.schedule === null ? null : this.schedule.stats(),
    });
  }
}

/**
 * Starts the connections of an open-loop run at their intended times, on lanes that are free.
 * Connection i is due at `i / ratePerSec` seconds after the run's start. When every lane is
 * busy, due connections wait for one, and their latency includes the wait.
 */
class ArrivalSchedule {
  readonly #run: RunState;
  readonly #ratePerSec: number;
  readonly #intervalNs: number;
  readonly #laneCount: number;
  readonly #idle: Lane[];
  readonly #startDelayHistogram: Histogram = createLatencyHistogram();
  #late = 0;
  #lastStartNs: bigint | null = null;
  #timer: NodeJS.Timeout | null = null;
  /** Set once no connection will start any more and the idle lanes have finished. */
  #ended = false;

  readonly #phase: number;

  constructor(run: RunState, ratePerSec: number, phase: number, lanes: Lane[]) {
    this.#run = run;
    this.#ratePerSec = ratePerSec;
    this.#phase = phase;
    this.#intervalNs = 1e9 / ratePerSec;
    this.#laneCount = lanes.length;
    this.#idle = [...lanes];
  }

  /** Called by a lane whose connection has ended, completed or failed. */
  release(lane: Lane): void {
    if (this.#ended) {
      lane.finish();
      return;
    }
    this.#idle.push(lane);
    this.pump();
  }

  /** Counts how late a connection started against its intended time. */
  recordStart(intendedNs: bigint, startNs: bigint): void {
    const delayUs = startNs > intendedNs ? elapsedUs(intendedNs, startNs) : 0;
    recordLatencyUs(this.#startDelayHistogram, delayUs);
    if (delayUs > LATE_START_US) this.#late++;
    this.#lastStartNs = startNs;
  }

  /** Starts every connection that is due and has a free lane, then waits for the next one. */
  pump(): void {
    const run = this.#run;
    if (this.#ended) return;
    const nowNs = process.hrtime.bigint();
    // Past the time bound nothing starts, not even connections that were due before it: they
    // count as missed, so that an overloaded run still ends on time.
    const pastDeadline = run.deadlineNs !== null && nowNs >= run.deadlineNs;
    while (!run.settled && !pastDeadline && run.started < run.maxCount) {
      const intendedNs = this.#intendedNs(run.started);
      if (run.deadlineNs !== null && intendedNs >= run.deadlineNs) break;
      if (intendedNs > nowNs) {
        // Rounded up, so that the timer fires at or after the intended time, not just before it.
        const waitMs = Math.max(1, Math.ceil(Number(intendedNs - nowNs) / 1e6));
        if (this.#timer === null) {
          this.#timer = setTimeout(() => {
            this.#timer = null;
            this.pump();
          }, waitMs);
        }
        return;
      }
      const lane = this.#idle.pop();
      // Every lane is busy: the next one to finish pumps again.
      if (lane === undefined) return;
      lane.start(intendedNs);
    }
    if (run.settled || this.#idle.length === this.#laneCount) this.#end();
  }

  #intendedNs(index: number): bigint {
    return this.#run.startNs + BigInt(Math.round((index + this.#phase) * this.#intervalNs));
  }

  /** Connections due before the time bound, within the count bound. */
  #due(): number {
    const run = this.#run;
    if (run.deadlineNs === null) return run.maxCount;
    const windowNs = Number(run.deadlineNs - run.startNs);
    return Math.min(run.maxCount, Math.max(0, Math.ceil(windowNs / this.#intervalNs - this.#phase)));
  }

  #end(): void {
    this.#ended = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    for (const lane of this.#idle.splice(0)) lane.finish();
  }

  stats(): ArrivalStats {
    const run = this.#run;
    // From the first due time (the run's start, shifted by the phase) to the last start, plus one
    // interval. When connections were missed, the schedule ran to the time bound instead.
    const firstDueNs = this.#phase * this.#intervalNs;
    const missed = Math.max(0, this.#due() - run.started);
    const lastStartNs = this.#lastStartNs === null ? null : Number(this.#lastStartNs - run.startNs) - firstDueNs + this.#intervalNs;
    const boundNs = missed > 0 && run.deadlineNs !== null ? Number(run.deadlineNs - run.startNs) - firstDueNs : 0;
    const scheduleNs = lastStartNs === null ? 0 : Math.max(lastStartNs, boundNs);
    return {
      ratePerSec: this.#ratePerSec,
      started: run.started,
      missed,
      late: this.#late,
      scheduleUs: Math.round(scheduleNs / 1000),
      achievedPerSec: scheduleNs === 0 ? 0 : run.started / (scheduleNs / 1e9),
      startDelayUs: summarizeLatency(this.#startDelayHistogram),
    };
  }
}

const LANE = Symbol('mtls-bench.lane');
/**
 * `setSession` is the TLSSocket method that tls.connect itself calls to offer a session;
 * @types/node does not declare it.
 */
type LaneSocket = tls.TLSSocket & { [LANE]: Lane; setSession(session: Buffer): void };

const peerCertificateOf = tls.TLSSocket.prototype.getPeerCertificate;

/**
 * Node's client checks the server's name against `getPeerCertificate(true)`, which converts the
 * whole peer chain to JavaScript objects: 21% of the driver's CPU in a profile of full mTLS
 * handshakes at concurrency 8. The name check reads only the leaf's subject and alternative
 * names, which the shallow form has, and OpenSSL verifies the chain either way. So each socket
 * of the driver reads its peer certificate shallowly, whatever it is asked.
 */
function shallowPeerCertificate(this: tls.TLSSocket): PeerCertificate {
  return peerCertificateOf.call(this, false);
}

/** One connection slot: runs connections one after another until the run's bounds stop it. */
class Lane {
  readonly run: RunState;
  socket: LaneSocket | null = null;
  startNs = 0n;
  /** Open loop: when the current connection was due to start, which its latency counts from. */
  intendedNs: bigint | null = null;
  connectedNs = 0n;
  secureNs = 0n;
  reused = false;
  offeredSession = false;
  receivedBytes = 0;
  /** Start of an HTTPS response, kept until its status line is complete. */
  responseHead: Buffer | null = null;
  /** Set once the echo or status line came back, so that later data is ignored. */
  answered = false;
  sessionSeen = false;
  waitingForSession = false;
  // Both timers live as long as the lane and are re-armed with refresh(). A timer that fires
  // while its lane is not in the matching state does nothing. They are cleared only when the
  // lane finishes, because refresh() does not re-arm a cleared timer.
  readonly #operationTimer: NodeJS.Timeout;
  #sessionTimer: NodeJS.Timeout | null = null;

  constructor(run: RunState) {
    this.run = run;
    this.#operationTimer = setTimeout(() => this.#onOperationTimeout(), run.plan.handshakeTimeoutMs);
  }

  /** Closed loop: starts the next connection, or finishes the lane when the run's bounds are reached. */
  next(): void {
    if (this.run.settled || this.run.shouldStop()) {
      this.finish();
      return;
    }
    this.#connect(null);
  }

  /** Open loop: starts the connection that was due at `intendedNs`. */
  start(intendedNs: bigint): void {
    this.#connect(intendedNs);
  }

  #connect(intendedNs: bigint | null): void {
    const run = this.run;
    const plan = run.plan;
    run.started++;
    this.connectedNs = 0n;
    this.receivedBytes = 0;
    this.responseHead = null;
    this.answered = false;
    this.sessionSeen = false;
    this.waitingForSession = false;
    const session = plan.resumes ? plan.session : undefined;
    this.offeredSession = session !== undefined;

    this.startNs = process.hrtime.bigint();
    this.intendedNs = intendedNs;
    if (intendedNs !== null) run.schedule?.recordStart(intendedNs, this.startNs);
    let socket: LaneSocket;
    try {
      socket = tls.connect(plan.connectOptions) as LaneSocket;
    } catch (error) {
      // A synchronous throw would repeat on every attempt, so it ends the run.
      const address = formatHostPort(plan.connectOptions.host ?? LOOPBACK_HOST, plan.connectOptions.port ?? 0);
      run.fail(new MtlsBenchError('RUN_FAILED', `tls.connect to ${address} failed: ${(error as Error).message}`, { cause: error }));
      this.finish();
      return;
    }
    // Node 20's tls.connect parses a `session` option twice, decoding the server certificate
    // each time. Set here, before the ClientHello goes out on 'connect', it is parsed once.
    if (session !== undefined) socket.setSession(session);
    socket[LANE] = this;
    socket.getPeerCertificate = shallowPeerCertificate as tls.TLSSocket['getPeerCertificate'];
    this.socket = socket;
    run.openSockets++;
    socket.setNoDelay(true);
    // Ahead of tls.connect's own 'connect' listener, which builds and sends the ClientHello,
    // so that this work counts in the handshake and not in the TCP connect time.
    socket.prependListener('connect', onConnect);
    socket.on('secureConnect', onSecureConnect);
    socket.on('data', onData);
    socket.on('error', onError);
    socket.on('close', onClose);
    // Node requests sessions from OpenSSL only while a 'session' listener exists.
    if (plan.resumes) socket.on('session', onSession);
    this.#operationTimer.refresh();
  }

  /**
   * Called once the whole payload came back, or the status line. Counts what the connection
   * negotiated now, while the socket is surely open: a server that closes after its response
   * would leave a connection that waits for a ticket with nothing to read.
   */
  echoed(): void {
    const socket = this.socket;
    if (this.answered || socket === null) return;
    this.answered = true;
    const run = this.run;
    // Describing a connection reads the peer certificate, which costs a tenth of a handshake,
    // so only the first connection and each lane's last one are described.
    const describe = run.settled || run.shouldStop() || run.negotiated === null;
    const negotiated = recordClientNegotiation(socket, run.negotiations, describe);
    if (negotiated !== null) {
      run.negotiated = negotiated;
    }

    if (run.plan.ticketsFollowHandshake && !this.reused && !this.sessionSeen) {
      this.waitingForSession = true;
      if (this.#sessionTimer === null) {
        this.#sessionTimer = setTimeout(() => this.#onSessionWaitOver(), SESSION_WAIT_MS);
      } else {
        this.#sessionTimer.refresh();
      }
      return;
    }
    this.complete();
  }

  /** Records a completed operation, closes its socket and moves on. */
  complete(): void {
    const socket = this.socket;
    if (socket === null) return;
    const run = this.run;
    this.socket = null;
    this.waitingForSession = false;

    run.count++;
    if (this.offeredSession) run.sessionsOffered++;
    recordLatencyUs(run.connectHistogram, elapsedUs(this.startNs, this.connectedNs));
    // Closed loop: the handshake alone, from TCP connect. Open loop: from the intended start, so
    // that time spent waiting to start counts.
    const latencyUs = elapsedUs(this.intendedNs ?? this.connectedNs, this.secureNs);
    if (this.reused) {
      run.resumed++;
      if (run.plan.tellsResumptionMechanism && socket.getTLSTicket() !== undefined) run.resumedWithTicket++;
      recordLatencyUs(run.resumedHistogram, latencyUs);
    } else {
      recordLatencyUs(run.fullHistogram, latencyUs);
    }

    // end() sends close_notify and FIN. The next connection does not wait for the close.
    socket.end();
    this.#operationEnded();
  }

  /** Counts a failed operation, destroys its socket and moves on. */
  failed(code: string): void {
    const socket = this.socket;
    if (socket === null) return;
    this.socket = null;
    this.waitingForSession = false;
    this.run.recordError(code);
    socket.destroy();
    this.#operationEnded();
  }

  /** Hands the lane back to the schedule (open loop) or starts its next connection (closed loop). */
  #operationEnded(): void {
    const schedule = this.run.schedule;
    if (schedule === null) {
      this.next();
    } else {
      schedule.release(this);
    }
  }

  #onOperationTimeout(): void {
    if (this.socket !== null) {
      this.failed('ETIMEDOUT');
    }
  }

  #onSessionWaitOver(): void {
    if (this.waitingForSession) {
      debug('handshake run: no session ticket within %d ms of the echo', SESSION_WAIT_MS);
      this.complete();
    }
  }

  /** Stops the lane's timers and reports the lane's end to the run. Called once per lane and run. */
  finish(): void {
    clearTimeout(this.#operationTimer);
    if (this.#sessionTimer !== null) clearTimeout(this.#sessionTimer);
    this.run.laneFinished();
  }
}

// Socket listeners. `this` is the socket. A socket that its lane has given up (completed,
// failed or timed out) still delivers 'close' and maybe 'error', which only count as closed.

function onConnect(this: LaneSocket): void {
  const lane = this[LANE];
  if (lane.socket !== this) return;
  lane.connectedNs = process.hrtime.bigint();
}

function onSecureConnect(this: LaneSocket): void {
  const lane = this[LANE];
  if (lane.socket !== this) return;
  lane.secureNs = process.hrtime.bigint();
  lane.reused = this.isSessionReused();
  this.write(lane.run.plan.payload);
}

function onData(this: LaneSocket, chunk: Buffer): void {
  const lane = this[LANE];
  if (lane.socket !== this || lane.answered) return;
  if (lane.run.plan.http) {
    onResponseData(lane, chunk);
    return;
  }
  lane.receivedBytes += chunk.length;
  if (lane.receivedBytes >= lane.run.plan.payload.length) {
    lane.echoed();
  }
}

/** Completes an HTTPS operation at the end of the status line, whatever the status. */
function onResponseData(lane: Lane, chunk: Buffer): void {
  const head = lane.responseHead === null ? chunk : Buffer.concat([lane.responseHead, chunk]);
  const lineEnd = head.indexOf(0x0a);
  if (lineEnd === -1) {
    if (head.length >= MAX_STATUS_LINE_BYTES) {
      lane.failed(INVALID_HTTP_RESPONSE);
      return;
    }
    lane.responseHead = head;
    return;
  }
  if (head.length < HTTP_VERSION_PREFIX.length || !head.subarray(0, HTTP_VERSION_PREFIX.length).equals(HTTP_VERSION_PREFIX)) {
    lane.failed(INVALID_HTTP_RESPONSE);
    return;
  }
  lane.echoed();
}

function onSession(this: LaneSocket, session: Buffer): void {
  const lane = this[LANE];
  lane.run.plan.session = session;
  lane.run.sessionsReceived++;
  if (lane.socket !== this) return;
  lane.sessionSeen = true;
  if (lane.waitingForSession) {
    lane.complete();
  }
}

function onError(this: LaneSocket, error: CodedError): void {
  const lane = this[LANE];
  if (lane.socket !== this) {
    debug('handshake run: error on a closing socket: %s', error.message);
    return;
  }
  lane.failed(typeof error.code === 'string' ? error.code : error.name);
}

function onClose(this: LaneSocket): void {
  const lane = this[LANE];
  if (lane.socket === this) {
    // A server that closes after its response, as `Connection: close` requests, may do so before
    // a late ticket: the operation still completed.
    if (lane.waitingForSession) {
      lane.complete();
    } else {
      lane.failed(CLOSED_BEFORE_ECHO);
    }
  }
  lane.run.socketClosed();
}

function checkInteger(name: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new MtlsBenchError('INVALID_ARGUMENT', `HandshakeDriver: ${name}: got ${value}; expected an integer from ${min} to ${max}`);
  }
}

/**
 * Runs handshake workloads against one echo server. Session state carries over from one run
 * to the next, so a warm-up run leaves a session for the measured run to resume.
 */
export class HandshakeDriver {
  readonly #plan: ConnectionPlan;
  readonly #concurrency: number;
  #running = false;

  constructor(options: HandshakeDriverOptions) {
    checkInteger('port', options.port, 1, 65_535);
    checkInteger('concurrency', options.concurrency, 1);
    checkInteger('payloadBytes', options.payloadBytes, 1);
    if (options.protocol !== undefined && options.protocol !== 'tls' && options.protocol !== 'https') {
      throw new MtlsBenchError('INVALID_ARGUMENT', `HandshakeDriver: protocol: got ${String(options.protocol)}; expected "tls" or "https"`);
    }
    if (options.handshakeTimeoutMs !== undefined) {
      checkInteger('handshakeTimeoutMs', options.handshakeTimeoutMs, 1);
    }
    if (options.ratePhase !== undefined && !(options.ratePhase >= 0 && options.ratePhase < 1)) {
      throw new MtlsBenchError('INVALID_ARGUMENT', `HandshakeDriver: ratePhase: got ${options.ratePhase}; expected a fraction from 0 to below 1`);
    }
    if (options.ratePerSec != null && !(Number.isFinite(options.ratePerSec) && options.ratePerSec > 0)) {
      throw new MtlsBenchError('INVALID_ARGUMENT', `HandshakeDriver: ratePerSec: got ${options.ratePerSec}; expected null or a number of connections per second above 0`);
    }

    // One secure context for all connections: building it parses the PEM material and creates
    // an SSL_CTX, which costs far more than a handshake's share of client work.
    let secureContext: SecureContext;
    try {
      secureContext = tls.createSecureContext(clientTlsOptions(options.tls, options.certs));
    } catch (error) {
      throw new MtlsBenchError('INVALID_ARGUMENT', `HandshakeDriver: Node rejected the client TLS options: ${(error as Error).message}`, {
        cause: error,
      });
    }
    this.#plan = new ConnectionPlan(options, secureContext);
    this.#concurrency = options.concurrency;
  }

  /**
   * Runs connections until a bound is reached, then waits for those in flight. Throws
   * `INVALID_ARGUMENT` for bad bounds and `RUN_FAILED` when connections cannot be started.
   * Failed connections are counted in `errors` and never throw.
   */
  async run(bounds: HandshakeRunBounds): Promise<HandshakeRunResult> {
    if (bounds.maxCount === null && bounds.durationMs === null) {
      throw new MtlsBenchError('INVALID_ARGUMENT', 'HandshakeDriver.run: maxCount and durationMs are both null; set at least one');
    }
    if (bounds.maxCount !== null) checkInteger('maxCount', bounds.maxCount, 0);
    if (bounds.durationMs !== null && !(bounds.durationMs >= 0)) {
      throw new MtlsBenchError('INVALID_ARGUMENT', `HandshakeDriver.run: durationMs: got ${bounds.durationMs}; expected a number of milliseconds, 0 or more`);
    }
    if (this.#running) {
      throw new MtlsBenchError('INVALID_ARGUMENT', 'HandshakeDriver.run: a run is already in progress on this driver');
    }

    this.#running = true;
    try {
      return await new Promise<HandshakeRunResult>((resolve, reject) => {
        const run = new RunState(this.#plan, bounds);
        run.resolve = resolve;
        run.reject = reject;
        const lanes: Lane[] = [];
        for (let i = 0; i < this.#concurrency; i++) {
          lanes.push(new Lane(run));
        }
        run.activeLanes = lanes.length;
        if (this.#plan.ratePerSec !== null) {
          run.schedule = new ArrivalSchedule(run, this.#plan.ratePerSec, this.#plan.ratePhase, lanes);
          run.schedule.pump();
          return;
        }
        for (const lane of lanes) {
          lane.next();
        }
      });
    } finally {
      this.#running = false;
    }
  }
}
