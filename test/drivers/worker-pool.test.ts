import { existsSync, readdirSync } from 'node:fs';
import type { Histogram } from 'hdr-histogram-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HandshakeRunResult } from '../../src/drivers/handshake.ts';
import { startHandshakePool } from '../../src/drivers/handshake-pool.ts';
import type { HandshakePool } from '../../src/drivers/handshake-pool.ts';
import type { RequestsRunResult } from '../../src/drivers/requests.ts';
import { startRequestsPool } from '../../src/drivers/requests-pool.ts';
import type { RequestsPool } from '../../src/drivers/requests-pool.ts';
import { DriverWorkerPool } from '../../src/drivers/worker-pool.ts';
import type { CertificateSet } from '../../src/pki/types.ts';
import { startEchoServer } from '../../src/servers/spawn.ts';
import type { EchoServerHandle } from '../../src/servers/spawn.ts';
import type { ServerWindowStats } from '../../src/servers/types.ts';
import type { LatencySummary } from '../../src/stats/histogram.ts';
import {
  createLatencyHistogram,
  decodeLatencyHistogram,
  MAX_TRACKABLE_US,
  mergeLatencySummaries,
  recordLatencyUs,
  summarizeLatency,
} from '../../src/stats/histogram.ts';
import { certsFor, scenarioOf } from '../servers/scenario-fixture.ts';
import type { LatencyWorkerRequest, LatencyWorkerSetup } from './fixtures/latency-worker.ts';

const LATENCY_WORKER = new URL('./fixtures/latency-worker.ts', import.meta.url);

/** Threads of this process, which Linux lists in /proc/self/task. */
function threadCount(): number {
  return readdirSync('/proc/self/task').length;
}

const canCountThreads = existsSync('/proc/self/task');

/**
 * Returns the count recorded at a value. hdr-histogram-js 3 has `getCountAtValue` on its
 * JavaScript histograms but types it as private.
 */
function countAtValue(histogram: Histogram, valueUs: number): number {
  return (histogram as unknown as { getCountAtValue(value: number): number }).getCountAtValue(valueUs);
}

function startLatencyPool(setups: LatencyWorkerSetup[]): Promise<DriverWorkerPool<LatencyWorkerSetup, LatencyWorkerRequest, LatencySummary>> {
  return DriverWorkerPool.start<LatencyWorkerSetup, LatencyWorkerRequest, LatencySummary>({ name: 'latency', moduleUrl: LATENCY_WORKER, setups });
}

/**
 * Fixed latencies from 1 µs to about 1 s, spread evenly over the decades (Park-Miller generator),
 * plus values at the edges of HDR's exact range (2048 µs) and a few large ones up to the maximum.
 */
function sampleLatenciesUs(): number[] {
  const values: number[] = [];
  let state = 20_251;
  for (let i = 0; i < 3_000; i++) {
    state = (state * 16_807) % 2_147_483_647;
    values.push(Math.max(1, Math.round(10 ** ((6 * state) / 2_147_483_647))));
  }
  values.push(2_047, 2_048, 2_049, 2_049, 4_093, 123_457, 1_999_999, 45_000_000, 59_999_999, MAX_TRACKABLE_US);
  return values;
}

describe('DriverWorkerPool', () => {
  it('merged worker histograms equal one histogram', async () => {
    const values = sampleLatenciesUs();
    const shares: number[][] = [[], [], []];
    values.forEach((value, index) => shares[index % 3]?.push(value));
    const single = createLatencyHistogram();
    for (const value of values) recordLatencyUs(single, value);
    const expected = summarizeLatency(single);

    const pool = await startLatencyPool([{}, {}, {}]);
    let summaries: LatencySummary[];
    try {
      summaries = await pool.runAll(shares.map((valuesUs) => ({ kind: 'record', valuesUs })));
    } finally {
      await pool.close();
    }
    const merged = mergeLatencySummaries(summaries);
    const mergedHistogram = decodeLatencyHistogram(merged.hdr);

    expect(summaries.map((summary) => summary.count)).toEqual(shares.map((share) => share.length));
    expect(mergedHistogram.totalCount).toBe(values.length);
    expect(merged.count).toBe(expected.count);
    for (const value of new Set(values)) {
      expect(countAtValue(mergedHistogram, value), `count at ${value} µs`).toBe(countAtValue(single, value));
    }
    expect(merged.p50).toBe(expected.p50);
    expect(merged.p90).toBe(expected.p90);
    expect(merged.p99).toBe(expected.p99);
    expect(merged.p999).toBe(expected.p999);
    expect(merged.max).toBe(expected.max);
    expect(merged.mean).toBe(expected.mean);
  });

  it('rejects runs after a worker crash', async () => {
    const pool = await startLatencyPool([{}, {}, {}]);
    try {
      const requests: LatencyWorkerRequest[] = [
        { kind: 'record', valuesUs: [100] },
        { kind: 'crash', message: 'simulated crash' },
        { kind: 'record', valuesUs: [200] },
      ];

      await expect(pool.runAll(requests)).rejects.toMatchObject({
        name: 'MtlsBenchError',
        code: 'RUN_FAILED',
        message: 'latency worker 2 of 3 crashed: simulated crash',
      });
      // The crashed worker stays failed for later runs.
      await expect(pool.runAll(requests)).rejects.toThrow('latency worker 2 of 3 crashed: simulated crash');
    } finally {
      await pool.close();
    }
  });

  it('rejects a run on worker exit', async () => {
    const pool = await startLatencyPool([{}, {}]);
    try {
      const run = pool.runAll([
        { kind: 'record', valuesUs: [100] },
        { kind: 'exit', code: 3 },
      ]);

      await expect(run).rejects.toMatchObject({ code: 'RUN_FAILED', message: 'latency worker 2 of 2 exited unexpectedly with code 3' });
    } finally {
      await pool.close();
    }
  });

  it('rejects start on setup failure', async () => {
    const before = canCountThreads ? threadCount() : 0;

    const start = startLatencyPool([{}, { failSetupWith: 'bad setup' }]);

    await expect(start).rejects.toMatchObject({ code: 'RUN_FAILED', message: 'latency worker 2 of 2: bad setup' });
    if (canCountThreads) expect(threadCount()).toBe(before);
  });

  it('rejects a run after close', async () => {
    const pool = await startLatencyPool([{}]);
    await pool.close();

    await expect(pool.runAll([{ kind: 'record', valuesUs: [1] }])).rejects.toMatchObject({ code: 'RUN_FAILED' });
  });

  it.runIf(canCountThreads)('leaves no thread after close', async () => {
    const before = threadCount();
    const pool = await startLatencyPool([{}, {}]);
    const during = threadCount();

    await pool.close();

    expect(during).toBeGreaterThanOrEqual(before + 2);
    expect(threadCount()).toBe(before);
  });
});

describe('handshake pool against a tickets echo server', () => {
  const tls = scenarioOf({ auth: 'mtls', resumption: 'tickets' });
  const WORKERS = 2;
  const CONCURRENCY = 4;
  const WARMUP_COUNT = 20;
  const COUNT = 200;
  let certs: CertificateSet;
  let server: EchoServerHandle;
  let pool: HandshakePool;
  let threadsBefore = 0;
  let warmup: HandshakeRunResult;
  let warmupStats: ServerWindowStats;
  let run: HandshakeRunResult;
  let runStats: ServerWindowStats;

  beforeAll(async () => {
    certs = await certsFor();
    server = await startEchoServer({ tls, certs, payloadBytes: 64 });
    threadsBefore = canCountThreads ? threadCount() : 0;
    pool = await startHandshakePool({ port: server.ports.tls, tls, certs, concurrency: CONCURRENCY, payloadBytes: 64, workers: WORKERS });

    await server.beginWindow();
    warmup = await pool.run({ maxCount: WARMUP_COUNT, durationMs: null });
    warmupStats = await server.endWindow();
    await server.beginWindow();
    run = await pool.run({ maxCount: COUNT, durationMs: null });
    runStats = await server.endWindow();
  });

  afterAll(async () => {
    await pool?.close();
    await server?.stop();
  });

  it('splits the concurrency over the workers', () => {
    expect(pool.workers).toBe(WORKERS);
    expect(pool.concurrencies).toEqual([2, 2]);
  });

  it('completes the whole count bound', () => {
    expect(run.count + run.errorCount).toBe(COUNT);
    expect(run.errorCount).toBe(0);
    expect(run.errors).toEqual({});
    expect(runStats.handshakes.full + runStats.handshakes.resumed).toBe(COUNT);
  });

  it('merges one latency per handshake', () => {
    expect(run.connectUs.count).toBe(run.count);
    expect(run.latencyUs.full.count + run.latencyUs.resumed.count).toBe(run.count);
    expect(decodeLatencyHistogram(run.latencyUs.resumed.hdr).totalCount).toBe(run.latencyUs.resumed.count);
    expect(run.latencyUs.resumed.p50).toBeGreaterThan(0);
  });

  it('resumes after first handshakes per worker', () => {
    // Each worker's two lanes start without a session, so the warm-up makes four full handshakes.
    expect(warmup.count).toBe(WARMUP_COUNT);
    expect(warmup.latencyUs.full.count).toBe(CONCURRENCY);
    expect(warmup.resumed).toBe(WARMUP_COUNT - CONCURRENCY);
    expect(warmupStats.handshakes).toEqual({ full: CONCURRENCY, resumed: WARMUP_COUNT - CONCURRENCY });
    expect(warmupStats.clientCertsVerified).toBe(CONCURRENCY);
  });

  it('carries sessions into the next run', () => {
    expect(run.resumed).toBe(COUNT);
    expect(run.sessionsOffered).toBe(COUNT);
    expect(run.latencyUs.full.count).toBe(0);
    expect(runStats.handshakes).toEqual({ full: 0, resumed: COUNT });
  });

  it('merges what the workers negotiated', () => {
    const total = run.negotiations.reduce((sum, entry) => sum + entry.count, 0);

    expect(total).toBe(COUNT);
    expect(run.negotiations.map((entry) => [entry.protocol, entry.resumed])).toEqual([['TLSv1.3', true]]);
    expect(run.negotiated?.protocol).toBe('TLSv1.3');
    expect(run.arrivals).toBeNull();
  });

  it('computes the rate from the merged window', () => {
    expect(run.elapsedUs).toBeGreaterThan(0);
    expect(run.handshakesPerSec).toBeCloseTo(COUNT / (run.elapsedUs / 1e6), 6);
  });

  it('measures client CPU in this thread', () => {
    expect(run.clientCpuUs.user + run.clientCpuUs.system).toBeGreaterThan(0);
  });

  it('splits an open-loop rate', async () => {
    const rated = await startHandshakePool({ port: server.ports.tls, tls, certs, concurrency: 4, payloadBytes: 64, workers: 2, ratePerSec: 200 });
    try {
      const result = await rated.run({ maxCount: null, durationMs: 500 });

      expect(result.arrivals?.ratePerSec).toBe(200);
      // Each worker is due 50 starts, at 100 per second for 500 ms.
      expect((result.arrivals?.started ?? 0) + (result.arrivals?.missed ?? 0)).toBe(100);
      expect(result.count + result.errorCount).toBe(result.arrivals?.started);
      expect(result.errors).toEqual({});
    } finally {
      await rated.close();
    }
  });

  it.runIf(canCountThreads)('leaves no thread after close', async () => {
    await pool.close();

    expect(threadCount()).toBe(threadsBefore);
  });
});

describe('handshake pool options', () => {
  it('rejects concurrency below workers', async () => {
    const certs = await certsFor();

    const start = startHandshakePool({ port: 1, tls: scenarioOf(), certs, concurrency: 1, payloadBytes: 1, workers: 2 });

    await expect(start).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('concurrency: got 1; expected an integer of at least workers (2)') });
  });

  it('rejects a single worker', async () => {
    const certs = await certsFor();

    const start = startHandshakePool({ port: 1, tls: scenarioOf(), certs, concurrency: 4, payloadBytes: 1, workers: 1 });

    await expect(start).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('workers: got 1') });
  });

  it('reports driver option errors from workers', async () => {
    const certs = await certsFor();

    const start = startHandshakePool({ port: 1, tls: scenarioOf(), certs, concurrency: 2, payloadBytes: 0, workers: 2 });

    await expect(start).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/^handshake worker 1 of 2: HandshakeDriver: payloadBytes/) });
  });
});

describe('requests pool against an mTLS echo server', () => {
  const tls = scenarioOf({ auth: 'mtls' });
  const CONNECTIONS = 4;
  const PIPELINING = 2;
  let server: EchoServerHandle;
  let pool: RequestsPool;
  let run: RequestsRunResult;
  let runStats: ServerWindowStats;

  beforeAll(async () => {
    const certs = await certsFor();
    server = await startEchoServer({ tls, certs, payloadBytes: 64 });
    pool = await startRequestsPool({
      port: server.ports.https,
      tls,
      certs,
      connections: CONNECTIONS,
      pipelining: PIPELINING,
      rateRps: null,
      payloadBytes: 64,
      workers: 2,
    });
    await server.beginWindow();
    run = await pool.run({ durationMs: 1_000, maxCount: null });
    runStats = await server.endWindow();
  });

  afterAll(async () => {
    await pool?.close();
    await server?.stop();
  });

  it('counts responses without errors', () => {
    expect(run.count).toBeGreaterThan(0);
    expect(run.errors).toEqual({});
    expect(run.errorCount).toBe(0);
    expect(run.non2xx).toBe(0);
  });

  it('verifies every connection of both workers', () => {
    expect(pool.connections).toEqual([2, 2]);
    expect(run.connectionsVerified).toBe(CONNECTIONS);
    expect(run.connectionsUnverified).toBe(0);
    expect(runStats.clientCertsVerified).toBe(CONNECTIONS);
  });

  it('keeps handshake responses out of latency', () => {
    // runRequests keeps the first `pipelining` responses of each connection out of the histogram.
    expect(run.latencyUs.count).toBe(run.count - PIPELINING * CONNECTIONS);
    expect(run.latencyUs.p50).toBeGreaterThan(0);
    expect(run.expectedIntervalUs).toBeNull();
  });

  it('merges what the workers negotiated', () => {
    const total = run.negotiations.reduce((sum, entry) => sum + entry.count, 0);

    expect(total).toBe(CONNECTIONS);
    expect(new Set(run.negotiations.map((entry) => entry.protocol))).toEqual(new Set(['TLSv1.3']));
    expect(run.negotiated).toEqual({ protocol: 'TLSv1.3', cipherSuite: 'TLS_AES_256_GCM_SHA384', group: 'x25519', peerKeyType: 'ecdsa-p256' });
  });

  it('computes throughput over the merged window', () => {
    expect(run.elapsedUs).toBeGreaterThanOrEqual(1_000_000);
    expect(run.throughputRps).toBeCloseTo(run.count / (run.elapsedUs / 1e6), 6);
    expect(run.clientCpuUs.user + run.clientCpuUs.system).toBeGreaterThan(0);
  });

  it('splits a count bound', async () => {
    const bounded = await pool.run({ durationMs: 10_000, maxCount: 101 });

    // Each connection closes after sending its share, so up to `pipelining - 1` of its responses go uncounted.
    expect(bounded.count).toBeLessThanOrEqual(101);
    expect(bounded.count).toBeGreaterThanOrEqual(101 - (PIPELINING - 1) * CONNECTIONS);
    expect(bounded.errors).toEqual({});
  });

  it('rejects maxCount below connections', async () => {
    await expect(pool.run({ durationMs: 1_000, maxCount: CONNECTIONS - 1 })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('maxCount: got 3'),
    });
  });
});
