import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UNVERIFIED_SERVER, runRequests } from '../../src/drivers/requests.ts';
import type { RequestsRunResult } from '../../src/drivers/requests.ts';
import { MtlsBenchError } from '../../src/errors.ts';
import { generateCertificateSet } from '../../src/pki/generate.ts';
import type { CertificateSet } from '../../src/pki/types.ts';
import type { TlsScenario } from '../../src/scenario/types.ts';
import { startEchoServer } from '../../src/servers/spawn.ts';
import type { EchoServerHandle } from '../../src/servers/spawn.ts';
import type { ServerWindowStats } from '../../src/servers/types.ts';

const CONNECTIONS = 4;
const DURATION_MS = 800;
/** A run ends within one 50 ms autocannon sample of its bound; the rest absorbs a busy machine. */
const STOP_SLACK_MS = 400;

const tlsCell: TlsScenario = {
  serverKeyType: 'ecdsa-p256',
  clientKeyType: 'ecdsa-p256',
  tlsVersion: 'tls1.3',
  cipherSuite: null,
  group: 'x25519',
  resumption: 'none',
  auth: 'tls',
  chainDepth: 0,
};

const mtlsCell: TlsScenario = {
  serverKeyType: 'ecdsa-p256',
  clientKeyType: 'ed25519',
  tlsVersion: 'tls1.2',
  cipherSuite: null,
  group: 'p-256',
  resumption: 'none',
  auth: 'mtls',
  chainDepth: 1,
};

interface MeasuredCell {
  result: RequestsRunResult;
  window: ServerWindowStats;
  wallMs: number;
}

async function measure(server: EchoServerHandle, tls: TlsScenario, certs: CertificateSet): Promise<MeasuredCell> {
  await server.beginWindow();
  const startMs = performance.now();
  const result = await runRequests({
    port: server.ports.https,
    tls,
    certs,
    connections: CONNECTIONS,
    pipelining: 1,
    durationMs: DURATION_MS,
    maxCount: null,
    rateRps: null,
    payloadBytes: 64,
  });
  const wallMs = performance.now() - startMs;
  return { result, window: await server.endWindow(), wallMs };
}

function expectOrderedIntegerPercentiles(result: RequestsRunResult): void {
  const { p50, p90, p99, max } = result.latencyUs;
  for (const value of [p50, p90, p99, max]) {
    expect(Number.isInteger(value)).toBe(true);
  }
  expect(p50).toBeGreaterThan(0);
  expect(p50).toBeLessThanOrEqual(p90);
  expect(p90).toBeLessThanOrEqual(p99);
  expect(p99).toBeLessThanOrEqual(max);
}

describe('runRequests', () => {
  let tlsCerts: CertificateSet;
  let mtlsCerts: CertificateSet;
  let tlsServer: EchoServerHandle;
  let mtlsServer: EchoServerHandle;

  beforeAll(async () => {
    [tlsCerts, mtlsCerts] = await Promise.all([
      generateCertificateSet({ serverKeyType: 'ecdsa-p256', clientKeyType: 'ecdsa-p256', chainDepth: 0 }),
      generateCertificateSet({ serverKeyType: 'ecdsa-p256', clientKeyType: 'ed25519', chainDepth: 1 }),
    ]);
    [tlsServer, mtlsServer] = await Promise.all([
      startEchoServer({ tls: tlsCell, certs: tlsCerts, payloadBytes: 64 }),
      startEchoServer({ tls: mtlsCell, certs: mtlsCerts, payloadBytes: 64 }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([tlsServer?.stop(), mtlsServer?.stop()]);
  });

  describe('tls cell', () => {
    let cell: MeasuredCell;

    beforeAll(async () => {
      cell = await measure(tlsServer, tlsCell, tlsCerts);
    });

    it('completes requests without errors', () => {
      expect(cell.result.count).toBeGreaterThan(0);
      expect(cell.result.errorCount).toBe(0);
      expect(cell.result.errors).toEqual({});
      expect(cell.result.non2xx).toBe(0);
    });

    it('records latency after each connection handshake', () => {
      // The first response on each connection waited for its handshake, so it is not timed.
      expect(cell.result.latencyUs.count).toBe(cell.result.count - CONNECTIONS);
      expectOrderedIntegerPercentiles(cell.result);
    });

    it('verifies every connection', () => {
      expect(cell.result.connectionsVerified).toBe(CONNECTIONS);
      expect(cell.result.connectionsUnverified).toBe(0);
    });

    it('reports the requested protocol and group', () => {
      expect(cell.result.negotiated?.protocol).toBe('TLSv1.3');
      expect(cell.result.negotiated?.group).toBe('x25519');
      expect(cell.result.negotiated?.peerKeyType).toBe('ecdsa-p256');
    });

    it('counts each verified connection once by what it negotiated', () => {
      expect(cell.result.negotiations.reduce((sum, entry) => sum + entry.count, 0)).toBe(CONNECTIONS);
      expect(cell.result.negotiations.every((entry) => entry.protocol === 'TLSv1.3' && !entry.resumed && entry.group === 'x25519')).toBe(true);
    });

    it('keeps one handshake per connection', () => {
      expect(cell.window.handshakes.full + cell.window.handshakes.resumed).toBe(CONNECTIONS);
      expect(cell.window.clientCertsVerified).toBe(0);
    });

    it('derives throughput from count and elapsed time', () => {
      const expectedRps = cell.result.count / (cell.result.elapsedUs / 1e6);
      expect(cell.result.throughputRps).toBeCloseTo(expectedRps, 6);
      expect(cell.result.clientCpuUs.user).toBeGreaterThan(0);
    });

    it('stops at its duration bound', () => {
      expect(cell.result.elapsedUs).toBeGreaterThanOrEqual(DURATION_MS * 1000);
      expect(cell.result.elapsedUs).toBeLessThan((DURATION_MS + STOP_SLACK_MS) * 1000);
      expect(cell.wallMs).toBeLessThan(DURATION_MS + STOP_SLACK_MS);
    });
  });

  describe('mtls cell', () => {
    let cell: MeasuredCell;

    beforeAll(async () => {
      cell = await measure(mtlsServer, mtlsCell, mtlsCerts);
    });

    it('completes requests without errors', () => {
      expect(cell.result.count).toBeGreaterThan(0);
      expect(cell.result.errorCount).toBe(0);
      expect(cell.result.non2xx).toBe(0);
      expect(cell.result.latencyUs.count).toBe(cell.result.count - CONNECTIONS);
      expectOrderedIntegerPercentiles(cell.result);
    });

    it('reports the requested protocol and group', () => {
      expect(cell.result.negotiated?.protocol).toBe('TLSv1.2');
      expect(cell.result.negotiated?.group).toBe('p-256');
    });

    it('presents a client certificate on every connection', () => {
      expect(cell.result.connectionsVerified).toBe(CONNECTIONS);
      expect(cell.window.handshakes.full + cell.window.handshakes.resumed).toBe(CONNECTIONS);
      expect(cell.window.clientCertsVerified).toBe(CONNECTIONS);
    });
  });

  it('stops at maxCount', async () => {
    const maxCount = 150;
    const startMs = performance.now();
    const result = await runRequests({
      port: tlsServer.ports.https,
      tls: tlsCell,
      certs: tlsCerts,
      connections: 3,
      pipelining: 1,
      durationMs: 10_000,
      maxCount,
      rateRps: null,
      payloadBytes: 0,
    });

    // With one request in flight per connection, every request sent gets its response.
    expect(result.count).toBe(maxCount);
    expect(result.errorCount).toBe(0);
    expect(result.latencyUs.count).toBe(maxCount - 3);
    expect(performance.now() - startMs).toBeLessThan(5_000);
  });

  it('never exceeds maxCount with pipelining', async () => {
    const result = await runRequests({
      port: tlsServer.ports.https,
      tls: tlsCell,
      certs: tlsCerts,
      connections: 2,
      pipelining: 4,
      durationMs: 10_000,
      maxCount: 100,
      rateRps: null,
      payloadBytes: 16,
    });

    expect(result.count).toBeGreaterThan(0);
    expect(result.count).toBeLessThanOrEqual(100);
    expect(result.errorCount).toBe(0);
    // The first 4 responses on each of the 2 connections were queued before its handshake ended.
    expect(result.latencyUs.count).toBe(result.count - 2 * 4);
  });

  it('sends nothing while beforeRequests is pending', async () => {
    let calls = 0;
    const result = await runRequests({
      port: tlsServer.ports.https,
      tls: tlsCell,
      certs: tlsCerts,
      connections: 3,
      pipelining: 2,
      durationMs: 500,
      maxCount: null,
      rateRps: null,
      payloadBytes: 16,
      beforeRequests: () => {
        calls += 1;
        return new Promise<void>(() => {});
      },
    });

    expect(calls).toBe(1);
    expect(result.connectionsVerified).toBe(3);
    expect(result.count).toBe(0);
    expect(result.errors).toEqual({});
  });

  it('sends requests once beforeRequests resolves', async () => {
    let calls = 0;
    const result = await runRequests({
      port: tlsServer.ports.https,
      tls: tlsCell,
      certs: tlsCerts,
      connections: 3,
      pipelining: 2,
      durationMs: 500,
      maxCount: null,
      rateRps: null,
      payloadBytes: 16,
      beforeRequests: async () => {
        calls += 1;
      },
    });

    expect(calls).toBe(1);
    expect(result.connectionsVerified).toBe(3);
    expect(result.count).toBeGreaterThan(0);
    expect(result.errors).toEqual({});
    expect(result.latencyUs.count).toBe(result.count - 3 * 2);
  });

  it('fails when beforeRequests rejects', async () => {
    const running = runRequests({
      port: tlsServer.ports.https,
      tls: tlsCell,
      certs: tlsCerts,
      connections: 2,
      pipelining: 1,
      durationMs: 2_000,
      maxCount: null,
      rateRps: null,
      payloadBytes: 16,
      beforeRequests: () => Promise.reject(new Error('the other workers stopped')),
    });

    await expect(running).rejects.toMatchObject({
      code: 'RUN_FAILED',
      message: 'runRequests: beforeRequests failed: the other workers stopped',
    });
  });

  it('rejects a server from another CA', async () => {
    const otherCerts = await generateCertificateSet({ serverKeyType: 'ecdsa-p256', clientKeyType: 'ecdsa-p256', chainDepth: 0 });
    const result = await runRequests({
      port: tlsServer.ports.https,
      tls: tlsCell,
      certs: otherCerts,
      connections: 2,
      pipelining: 1,
      durationMs: 400,
      maxCount: null,
      rateRps: null,
      payloadBytes: 64,
    });

    expect(result.count).toBe(0);
    expect(result.latencyUs.count).toBe(0);
    expect(result.connectionsVerified).toBe(0);
    expect(result.connectionsUnverified).toBeGreaterThanOrEqual(2);
    expect(result.negotiated).toBeNull();
    expect(result.negotiations).toEqual([]);
    // The server leaf's issuer is not among the trusted roots.
    expect(result.errors).toEqual({ UNABLE_TO_VERIFY_LEAF_SIGNATURE: result.connectionsUnverified });
    expect(result.errors[UNVERIFIED_SERVER]).toBeUndefined();
  });

  it('rejects maxCount below connections', async () => {
    const running = runRequests({
      port: tlsServer.ports.https,
      tls: tlsCell,
      certs: tlsCerts,
      connections: 4,
      pipelining: 1,
      durationMs: 500,
      maxCount: 3,
      rateRps: null,
      payloadBytes: 64,
    });

    await expect(running).rejects.toBeInstanceOf(MtlsBenchError);
    await expect(running).rejects.toThrow(/maxCount: got 3/);
  });
});
