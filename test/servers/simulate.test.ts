/**
 * The simulated slowdown on real echo server children: the busy loop must show up as server
 * CPU inside the handshake, for full handshakes and for resumed ones.
 */
import { describe, expect, it } from 'vitest';

import { HandshakeDriver } from '../../src/drivers/handshake.ts';
import type { Auth, Resumption } from '../../src/scenario/types.ts';
import { startEchoServer } from '../../src/servers/spawn.ts';
import type { ServerWindowStats } from '../../src/servers/types.ts';
import { certsFor, scenarioOf } from './scenario-fixture.ts';

const HANDSHAKES = 30;
const BURN_US = 2000;
/** A quarter of the burn is left for noise: the baseline varies by a few hundred µs per handshake. */
const MIN_RISE_US = 1500;

/** Runs {@link HANDSHAKES} sequential handshakes against a fresh echo server and returns its window. */
async function measureWindow(
  resumption: Resumption,
  handshakeCpuUs: number | null,
  servers: { auth: Auth; simulated: Auth[] } = { auth: 'mtls', simulated: ['tls', 'mtls'] },
): Promise<ServerWindowStats> {
  const tls = scenarioOf({ auth: servers.auth, resumption });
  const certs = await certsFor();
  const simulate = handshakeCpuUs === null ? null : { handshakeCpuUs, auth: servers.simulated };
  const server = await startEchoServer({ tls, certs, payloadBytes: 64, simulate });
  try {
    const driver = new HandshakeDriver({ port: server.ports.tls, tls, certs, concurrency: 1, payloadBytes: 1 });
    // The warm-up leaves a session behind, so with tickets every measured handshake offers one.
    await driver.run({ maxCount: 5, durationMs: null });
    await server.beginWindow();
    await driver.run({ maxCount: HANDSHAKES, durationMs: null });
    return await server.endWindow();
  } finally {
    await server.stop();
  }
}

function serverUsPerHandshake(stats: ServerWindowStats): number {
  return (stats.cpuUs.user + stats.cpuUs.system) / (stats.handshakes.full + stats.handshakes.resumed);
}

describe('simulated handshake CPU', () => {
  it('adds server CPU to full handshakes', async () => {
    const baseline = await measureWindow('none', null);
    const slowed = await measureWindow('none', BURN_US);

    expect(slowed.handshakes).toEqual({ full: HANDSHAKES, resumed: 0 });
    expect(slowed.errors).toEqual({});
    expect(serverUsPerHandshake(slowed) - serverUsPerHandshake(baseline)).toBeGreaterThanOrEqual(MIN_RISE_US);
  });

  it('adds server CPU to resumed handshakes', async () => {
    const baseline = await measureWindow('tickets', null);
    const slowed = await measureWindow('tickets', BURN_US);

    expect(slowed.handshakes).toEqual({ full: 0, resumed: HANDSHAKES });
    expect(slowed.errors).toEqual({});
    expect(serverUsPerHandshake(slowed) - serverUsPerHandshake(baseline)).toBeGreaterThanOrEqual(MIN_RISE_US);
  });

  it('leaves servers of the other auth mode alone', async () => {
    const slowedMtls = await measureWindow('none', BURN_US, { auth: 'mtls', simulated: ['mtls'] });
    const spared = await measureWindow('none', BURN_US, { auth: 'tls', simulated: ['mtls'] });

    // Without any burn the mTLS server spends about 800 µs more per handshake than the TLS one,
    // so a burn on both would leave a gap well under MIN_RISE_US.
    expect(serverUsPerHandshake(slowedMtls) - serverUsPerHandshake(spared)).toBeGreaterThanOrEqual(MIN_RISE_US);
  });
});
