/**
 * Loading suites with a target: field rules, rules against the matrix and workloads, and the
 * certificate files. Nothing here opens a socket; remote hosts are only ever validated.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { chmod, copyFile, mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { InvalidSuiteError } from '../../src/errors.ts';
import type { CertificateSet } from '../../src/pki/types.ts';
import { loadSuite } from '../../src/scenario/load.ts';
import { createScratchDir, removeScratchDir, writePki, writeSuite } from './target-fixture.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

let scratch: string;
let pkiDir: string;
let suiteDir: string;
let set: CertificateSet;
let suiteCount = 0;

beforeAll(async () => {
  scratch = await createScratchDir();
  pkiDir = path.join(scratch, 'pki');
  suiteDir = path.join(scratch, 'scenarios');
  await mkdir(suiteDir);
  set = await writePki(pkiDir);
});

afterAll(() => removeScratchDir(scratch));

/** Target lines with files under ../pki, each field replaceable. Line 2 is `target:`, fields follow from line 3. */
function targetLines(fields: Record<string, string | number | boolean | undefined> = {}): string[] {
  const defaults: Record<string, string | number | boolean | undefined> = {
    host: '127.0.0.1',
    port: 18443,
    baselinePort: 18444,
    ca: '../pki/ca.pem',
    cert: '../pki/client-chain.pem',
    key: '../pki/client-key.pem',
    caKey: '../pki/ca-key.pem',
  };
  const merged = { ...defaults, ...fields };
  return [
    'target:',
    ...Object.entries(merged)
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => `  ${key}: ${typeof value === 'string' ? JSON.stringify(value) : String(value)}`),
  ];
}

async function suiteFile(lines: string[]): Promise<string> {
  suiteCount += 1;
  return writeSuite(suiteDir, `suite-${suiteCount}.yaml`, ['name: target-validation', ...lines]);
}

async function messagesOf(lines: string[]): Promise<{ file: string; messages: string[] }> {
  const file = await suiteFile(lines);
  try {
    await loadSuite(file);
  } catch (error) {
    if (error instanceof InvalidSuiteError) return { file, messages: error.message.split('\n') };
    throw error;
  }
  throw new Error(`${file} loaded without errors`);
}

/** Writes `contents` under the PKI directory and returns the path a suite in scenarios/ uses. */
async function pkiFile(name: string, contents: string): Promise<{ relative: string; absolute: string }> {
  const absolute = path.join(pkiDir, name);
  await writeFile(absolute, contents);
  return { relative: `../pki/${name}`, absolute };
}

/** Validity bounds of a generated set's root CA, as the messages print them. */
function caFrom(set: { caPem: string }): string {
  return new Date(new X509Certificate(set.caPem).validFrom).toISOString();
}

function caTo(set: { caPem: string }): string {
  return new Date(new X509Certificate(set.caPem).validTo).toISOString();
}

describe('target host', () => {
  it('rejects a remote host', async () => {
    const { file, messages } = await messagesOf(targetLines({ host: '10.0.0.5' }));

    expect(messages).toEqual([
      `${file}:3: target.host: got "10.0.0.5"; expected a loopback address (127.0.0.0/8, ::1 or localhost), or set target.allowRemote: true`,
    ]);
  });

  it('treats names as remote without resolving them', async () => {
    for (const host of ['localhost.example', 'my-nginx', '::ffff:10.0.0.5', '128.0.0.1']) {
      const { messages } = await messagesOf(targetLines({ host }));

      expect(messages).toHaveLength(1);
      expect(messages[0]).toContain(`target.host: got "${host}"; expected a loopback address`);
    }
  });

  it('accepts loopback addresses', async () => {
    for (const host of ['127.0.0.1', '127.10.20.30', '::1', 'localhost', 'LOCALHOST', '::ffff:127.0.0.1']) {
      const suite = await loadSuite(await suiteFile(targetLines({ host })));

      expect(suite.target?.host).toBe(host);
    }
  });

  it('accepts a remote host with allowRemote', async () => {
    // Validation only: no socket is opened.
    const suite = await loadSuite(await suiteFile(targetLines({ host: '10.0.0.5', allowRemote: true })));

    expect(suite.target?.allowRemote).toBe(true);
    expect(suite.cells[0]?.id).toBe('handshake/10.0.0.5:18443/ecdsa-p256/tls1.3/default/x25519/none/tls');
  });

  it('rejects a host with a scheme', async () => {
    const { file, messages } = await messagesOf(targetLines({ host: 'https://localhost' }));

    expect(messages).toEqual([
      `${file}:3: target.host: got "https://localhost"; expected a host name or IP address without scheme, port or brackets, for example "127.0.0.1" or "::1"`,
    ]);
  });
});

describe('target fields', () => {
  it('resolves defaults and relative paths', async () => {
    const suite = await loadSuite(await suiteFile(targetLines()));

    expect(suite.target).toEqual({
      host: '127.0.0.1',
      port: 18443,
      baselinePort: 18444,
      servername: '127.0.0.1',
      protocol: 'https',
      ca: path.join(pkiDir, 'ca.pem'),
      cert: path.join(pkiDir, 'client-chain.pem'),
      key: path.join(pkiDir, 'client-key.pem'),
      caKey: path.join(pkiDir, 'ca-key.pem'),
      allowRemote: false,
    });
  });

  it('takes the client key type from the certificate', async () => {
    const ed25519Dir = path.join(scratch, 'ed25519');
    await writePki(ed25519Dir, { clientKeyType: 'ed25519' });
    const suite = await loadSuite(
      await suiteFile(
        targetLines({
          cert: '../ed25519/client-chain.pem',
          key: '../ed25519/client-key.pem',
          ca: '../ed25519/ca.pem',
          caKey: undefined,
        }),
      ),
    );

    const labels = suite.cells.map((cell) => `${cell.tls.serverKeyType}+${cell.tls.clientKeyType} d${cell.tls.chainDepth}`);
    expect(labels).toHaveLength(4);
    expect(new Set(labels)).toEqual(new Set(['ecdsa-p256+ed25519 d0']));
    expect(suite.cells[1]?.id).toBe('handshake/127.0.0.1:18443/ecdsa-p256+ed25519/tls1.3/default/x25519/none/mtls');
    expect(suite.cells[1]?.baselineId).toBe('handshake/127.0.0.1:18443/ecdsa-p256+ed25519/tls1.3/default/x25519/none/tls');
  });

  it('words wrong values', async () => {
    const { file, messages } = await messagesOf([
      ...targetLines({ port: 70000, protocol: 'http' }),
      '  crt: client.pem',
    ]);

    expect(messages).toEqual([
      `${file}:4: target.port: got 70000; expected at most 65535`,
      `${file}:10: target.protocol: got "http"; expected "https" or "tls"`,
      `${file}:11: target.crt: unknown key "crt"; did you mean "cert"?`,
    ]);
  });

  it('requires the client files', async () => {
    const { file, messages } = await messagesOf(targetLines({ key: undefined }));

    expect(messages).toEqual([`${file}:2: target.key: missing; expected the path of a PEM file, such as "pki/ca.pem"`]);
  });

  it('rejects a baseline port equal to the mTLS port', async () => {
    const { file, messages } = await messagesOf(targetLines({ baselinePort: 18443 }));

    expect(messages).toEqual([
      `${file}:5: target.baselinePort: got 18443, the same port as target.port; expected the port of a listener that does server-only TLS, so that auth: tls cells measure without a client certificate`,
    ]);
  });
});

describe('matrix and workloads with a target', () => {
  it('rejects the default auth without a baseline port', async () => {
    const { file, messages } = await messagesOf(targetLines({ baselinePort: undefined }));

    expect(messages).toEqual([
      `${file}:1: matrix.auth: auth defaults to [tls, mtls], and auth "tls" needs target.baselinePort, a port of the target that does server-only TLS; set target.baselinePort, or set auth: mtls`,
    ]);
  });

  it('rejects auth tls without a baseline port', async () => {
    const { file, messages } = await messagesOf([
      ...targetLines({ baselinePort: undefined }),
      'matrix:',
      '  auth: [tls, mtls]',
    ]);

    expect(messages).toEqual([
      `${file}:10: matrix.auth[0]: auth "tls" needs target.baselinePort, a port of the target that does server-only TLS; set target.baselinePort, or remove "tls" from auth`,
    ]);
  });

  it('accepts mtls alone without a baseline port', async () => {
    const suite = await loadSuite(await suiteFile([...targetLines({ baselinePort: undefined }), 'matrix:', '  auth: mtls']));

    expect(suite.target?.baselinePort).toBeNull();
    expect(suite.cells.map((cell) => cell.tls.auth)).toEqual(['mtls', 'mtls']);
  });

  it('rejects what the certificates decide', async () => {
    const { file, messages } = await messagesOf([
      ...targetLines(),
      'matrix:',
      '  - serverKeyType: rsa-2048',
      '    clientKeyType: ecdsa-p256',
      '  - chainDepth: 1',
      '  - keyType: [ecdsa-p256, ed25519]',
    ]);

    const keyTypesMessage =
      "with a target, the target's certificates decide the key types: keyType is the key type the target's server " +
      'certificate must have, and the client key type comes from target.cert; use keyType instead of';
    expect(messages).toEqual([
      `${file}:11: matrix[0].serverKeyType: ${keyTypesMessage} serverKeyType`,
      `${file}:12: matrix[0].clientKeyType: ${keyTypesMessage} clientKeyType`,
      `${file}:13: matrix[1].chainDepth: with a target, the target's certificates decide the chain depth; remove chainDepth`,
      `${file}:14: matrix[2].keyType: got a list; with a target, keyType takes one value: the key type the target's server certificate must have`,
    ]);
  });

  it('rejects requests against a raw TLS target', async () => {
    const { file, messages } = await messagesOf([
      ...targetLines({ protocol: 'tls' }),
      'workloads:',
      '  - kind: handshake',
      '  - kind: requests',
    ]);

    expect(messages).toEqual([
      `${file}:13: workloads[1].kind: a requests workload sends HTTPS requests, but target.protocol is "tls" (a raw TLS echo server); use a handshake workload, or target.protocol "https"`,
    ]);
  });

  it('rejects simulate', async () => {
    const { file, messages } = await messagesOf([...targetLines(), 'simulate:', '  handshakeCpuUs: 2000']);

    expect(messages).toEqual([
      `${file}:10: simulate: the target's server is not started by mtls-bench, so it cannot simulate a slowdown; remove simulate or target`,
    ]);
  });
});

describe('target certificate files', () => {
  it('reports a missing file', async () => {
    const { file, messages } = await messagesOf(targetLines({ cert: '../pki/nowhere.pem' }));

    expect(messages).toEqual([
      `${file}:7: target.cert: ${path.join(pkiDir, 'nowhere.pem')}: file not found (a relative path is relative to the suite file's directory)`,
    ]);
  });

  it('reports a file that cannot be read', async () => {
    const { file, messages } = await messagesOf(targetLines({ key: '../pki' }));

    expect(messages).toEqual([`${file}:8: target.key: ${pkiDir}: is a directory; expected a PEM file`]);
  });

  it('reports a certificate file without PEM', async () => {
    const notPem = await pkiFile('not-pem.txt', 'hello\n');
    const { file, messages } = await messagesOf(targetLines({ ca: notPem.relative }));

    expect(messages).toEqual([
      `${file}:6: target.ca: ${notPem.absolute}: no PEM certificate found; expected a "-----BEGIN CERTIFICATE-----" block`,
    ]);
  });

  it('reports a PEM block that is not a certificate', async () => {
    const broken = await pkiFile('broken.pem', '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
    const { file, messages } = await messagesOf(targetLines({ cert: broken.relative }));

    const prefix = `${file}:7: target.cert: ${broken.absolute}: certificate 1 of 1 is not a valid certificate: `;
    expect(messages).toHaveLength(1);
    expect(messages[0]?.startsWith(prefix)).toBe(true);
    expect(messages[0]?.length).toBeGreaterThan(prefix.length);
  });

  it('reports a certificate given as the key', async () => {
    const { file, messages } = await messagesOf(targetLines({ key: '../pki/ca.pem' }));

    expect(messages).toEqual([
      `${file}:8: target.key: ${path.join(pkiDir, 'ca.pem')}: contains a certificate, not a PEM private key; check that cert and key are not swapped`,
    ]);
  });

  it('reports an encrypted key', async () => {
    const encrypted = createPrivateKey(set.client.keyPem).export({
      type: 'pkcs8',
      format: 'pem',
      cipher: 'aes-256-cbc',
      passphrase: 'secret',
    });
    const keyFile = await pkiFile('encrypted-key.pem', String(encrypted));
    const { file, messages } = await messagesOf(targetLines({ key: keyFile.relative }));

    expect(messages).toEqual([
      `${file}:8: target.key: ${keyFile.absolute}: the private key is encrypted; expected an unencrypted PEM private key`,
    ]);
  });

  it('reports a key of another certificate', async () => {
    const { file, messages } = await messagesOf(targetLines({ key: '../pki/server-key.pem' }));

    expect(messages).toEqual([
      `${file}:8: target.key: ${path.join(pkiDir, 'server-key.pem')}: does not match the client certificate "CN=mtls-bench-client, O=mtls-bench" in target.cert (${path.join(pkiDir, 'client-chain.pem')})`,
    ]);
  });

  it('reports a CA key that matches no CA certificate', async () => {
    const { file, messages } = await messagesOf(targetLines({ caKey: '../pki/client-key.pem' }));

    expect(messages).toEqual([
      `${file}:9: target.caKey: ${path.join(pkiDir, 'client-key.pem')}: does not match any certificate in target.ca (${path.join(pkiDir, 'ca.pem')})`,
    ]);
  });

  it('reports an expired client certificate', async () => {
    const expiredDir = path.join(scratch, 'expired');
    const expired = await writePki(expiredDir, { validFrom: new Date(Date.now() - 10 * DAY_MS), validDays: 2 });
    const notAfter = new Date(new X509Certificate(expired.client.certPem).validTo).toISOString();
    const { file, messages } = await messagesOf(
      targetLines({ ca: '../expired/ca.pem', cert: '../expired/client-chain.pem', key: '../expired/client-key.pem', caKey: undefined }),
    );

    expect(messages).toEqual([
      `${file}:6: target.ca: ${path.join(expiredDir, 'ca.pem')}: its certificate is not valid now ("CN=mtls-bench root CA ecdsa-p256, O=mtls-bench" is valid from ${caFrom(expired)} to ${caTo(expired)}), so it can verify no server certificate; use a CA certificate valid now`,
      `${file}:7: target.cert: ${path.join(expiredDir, 'client-chain.pem')}: the certificate "CN=mtls-bench-client, O=mtls-bench" expired on ${notAfter}; issue a new one`,
    ]);
  });

  it('reports an expired CA', async () => {
    const expiredDir = path.join(scratch, 'expired-ca');
    const expired = await writePki(expiredDir, { validFrom: new Date(Date.now() - 10 * DAY_MS), validDays: 2 });
    const { file, messages } = await messagesOf(targetLines({ ca: '../expired-ca/ca.pem', caKey: undefined }));

    expect(messages).toEqual([
      `${file}:6: target.ca: ${path.join(expiredDir, 'ca.pem')}: its certificate is not valid now ("CN=mtls-bench root CA ecdsa-p256, O=mtls-bench" is valid from ${caFrom(expired)} to ${caTo(expired)}), so it can verify no server certificate; use a CA certificate valid now`,
    ]);
  });

  it('reports a client certificate not valid yet', async () => {
    const futureDir = path.join(scratch, 'future');
    const future = await writePki(futureDir, { validFrom: new Date(Date.now() + 2 * DAY_MS) });
    const notBefore = new Date(new X509Certificate(future.client.certPem).validFrom).toISOString();
    const { file, messages } = await messagesOf(
      targetLines({ ca: '../future/ca.pem', cert: '../future/client-chain.pem', key: '../future/client-key.pem', caKey: undefined }),
    );

    expect(messages).toEqual([
      `${file}:6: target.ca: ${path.join(futureDir, 'ca.pem')}: its certificate is not valid now ("CN=mtls-bench root CA ecdsa-p256, O=mtls-bench" is valid from ${caFrom(future)} to ${caTo(future)}), so it can verify no server certificate; use a CA certificate valid now`,
      `${file}:7: target.cert: ${path.join(futureDir, 'client-chain.pem')}: the certificate "CN=mtls-bench-client, O=mtls-bench" is not valid before ${notBefore}; check this machine's clock, or issue one valid now`,
    ]);
  });

  it('reports file and field problems together', async () => {
    const { file, messages } = await messagesOf(targetLines({ host: '10.0.0.5', cert: '../pki/nowhere.pem' }));

    expect(messages).toEqual([
      `${file}:3: target.host: got "10.0.0.5"; expected a loopback address (127.0.0.0/8, ::1 or localhost), or set target.allowRemote: true`,
      `${file}:7: target.cert: ${path.join(pkiDir, 'nowhere.pem')}: file not found (a relative path is relative to the suite file's directory)`,
    ]);
  });

  it('accepts a CA file with several certificates', async () => {
    const bundle = await pkiFile('bundle.pem', `${set.intermediates[0]?.certPem ?? ''}${set.caPem}`);
    await copyFile(path.join(pkiDir, 'ca-key.pem'), path.join(pkiDir, 'bundle-key.pem'));
    const suite = await loadSuite(await suiteFile(targetLines({ ca: bundle.relative, caKey: '../pki/bundle-key.pem' })));

    expect(suite.target?.ca).toBe(bundle.absolute);
  });
});

describe('target files that are not PEM files', () => {
  it('reports an empty certificate file', async () => {
    const empty = await pkiFile('empty.pem', '');
    const { file, messages } = await messagesOf(targetLines({ cert: empty.relative }));

    expect(messages).toEqual([`${file}:7: target.cert: ${empty.absolute}: is empty; expected a "-----BEGIN CERTIFICATE-----" block`]);
  });

  it('reports a truncated certificate', async () => {
    const truncated = await pkiFile('truncated.pem', set.client.certPem.slice(0, 200));
    const { file, messages } = await messagesOf(targetLines({ cert: truncated.relative }));

    expect(messages).toEqual([
      `${file}:7: target.cert: ${truncated.absolute}: has a BEGIN line without its END line, so the file was probably truncated; expected a "-----BEGIN CERTIFICATE-----" block`,
    ]);
  });

  it('reports a truncated key', async () => {
    const truncated = await pkiFile('truncated-key.pem', set.client.keyPem.slice(0, 60));
    const { file, messages } = await messagesOf(targetLines({ key: truncated.relative }));

    expect(messages).toEqual([
      `${file}:8: target.key: ${truncated.absolute}: has a BEGIN line without its END line, so the file was probably truncated; expected a "-----BEGIN PRIVATE KEY-----" block`,
    ]);
  });

  it('reports a key given as the certificate', async () => {
    const { file, messages } = await messagesOf(targetLines({ cert: '../pki/client-key.pem' }));

    expect(messages).toEqual([
      `${file}:7: target.cert: ${path.join(pkiDir, 'client-key.pem')}: contains a private key, not a PEM certificate; check that cert and key are not swapped`,
    ]);
  });

  it('reports a DER certificate', async () => {
    const der = path.join(pkiDir, 'client.der');
    await writeFile(der, new X509Certificate(set.client.certPem).raw);
    const { file, messages } = await messagesOf(targetLines({ cert: '../pki/client.der' }));

    expect(messages).toEqual([
      `${file}:7: target.cert: ${der}: is binary DER, not PEM; convert it with \`openssl x509 -inform DER -in FILE -out FILE.pem\``,
    ]);
  });

  it('reports a key whose body is corrupted', async () => {
    const lines = set.client.keyPem.trim().split('\n');
    const corrupted = [lines[0], 'QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2', ...lines.slice(2)].join('\n');
    const keyFile = await pkiFile('corrupted-key.pem', `${corrupted}\n`);
    const { file, messages } = await messagesOf(targetLines({ key: keyFile.relative }));

    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(new RegExp(`^${escapeRegExp(`${file}:8: target.key: ${keyFile.absolute}: not a valid PEM private key (OpenSSL: `)}.+\\); the file may be corrupted$`));
  });

  it('rejects a device without reading it', async () => {
    const { file, messages } = await messagesOf(targetLines({ ca: '/dev/zero' }));

    expect(messages).toEqual([`${file}:6: target.ca: /dev/zero: is not a regular file (a device, socket or pipe); expected a PEM file`]);
  });

  it('rejects a file above 1 MiB', async () => {
    const large = await pkiFile('large.pem', `${set.caPem}${'#'.repeat(1024 * 1024)}`);
    const { file, messages } = await messagesOf(targetLines({ ca: large.relative }));

    expect(messages).toEqual([`${file}:6: target.ca: ${large.absolute}: is larger than 1 MiB; expected a PEM file, which is far smaller`]);
  });

  it('reports a symbolic link loop', async () => {
    await symlink('loop-b.pem', path.join(pkiDir, 'loop-a.pem'));
    await symlink('loop-a.pem', path.join(pkiDir, 'loop-b.pem'));
    const { file, messages } = await messagesOf(targetLines({ cert: '../pki/loop-a.pem' }));

    expect(messages).toEqual([
      `${file}:7: target.cert: ${path.join(pkiDir, 'loop-a.pem')}: could not be read: ELOOP: too many symbolic links encountered`,
    ]);
  });

  // Root reads a file whatever its mode, so chmod cannot make one unreadable there.
  it.skipIf(process.getuid?.() === 0)('reports a file without read permission', async () => {
    const locked = await pkiFile('locked-key.pem', set.client.keyPem);
    await chmod(locked.absolute, 0o000);
    const { file, messages } = await messagesOf(targetLines({ key: locked.relative }));

    expect(messages).toEqual([`${file}:8: target.key: ${locked.absolute}: could not be read: EACCES: permission denied`]);
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
