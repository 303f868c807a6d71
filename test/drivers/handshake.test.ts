import { once } from 'node:events';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PEER_CERT_SAMPLE_INTERVAL } from '../../src/checks/tally.ts';
import { HandshakeDriver } from '../../src/drivers/handshake.ts';
import type { HandshakeRunResult } from '../../src/drivers/handshake.ts';
import { MtlsBenchError } from '../../src/errors.ts';
import type { CertificateSet } from '../../src/pki/types.ts';
import { startEchoServer } from '../../src/servers/spawn.ts';
import type { EchoServerHandle } from '../../src/servers/spawn.ts';
import type { NegotiationCount } from '../../src/servers/types.ts';
import type { LatencySummary } from '../../src/stats/histogram.ts';
import { decodeLatencyHistogram } from '../../src/stats/histogram.ts';
import { certsFor, scenarioOf } from '../servers/scenario-fixture.ts';

const COUNT = 30;

function expectIntegerSummary(summary: LatencySummary): void {
  for (const field of ['p50', 'p90', 'p99', 'p999', 'max', 'mean'] as const) {
    expect(Number.isInteger(summary[field]), `${field} = ${summary[field]}`).toBe(true);
  }
  expect(decodeLatencyHistogram(summary.hdr).totalCount).toBe(summary.count);
}

describe('HandshakeDriver against an mTLS echo server', () => {
  const tls = scenarioOf({ auth: 'mtls', resumption: 'none' });
  let certs: CertificateSet;
  let server: EchoServerHandle;
  let run: HandshakeRunResult;

  beforeAll(async () => {
    certs = await certsFor();
    server = await startEchoServer({ tls, certs, payloadBytes: 64 });
    const driver = new HandshakeDriver({ port: server.ports.tls, tls, certs, concurrency: 3, payloadBytes: 100 });
    run = await driver.run({ maxCount: COUNT, durationMs: null });
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('completes every handshake of a count bound', () => {
    expect(run.count).toBe(COUNT);
    expect(run.errorCount).toBe(0);
    expect(run.errors).toEqual({});
    expect(run.resumed).toBe(0);
  });

  it('records integer microsecond latencies', () => {
    expectIntegerSummary(run.connectUs);
    expectIntegerSummary(run.latencyUs.full);
    expectIntegerSummary(run.latencyUs.resumed);
    expect(Number.isInteger(run.elapsedUs)).toBe(true);
    expect(run.latencyUs.full.p50).toBeGreaterThan(0);
    expect(run.connectUs.p50).toBeGreaterThan(0);
  });

  it('records one latency per handshake', () => {
    expect(run.connectUs.count).toBe(COUNT);
    expect(run.latencyUs.full.count).toBe(COUNT);
    expect(run.latencyUs.resumed.count).toBe(0);
  });

  it('computes the rate from the elapsed time', () => {
    expect(run.elapsedUs).toBeGreaterThan(0);
    expect(run.handshakesPerSec).toBeCloseTo(COUNT / (run.elapsedUs / 1e6), 6);
  });

  it('measures client CPU', () => {
    expect(run.clientCpuUs.user + run.clientCpuUs.system).toBeGreaterThan(0);
  });

  it('reports what the client negotiated', () => {
    expect(run.negotiated).toEqual({ protocol: 'TLSv1.3', cipherSuite: 'TLS_AES_256_GCM_SHA384', group: 'x25519', peerKeyType: 'ecdsa-p256' });
  });

  it('counts every handshake by what it negotiated', () => {
    const total = run.negotiations.reduce((sum, entry) => sum + entry.count, 0);
    const sampled = run.negotiations.filter((entry) => entry.peerKeyType !== null);

    expect(total).toBe(COUNT);
    expect(new Set(run.negotiations.map((entry) => `${entry.protocol} ${entry.cipherSuite} ${entry.group} ${entry.resumed}`))).toEqual(
      new Set(['TLSv1.3 TLS_AES_256_GCM_SHA384 x25519 false']),
    );
    // The first handshake, the sampled ones and each lane's last one read the certificate.
    expect(sampled.map((entry) => entry.peerKeyType)).toEqual(['ecdsa-p256']);
    expect(sampled[0]?.count).toBeGreaterThanOrEqual(1);
    expect(sampled[0]?.count).toBeLessThanOrEqual(4);
    expect(run.sessionsOffered).toBe(0);
    expect(run.sessionsReceived).toBe(0);
  });

  it('samples the peer certificate every 64 full handshakes', async () => {
    const driver = new HandshakeDriver({ port: server.ports.tls, tls, certs, concurrency: 1, payloadBytes: 1 });

    await server.beginWindow();
    const sampled = await driver.run({ maxCount: 2 * PEER_CERT_SAMPLE_INTERVAL + 2, durationMs: null });
    const stats = await server.endWindow();

    const readCount = (counts: NegotiationCount[]): number =>
      counts.filter((entry) => entry.peerKeyType !== null).reduce((sum, entry) => sum + entry.count, 0);
    // The client reads handshakes 0, 64 and 128, and also 129 to describe the run's last one.
    expect(readCount(sampled.negotiations)).toBe(4);
    expect(readCount(stats.negotiations)).toBe(3);
  });

  it('stops at the time bound', async () => {
    const driver = new HandshakeDriver({ port: server.ports.tls, tls, certs, concurrency: 2, payloadBytes: 1 });

    const timed = await driver.run({ maxCount: null, durationMs: 300 });

    expect(timed.count).toBeGreaterThan(0);
    expect(timed.errorCount).toBe(0);
    expect(timed.elapsedUs).toBeGreaterThanOrEqual(300_000);
    // In-flight connections finish after the bound, and each takes milliseconds, not seconds.
    expect(timed.elapsedUs).toBeLessThan(3_000_000);
  });

  it('counts a rejected client as an error without a latency', async () => {
    // A `tls` scenario's client sends no certificate. In TLS 1.3 its secureConnect fires
    // before the server rejects it, so only the missing echo shows the failure.
    const driver = new HandshakeDriver({ port: server.ports.tls, tls: { ...tls, auth: 'tls' }, certs, concurrency: 2, payloadBytes: 1 });

    await server.beginWindow();
    const rejected = await driver.run({ maxCount: 6, durationMs: null });
    const stats = await server.endWindow();

    expect(rejected.count).toBe(0);
    expect(rejected.errors).toEqual({ ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: 6 });
    expect(rejected.errorCount).toBe(6);
    expect(rejected.latencyUs.full.count).toBe(0);
    expect(rejected.connectUs.count).toBe(0);
    expect(rejected.negotiated).toBeNull();
    expect(stats.errors).toEqual({ ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE: 6 });
  });
});

describe('HandshakeDriver failures', () => {
  it('times out against a server that never answers', async () => {
    const certs = await certsFor();
    const silent = net.createServer(() => {});
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    try {
      const { port } = silent.address() as AddressInfo;
      const driver = new HandshakeDriver({ port, tls: scenarioOf(), certs, concurrency: 2, payloadBytes: 1, handshakeTimeoutMs: 200 });

      const run = await driver.run({ maxCount: 4, durationMs: null });

      expect(run.count).toBe(0);
      expect(run.errors).toEqual({ ETIMEDOUT: 4 });
      expect(run.latencyUs.full.count).toBe(0);
      expect(run.elapsedUs).toBeGreaterThanOrEqual(400_000);
    } finally {
      silent.close();
    }
  });

  it('counts refused connections by code', async () => {
    const certs = await certsFor();
    const closed = net.createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const { port } = closed.address() as AddressInfo;
    closed.close();
    await once(closed, 'close');
    const driver = new HandshakeDriver({ port, tls: scenarioOf(), certs, concurrency: 1, payloadBytes: 1 });

    const run = await driver.run({ maxCount: 3, durationMs: null });

    expect(run.count).toBe(0);
    expect(run.errors).toEqual({ ECONNREFUSED: 3 });
    expect(run.connectUs.count).toBe(0);
  });

  it('rejects a run without bounds', async () => {
    const driver = new HandshakeDriver({ port: 1, tls: scenarioOf(), certs: await certsFor(), concurrency: 1, payloadBytes: 1 });

    await expect(driver.run({ maxCount: null, durationMs: null })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('rejects a zero concurrency', async () => {
    const certs = await certsFor();

    expect(() => new HandshakeDriver({ port: 1, tls: scenarioOf(), certs, concurrency: 0, payloadBytes: 1 })).toThrow(MtlsBenchError);
  });

  it('rejects an empty payload', async () => {
    const certs = await certsFor();

    expect(() => new HandshakeDriver({ port: 1, tls: scenarioOf(), certs, concurrency: 1, payloadBytes: 0 })).toThrow(/payloadBytes/);
  });
});

describe('HandshakeDriver checks the server name', () => {
  // The driver reads peer certificates shallowly for speed; the name check must still run.
  it('completes with the name in the certificate and fails every connection with another', async () => {
    const tls = scenarioOf({ auth: 'mtls', resumption: 'none' });
    const certs = await certsFor();
    const server = await startEchoServer({ tls, certs, payloadBytes: 1 });
    try {
      const options = { port: server.ports.tls, tls, certs, concurrency: 2, payloadBytes: 1 };
      const right = await new HandshakeDriver({ ...options, servername: 'localhost' }).run({ maxCount: 10, durationMs: null });
      expect(right.count).toBe(10);
      expect(right.errorCount).toBe(0);

      const wrong = await new HandshakeDriver({ ...options, servername: 'not-localhost' }).run({ maxCount: 10, durationMs: null });
      expect(wrong.count).toBe(0);
      expect(wrong.errors).toEqual({ ERR_TLS_CERT_ALTNAME_INVALID: 10 });
    } finally {
      await server.stop();
    }
  });
});
