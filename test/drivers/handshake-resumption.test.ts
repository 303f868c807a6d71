import tls from 'node:tls';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { HandshakeDriver } from '../../src/drivers/handshake.ts';
import type { Resumption, TlsVersion } from '../../src/scenario/types.ts';
import { clientTlsOptions } from '../../src/servers/tls-options.ts';
import { certsFor, scenarioOf, withEchoServer } from '../servers/scenario-fixture.ts';

const COUNT = 30;

/**
 * Makes one connection with raw `tls.connect`, offering `session` when given, and returns
 * whether it resumed and the last session the server issued. It waits for the echo and then
 * briefly for a TLS 1.3 ticket, which comes after the handshake.
 */
async function connectOnce(options: tls.ConnectionOptions, session: Buffer | undefined): Promise<{ reused: boolean; session: Buffer | undefined }> {
  return new Promise((resolve, reject) => {
    let latest: Buffer | undefined;
    const socket = tls.connect({ ...options, session });
    socket.on('session', (issued: Buffer) => {
      latest = issued;
    });
    socket.on('secureConnect', () => socket.write('x'));
    socket.on('error', reject);
    socket.once('data', () => {
      const reused = socket.isSessionReused();
      setTimeout(() => {
        socket.end();
        resolve({ reused, session: latest });
      }, 50);
    });
  });
}

describe.each([
  ['tls1.2', 'tickets'],
  ['tls1.3', 'tickets'],
  ['tls1.2', 'session-ids'],
] as const)('HandshakeDriver in %s with %s', (tlsVersion: TlsVersion, resumption: Resumption) => {
  it('resumes every handshake after the first', async () => {
    const scenario = scenarioOf({ tlsVersion, resumption, auth: 'mtls' });
    const certs = await certsFor();
    await withEchoServer(scenario, certs, async (server) => {
      const driver = new HandshakeDriver({ port: server.ports.tls, tls: scenario, certs, concurrency: 1, payloadBytes: 1 });

      await server.beginWindow();
      const run = await driver.run({ maxCount: COUNT, durationMs: null });
      const stats = await server.endWindow();

      expect(run.count).toBe(COUNT);
      expect(run.resumed).toBe(COUNT - 1);
      expect(run.latencyUs.full.count).toBe(1);
      expect(run.latencyUs.resumed.count).toBe(COUNT - 1);
      expect(stats.handshakes).toEqual({ full: 1, resumed: COUNT - 1 });
      expect(run.sessionsOffered).toBe(COUNT - 1);
      // Resumed handshakes are counted without a group or key type, even the one described last.
      const resumedEntries = run.negotiations.filter((entry) => entry.resumed);
      expect(resumedEntries.map((entry) => [entry.group, entry.peerKeyType])).toEqual(resumedEntries.map(() => [null, null]));
      expect(run.sessionsReceived).toBeGreaterThanOrEqual(1);
      // Resumed handshakes restore the client certificate from the session instead of verifying one.
      expect(stats.clientCertsVerified).toBe(1);
    });
  });

  it('carries the session into the next run', async () => {
    const scenario = scenarioOf({ tlsVersion, resumption, auth: 'tls' });
    const certs = await certsFor();
    await withEchoServer(scenario, certs, async (server) => {
      const driver = new HandshakeDriver({ port: server.ports.tls, tls: scenario, certs, concurrency: 2, payloadBytes: 1 });

      const warmup = await driver.run({ maxCount: 1, durationMs: null });
      const measured = await driver.run({ maxCount: 10, durationMs: null });

      expect(warmup.resumed).toBe(0);
      expect(measured.count).toBe(10);
      expect(measured.resumed).toBe(10);
      expect(measured.sessionsOffered).toBe(10);
    });
  });
});

describe.each(['tls1.2', 'tls1.3'] as const)('resumption none in %s', (tlsVersion) => {
  it('never resumes', async () => {
    const scenario = scenarioOf({ tlsVersion, resumption: 'none', auth: 'mtls' });
    const certs = await certsFor();
    await withEchoServer(scenario, certs, async (server) => {
      const driver = new HandshakeDriver({ port: server.ports.tls, tls: scenario, certs, concurrency: 2, payloadBytes: 1 });

      await server.beginWindow();
      const run = await driver.run({ maxCount: COUNT, durationMs: null });
      const stats = await server.endWindow();

      expect(run.count).toBe(COUNT);
      expect(run.resumed).toBe(0);
      expect(run.sessionsOffered).toBe(0);
      expect(stats.handshakes).toEqual({ full: COUNT, resumed: 0 });
      expect(stats.clientCertsVerified).toBe(COUNT);
    });
  });

  it('ignores a session the client offers', async () => {
    const scenario = scenarioOf({ tlsVersion, resumption: 'none', auth: 'tls' });
    const certs = await certsFor();
    await withEchoServer(scenario, certs, async (server) => {
      const options = { ...clientTlsOptions(scenario, certs), port: server.ports.tls };

      const first = await connectOnce(options, undefined);
      // The server still issues a session (a session ID, or a stateful TLS 1.3 ticket) but
      // keeps no cache to find it in.
      expect(first.session).toBeInstanceOf(Buffer);
      const second = await connectOnce(options, first.session);

      expect(first.reused).toBe(false);
      expect(second.reused).toBe(false);
    });
  });
});

describe('raw session offer', () => {
  it('resumes against a tickets server', async () => {
    // Control for the test above: the same client steps do resume when the server allows it.
    const scenario = scenarioOf({ tlsVersion: 'tls1.3', resumption: 'tickets', auth: 'tls' });
    const certs = await certsFor();
    await withEchoServer(scenario, certs, async (server) => {
      const options = { ...clientTlsOptions(scenario, certs), port: server.ports.tls };

      const first = await connectOnce(options, undefined);
      const second = await connectOnce(options, first.session);

      expect(second.reused).toBe(true);
    });
  });
});

describe('session offer cost', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('sets each session once', async () => {
    // tls.connect parses a `session` option twice (TLSSocket._init and its own setSession call),
    // and each parse decodes the server certificate in the session.
    const scenario = scenarioOf({ tlsVersion: 'tls1.2', resumption: 'tickets', auth: 'mtls' });
    const certs = await certsFor();
    await withEchoServer(scenario, certs, async (server) => {
      const connect = vi.spyOn(tls, 'connect');
      const setSession = vi.spyOn(tls.TLSSocket.prototype as tls.TLSSocket & { setSession(session: Buffer): void }, 'setSession');
      const driver = new HandshakeDriver({ port: server.ports.tls, tls: scenario, certs, concurrency: 1, payloadBytes: 1 });

      const run = await driver.run({ maxCount: COUNT, durationMs: null });

      expect(run.resumed).toBe(COUNT - 1);
      expect(connect).toHaveBeenCalledTimes(COUNT);
      expect(connect.mock.calls.filter(([options]) => (options as tls.ConnectionOptions).session !== undefined)).toEqual([]);
      expect(setSession).toHaveBeenCalledTimes(COUNT - 1);
    });
  });
});
