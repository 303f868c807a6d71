/**
 * Whole runs against targets that the tests start themselves: Node HTTPS and TLS servers on
 * 127.0.0.1, with certificates written to a scratch directory and suites that point at them.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { runCli } from '../cli/run-cli.ts';

import type { CertificateSet } from '../../src/pki/types.ts';
import type { CellResult, FailedCell, MeasuredCell, RunResults } from '../../src/results/types.ts';
import { renderTables } from '../../src/report/table.ts';
import { runSuite } from '../../src/runner/run.ts';
import { loadSuite } from '../../src/scenario/load.ts';
import {
  closeServers,
  createScratchDir,
  removeScratchDir,
  startHttpsTarget,
  startTlsEchoTarget,
  writePki,
  writeSuite,
} from './target-fixture.ts';
import type { TestServer } from './target-fixture.ts';

const PROBES = ['no-certificate', 'other-ca', 'expired', 'server-auth-only', 'unsent-intermediate', 'right-certificate'];
const CA_KEY_PROBES = ['expired', 'server-auth-only', 'unsent-intermediate'];

let scratch: string;
let set: CertificateSet;

beforeAll(async () => {
  scratch = await createScratchDir();
  set = await writePki(path.join(scratch, 'pki'));
});

afterAll(async () => {
  closeServers();
  await removeScratchDir(scratch);
});

function targetLines(options: { port: number; baselinePort?: number; protocol?: string; caKey?: boolean }): string[] {
  return [
    'target:',
    '  host: 127.0.0.1',
    `  port: ${options.port}`,
    ...(options.baselinePort === undefined ? [] : [`  baselinePort: ${options.baselinePort}`]),
    '  servername: localhost',
    ...(options.protocol === undefined ? [] : [`  protocol: ${options.protocol}`]),
    '  ca: pki/ca.pem',
    '  cert: pki/client-chain.pem',
    '  key: pki/client-key.pem',
    ...(options.caKey === false ? [] : ['  caKey: pki/ca-key.pem']),
  ];
}

function measured(results: RunResults, id: string): MeasuredCell {
  const cell = results.cells.find((candidate) => candidate.id === id);
  if (cell?.state !== 'measured') throw new Error(`cell ${id} was not measured: ${JSON.stringify(cell)}`);
  return cell;
}

function failed(cell: CellResult | undefined): FailedCell {
  if (cell?.state !== 'failed') throw new Error(`cell was not failed: ${JSON.stringify(cell)}`);
  return cell;
}

describe('a correct mTLS target with a baseline port', () => {
  let mtlsServer: TestServer;
  let baselineServer: TestServer;
  let results: RunResults;
  let prefix: string;

  beforeAll(async () => {
    mtlsServer = await startHttpsTarget(set, { ca: set.caPem, requestCert: true, rejectUnauthorized: true });
    // The baseline requests a certificate without requiring one, so the test can see that none is sent.
    baselineServer = await startHttpsTarget(set, { ca: set.caPem, requestCert: true, rejectUnauthorized: false });
    prefix = `127.0.0.1:${mtlsServer.port}`;
    const file = await writeSuite(scratch, 'correct.yaml', [
      'name: correct-target',
      ...targetLines({ port: mtlsServer.port, baselinePort: baselineServer.port }),
      'matrix:',
      '  keyType: ecdsa-p256',
      '  tlsVersion: [tls1.2, tls1.3]',
      '  resumption: [none, tickets]',
      '  auth: [tls, mtls]',
      'workloads:',
      '  - kind: handshake',
      '    count: 20',
      '    warmup: 3',
      '  - kind: requests',
      '    connections: 2',
      '    duration: 150ms',
      '    warmup: 0s',
    ]);
    results = await runSuite(await loadSuite(file));
  });

  it('measures every cell', () => {
    expect(results.cells.map((cell) => `${cell.id} ${cell.state}`)).toEqual(
      results.suite.cells.map((cell) => `${cell.id} measured`),
    );
    expect(results.cells).toHaveLength(16);
  });

  it('names the target in cell ids', () => {
    expect(results.cells[0]?.id).toBe(`handshake/${prefix}/ecdsa-p256/tls1.2/default/x25519/none/tls`);
    expect(results.cells[1]?.baselineId).toBe(`handshake/${prefix}/ecdsa-p256/tls1.2/default/x25519/none/tls`);
  });

  it('negotiates what each cell requests', () => {
    for (const version of ['tls1.2', 'tls1.3'] as const) {
      for (const auth of ['tls', 'mtls'] as const) {
        const cell = measured(results, `handshake/${prefix}/ecdsa-p256/${version}/default/x25519/none/${auth}`);
        expect(cell.negotiated?.protocol).toBe(version === 'tls1.2' ? 'TLSv1.2' : 'TLSv1.3');
        expect(cell.negotiated?.group).toBe('x25519');
        expect(cell.negotiated?.peerKeyType).toBe('ecdsa-p256');
        expect(cell.handshake?.count).toBe(20);
        expect(cell.handshake?.resumed).toBe(0);
      }
    }
  });

  it('resumes every handshake of a tickets cell', () => {
    for (const version of ['tls1.2', 'tls1.3']) {
      const cell = measured(results, `handshake/${prefix}/ecdsa-p256/${version}/default/x25519/tickets/mtls`);
      expect(cell.handshake?.resumed).toBe(20);
    }
  });

  it('runs client-side checks only', () => {
    const cell = measured(results, `handshake/${prefix}/ecdsa-p256/tls1.3/default/x25519/none/mtls`);
    expect(cell.checks.map((check) => `${check.phase} ${check.name} ${check.passed}`)).toEqual([
      'warm-up protocol true',
      'warm-up group true',
      'warm-up server key type true',
      'warm-up resumption true',
      'measured protocol true',
      'measured group true',
      'measured server key type true',
      'measured resumption true',
    ]);
  });

  it('reports no server-side numbers', () => {
    for (const cell of results.cells) {
      const result = measured(results, cell.id);
      expect(result.server).toBeNull();
      expect(result.cpu.serverUsPerOp).toBeNull();
      expect(result.cpu.clientUsPerOp).toBeGreaterThan(0);
    }
    expect(results.cryptoFloor).toBeNull();
  });

  it('probes every mtls cell with all six probes', () => {
    for (const cell of results.cells) {
      if (cell.scenario.auth === 'tls') {
        expect(cell.probes).toEqual([]);
        continue;
      }
      expect(cell.probes.map((probe) => `${probe.name} ${probe.actual}`)).toEqual([
        'no-certificate rejected',
        'other-ca rejected',
        'expired rejected',
        'server-auth-only rejected',
        'unsent-intermediate rejected',
        'right-certificate accepted',
      ]);
    }
  });

  it('presents the client certificate for mtls only', () => {
    const measuredRequests = mtlsServer.seen.filter((seen) => seen.requestLine !== undefined);
    expect(measuredRequests.length).toBeGreaterThan(0);
    expect(measuredRequests.every((seen) => seen.presentedCertificate)).toBe(true);
    expect(baselineServer.seen.length).toBeGreaterThan(0);
    expect(baselineServer.seen.filter((seen) => seen.presentedCertificate)).toEqual([]);
  });

  it('sends the servername as SNI and Host', () => {
    const seen = [...mtlsServer.seen, ...baselineServer.seen];
    const full = seen.filter((connection) => !connection.resumed);
    expect(full.length).toBeGreaterThan(0);
    expect(new Set(full.map((connection) => connection.servername))).toEqual(new Set(['localhost']));
    expect(new Set(baselineServer.seen.map((connection) => connection.host))).toEqual(
      new Set([`localhost:${baselineServer.port}`]),
    );
    expect(new Set(seen.map((connection) => connection.requestLine))).toEqual(new Set(['GET /']));
  });

  it('counts verified requests', () => {
    const cell = measured(results, `requests/${prefix}/ecdsa-p256/tls1.3/default/x25519/none/mtls`);
    expect(cell.requests?.count).toBeGreaterThan(0);
    expect(cell.requests?.errors).toBe(0);
    expect(cell.requests?.non2xx).toBe(0);
    // 2 connections in each of 5 rounds.
    expect(cell.requests?.connectionsVerified).toBe(10);
  });

  it('shows the server CPU as a dash', () => {
    const table = renderTables(results, { color: false });
    expect(table).toMatch(/│ - \/ \d+\s+│/);
    expect(table).not.toContain('FAILED');
  });
});

describe('a raw TLS target without caKey', () => {
  it('skips CA-key probes and still measures', async () => {
    const server = await startTlsEchoTarget(set, { ca: set.caPem, requestCert: true, rejectUnauthorized: true });
    const file = await writeSuite(scratch, 'no-ca-key.yaml', [
      'name: no-ca-key',
      ...targetLines({ port: server.port, protocol: 'tls', caKey: false }),
      'matrix:',
      '  tlsVersion: tls1.3',
      '  auth: mtls',
      'workloads:',
      '  - kind: handshake',
      '    count: 10',
      '    warmup: 0',
    ]);

    const results = await runSuite(await loadSuite(file));
    const [cell] = results.cells;

    expect(cell?.state).toBe('measured');
    expect(cell?.probes.map((probe) => probe.name)).toEqual(PROBES);
    for (const probe of cell?.probes ?? []) {
      expect(probe.actual).toBe(CA_KEY_PROBES.includes(probe.name) ? 'skipped' : probe.expected);
    }
    const skipped = cell?.probes.find((probe) => probe.name === 'expired');
    expect(skipped?.detail).toBe("target.caKey is not set, and this probe's certificate must be issued by the target's CA");
    expect(server.seen.filter((seen) => !seen.presentedCertificate)).toHaveLength(0);
  });
});

describe('a target that does not enforce mTLS', () => {
  it('fails mtls cells, runs the rest', async () => {
    const lax = await startHttpsTarget(set, { ca: set.caPem, requestCert: true, rejectUnauthorized: false });
    const baseline = await startHttpsTarget(set);
    const file = await writeSuite(scratch, 'lax.yaml', [
      'name: lax-target',
      ...targetLines({ port: lax.port, baselinePort: baseline.port }),
      'matrix:',
      '  tlsVersion: [tls1.2, tls1.3]',
      '  auth: [tls, mtls]',
      'workloads:',
      '  - kind: handshake',
      '    count: 10',
      '    warmup: 0',
    ]);

    const results = await runSuite(await loadSuite(file));
    const states = results.cells.map((cell) => `${cell.scenario.tlsVersion} ${cell.scenario.auth} ${cell.state}`);

    expect(states).toEqual(['tls1.2 tls measured', 'tls1.2 mtls failed', 'tls1.3 tls measured', 'tls1.3 mtls failed']);
    const mtls = failed(results.cells[1]);
    expect(mtls.error.code).toBe('PROBE_FAILED');
    expect(mtls.error.message).toBe(
      'the server is not enforcing mTLS: no-certificate expected rejected, got accepted; ' +
        'other-ca expected rejected, got accepted; expired expected rejected, got accepted; ' +
        'server-auth-only expected rejected, got accepted; unsent-intermediate expected rejected, got accepted',
    );
    expect(mtls.probes.find((probe) => probe.name === 'right-certificate')?.passed).toBe(true);
  });
});

describe('a target that rejects the right client', () => {
  it('says so instead of blaming enforcement', async () => {
    // The server offers ChaCha20 only, so a client that offers AES-128-GCM only is turned away.
    const strict = await startHttpsTarget(set, {
      ca: set.caPem,
      requestCert: true,
      rejectUnauthorized: true,
      maxVersion: 'TLSv1.2',
      ciphers: 'ECDHE-ECDSA-CHACHA20-POLY1305',
    });
    const file = await writeSuite(scratch, 'cipher-mismatch.yaml', [
      'name: cipher-mismatch',
      ...targetLines({ port: strict.port }),
      'matrix:',
      '  tlsVersion: tls1.2',
      '  cipherSuite: ECDHE-ECDSA-AES128-GCM-SHA256',
      '  auth: mtls',
      'workloads:',
      '  - kind: handshake',
      '    count: 5',
      '    warmup: 0',
    ]);

    const results = await runSuite(await loadSuite(file));
    const cell = failed(results.cells[0]);

    expect(cell.error.code).toBe('PROBE_FAILED');
    expect(cell.error.message).toMatch(/^the server rejected the right client certificate with ERR_SSL_\w+, so the scenario's settings do not work against it/);
    expect(cell.error.message).not.toContain('not enforcing');
  });
});

describe('a target whose server key type differs from the scenario', () => {
  it('fails the server key type check', async () => {
    const rsaScratch = path.join(scratch, 'rsa');
    const rsaSet = await writePki(path.join(rsaScratch, 'pki'), { serverKeyType: 'rsa-2048', chainDepth: 0 });
    const server = await startHttpsTarget(rsaSet, { ca: rsaSet.caPem, requestCert: true, rejectUnauthorized: true });
    const file = await writeSuite(rsaScratch, 'rsa.yaml', [
      'name: rsa-target',
      ...targetLines({ port: server.port }),
      'matrix:',
      '  keyType: ecdsa-p256',
      '  tlsVersion: tls1.3',
      '  auth: mtls',
      'workloads:',
      '  - kind: handshake',
      '    count: 10',
      '    warmup: 3',
    ]);

    const results = await runSuite(await loadSuite(file));
    const cell = failed(results.cells[0]);

    expect(cell.error.code).toBe('CHECK_FAILED');
    expect(cell.error.message).toMatch(
      /^checks failed in the warm-up: server key type: expected ecdsa-p256, got rsa-2048 on (\d+) of \1 sampled full handshakes$/,
    );
    expect(cell.probes.every((probe) => probe.passed)).toBe(true);
  });
});

describe('mtls-bench probe with a target suite', () => {
  it('probes the target and exits 0', async () => {
    const server = await startHttpsTarget(set, { ca: set.caPem, requestCert: true, rejectUnauthorized: true });
    const file = await writeSuite(scratch, 'probe.yaml', [
      'name: probe-target',
      ...targetLines({ port: server.port }),
      'matrix:',
      '  auth: mtls',
    ]);
    const outcome = await runCli(['probe', file]);

    expect(outcome.stderr).toBe('');
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toContain(`127.0.0.1:${server.port}/ecdsa-p256/tls1.3/default/x25519/none/mtls`);
    expect(outcome.stdout).toMatch(/│ no-certificate\s+│ rejected │ rejected │ ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED\s+│ pass/);
    expect(outcome.stdout).toMatch(/│ expired\s+│ rejected │ rejected │ \S+\s+│ pass/);
    expect(outcome.stdout).toMatch(/│ right-certificate\s+│ accepted │ accepted │ -\s+│ pass/);
  });
});
