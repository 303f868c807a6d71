/**
 * The `simulate.handshakeCpuUs` slowdown: a busy loop on the server's event loop, inside the
 * handshake, so that it shows up both in server CPU per handshake and in handshake latency.
 *
 * The hook is the server's `keylog` event, which Node emits synchronously from OpenSSL's key
 * log callback while the handshake runs, for full and resumed handshakes alike. `SNICallback`
 * does not work for this. On Node 20.20 with OpenSSL 3.0 it runs only when the client sends
 * SNI, which the drivers do not when they connect to 127.0.0.1. Even with SNI it ran on full
 * handshakes only, in TLS 1.2 and 1.3. `ALPNCallback` likewise needs the client to offer ALPN.
 * TLS 1.2 logs one key line per handshake and TLS 1.3 logs five, so the burn runs once per
 * socket, on the first line.
 *
 * NOTE: listening to `keylog` makes OpenSSL hand every session secret to JavaScript, where this
 * module drops it. That costs a little CPU of its own, which adds to the simulated slowdown.
 */
import type { TLSSocket } from 'node:tls';
import type tls from 'node:tls';

/** Burns `cpuUs` microseconds of CPU on this thread, measured by the monotonic clock. */
export function burnCpu(cpuUs: number): void {
  const end = process.hrtime.bigint() + BigInt(cpuUs) * 1000n;
  while (process.hrtime.bigint() < end) {
    // Busy wait: the point is to use the CPU, not to yield it.
  }
}

/**
 * Makes `server` burn `cpuUs` microseconds of CPU inside each handshake that gets as far as
 * deriving keys, which every completed handshake does.
 */
export function installHandshakeCpuBurn(server: tls.Server, cpuUs: number): void {
  const burnt = new WeakSet<TLSSocket>();
  server.on('keylog', (_line: Buffer, socket: TLSSocket) => {
    if (burnt.has(socket)) return;
    burnt.add(socket);
    burnCpu(cpuUs);
  });
}
