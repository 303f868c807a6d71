import tls from 'node:tls';
import { describe, expect, it } from 'vitest';
import { INVALID_HTTP_RESPONSE, runMinimalLoop } from '../../scripts/harness/minimal-loop.ts';
import { clientTlsOptions } from '../../src/servers/tls-options.ts';
import { certsFor, scenarioOf, withEchoServer } from '../servers/scenario-fixture.ts';

describe('runMinimalLoop', () => {
  it('completes full mTLS handshakes the server counts', async () => {
    const tlsScenario = scenarioOf();
    const certs = await certsFor();
    await withEchoServer(tlsScenario, certs, async (server) => {
      const secureContext = tls.createSecureContext(clientTlsOptions(tlsScenario, certs));
      await server.beginWindow();
      const run = await runMinimalLoop({ port: server.ports.tls, secureContext, concurrency: 2, durationMs: 5_000, maxCount: 30, resume: false, stopTimeLimitMs: 5_000 });
      const stats = await server.endWindow();

      expect(run.count).toBe(30);
      expect(run.errors).toEqual({});
      expect(run.resumed).toBe(0);
      expect(run.handshakeP50Us).toBeGreaterThan(0);
      expect(stats.handshakes.full).toBe(30);
      expect(stats.clientCertsVerified).toBe(30);
    });
  });

  it('completes HTTPS requests after the handshake', async () => {
    const tlsScenario = scenarioOf();
    const certs = await certsFor();
    await withEchoServer(tlsScenario, certs, async (server) => {
      const secureContext = tls.createSecureContext(clientTlsOptions(tlsScenario, certs));
      await server.beginWindow();
      const run = await runMinimalLoop({
        port: server.ports.https,
        secureContext,
        concurrency: 2,
        durationMs: 5_000,
        maxCount: 30,
        resume: false,
        stopTimeLimitMs: 5_000,
        protocol: 'https',
      });
      const stats = await server.endWindow();

      expect(run.count).toBe(30);
      expect(run.errors).toEqual({});
      expect(stats.handshakes.full).toBe(30);
      expect(stats.clientCertsVerified).toBe(30);
      expect(stats.errors).toEqual({});
    });
  });

  it('rejects an echo as an HTTPS response', async () => {
    // The raw TLS listener echoes the request back, which does not start with "HTTP/".
    const tlsScenario = scenarioOf();
    const certs = await certsFor();
    await withEchoServer(tlsScenario, certs, async (server) => {
      const secureContext = tls.createSecureContext(clientTlsOptions(tlsScenario, certs));
      const run = await runMinimalLoop({
        port: server.ports.tls,
        secureContext,
        concurrency: 1,
        durationMs: 5_000,
        maxCount: 3,
        resume: false,
        stopTimeLimitMs: 5_000,
        protocol: 'https',
      });

      expect(run.count).toBe(0);
      expect(run.errors).toEqual({ [INVALID_HTTP_RESPONSE]: 3 });
    });
  });

  it('resumes TLS 1.2 sessions', async () => {
    const tlsScenario = scenarioOf({ tlsVersion: 'tls1.2', resumption: 'tickets' });
    const certs = await certsFor();
    await withEchoServer(tlsScenario, certs, async (server) => {
      const secureContext = tls.createSecureContext(clientTlsOptions(tlsScenario, certs));
      const run = await runMinimalLoop({ port: server.ports.tls, secureContext, concurrency: 1, durationMs: 5_000, maxCount: 20, resume: true, stopTimeLimitMs: 5_000 });

      expect(run.count).toBe(20);
      // The first connection has no session to offer.
      expect(run.resumed).toBe(19);
    });
  });

  it('counts rejected connections as errors', async () => {
    const tlsScenario = scenarioOf({ tlsVersion: 'tls1.2' });
    const certs = await certsFor();
    await withEchoServer(tlsScenario, certs, async (server) => {
      const withoutClientCert = tls.createSecureContext(clientTlsOptions({ ...tlsScenario, auth: 'tls' }, certs));
      const run = await runMinimalLoop({ port: server.ports.tls, secureContext: withoutClientCert, concurrency: 1, durationMs: 5_000, maxCount: 5, resume: false, stopTimeLimitMs: 5_000 });

      expect(run.count).toBe(0);
      expect(Object.values(run.errors).reduce((sum, count) => sum + count, 0)).toBe(5);
      expect(run.handshakeP50Us).toBeNull();
    });
  });
});
