import { chmod, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MtlsBenchError } from '../../src/errors.ts';
import { generateCertificateSet } from '../../src/pki/generate.ts';
import type { CertificateSet } from '../../src/pki/types.ts';
import { certificateSetFiles, writeCertificateSetFiles } from '../../src/pki/write-set.ts';

const SERVER_FILES = ['server.pem', 'server-chain.pem', 'server-key.pem'];
const CLIENT_FILES = ['client.pem', 'client-chain.pem', 'client-key.pem'];

let workDir: string;
let depthOne: CertificateSet;
let depthTwo: CertificateSet;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'mtls-bench-write-set-'));
  [depthOne, depthTwo] = await Promise.all([
    generateCertificateSet({ serverKeyType: 'ecdsa-p256', clientKeyType: 'ed25519', chainDepth: 1 }),
    generateCertificateSet({ serverKeyType: 'ed25519', clientKeyType: 'ecdsa-p256', chainDepth: 2 }),
  ]);
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

function modeOf(stats: { mode: number }): number {
  return stats.mode & 0o777;
}

describe('certificateSetFiles', () => {
  it('names one file per intermediate', () => {
    expect(certificateSetFiles(depthTwo).map((file) => file.name)).toEqual([
      'ca.pem',
      'ca-key.pem',
      'intermediate-1.pem',
      'intermediate-2.pem',
      ...SERVER_FILES,
      ...CLIENT_FILES,
    ]);
  });

  it('marks only private keys secret', () => {
    const secretNames = certificateSetFiles(depthOne)
      .filter((file) => file.secret)
      .map((file) => file.name);

    expect(secretNames).toEqual(['ca-key.pem', 'server-key.pem', 'client-key.pem']);
  });

  it('leaves out ca-key.pem for a set without the root key', () => {
    const { rootKeyPem: _rootKeyPem, ...withoutRootKey } = depthOne;

    const names = certificateSetFiles(withoutRootKey).map((file) => file.name);

    expect(names).toEqual(['ca.pem', 'intermediate-1.pem', ...SERVER_FILES, ...CLIENT_FILES]);
  });
});

describe('writeCertificateSetFiles', () => {
  it('creates a missing directory 0700 with every file', async () => {
    const outDir = join(workDir, 'created', 'certs');

    const paths = await writeCertificateSetFiles(depthOne, outDir);

    const names = ['ca.pem', 'ca-key.pem', 'intermediate-1.pem', ...SERVER_FILES, ...CLIENT_FILES];
    expect(paths).toEqual(names.map((name) => join(outDir, name)));
    expect((await readdir(outDir)).sort()).toEqual([...names].sort());
    expect(modeOf(await stat(outDir))).toBe(0o700);
  });

  it('writes keys 0600 and certificates 0644', async () => {
    const outDir = join(workDir, 'modes');

    await writeCertificateSetFiles(depthOne, outDir);

    for (const name of ['ca-key.pem', 'server-key.pem', 'client-key.pem']) {
      expect(modeOf(await stat(join(outDir, name)))).toBe(0o600);
    }
    for (const name of ['ca.pem', 'intermediate-1.pem', 'server.pem', 'server-chain.pem', 'client.pem', 'client-chain.pem']) {
      expect(modeOf(await stat(join(outDir, name)))).toBe(0o644);
    }
  });

  it('writes the set PEMs unchanged', async () => {
    const outDir = join(workDir, 'contents');

    await writeCertificateSetFiles(depthTwo, outDir);

    const read = (name: string) => readFile(join(outDir, name), 'utf8');
    expect(await read('ca.pem')).toBe(depthTwo.caPem);
    expect(await read('ca-key.pem')).toBe(depthTwo.rootKeyPem);
    expect(await read('intermediate-1.pem')).toBe(depthTwo.intermediates[0]?.certPem);
    expect(await read('intermediate-2.pem')).toBe(depthTwo.intermediates[1]?.certPem);
    expect(await read('server.pem')).toBe(depthTwo.server.certPem);
    expect(await read('server-chain.pem')).toBe(depthTwo.serverChainPem);
    expect(await read('server-key.pem')).toBe(depthTwo.server.keyPem);
    expect(await read('client.pem')).toBe(depthTwo.client.certPem);
    expect(await read('client-chain.pem')).toBe(depthTwo.clientChainPem);
    expect(await read('client-key.pem')).toBe(depthTwo.client.keyPem);
  });

  it('keeps the mode of an existing directory', async () => {
    const outDir = await mkdtemp(join(workDir, 'existing-'));
    await chmod(outDir, 0o755);

    await writeCertificateSetFiles(depthOne, outDir);

    expect(modeOf(await stat(outDir))).toBe(0o755);
  });

  it('rejects overwriting and writes nothing', async () => {
    const outDir = join(workDir, 'occupied');
    await writeCertificateSetFiles(depthOne, outDir);
    await rm(join(outDir, 'ca.pem'));
    const keyBefore = await readFile(join(outDir, 'server-key.pem'), 'utf8');

    const promise = writeCertificateSetFiles(depthTwo, outDir);

    await expect(promise).rejects.toBeInstanceOf(MtlsBenchError);
    await expect(promise).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(promise).rejects.toThrow(join(outDir, 'server-key.pem'));
    expect(await readFile(join(outDir, 'server-key.pem'), 'utf8')).toBe(keyBefore);
    // The check runs before any write, so the free name stays free.
    expect((await readdir(outDir)).includes('ca.pem')).toBe(false);
  });

  it('rejects an output path that is a file', async () => {
    const filePath = join(workDir, 'plain-file');
    await writeFile(filePath, 'not a directory');

    const promise = writeCertificateSetFiles(depthOne, filePath);

    await expect(promise).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(promise).rejects.toThrow(filePath);
  });
});
