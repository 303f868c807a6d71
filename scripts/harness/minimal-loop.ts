/**
 * The reference client for handshake rates: the smallest `tls.connect` loop that does what
 * mtls-bench's HandshakeDriver does per connection. Each lane connects with one shared secure
 * context (client certificate included), completes the handshake, writes one byte, waits for
 * the echo and ends the socket, then starts its next connection without waiting for the close.
 * With `protocol: 'https'` it writes the driver's `GET /` request in place of the byte and
 * waits for the response instead of the echo.
 * It keeps no histograms and describes no negotiation; the handshake times go into a plain array.
 */
import tls from 'node:tls';
import type { SecureContext, TLSSocket } from 'node:tls';
import { median } from './summary.ts';

export interface MinimalLoopOptions {
  port: number;
  secureContext: SecureContext;
  /** Connections in flight at once. */
  concurrency: number;
  /** Time after which no new connection starts, in milliseconds. */
  durationMs: number;
  /** Connections to start at most, failed ones included. */
  maxCount: number;
  /** Whether to offer the most recent session on each new connection. */
  resume: boolean;
  /** Time after `durationMs` at which every open socket is destroyed and the run ends, in milliseconds. */
  stopTimeLimitMs: number;
  /**
   * `tls` (default) writes one byte and waits for its echo. `https` writes `GET / HTTP/1.1` with
   * `Connection: close`, as HandshakeDriver does, and waits for the first response data.
   */
  protocol?: 'tls' | 'https';
}

export interface MinimalLoopResult {
  /** Connections that got their echo or HTTP response back. */
  count: number;
  /** Completed connections whose handshake resumed a session. */
  resumed: number;
  /** Failed connections by error code. */
  errors: Record<string, number>;
  /** From the start until the last connection ended, in microseconds. */
  elapsedUs: number;
  handshakesPerSec: number;
  /** Median time from the TCP `connect` event to `secureConnect`, in microseconds; null when none completed. */
  handshakeP50Us: number | null;
}

const ECHO_BYTE = Buffer.from('a');
const LOOPBACK_HOST = '127.0.0.1';
const HTTP_VERSION_PREFIX = Buffer.from('HTTP/');
/** Error code of a response whose first data does not start with `HTTP/`, as HandshakeDriver names it. */
export const INVALID_HTTP_RESPONSE = 'ERR_INVALID_HTTP_RESPONSE';

function httpRequestOf(port: number): Buffer {
  return Buffer.from(`GET / HTTP/1.1\r\nHost: ${LOOPBACK_HOST}:${port}\r\nConnection: close\r\n\r\n`, 'latin1');
}

/**
 * Checks the first response data. A TLS record arrives whole, and Node's HTTP server writes the
 * response head in one write, so the first data contains the whole status line.
 */
function isHttpResponse(chunk: Buffer): boolean {
  return chunk.length >= HTTP_VERSION_PREFIX.length && chunk.subarray(0, HTTP_VERSION_PREFIX.length).equals(HTTP_VERSION_PREFIX);
}

/** Runs the loop until `durationMs` or `maxCount` is reached and every lane has finished. Never rejects. */
export function runMinimalLoop(options: MinimalLoopOptions): Promise<MinimalLoopResult> {
  const { port, secureContext, concurrency, durationMs, maxCount, resume } = options;
  const http = options.protocol === 'https';
  const payload = http ? httpRequestOf(port) : ECHO_BYTE;

  return new Promise((resolve) => {
    const startNs = process.hrtime.bigint();
    const deadlineNs = startNs + BigInt(durationMs) * 1_000_000n;
    const handshakeUs: number[] = [];
    const errors: Record<string, number> = {};
    const openSockets: (TLSSocket | null)[] = new Array<TLSSocket | null>(concurrency).fill(null);
    let session: Buffer | undefined;
    let started = 0;
    let count = 0;
    let resumed = 0;
    let activeLanes = concurrency;
    let finished = false;

    const finish = (): void => {
      if (finished) return;
      finished = true;
      clearTimeout(stopTimer);
      const elapsedUs = Number((process.hrtime.bigint() - startNs) / 1000n);
      resolve({
        count,
        resumed,
        errors,
        elapsedUs,
        handshakesPerSec: elapsedUs === 0 ? 0 : count / (elapsedUs / 1e6),
        handshakeP50Us: handshakeUs.length === 0 ? null : Math.round(median(handshakeUs) ?? 0),
      });
    };

    // A server that stops responding would leave lanes waiting forever, so the run has a hard end.
    const stopTimer = setTimeout(() => {
      for (const socket of openSockets) {
        if (socket === null) continue;
        errors.ETIMEDOUT = (errors.ETIMEDOUT ?? 0) + 1;
        socket.destroy();
      }
      finish();
    }, durationMs + options.stopTimeLimitMs);

    const connect = (lane: number): void => {
      if (finished) return;
      if (started >= maxCount || process.hrtime.bigint() >= deadlineNs) {
        activeLanes--;
        if (activeLanes === 0) finish();
        return;
      }
      started++;

      let connectedNs = 0n;
      let reused = false;
      let done = false;
      // The documented way to offer a session, which Node 20 parses twice; HandshakeDriver sets
      // it on the socket instead (src/drivers/handshake.ts), so it is parsed once.
      const socket = tls.connect({ host: LOOPBACK_HOST, port, secureContext, session: resume ? session : undefined });
      openSockets[lane] = socket;
      const settle = (errorCode: string | null): void => {
        if (done) return;
        done = true;
        openSockets[lane] = null;
        if (errorCode === null) {
          count++;
          if (reused) resumed++;
          socket.end();
        } else {
          errors[errorCode] = (errors[errorCode] ?? 0) + 1;
          socket.destroy();
        }
        connect(lane);
      };

      // Ahead of tls.connect's own listener, which sends the ClientHello, as in the driver.
      socket.prependListener('connect', () => {
        connectedNs = process.hrtime.bigint();
      });
      socket.once('secureConnect', () => {
        handshakeUs.push(Number(process.hrtime.bigint() - connectedNs) / 1000);
        reused = socket.isSessionReused();
        socket.write(payload);
      });
      socket.once('data', (chunk: Buffer) => settle(http && !isHttpResponse(chunk) ? INVALID_HTTP_RESPONSE : null));
      socket.on('error', (error: NodeJS.ErrnoException) => settle(error.code ?? error.name));
      socket.once('close', () => settle('ERR_CLOSED_BEFORE_ECHO'));
      // Node requests sessions from OpenSSL only while a 'session' listener exists.
      if (resume) {
        socket.on('session', (received: Buffer) => {
          session = received;
        });
      }
    };

    for (let lane = 0; lane < concurrency; lane++) connect(lane);
  });
}
