/**
 * Targets that cannot be measured. One accepts TCP connections and never responds: the run must
 * still end, with every cell failed for a stated reason, because each connection has a handshake
 * timeout and each probe its own. The other has a certificate the suite's CA does not verify.
 */
import { once } from 'node:events';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FailedCell, RunResults } from '../../src/results/types.ts';
import { runSuite } from '../../src/runner/run.ts';
import { loadSuite } from '../../src/scenario/load.ts';
import { closeServers, createScratchDir, removeScratchDir, startTlsEchoTarget, writePki, writeSuite } from './target-fixture.ts';
import type { CertificateSet } from '../../src/pki/types.ts';

let scratch: string;
let set: CertificateSet;
const servers: net.Server[] = [];
const sockets = new Set<net.Socket>();

/** Listens on 127.0.0.1, accepts every connection, reads what comes and never writes. */
async function startSilentServer(): Promise<number> {
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('data', () => {});
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

beforeAll(async () => {
  scratch = await createScratchDir();
  set = await writePki(path.join(scratch, 'pki'));
  await writePki(path.join(scratch, 'other-pki'));
});

afterAll(async () => {
  closeServers();
  for (const socket of sockets) socket.destroy();
  for (const server of servers) server.close();
  await removeScratchDir(scratch);
});

describe('a target that never answers', () => {
  let results: RunResults;

  beforeAll(async () => {
    const [port, baselinePort] = [await startSilentServer(), await startSilentServer()];
    const file = await writeSuite(scratch, 'silent.yaml', [
      'name: silent',
      'target:',
      '  host: 127.0.0.1',
      `  port: ${port}`,
      `  baselinePort: ${baselinePort}`,
      '  servername: localhost',
      '  ca: pki/ca.pem',
      '  cert: pki/client-chain.pem',
      '  key: pki/client-key.pem',
      'matrix:',
      '  keyType: [ecdsa-p256]',
      '  tlsVersion: [tls1.3]',
      '  auth: [tls, mtls]',
      'rounds: 1',
      'workloads:',
      '  - name: hs',
      '    kind: handshake',
      '    concurrency: 2',
      '    duration: 500ms',
      '    warmup: 2',
    ]);
    // Bounded by the 10 s handshake timeout and the probes' own timeouts; the hook's limit is the backstop.
    results = await runSuite(await loadSuite(file));
  }, 90_000);

  it('ends, failing the baseline on its handshake timeouts', () => {
    const tls = results.cells.find((cell) => cell.scenario.auth === 'tls') as FailedCell;
    expect(tls.state).toBe('failed');
    expect(tls.error.message).toBe('no warm-up handshake completed; errors: ETIMEDOUT x2');
  });

  it('fails the mTLS cell on its probes, saying the server did not answer', () => {
    const mtls = results.cells.find((cell) => cell.scenario.auth === 'mtls') as FailedCell;
    expect(mtls.state).toBe('failed');
    expect(mtls.error.code).toBe('PROBE_FAILED');
    expect(mtls.error.message).toMatch(/^the server did not answer the right client certificate \(no response and no rejection within \d+ ms\)/);
  });
});

describe('a target whose certificate the CA does not verify', () => {
  it('fails the mTLS cell saying the client rejected the server', async () => {
    // The server trusts the client's CA; the suite's target.ca is another PKI's root.
    const server = await startTlsEchoTarget(set, { ca: set.caPem, requestCert: true, rejectUnauthorized: true });
    const file = await writeSuite(scratch, 'wrong-ca.yaml', [
      'name: wrong-ca',
      'target:',
      '  host: 127.0.0.1',
      `  port: ${server.port}`,
      '  servername: localhost',
      '  ca: other-pki/ca.pem',
      '  cert: pki/client-chain.pem',
      '  key: pki/client-key.pem',
      'matrix:',
      '  keyType: [ecdsa-p256]',
      '  tlsVersion: [tls1.3]',
      '  auth: [mtls]',
      'rounds: 1',
      'workloads:',
      '  - kind: handshake',
      '    duration: 300ms',
    ]);
    const results = await runSuite(await loadSuite(file));
    const [cell] = results.cells as FailedCell[];
    expect(cell?.state).toBe('failed');
    expect(cell?.error.code).toBe('PROBE_FAILED');
    expect(cell?.error.message).toBe(
      "the server's certificate did not verify (UNABLE_TO_GET_ISSUER_CERT_LOCALLY): the client rejected the server, not the other way round; " +
        "check that the CA file (target.ca for a target) issued the server's certificate and that the server name matches it",
    );
  }, 60_000);
});
