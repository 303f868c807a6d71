import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import tls from 'node:tls';
import type { TLSSocket } from 'node:tls';
import type { EchoServerPorts } from './protocol.ts';
import type { ServerWindow } from './server-window.ts';
import { installSessionIdCache } from './session-cache.ts';
import { installHandshakeCpuBurn } from './simulate.ts';
import { LOOPBACK_HOST, serverTlsOptions } from './tls-options.ts';
import type { EchoServerConfig } from './types.ts';

/**
 * Idle time before the HTTPS listener closes a keep-alive connection. Node's default of 5 s
 * could drop a load generator's connections in the pause between warm-up and measurement.
 */
const KEEP_ALIVE_TIMEOUT_MS = 30_000;

/** The two listeners of one echo server, sharing one TLS configuration. */
export interface EchoListeners {
  ports: EchoServerPorts;
  /**
   * Stops accepting connections. Open connections stay until the process exits, which the
   * child does right after.
   */
  close(): void;
}

type CodedError = Error & { code?: unknown };

/**
 * Starts the raw TLS echo listener and the HTTPS echo listener on 127.0.0.1 with ephemeral
 * ports. Every handshake and error on either one is counted in `window`.
 */
export async function startEchoListeners(config: EchoServerConfig, window: ServerWindow): Promise<EchoListeners> {
  const options = { ...serverTlsOptions(config.tls, config.certs), noDelay: true };
  const defaultBody = Buffer.alloc(config.payloadBytes, 0x61);

  const recordError = (error: CodedError): void => window.recordError(error);
  const onSecureConnection = (socket: TLSSocket): void => window.recordHandshake(socket);

  const tlsServer = tls.createServer(options, (socket) => {
    socket.on('error', recordError);
    socket.pipe(socket);
  });
  const httpsServer = https.createServer(options, (request, response) => answerEcho(request, response, defaultBody));
  httpsServer.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;

  for (const server of [tlsServer, httpsServer]) {
    server.on('secureConnection', onSecureConnection);
    server.on('tlsClientError', recordError);
    if (config.tls.resumption === 'session-ids') {
      installSessionIdCache(server);
    }
    if (config.simulate != null && config.simulate.auth.includes(config.tls.auth)) {
      installHandshakeCpuBurn(server, config.simulate.handshakeCpuUs);
    }
  }
  // The HTTP layer reports socket errors after the handshake here instead of on the socket.
  httpsServer.on('clientError', (error: CodedError, socket: Socket) => {
    recordError(error);
    socket.destroy();
  });

  const [tlsPort, httpsPort] = await Promise.all([listen(tlsServer), listen(httpsServer)]);

  return {
    ports: { tls: tlsPort, https: httpsPort },
    close() {
      tlsServer.close();
      httpsServer.close();
    },
  };
}

/**
 * Accept queue length asked of the kernel, which caps it at `net.core.somaxconn` (4096 on
 * current kernels). Node's default of 511 overflowed when 1000 clients connected at once, and
 * each connection dropped that way waited a second or more for its SYN to be sent again.
 */
const LISTEN_BACKLOG = 4096;

async function listen(server: tls.Server): Promise<number> {
  server.listen({ port: 0, host: LOOPBACK_HOST, backlog: LISTEN_BACKLOG });
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

/** Responds with the request body, or with `defaultBody` when the request has none. */
function answerEcho(request: IncomingMessage, response: ServerResponse, defaultBody: Buffer): void {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const body = chunks.length === 0 ? defaultBody : Buffer.concat(chunks);
    response.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': body.length,
    });
    response.end(body);
  });
}
