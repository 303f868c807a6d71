import { HandshakeDriver } from '../../src/drivers/handshake.ts';
import { runRequests } from '../../src/drivers/requests.ts';
import type { CheckInput } from '../../src/checks/types.ts';
import type { CertificateSet } from '../../src/pki/types.ts';
import type { TlsScenario } from '../../src/scenario/types.ts';
import { startEchoListeners } from '../../src/servers/echo-listeners.ts';
import type { EchoListeners } from '../../src/servers/echo-listeners.ts';
import { ServerWindow } from '../../src/servers/server-window.ts';

/** How the two ends of a test connection are set up; a misconfigured server differs from `client`. */
export interface Setup {
  server: TlsScenario;
  client: TlsScenario;
  certs: CertificateSet;
}

type Observations = Pick<CheckInput, 'client' | 'server'>;

/**
 * Runs `body` against the real echo listeners, started in this process so that a test needs no
 * child start-up, and returns both sides' counts of the window.
 */
async function withListeners(setup: Setup, body: (listeners: EchoListeners) => Promise<CheckInput['client']>): Promise<Observations> {
  const window = new ServerWindow();
  const listeners = await startEchoListeners({ tls: setup.server, certs: setup.certs, payloadBytes: 16 }, window);
  try {
    window.begin();
    const client = await body(listeners);
    return { client, server: window.end().negotiations };
  } finally {
    listeners.close();
  }
}

/** Drives `count` handshakes with the project's handshake driver and returns both sides' counts. */
export function observeHandshakes(setup: Setup, count: number, concurrency = 1): Promise<Observations> {
  return withListeners(setup, async (listeners) => {
    const driver = new HandshakeDriver({ port: listeners.ports.tls, tls: setup.client, certs: setup.certs, concurrency, payloadBytes: 1 });
    const run = await driver.run({ maxCount: count, durationMs: 10_000 });
    if (run.errorCount > 0) throw new Error(`handshakes failed: ${JSON.stringify(run.errors)}`);
    return { negotiations: run.negotiations, sessions: { offered: run.sessionsOffered, received: run.sessionsReceived, resumedWithTicket: run.resumedWithTicket } };
  });
}

/** Sends keep-alive requests for `durationMs` through autocannon and returns both sides' counts. */
export function observeRequests(setup: Setup, connections: number, durationMs: number): Promise<Observations> {
  return withListeners(setup, async (listeners) => {
    const run = await runRequests({
      port: listeners.ports.https,
      tls: setup.client,
      certs: setup.certs,
      connections,
      pipelining: 1,
      durationMs,
      maxCount: null,
      rateRps: null,
      payloadBytes: 16,
    });
    if (run.errorCount > 0) throw new Error(`requests failed: ${JSON.stringify(run.errors)}`);
    return { negotiations: run.negotiations, sessions: null };
  });
}
