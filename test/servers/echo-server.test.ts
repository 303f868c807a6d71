import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import https from 'node:https';
import { createInterface } from 'node:readline';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HandshakeDriver } from '../../src/drivers/handshake.ts';
import { MtlsBenchError } from '../../src/errors.ts';
import type { CertificateSet } from '../../src/pki/types.ts';
import type { TlsScenario } from '../../src/scenario/types.ts';
import { startEchoServer } from '../../src/servers/spawn.ts';
import type { EchoServerHandle } from '../../src/servers/spawn.ts';
import { clientTlsOptions } from '../../src/servers/tls-options.ts';
import { certsFor, scenarioOf } from './scenario-fixture.ts';

const HANDSHAKES = 20;

/**
 * Returns the local addresses of listening IPv4 TCP sockets by port, from /proc/net/tcp, where
 * addresses are little-endian hex and state 0A is LISTEN.
 */
async function listeningAddresses(): Promise<Map<number, string[]>> {
  const table = await readFile('/proc/net/tcp', 'utf8');
  const byPort = new Map<number, string[]>();
  for (const line of table.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    const local = fields[1];
    if (local === undefined || fields[3] !== '0A') continue;
    const [addressHex = '', portHex = ''] = local.split(':');
    const address = [3, 2, 1, 0].map((i) => Number.parseInt(addressHex.slice(i * 2, i * 2 + 2), 16)).join('.');
    const port = Number.parseInt(portHex, 16);
    byPort.set(port, [...(byPort.get(port) ?? []), address]);
  }
  return byPort;
}

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

/** Sends one HTTPS request on `agent` and returns the status, body and whether the socket was reused. */
async function request(port: number, agent: https.Agent, body: string | null) {
  const req = https.request({ host: '127.0.0.1', port, method: body === null ? 'GET' : 'POST', path: '/', agent });
  req.end(body ?? undefined);
  const [response] = (await once(req, 'response')) as [import('node:http').IncomingMessage];
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  return { status: response.statusCode, body: Buffer.concat(chunks).toString(), reusedSocket: req.reusedSocket };
}

describe.each(['tls', 'mtls'] as const)('echo server for %s', (auth) => {
  let tlsScenario: TlsScenario;
  let certs: CertificateSet;
  let server: EchoServerHandle;

  beforeAll(async () => {
    tlsScenario = scenarioOf({ auth, resumption: 'none' });
    certs = await certsFor();
    server = await startEchoServer({ tls: tlsScenario, certs, payloadBytes: 64 });
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('counts the handshakes of a window', async () => {
    const driver = new HandshakeDriver({ port: server.ports.tls, tls: tlsScenario, certs, concurrency: 2, payloadBytes: 16 });

    await server.beginWindow();
    const run = await driver.run({ maxCount: HANDSHAKES, durationMs: null });
    const stats = await server.endWindow();

    expect(run.count).toBe(HANDSHAKES);
    expect(stats.handshakes.full).toBe(HANDSHAKES);
    expect(stats.handshakes.resumed).toBe(0);
    expect(stats.clientCertsVerified).toBe(auth === 'mtls' ? HANDSHAKES : 0);
    expect(stats.errors).toEqual({});
    expect(stats.cpuUs.user + stats.cpuUs.system).toBeGreaterThan(0);
    expect(stats.windowUs).toBeGreaterThan(0);
  });

  it('counts what each connection negotiated', async () => {
    await server.beginWindow();
    await new HandshakeDriver({ port: server.ports.tls, tls: tlsScenario, certs, concurrency: 1, payloadBytes: 1 }).run({
      maxCount: 3,
      durationMs: null,
    });
    const stats = await server.endWindow();

    const negotiated = { protocol: 'TLSv1.3', cipherSuite: 'TLS_AES_256_GCM_SHA384', resumed: false, group: null, clientCertVerified: auth === 'mtls' };
    // The first full handshake of a window is sampled for the client certificate's key type.
    expect(stats.negotiations).toEqual([
      { ...negotiated, peerKeyType: auth === 'mtls' ? 'ecdsa-p256' : 'none', count: 1 },
      { ...negotiated, peerKeyType: null, count: 2 },
    ]);
  });

  it('starts each window from zero', async () => {
    await server.beginWindow();
    const stats = await server.endWindow();

    expect(stats.handshakes).toEqual({ full: 0, resumed: 0 });
    expect(stats.negotiations).toEqual([]);
  });

  it('echoes an HTTPS request body', async () => {
    const agent = new https.Agent({ ...clientTlsOptions(tlsScenario, certs), keepAlive: true, maxSockets: 1 });
    try {
      const answer = await request(server.ports.https, agent, 'hello, echo');

      expect(answer.status).toBe(200);
      expect(answer.body).toBe('hello, echo');
    } finally {
      agent.destroy();
    }
  });

  it('answers keep-alive requests on one connection', async () => {
    const agent = new https.Agent({ ...clientTlsOptions(tlsScenario, certs), keepAlive: true, maxSockets: 1 });
    try {
      await server.beginWindow();
      const first = await request(server.ports.https, agent, null);
      const second = await request(server.ports.https, agent, 'again');
      const stats = await server.endWindow();

      expect(first.body).toBe('a'.repeat(64));
      expect(second.body).toBe('again');
      expect(second.reusedSocket).toBe(true);
      expect(stats.handshakes.full + stats.handshakes.resumed).toBe(1);
    } finally {
      agent.destroy();
    }
  });
});

describe('echo server lifecycle', () => {
  it('exits after stop', async () => {
    const server = await startEchoServer({ tls: scenarioOf({ auth: 'tls' }), certs: await certsFor(), payloadBytes: 64 });
    expect(isAlive(server.pid)).toBe(true);

    await server.stop();
    const exit = await server.exited;

    expect(exit.code).toBe(0);
    expect(exit.signal).toBeNull();
    expect(isAlive(server.pid)).toBe(false);
  });

  it('binds both listeners to 127.0.0.1 only', async () => {
    const server = await startEchoServer({ tls: scenarioOf({ auth: 'tls' }), certs: await certsFor(), payloadBytes: 64 });
    try {
      const listening = await listeningAddresses();

      expect(listening.get(server.ports.tls)).toEqual(['127.0.0.1']);
      expect(listening.get(server.ports.https)).toEqual(['127.0.0.1']);
    } finally {
      await server.stop();
    }
  });

  it('rejects a configuration OpenSSL cannot use', async () => {
    const tlsScenario = scenarioOf({ tlsVersion: 'tls1.2', cipherSuite: 'NOT-A-CIPHER' });

    const started = startEchoServer({ tls: tlsScenario, certs: await certsFor(), payloadBytes: 64 });

    await expect(started).rejects.toBeInstanceOf(MtlsBenchError);
    await expect(started).rejects.toMatchObject({ code: 'SERVER_FAILED', message: expect.stringMatching(/cipher/i) });
  });

  it('exits by itself when its parent dies', async () => {
    const parent = spawn(process.execPath, ['--import', 'tsx/esm', fileURLToPath(new URL('./fixtures/echo-parent.ts', import.meta.url))], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const [line] = (await once(createInterface({ input: parent.stdout }), 'line')) as [string];
      const childPid = Number(line);
      expect(isAlive(childPid)).toBe(true);

      parent.kill('SIGKILL');
      await once(parent, 'exit');

      expect(await waitUntil(() => !isAlive(childPid), 5_000)).toBe(true);
    } finally {
      parent.kill('SIGKILL');
    }
  });
});

/** The alert a client without a certificate receives: TLS 1.3 has a dedicated one. */
const EXPECTED_ALERTS = {
  'tls1.2': 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE',
  'tls1.3': 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
} as const;

describe('mTLS echo server', () => {
  let certs: CertificateSet;
  let server: EchoServerHandle;
  const mtls = scenarioOf({ auth: 'mtls' });

  beforeAll(async () => {
    certs = await certsFor();
    server = await startEchoServer({ tls: mtls, certs, payloadBytes: 64 });
  });

  afterAll(async () => {
    await server?.stop();
  });

  it.each(['tls1.2', 'tls1.3'] as const)('rejects a client without a certificate in %s', async (tlsVersion) => {
    const versionServer =
      tlsVersion === 'tls1.3' ? server : await startEchoServer({ tls: { ...mtls, tlsVersion }, certs, payloadBytes: 64 });
    try {
      await versionServer.beginWindow();
      // The options of a `tls` scenario carry no client certificate.
      const socket = tls.connect({ ...clientTlsOptions({ ...mtls, tlsVersion, auth: 'tls' }, certs), port: versionServer.ports.tls });
      let clientErrorCode: string | undefined;
      let echoed = false;
      socket.on('error', (error: NodeJS.ErrnoException) => {
        clientErrorCode = error.code;
      });
      socket.on('secureConnect', () => socket.write('x'));
      socket.on('data', () => {
        echoed = true;
      });
      // In TLS 1.3 the rejection comes after the client's secureConnect, so the test waits for the close.
      await new Promise((resolve) => socket.once('close', resolve));
      const stats = await versionServer.endWindow();

      expect(echoed).toBe(false);
      expect(clientErrorCode).toBe(EXPECTED_ALERTS[tlsVersion]);
      expect(stats.handshakes).toEqual({ full: 0, resumed: 0 });
      expect(stats.errors).toEqual({ ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE: 1 });
    } finally {
      if (versionServer !== server) await versionServer.stop();
    }
  });
});
