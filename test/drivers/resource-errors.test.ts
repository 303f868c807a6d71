import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { describeClientResourceErrors, splitClientResourceErrors } from '../../src/results/client-errors.ts';
import { noOperationError } from '../../src/runner/measure-cell.ts';

const execFileAsync = promisify(execFile);
const FIXTURE = fileURLToPath(new URL('./fixtures/limited-client.ts', import.meta.url));
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm')).href;
/** Enough descriptors for Node and tsx to start, far too few for 200 connections. */
const FD_LIMIT = 100;
const CONCURRENCY = 200;

/** Starts a TCP server that accepts connections and never reads or writes, so every connection stays open. */
async function startHoldingServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const openSockets: net.Socket[] = [];
  const server = net.createServer({ pauseOnConnect: true }, (socket) => openSockets.push(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      for (const socket of openSockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('client resource errors', () => {
  it('reports EMFILE when the client runs out of file descriptors', async () => {
    const server = await startHoldingServer();
    try {
      const argument = JSON.stringify({ port: server.port, concurrency: CONCURRENCY });
      // ulimit lowers the limit of the shell, which exec hands to node; the test process keeps its own.
      const { stdout } = await execFileAsync(
        'bash',
        ['-c', `ulimit -n ${FD_LIMIT} && exec "$0" --import "$1" "$2" "$3"`, process.execPath, TSX_LOADER, FIXTURE, argument],
        { timeout: 30_000 },
      );
      const run = JSON.parse(stdout) as { count: number; errors: Record<string, number> };
      const { clientResource, other } = splitClientResourceErrors(run.errors);
      expect(clientResource.EMFILE ?? 0).toBeGreaterThan(CONCURRENCY - FD_LIMIT);
      // The connections that did open waited for a server that never responded.
      expect(Object.keys(other).every((code) => code !== 'EMFILE')).toBe(true);
      expect(run.count).toBe(0);
    } finally {
      await server.close();
    }
  }, 40_000);

  it('keeps resource errors apart from the others', () => {
    expect(splitClientResourceErrors({ EMFILE: 3, ECONNRESET: 2, EADDRNOTAVAIL: 1 })).toEqual({
      clientResource: { EMFILE: 3, EADDRNOTAVAIL: 1 },
      other: { ECONNRESET: 2 },
    });
    expect(describeClientResourceErrors({ EADDRNOTAVAIL: 4 })).toMatch(/^EADDRNOTAVAIL x4: no ephemeral port was free .*TIME_WAIT/);
  });

  it('fails an empty cell as CLIENT_RESOURCES', () => {
    const error = noOperationError('no warm-up handshake completed', { EMFILE: 5, ETIMEDOUT: 2 });
    expect(error.code).toBe('CLIENT_RESOURCES');
    expect(error.message).toMatch(/^no warm-up handshake completed; client resource errors: EMFILE x5: .*ulimit -n.*; errors: ETIMEDOUT x2$/);
    expect(noOperationError('no operation completed', { ECONNREFUSED: 3 })).toEqual({
      code: 'RUN_FAILED',
      message: 'no operation completed; errors: ECONNREFUSED x3',
    });
  });
});
