import { spawnSync } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sTimeArgs, sTimeStarter } from '../../scripts/harness/tools.ts';
import type { STimeSettings } from '../../scripts/harness/tools.ts';
import { generateCertificateSet } from '../../src/pki/generate.ts';
import { scenarioOf, withEchoServer } from '../servers/scenario-fixture.ts';

const files = { ca: '/pki/ca.pem', cert: '/pki/client.pem', key: '/pki/client-key.pem' };

function settingsOf(overrides: Partial<STimeSettings>): STimeSettings {
  return { openssl: 'openssl', port: 8443, files, tlsVersion: 'tls1.3', mode: 'new', processes: 1, wwwPath: null, ...overrides };
}

const opensslFound = spawnSync('openssl', ['version'], { encoding: 'utf8', timeout: 5_000 }).error === undefined;

describe('sTimeArgs', () => {
  it('sends nothing without a path', () => {
    const args = sTimeArgs(settingsOf({}), 2);
    expect(args).not.toContain('-www');
    expect(args.slice(0, 6)).toEqual(['s_time', '-connect', '127.0.0.1:8443', '-new', '-time', '2']);
    expect(args.at(-1)).toBe('-tls1_3');
  });

  it('adds -www with a path', () => {
    const args = sTimeArgs(settingsOf({ wwwPath: '/' }), 2);
    expect(args.slice(-2)).toEqual(['-www', '/']);
    expect(args).toContain('-new');
  });
});

describe('sTimeStarter', () => {
  it('fails a -www run that read no response', async () => {
    // A stand-in for openssl that prints a real -new run's output, which read 0 bytes.
    const dir = await mkdtemp(path.join(os.tmpdir(), 'mtls-bench-fake-openssl-'));
    try {
      const fixture = fileURLToPath(new URL('./fixtures/s_time-tls1.3-new.stdout', import.meta.url));
      const fake = path.join(dir, 'openssl');
      await writeFile(fake, `#!/bin/sh\ncat '${fixture}'\n`);
      await chmod(fake, 0o755);

      const withoutPath = await sTimeStarter(settingsOf({ openssl: fake })).call(null, 1_000).report;
      expect(withoutPath.failure).toBeNull();
      expect(withoutPath.toolRate).toBeGreaterThan(0);

      const withPath = await sTimeStarter(settingsOf({ openssl: fake, wwwPath: '/' })).call(null, 1_000).report;
      expect(withPath.failure).toBe('openssl s_time -www / read no response bytes in 607 connections');
      expect(withPath.errors).toEqual({ S_TIME_NO_RESPONSE: 1 });
      expect(withPath.toolRate).toBeNull();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(!opensslFound)('fetches from the HTTPS listener with -www', async () => {
    // Chain depth 0, because s_time's -cert sends only the first certificate of its file.
    const tlsScenario = scenarioOf({ chainDepth: 0 });
    const certs = await generateCertificateSet({ serverKeyType: 'ecdsa-p256', clientKeyType: 'ecdsa-p256', chainDepth: 0 });
    const dir = await mkdtemp(path.join(os.tmpdir(), 'mtls-bench-s_time-'));
    try {
      const clientFiles = {
        ca: path.join(dir, 'ca.pem'),
        cert: path.join(dir, 'client.pem'),
        key: path.join(dir, 'client-key.pem'),
      };
      await writeFile(clientFiles.ca, certs.caPem);
      await writeFile(clientFiles.cert, certs.client.certPem);
      await writeFile(clientFiles.key, certs.client.keyPem, { mode: 0o600 });

      await withEchoServer(tlsScenario, certs, async (server) => {
        await server.beginWindow();
        const report = await sTimeStarter(settingsOf({ port: server.ports.https, files: clientFiles, wwwPath: '/' })).call(null, 1_000).report;
        const stats = await server.endWindow();

        expect(report.failure).toBeNull();
        expect(report.errors).toEqual({});
        expect(report.toolRate).toBeGreaterThan(0);
        expect(stats.handshakes.full).toBeGreaterThan(0);
        expect(stats.clientCertsVerified).toBe(stats.handshakes.full);
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
