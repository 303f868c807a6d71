/**
 * Worker-thread module of the handshake pool: one `HandshakeDriver` per thread, kept for the
 * pool's lifetime so that its TLS sessions carry over from one run to the next.
 */
import { HandshakeDriver } from './handshake.ts';
import type { HandshakeDriverOptions, HandshakeRunBounds, HandshakeRunResult } from './handshake.ts';
import type { WorkerRun } from './merge-runs.ts';
import { serveDriverRequests } from './worker-serve.ts';

serveDriverRequests<HandshakeDriverOptions, HandshakeRunBounds, WorkerRun<HandshakeRunResult>>((options) => {
  const driver = new HandshakeDriver(options);
  return async (bounds) => {
    const startNs = process.hrtime.bigint();
    const result = await driver.run(bounds);
    return { result, startNs };
  };
});
