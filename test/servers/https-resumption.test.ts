import https from 'node:https';
import { describe, expect, it } from 'vitest';
import { runRequests } from '../../src/drivers/requests.ts';
import { clientTlsOptions } from '../../src/servers/tls-options.ts';
import type { TlsScenario } from '../../src/scenario/types.ts';
import { certsFor, scenarioOf, withEchoServer } from './scenario-fixture.ts';

const CONNECTIONS = 6;

/**
 * Makes one request per new connection through an https.Agent, which keeps a TLS session
 * cache by default and offers the cached session on every new connection.
 */
async function requestsOverAgent(port: number, tls: TlsScenario): Promise<void> {
  const agent = new https.Agent({ ...clientTlsOptions(tls, await certsFor()), keepAlive: false, maxSockets: 1 });
  try {
    for (let i = 0; i < CONNECTIONS; i++) {
      await new Promise<void>((resolve, reject) => {
        const request = https.request({ host: '127.0.0.1', port, path: '/', agent, headers: { connection: 'close' } });
        request.on('response', (response) => {
          response.resume();
          response.on('end', resolve);
        });
        request.on('error', reject);
        request.end();
      });
    }
  } finally {
    agent.destroy();
  }
}

describe('resumption over https', () => {
  for (const tlsVersion of ['tls1.2', 'tls1.3'] as const) {
    it(`agent resumes against tickets in ${tlsVersion}`, async () => {
      const tls = scenarioOf({ tlsVersion, resumption: 'tickets' });
      await withEchoServer(tls, await certsFor(), async (server) => {
        await server.beginWindow();
        await requestsOverAgent(server.ports.https, tls);
        const stats = await server.endWindow();
        expect(stats.handshakes.full + stats.handshakes.resumed).toBe(CONNECTIONS);
        expect(stats.handshakes.resumed).toBeGreaterThan(0);
      });
    });

    it(`none never resumes an agent in ${tlsVersion}`, async () => {
      const tls = scenarioOf({ tlsVersion, resumption: 'none' });
      await withEchoServer(tls, await certsFor(), async (server) => {
        await server.beginWindow();
        await requestsOverAgent(server.ports.https, tls);
        const stats = await server.endWindow();
        expect(stats.handshakes.full).toBe(CONNECTIONS);
        expect(stats.handshakes.resumed).toBe(0);
      });
    });
  }

  it('none requests cell shows zero resumed', async () => {
    const tls = scenarioOf({ resumption: 'none' });
    await withEchoServer(tls, await certsFor(), async (server) => {
      await server.beginWindow();
      const run = await runRequests({
        port: server.ports.https,
        tls,
        certs: await certsFor(),
        connections: 3,
        pipelining: 1,
        durationMs: 300,
        maxCount: null,
        rateRps: null,
        payloadBytes: 16,
      });
      const stats = await server.endWindow();
      expect(run.count).toBeGreaterThan(0);
      expect(stats.handshakes.resumed).toBe(0);
      expect(stats.handshakes.full).toBe(3);
    });
  });
});
