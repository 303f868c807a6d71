import net from 'node:net';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HandshakeDriver } from '../../src/drivers/handshake.ts';
import type { HandshakeRunResult } from '../../src/drivers/handshake.ts';
import type { CertificateSet } from '../../src/pki/types.ts';
import { countAtLeast } from './latency-counts.ts';
import { certsFor, scenarioOf } from '../servers/scenario-fixture.ts';

/** The stalled connection waits this long before the server reads its ClientHello. */
const STALL_MS = 300;
/** Which TCP connection of a run the server stalls, counting from 1. */
const STALLED_CONNECTION = 5;
const RATE_PER_SEC = 50;
const INTERVAL_MS = 1000 / RATE_PER_SEC;
const COUNT = 40;
const QUEUED_US = 100_000;

/**
 * An mTLS echo server that keeps one TCP connection per run for `STALL_MS` before its TLS layer
 * reads it, so that one handshake takes at least that long however fast the others are.
 */
class StallingServer {
  readonly #tcp: net.Server;
  readonly #tls: tls.Server;
  #accepted = 0;

  constructor(certs: CertificateSet) {
    this.#tls = tls.createServer(
      {
        key: certs.server.keyPem,
        cert: certs.serverChainPem,
        ca: certs.caPem,
        requestCert: true,
        rejectUnauthorized: true,
      },
      (socket) => {
        socket.on('data', (chunk) => socket.write(chunk));
        socket.on('error', () => {});
      },
    );
    this.#tcp = net.createServer({ pauseOnConnect: true }, (socket) => {
      this.#accepted++;
      const delayMs = this.#accepted === STALLED_CONNECTION ? STALL_MS : 0;
      setTimeout(() => this.#tls.emit('connection', socket), delayMs);
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.#tcp.listen(0, '127.0.0.1', resolve));
    return (this.#tcp.address() as AddressInfo).port;
  }

  /** Starts counting connections from 1 again, so the next run has its own stalled connection. */
  resetCount(): void {
    this.#accepted = 0;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.#tcp.close(() => resolve()));
  }
}

describe('open-loop handshakes against a server that stalls one connection', () => {
  const scenario = scenarioOf({ auth: 'mtls', resumption: 'none' });
  let server: StallingServer;
  let openLoop: HandshakeRunResult;
  let closedLoop: HandshakeRunResult;

  beforeAll(async () => {
    const certs = await certsFor();
    server = new StallingServer(certs);
    const port = await server.listen();
    const options = { port, tls: scenario, certs, concurrency: 1, payloadBytes: 1 };
    openLoop = await new HandshakeDriver({ ...options, ratePerSec: RATE_PER_SEC }).run({ maxCount: COUNT, durationMs: null });
    server.resetCount();
    closedLoop = await new HandshakeDriver(options).run({ maxCount: COUNT, durationMs: null });
  });

  afterAll(async () => {
    await server?.close();
  });

  it('completes every connection of both runs', () => {
    expect(openLoop.count).toBe(COUNT);
    expect(openLoop.errorCount).toBe(0);
    expect(closedLoop.count).toBe(COUNT);
    expect(closedLoop.errorCount).toBe(0);
  });

  it('closed loop records the stall once', () => {
    expect(closedLoop.arrivals).toBeNull();
    expect(closedLoop.latencyUs.full.max).toBeGreaterThanOrEqual(STALL_MS * 1000);
    expect(countAtLeast(closedLoop.latencyUs.full, QUEUED_US)).toBe(1);
  });

  it('open loop records queued connections from intended starts', () => {
    // During the stall, connections fall due every 20 ms with the one lane busy. The one due k
    // intervals after the stalled one waits about 300 - 20k ms, so about 10 of them wait 100 ms or more.
    const queued = countAtLeast(openLoop.latencyUs.full, QUEUED_US);
    expect(queued).toBeGreaterThanOrEqual(Math.floor((STALL_MS * 1000 - QUEUED_US) / (INTERVAL_MS * 1000)) - 2);
    expect(openLoop.latencyUs.full.max).toBeGreaterThanOrEqual(STALL_MS * 1000);
  });

  it('reports the late starts and keeps the asked rate once it caught up', () => {
    const arrivals = openLoop.arrivals;
    expect(arrivals).not.toBeNull();
    if (arrivals === null) return;
    expect(arrivals.ratePerSec).toBe(RATE_PER_SEC);
    expect(arrivals.started).toBe(COUNT);
    expect(arrivals.missed).toBe(0);
    // Every connection due during the stall started late.
    expect(arrivals.late).toBeGreaterThanOrEqual(Math.floor(STALL_MS / INTERVAL_MS) - 2);
    expect(arrivals.startDelayUs.max).toBeGreaterThan(STALL_MS * 1000 - 2 * INTERVAL_MS * 1000);
    // Connections due well before or after the stall waited far less than those behind it. The
    // margins leave room for a loaded machine, whose event loop also delays starts.
    expect(arrivals.startDelayUs.p50).toBeLessThan(QUEUED_US / 2);
    expect(arrivals.achievedPerSec).toBeGreaterThan(RATE_PER_SEC * 0.8);
    expect(arrivals.achievedPerSec).toBeLessThan(RATE_PER_SEC * 1.05);
  });
});

describe('open-loop handshakes that cannot keep up', () => {
  it('stops at the time bound and counts the connections that never started', async () => {
    const scenario = scenarioOf({ auth: 'mtls', resumption: 'none' });
    const certs = await certsFor();
    const server = new StallingServer(certs);
    const port = await server.listen();
    try {
      // One lane and a stall of 300 ms in a 400 ms window at 100/s: the run cannot start all 40.
      const driver = new HandshakeDriver({ port, tls: scenario, certs, concurrency: 1, payloadBytes: 1, ratePerSec: 100 });
      const startMs = performance.now();
      const run = await driver.run({ maxCount: null, durationMs: 400 });
      const wallMs = performance.now() - startMs;
      const arrivals = run.arrivals;
      expect(arrivals).not.toBeNull();
      if (arrivals === null) return;
      expect(arrivals.started + arrivals.missed).toBe(40);
      expect(arrivals.missed).toBeGreaterThan(10);
      expect(arrivals.achievedPerSec).toBeLessThan(100 * 0.95);
      expect(run.count).toBe(arrivals.started);
      // The last connection started before the bound ends well within a second of it.
      expect(wallMs).toBeLessThan(1_400);
    } finally {
      await server.close();
    }
  });
});
