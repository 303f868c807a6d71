import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectedIntervalUsOf, runRequests } from '../../src/drivers/requests.ts';
import type { RequestsRunResult } from '../../src/drivers/requests.ts';
import type { CertificateSet } from '../../src/pki/types.ts';
import { countAtLeast } from './latency-counts.ts';
import { certsFor, scenarioOf } from '../servers/scenario-fixture.ts';

/** The stalled response waits this long. */
const STALL_MS = 500;
/** Which request of a run the server stalls, counting from 1. */
const STALLED_REQUEST = 5;
/** One connection at 20 requests per second: one request every 50 ms. */
const RATE_RPS = 20;
const INTERVAL_US = 50_000;

/** An mTLS HTTPS server that responds to every request at once, except one per run. */
class StallingHttpsServer {
  readonly #server: https.Server;
  #requests = 0;

  constructor(certs: CertificateSet) {
    this.#server = https.createServer(
      { key: certs.server.keyPem, cert: certs.serverChainPem, ca: certs.caPem, requestCert: true, rejectUnauthorized: true },
      (request, response) => {
        this.#requests++;
        const delayMs = this.#requests === STALLED_REQUEST ? STALL_MS : 0;
        request.resume();
        request.on('end', () => setTimeout(() => response.end('ok'), delayMs));
      },
    );
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    return (this.#server.address() as AddressInfo).port;
  }

  resetCount(): void {
    this.#requests = 0;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

describe('requests with a rate against a server that stalls one response', () => {
  let server: StallingHttpsServer;
  let withRate: RequestsRunResult;
  let withoutRate: RequestsRunResult;

  beforeAll(async () => {
    const certs = await certsFor();
    server = new StallingHttpsServer(certs);
    const port = await server.listen();
    const options = {
      port,
      tls: scenarioOf({ auth: 'mtls' }),
      certs,
      connections: 1,
      pipelining: 1,
      durationMs: 2000,
      maxCount: null,
      payloadBytes: 0,
    };
    withRate = await runRequests({ ...options, rateRps: RATE_RPS });
    server.resetCount();
    withoutRate = await runRequests({ ...options, durationMs: 1000, rateRps: null });
  });

  afterAll(async () => {
    await server?.close();
  });

  it('uses the interval between requests on one connection', () => {
    expect(expectedIntervalUsOf(RATE_RPS, 1)).toBe(INTERVAL_US);
    expect(expectedIntervalUsOf(2000, 10)).toBe(5000);
    // autocannon never opens more connections than the rate.
    expect(expectedIntervalUsOf(5, 10)).toBe(1_000_000);
    expect(withRate.expectedIntervalUs).toBe(INTERVAL_US);
    expect(withoutRate.expectedIntervalUs).toBeNull();
  });

  it('sends at the asked rate', () => {
    expect(withRate.errorCount).toBe(0);
    // Two seconds at 20 per second, give or take the last second's share.
    expect(withRate.count).toBeGreaterThanOrEqual(RATE_RPS);
    expect(withRate.count).toBeLessThanOrEqual(2 * RATE_RPS);
  });

  it('without a rate records the stall once', () => {
    expect(withoutRate.errorCount).toBe(0);
    expect(withoutRate.latencyUs.max).toBeGreaterThanOrEqual(STALL_MS * 1000);
    expect(countAtLeast(withoutRate.latencyUs, INTERVAL_US)).toBe(1);
  });

  it('with a rate also records the requests the stall held back', () => {
    // A 500 ms response at one request per 50 ms also records 450, 400, ... 50 ms: ten values of
    // at least 50 ms in all, where the uncorrected histogram has one.
    expect(withRate.latencyUs.max).toBeGreaterThanOrEqual(STALL_MS * 1000);
    expect(countAtLeast(withRate.latencyUs, INTERVAL_US)).toBeGreaterThanOrEqual(STALL_MS / (INTERVAL_US / 1000));
    expect(countAtLeast(withRate.latencyUs, 200_000)).toBeGreaterThanOrEqual(6);
    // The nine added values (450 ms down to 50 ms) join the responses after each connection's first.
    expect(withRate.latencyUs.count).toBeGreaterThanOrEqual(withRate.count - 1 + 9);
  });
});
