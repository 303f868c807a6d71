/**
 * One probe connection: a TLS handshake with a given client certificate (or none), then one
 * application round trip, to learn whether the server accepted the client.
 *
 * In TLS 1.3 the client's Finished message goes out before the server has checked the
 * client's certificate, so the client sees `secureConnect` even when the server is about to
 * reject it. The rejection (an alert, or a reset) arrives afterwards. So a probe never stops
 * at `secureConnect`: only data back from the server counts as accepted.
 */
import tls from 'node:tls';
import type { ConnectionOptions, SecureVersion, TLSSocket } from 'node:tls';
import { groupListOf } from '../servers/tls-options.ts';
import type { TlsScenario } from '../scenario/types.ts';
import type { ProbeClient, ProbeProtocol, ProbeResult } from './types.ts';

/** Code of a connection the server closed after the handshake without responding and without an error. */
export const CLOSED_BEFORE_RESPONSE = 'ERR_CLOSED_BEFORE_RESPONSE';

/**
 * HTTP statuses that count as the server rejecting the client. Under `ssl_verify_client on`,
 * nginx completes the handshake with a missing or unverifiable client certificate and then
 * responds `400 Bad Request`: its internal codes 496 and 495 go out as 400 (see
 * `ngx_http_special_response_handler` in nginx's src/http/ngx_http_special_response.c).
 * 401 and 403 are how applications behind a TLS terminator reject a client. Any other status
 * counts as accepted, so that a 404 for `GET /` does not make the valid client look rejected.
 */
const REJECTING_HTTP_STATUSES: ReadonlySet<number> = new Set([400, 401, 403, 495, 496]);

/** Bytes read before giving up on finding the end of an HTTP status line. */
const MAX_STATUS_LINE_BYTES = 8 * 1024;

const PROTOCOL_VERSIONS: Record<TlsScenario['tlsVersion'], SecureVersion> = {
  'tls1.2': 'TLSv1.2',
  'tls1.3': 'TLSv1.3',
};

/** Verdict of one probe connection. */
export interface ConnectionVerdict {
  actual: Exclude<ProbeResult, 'skipped'>;
  code: string | null;
  detail?: string;
}

/** Target, client certificate and protocol of one probe connection. */
export interface ProbeConnectionOptions {
  host: string;
  port: number;
  servername: string | undefined;
  ca: string;
  tls: TlsScenario;
  /** Client certificate to present, or null to present none. */
  client: ProbeClient | null;
  protocol: ProbeProtocol;
  timeoutMs: number;
}

/**
 * Opens one probe connection and settles with its verdict. Never rejects, and always destroys
 * the socket before settling.
 */
export function probeConnection(options: ProbeConnectionOptions): Promise<ConnectionVerdict> {
  return new Promise((resolve) => {
    let socket: TLSSocket;
    try {
      socket = tls.connect(connectionOptionsOf(options));
    } catch (error) {
      // tls.connect throws synchronously for unusable options, such as a key that does not match the certificate.
      resolve({ actual: 'error', code: codeOf(error), detail: `the client could not be set up: ${messageOf(error)}` });
      return;
    }

    let settled = false;
    let tcpConnected = false;
    let received = Buffer.alloc(0);

    const finish = (verdict: ConnectionVerdict): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(verdict);
    };
    const timer = setTimeout(() => {
      finish({ actual: 'timeout', code: 'ETIMEDOUT', detail: `no response and no rejection within ${options.timeoutMs} ms` });
    }, options.timeoutMs);

    socket.once('connect', () => {
      tcpConnected = true;
    });
    socket.once('secureConnect', () => {
      socket.write(options.protocol === 'tls' ? ECHO_PROBE : httpRequestOf(options));
    });
    socket.on('data', (chunk: Buffer) => {
      if (options.protocol === 'tls') {
        finish({ actual: 'accepted', code: null, detail: 'the server sent data back after the handshake' });
        return;
      }
      received = Buffer.concat([received, chunk]);
      const verdict = httpVerdictOf(received);
      if (verdict !== null) finish(verdict);
    });
    socket.on('error', (error) => finish(errorVerdictOf(error, socket, tcpConnected)));
    socket.on('close', () => {
      finish({ actual: 'rejected', code: CLOSED_BEFORE_RESPONSE, detail: 'the server closed the connection without responding' });
    });
  });
}

const ECHO_PROBE = Buffer.from('p');

/**
 * Client options as a benchmark client of the same scenario sets them (version pinned, cipher
 * suite, groups from `groupListOf`), with this probe's certificate.
 */
function connectionOptionsOf(options: ProbeConnectionOptions): ConnectionOptions {
  const version = PROTOCOL_VERSIONS[options.tls.tlsVersion];
  return {
    host: options.host,
    port: options.port,
    ...(options.servername === undefined ? {} : { servername: options.servername }),
    ca: options.ca,
    rejectUnauthorized: true,
    minVersion: version,
    maxVersion: version,
    ...(options.tls.cipherSuite === null ? {} : { ciphers: options.tls.cipherSuite }),
    ecdhCurve: groupListOf(options.tls, 'client'),
    ...(options.client === null ? {} : { cert: options.client.certChainPem, key: options.client.keyPem }),
  };
}

function httpRequestOf(options: ProbeConnectionOptions): string {
  const host = options.servername ?? options.host;
  return `GET / HTTP/1.1\r\nHost: ${host}:${options.port}\r\nConnection: close\r\n\r\n`;
}

/** Returns the verdict once the status line is complete, or null while it is not. */
function httpVerdictOf(received: Buffer): ConnectionVerdict | null {
  const lineEnd = received.indexOf('\r\n');
  if (lineEnd === -1 && received.length < MAX_STATUS_LINE_BYTES) return null;

  const line = received.subarray(0, lineEnd === -1 ? MAX_STATUS_LINE_BYTES : lineEnd).toString('latin1');
  const match = /^HTTP\/\d(?:\.\d)? (\d{3})/.exec(line);
  if (match === null) {
    // Any response means the handshake was accepted, even one that is not HTTP.
    return { actual: 'accepted', code: null, detail: `the server responded without an HTTP status line: ${JSON.stringify(line.slice(0, 80))}` };
  }
  const status = Number(match[1]);
  if (REJECTING_HTTP_STATUSES.has(status)) {
    return { actual: 'rejected', code: `HTTP_${status}`, detail: line };
  }
  return { actual: 'accepted', code: null, detail: line };
}

function errorVerdictOf(error: Error, socket: TLSSocket, tcpConnected: boolean): ConnectionVerdict {
  // Node sets authorizationError when this client's check of the server failed, and then
  // destroys the socket with that error. The server never got to decide about the client.
  const authorizationError: unknown = socket.authorizationError;
  if (authorizationError !== undefined && authorizationError !== null) {
    return {
      actual: 'error',
      code: codeOf(error),
      detail: `the client rejected the server's certificate (${messageOf(error)}); check the CA and the server name`,
    };
  }
  if (!tcpConnected) {
    return { actual: 'error', code: codeOf(error), detail: `no TCP connection: ${messageOf(error)}` };
  }
  return { actual: 'rejected', code: codeOf(error), detail: messageOf(error) };
}

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return code;
  return error instanceof Error ? error.name : 'ERR_UNKNOWN';
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message.trim() : String(error);
}
