import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateCertificateSet } from '../../src/pki/generate.ts';
import { keyTypeOfPublicKey } from '../../src/pki/keys.ts';
import type { CertificateSet } from '../../src/pki/types.ts';
import type { ChainDepth, KeyType } from '../../src/scenario/types.ts';

/** Bound on one connection, so a hung handshake fails its test instead of the whole file. */
const CONNECT_TIMEOUT_MS = 10_000;
const PING = 'ping';

type Protocol = 'TLSv1.2' | 'TLSv1.3';
const PROTOCOLS: Protocol[] = ['TLSv1.2', 'TLSv1.3'];
const KEY_TYPES_UNDER_TEST: KeyType[] = ['rsa-2048', 'ecdsa-p256', 'ecdsa-p384', 'ed25519'];

/** What the server saw of one connection that completed its handshake. */
interface ServerConnection {
  authorized: boolean;
  authorizationError: string | null;
  peerKeyType: KeyType | null;
  peerSubject: string | null;
}

interface EchoServer {
  port: number;
  connections: ServerConnection[];
  close(): Promise<void>;
}

/** What the client saw: the handshake result and whether one echo round trip completed. */
interface ClientOutcome {
  errorCode: string | null;
  authorized: boolean;
  protocol: string | null;
  /** OpenSSL name of the negotiated cipher suite. */
  cipher: string | null;
  peerKeyType: KeyType | null;
  echoed: boolean;
}

const servers: EchoServer[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) {
    await server.close();
  }
});

async function startEchoServer(options: tls.TlsOptions): Promise<EchoServer> {
  const connections: ServerConnection[] = [];
  const server = tls.createServer(options, (socket) => {
    const peer = socket.getPeerX509Certificate();
    connections.push({
      authorized: socket.authorized,
      authorizationError: socket.authorizationError === undefined ? null : String(socket.authorizationError),
      peerKeyType: peer === undefined ? null : keyTypeOfPublicKey(peer.publicKey),
      peerSubject: peer === undefined ? null : peer.subject,
    });
    socket.on('error', () => {
      // A client that rejects the server resets the socket, and the client side asserts on that.
    });
    socket.pipe(socket);
  });
  server.on('tlsClientError', () => {
    // Rejected clients are expected in these tests and show up as missing connections.
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });

  const handle: EchoServer = {
    port: (server.address() as AddressInfo).port,
    connections,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  servers.push(handle);
  return handle;
}

/** Connects to 127.0.0.1 with default verification unless `options` changes it, and echoes once. */
function connectAndEcho(port: number, options: tls.ConnectionOptions): Promise<ClientOutcome> {
  return new Promise((resolve) => {
    const outcome: ClientOutcome = {
      errorCode: null,
      authorized: false,
      protocol: null,
      cipher: null,
      peerKeyType: null,
      echoed: false,
    };
    const socket = tls.connect({ host: '127.0.0.1', port, ...options });
    let received = '';

    socket.setTimeout(CONNECT_TIMEOUT_MS, () => {
      socket.destroy(Object.assign(new Error('connection timed out'), { code: 'TEST_TIMEOUT' }));
    });
    socket.on('secureConnect', () => {
      outcome.authorized = socket.authorized;
      outcome.protocol = socket.getProtocol();
      outcome.cipher = socket.getCipher().name;
      const peer = socket.getPeerX509Certificate();
      outcome.peerKeyType = peer === undefined ? null : keyTypeOfPublicKey(peer.publicKey);
      socket.write(PING);
    });
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString();
      if (received === PING) {
        outcome.echoed = true;
        socket.end();
      }
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      outcome.errorCode ??= error.code ?? error.message;
    });
    socket.on('close', () => resolve(outcome));
  });
}

function serverOptions(set: CertificateSet, protocol: Protocol, cert = set.serverChainPem): tls.TlsOptions {
  return { cert, key: set.server.keyPem, minVersion: protocol, maxVersion: protocol };
}

function mtlsServerOptions(set: CertificateSet, protocol: Protocol, rejectUnauthorized = true): tls.TlsOptions {
  return { ...serverOptions(set, protocol), ca: set.caPem, requestCert: true, rejectUnauthorized };
}

function clientOptions(set: CertificateSet, protocol: Protocol): tls.ConnectionOptions {
  return { ca: set.caPem, minVersion: protocol, maxVersion: protocol };
}

describe.each(KEY_TYPES_UNDER_TEST)('TLS with %s certificates', (keyType) => {
  const sets = new Map<ChainDepth, CertificateSet>();

  beforeAll(async () => {
    const generated = await Promise.all(
      ([0, 1, 2] as const).map((chainDepth) => generateCertificateSet({ serverKeyType: keyType, clientKeyType: keyType, chainDepth })),
    );
    for (const set of generated) {
      sets.set(set.chainDepth, set);
    }
  });

  function getSet(chainDepth: ChainDepth): CertificateSet {
    const set = sets.get(chainDepth);
    if (set === undefined) {
      throw new Error(`no certificate set at chain depth ${chainDepth}`);
    }
    return set;
  }

  describe.each(PROTOCOLS)('over %s', (protocol) => {
    it('verifies 127.0.0.1 through the IP SAN', async () => {
      const set = getSet(0);
      const server = await startEchoServer(serverOptions(set, protocol));

      // No servername: Node then checks the host, 127.0.0.1, against the certificate's IP SANs.
      const outcome = await connectAndEcho(server.port, clientOptions(set, protocol));

      expect(outcome.errorCode).toBeNull();
      expect(outcome.authorized).toBe(true);
      expect(outcome.protocol).toBe(protocol);
      expect(outcome.peerKeyType).toBe(keyType);
      expect(outcome.echoed).toBe(true);
    });

    it('rejects a servername missing from the SAN', async () => {
      const set = getSet(0);
      const server = await startEchoServer(serverOptions(set, protocol));

      const outcome = await connectAndEcho(server.port, { ...clientOptions(set, protocol), servername: 'not-in-the-san.test' });

      expect(outcome.errorCode).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
      expect(outcome.echoed).toBe(false);
    });

    it.each([1, 2] as const)('accepts a server sending its chain at depth %i', async (chainDepth) => {
      const set = getSet(chainDepth);
      const server = await startEchoServer(serverOptions(set, protocol));

      const outcome = await connectAndEcho(server.port, clientOptions(set, protocol));

      expect(outcome.errorCode).toBeNull();
      expect(outcome.authorized).toBe(true);
      expect(outcome.echoed).toBe(true);
    });

    it('rejects a server sending only its leaf', async () => {
      const set = getSet(1);
      const server = await startEchoServer(serverOptions(set, protocol, set.server.certPem));

      const outcome = await connectAndEcho(server.port, clientOptions(set, protocol));

      expect(outcome.errorCode).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
      expect(outcome.echoed).toBe(false);
    });

    it('accepts mTLS clients sending their chain', async () => {
      for (const chainDepth of [0, 1, 2] as const) {
        const set = getSet(chainDepth);
        const server = await startEchoServer(mtlsServerOptions(set, protocol));

        const outcome = await connectAndEcho(server.port, {
          ...clientOptions(set, protocol),
          cert: set.clientChainPem,
          key: set.client.keyPem,
        });

        expect(outcome.errorCode).toBeNull();
        expect(outcome.echoed).toBe(true);
        expect(server.connections).toHaveLength(1);
        expect(server.connections[0]?.authorized).toBe(true);
        expect(server.connections[0]?.peerKeyType).toBe(keyType);
        expect(server.connections[0]?.peerSubject).toContain('CN=mtls-bench-client');
      }
    });

    it('rejects mTLS clients without their intermediate', async () => {
      const set = getSet(1);
      const strictServer = await startEchoServer(mtlsServerOptions(set, protocol));
      const lenientServer = await startEchoServer(mtlsServerOptions(set, protocol, false));
      const leafOnly = { ...clientOptions(set, protocol), cert: set.client.certPem, key: set.client.keyPem };

      const strictOutcome = await connectAndEcho(strictServer.port, leafOnly);
      const lenientOutcome = await connectAndEcho(lenientServer.port, leafOnly);

      // In TLS 1.3 the client finishes its handshake before the server checks the client
      // certificate, so the reliable signs are a missing echo and no accepted connection.
      expect(strictOutcome.echoed).toBe(false);
      expect(strictServer.connections).toHaveLength(0);
      expect(lenientOutcome.echoed).toBe(true);
      expect(lenientServer.connections[0]?.authorized).toBe(false);
      expect(lenientServer.connections[0]?.authorizationError).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    });

    it('rejects mTLS clients without a certificate', async () => {
      const set = getSet(0);
      const server = await startEchoServer(mtlsServerOptions(set, protocol));

      const outcome = await connectAndEcho(server.port, clientOptions(set, protocol));

      expect(outcome.echoed).toBe(false);
      expect(server.connections).toHaveLength(0);
    });
  });

  it('accepts certificates right after issue', async () => {
    const set = await generateCertificateSet({ serverKeyType: keyType, clientKeyType: keyType, chainDepth: 1 });
    const server = await startEchoServer(mtlsServerOptions(set, 'TLSv1.3'));

    const outcome = await connectAndEcho(server.port, {
      ...clientOptions(set, 'TLSv1.3'),
      cert: set.clientChainPem,
      key: set.client.keyPem,
    });

    expect(outcome.errorCode).toBeNull();
    expect(outcome.echoed).toBe(true);
    expect(server.connections[0]?.authorized).toBe(true);
  });
});

describe('TLS validity and key checks', () => {
  it('rejects certificates not yet valid', async () => {
    const set = await generateCertificateSet({
      serverKeyType: 'ecdsa-p256',
      clientKeyType: 'ecdsa-p256',
      chainDepth: 0,
      validFrom: new Date(Date.now() + 60 * 60 * 1000),
    });
    const server = await startEchoServer(serverOptions(set, 'TLSv1.3'));

    const outcome = await connectAndEcho(server.port, clientOptions(set, 'TLSv1.3'));

    expect(outcome.errorCode).toBe('CERT_NOT_YET_VALID');
  });

  it('rejects expired certificates', async () => {
    const set = await generateCertificateSet({
      serverKeyType: 'ecdsa-p256',
      clientKeyType: 'ecdsa-p256',
      chainDepth: 0,
      validFrom: new Date(Date.now() - 10 * 24 * 60 * 60 * 1000),
      validDays: 1,
    });
    const server = await startEchoServer(serverOptions(set, 'TLSv1.3'));

    const outcome = await connectAndEcho(server.port, clientOptions(set, 'TLSv1.3'));

    expect(outcome.errorCode).toBe('CERT_HAS_EXPIRED');
  });

  it('rejects a server from another root', async () => {
    const [trusted, other] = await Promise.all([
      generateCertificateSet({ serverKeyType: 'ed25519', clientKeyType: 'ed25519', chainDepth: 0 }),
      generateCertificateSet({ serverKeyType: 'ed25519', clientKeyType: 'ed25519', chainDepth: 0 }),
    ]);
    const server = await startEchoServer(serverOptions(other, 'TLSv1.3'));

    const outcome = await connectAndEcho(server.port, clientOptions(trusted, 'TLSv1.3'));

    expect(outcome.errorCode).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    expect(outcome.echoed).toBe(false);
  });

  it.each([
    ['rsa-2048', 'ed25519', 1],
    ['ed25519', 'rsa-2048', 2],
    ['ecdsa-p256', 'ecdsa-p384', 0],
  ] as const)('runs mTLS with a %s server and %s client at depth %i', async (serverKeyType, clientKeyType, chainDepth) => {
    const set = await generateCertificateSet({ serverKeyType, clientKeyType, chainDepth });

    for (const protocol of PROTOCOLS) {
      const server = await startEchoServer(mtlsServerOptions(set, protocol));

      const outcome = await connectAndEcho(server.port, {
        ...clientOptions(set, protocol),
        cert: set.clientChainPem,
        key: set.client.keyPem,
      });

      expect(outcome.errorCode).toBeNull();
      expect(outcome.peerKeyType).toBe(serverKeyType);
      expect(outcome.echoed).toBe(true);
      expect(server.connections[0]?.peerKeyType).toBe(clientKeyType);
    }
  });

  it('allows RSA key transport in TLS 1.2 with an RSA leaf', async () => {
    const set = await generateCertificateSet({ serverKeyType: 'rsa-2048', clientKeyType: 'rsa-2048', chainDepth: 0 });
    const cipher = 'AES128-GCM-SHA256';
    const server = await startEchoServer({ ...serverOptions(set, 'TLSv1.2'), ciphers: cipher });

    const outcome = await connectAndEcho(server.port, { ...clientOptions(set, 'TLSv1.2'), ciphers: cipher });

    expect(outcome.errorCode).toBeNull();
    expect(outcome.cipher).toBe(cipher);
    expect(outcome.echoed).toBe(true);
  });
});
