import path from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { InvalidSuiteError } from '../../src/errors.ts';
import { INLINE_SUITE_FILE, loadSuite, parseSuiteYaml, resolveSuite } from '../../src/scenario/load.ts';
import { loadInvalidSuite, removeSuiteFiles, writeSuiteFile } from './suite-files.ts';

afterAll(removeSuiteFiles);

const FIXTURES = 'test/scenario/fixtures';

describe('defaults', () => {
  it('fills a minimal suite', async () => {
    const suite = await loadSuite(await writeSuiteFile('name: minimal\n'));

    expect(suite.description).toBeNull();
    expect(suite.matrix).toEqual({
      serverKeyType: ['ecdsa-p256'],
      clientKeyType: ['ecdsa-p256'],
      tlsVersion: ['tls1.3'],
      cipherSuite: [null],
      group: ['x25519'],
      resumption: ['none'],
      auth: ['tls', 'mtls'],
      chainDepth: [0],
    });
    expect(suite.workloads).toEqual([
      {
        kind: 'handshake',
        name: 'handshake',
        concurrency: 1,
        ratePerSec: null,
        workers: 1,
        maxCount: null,
        durationMs: 3000,
        warmupCount: 20,
        payloadBytes: 1,
      },
      {
        kind: 'requests',
        name: 'requests',
        connections: 10,
        workers: 1,
        pipelining: 1,
        durationMs: 3000,
        maxCount: null,
        rateRps: null,
        warmupMs: 500,
        payloadBytes: 64,
      },
    ]);
    expect(suite.cells.map((cell) => cell.id)).toEqual([
      'handshake/ecdsa-p256/tls1.3/default/x25519/none/d0/tls',
      'handshake/ecdsa-p256/tls1.3/default/x25519/none/d0/mtls',
      'requests/ecdsa-p256/tls1.3/default/x25519/none/d0/tls',
      'requests/ecdsa-p256/tls1.3/default/x25519/none/d0/mtls',
    ]);
  });

  it('fills each cell from its values', async () => {
    const suite = await loadSuite(await writeSuiteFile('name: minimal\nworkloads:\n  - kind: handshake\n'));

    expect(suite.cells[1]).toEqual({
      id: 'handshake/ecdsa-p256/tls1.3/default/x25519/none/d0/mtls',
      baselineId: 'handshake/ecdsa-p256/tls1.3/default/x25519/none/d0/tls',
      tls: {
        serverKeyType: 'ecdsa-p256',
        clientKeyType: 'ecdsa-p256',
        tlsVersion: 'tls1.3',
        cipherSuite: null,
        group: 'x25519',
        resumption: 'none',
        auth: 'mtls',
        chainDepth: 0,
      },
      workload: suite.workloads[0],
    });
  });

  it('bounds a handshake by count alone', async () => {
    const suite = await loadSuite(await writeSuiteFile('name: x\nworkloads:\n  - kind: handshake\n    count: 100\n'));

    expect(suite.workloads[0]).toMatchObject({ maxCount: 100, durationMs: null });
  });

  it('keeps both handshake bounds', async () => {
    const suite = await loadSuite(
      await writeSuiteFile('name: x\nworkloads:\n  - kind: handshake\n    count: 100\n    duration: 2m\n'),
    );

    expect(suite.workloads[0]).toMatchObject({ maxCount: 100, durationMs: 120_000 });
  });

  it('accepts single values for axes', async () => {
    const suite = await loadSuite(
      await writeSuiteFile('name: x\nmatrix:\n  keyType: rsa-2048\n  tlsVersion: tls1.2\n  auth: mtls\n'),
    );

    expect(suite.matrix.serverKeyType).toEqual(['rsa-2048']);
    expect(suite.matrix.tlsVersion).toEqual(['tls1.2']);
    expect(suite.matrix.auth).toEqual(['mtls']);
  });
});

describe('cell ids and pairing', () => {
  it('pairs keyType values instead of crossing them', async () => {
    const suite = await loadSuite(
      await writeSuiteFile('name: x\nmatrix:\n  keyType: [rsa-2048, ed25519]\n  auth: tls\nworkloads:\n  - kind: handshake\n'),
    );

    expect(suite.cells.map((cell) => cell.id)).toEqual([
      'handshake/rsa-2048/tls1.3/default/x25519/none/d0/tls',
      'handshake/ed25519/tls1.3/default/x25519/none/d0/tls',
    ]);
  });

  it('crosses split key types', async () => {
    const suite = await loadSuite(
      await writeSuiteFile(
        [
          'name: x',
          'matrix:',
          '  serverKeyType: [rsa-2048, ecdsa-p256]',
          '  clientKeyType: [ecdsa-p256, ed25519]',
          '  auth: tls',
          'workloads:',
          '  - kind: handshake',
        ].join('\n'),
      ),
    );

    expect(suite.cells.map((cell) => cell.id)).toEqual([
      'handshake/rsa-2048+ecdsa-p256/tls1.3/default/x25519/none/d0/tls',
      'handshake/rsa-2048+ed25519/tls1.3/default/x25519/none/d0/tls',
      'handshake/ecdsa-p256/tls1.3/default/x25519/none/d0/tls',
      'handshake/ecdsa-p256+ed25519/tls1.3/default/x25519/none/d0/tls',
    ]);
  });

  it('runs tls before mtls in any order', async () => {
    const suite = await loadSuite(
      await writeSuiteFile('name: x\nmatrix:\n  auth: [mtls, tls]\nworkloads:\n  - kind: handshake\n'),
    );

    expect(suite.cells.map((cell) => [cell.tls.auth, cell.baselineId])).toEqual([
      ['tls', null],
      ['mtls', 'handshake/ecdsa-p256/tls1.3/default/x25519/none/d0/tls'],
    ]);
  });

  it('leaves mtls without a baseline unpaired', async () => {
    const suite = await loadSuite(await writeSuiteFile('name: x\nmatrix:\n  auth: mtls\nworkloads:\n  - kind: handshake\n'));

    expect(suite.cells).toHaveLength(1);
    expect(suite.cells[0]?.baselineId).toBeNull();
  });

  it('names the cipher suite by its OpenSSL name', async () => {
    const suite = await loadSuite(
      await writeSuiteFile(
        [
          'name: x',
          'matrix:',
          '  tlsVersion: tls1.2',
          '  cipherSuite: TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
          '  auth: tls',
          'workloads:',
          '  - kind: handshake',
        ].join('\n'),
      ),
    );

    expect(suite.cells[0]?.id).toBe('handshake/ecdsa-p256/tls1.2/ECDHE-ECDSA-AES128-GCM-SHA256/x25519/none/d0/tls');
    expect(suite.cells[0]?.tls.cipherSuite).toBe('ECDHE-ECDSA-AES128-GCM-SHA256');
  });

  it('unites a matrix list without duplicates', async () => {
    const suite = await loadSuite(
      await writeSuiteFile(
        [
          'name: x',
          'matrix:',
          '  - resumption: [none, tickets]',
          '    auth: mtls',
          '  - resumption: none',
          '  - resumption: tickets',
          '    auth: mtls',
          'workloads:',
          '  - kind: handshake',
        ].join('\n'),
      ),
    );

    // The tls baseline for "none" comes from the second object but moves up to its partner.
    expect(suite.cells.map((cell) => [cell.id, cell.baselineId])).toEqual([
      ['handshake/ecdsa-p256/tls1.3/default/x25519/none/d0/tls', null],
      [
        'handshake/ecdsa-p256/tls1.3/default/x25519/none/d0/mtls',
        'handshake/ecdsa-p256/tls1.3/default/x25519/none/d0/tls',
      ],
      ['handshake/ecdsa-p256/tls1.3/default/x25519/tickets/d0/mtls', null],
    ]);
  });

  it('orders cells by workload first', async () => {
    const suite = await loadSuite(
      await writeSuiteFile(
        [
          'name: x',
          'matrix:',
          '  tlsVersion: [tls1.2, tls1.3]',
          '  auth: tls',
          'workloads:',
          '  - kind: requests',
          '  - kind: handshake',
        ].join('\n'),
      ),
    );

    expect(suite.cells.map((cell) => cell.id)).toEqual([
      'requests/ecdsa-p256/tls1.2/default/x25519/none/d0/tls',
      'requests/ecdsa-p256/tls1.3/default/x25519/none/d0/tls',
      'handshake/ecdsa-p256/tls1.2/default/x25519/none/d0/tls',
      'handshake/ecdsa-p256/tls1.3/default/x25519/none/d0/tls',
    ]);
  });
});

describe('file formats', () => {
  it('loads YAML and TypeScript to the same suite', async () => {
    const fromYaml = await loadSuite(`${FIXTURES}/mixed-keys.yaml`);
    const fromTypeScript = await loadSuite(`${FIXTURES}/mixed-keys.ts`);

    expect(fromTypeScript.cells).toEqual(fromYaml.cells);
    expect(fromTypeScript.workloads).toEqual(fromYaml.workloads);
    expect(fromTypeScript.matrix).toEqual(fromYaml.matrix);
    expect(fromYaml.cells).toHaveLength(32);
    expect(fromYaml.matrix.cipherSuite).toEqual([null, 'ECDHE-RSA-AES128-GCM-SHA256', 'TLS_CHACHA20_POLY1305_SHA256']);
  });

  it('records the absolute source path', async () => {
    const suite = await loadSuite(`${FIXTURES}/mixed-keys.ts`);

    expect(suite.sourceFile).toBe(path.resolve(`${FIXTURES}/mixed-keys.ts`));
  });

  it('validates a TypeScript suite', async () => {
    const file = await writeSuiteFile("export default { name: 'x', matrix: { tlsVersion: 'tls1.4' } };\n", '.ts');
    const error = await loadInvalidSuite(file);

    expect(error.message).toBe(`${file}: matrix.tlsVersion: got "tls1.4"; expected "tls1.2" or "tls1.3"`);
  });

  it('requires a default export', async () => {
    const file = await writeSuiteFile("export const suite = { name: 'x' };\n", '.mts');
    const error = await loadInvalidSuite(file);

    expect(error.message).toBe(`${file}: has no default export; end it with \`export default defineSuite({ ... })\``);
  });

  it('reports a TypeScript syntax error', async () => {
    const file = await writeSuiteFile('export default {\n', '.ts');
    const error = await loadInvalidSuite(file);

    expect(error.message).toBe(`${file}:2: could not be compiled: Expected identifier but found end of file (column 1)`);
  });

  it('reads JSON as YAML', async () => {
    const file = await writeSuiteFile('{"name": "from-json", "matrix": {"tlsVersion": "tls1.2"}}\n', '.json');
    const suite = await loadSuite(file);

    expect(suite.name).toBe('from-json');
    expect(suite.matrix.tlsVersion).toEqual(['tls1.2']);
  });
});

describe('resolveSuite', () => {
  it('resolves an inline suite', () => {
    const suite = resolveSuite({ name: 'inline', workloads: [{ kind: 'handshake' }] }, { file: INLINE_SUITE_FILE });

    expect(suite.sourceFile).toBeNull();
    expect(suite.cells).toHaveLength(2);
  });

  it('leaves lines out without a document', () => {
    const resolve = () => resolveSuite({ name: 'inline', color: 'red' }, { file: INLINE_SUITE_FILE });

    expect(resolve).toThrow(InvalidSuiteError);
    expect(resolve).toThrow('<inline>: color: unknown key "color"; expected one of "name", "description", "target", "matrix", "workloads", "simulate"');
  });

  it('locates issues through a parsed document', () => {
    const parsed = parseSuiteYaml('name: x\nmatrix:\n  group: p-521\n', 'suite.yaml');
    let issues: InvalidSuiteError['issues'] = [];
    try {
      resolveSuite(parsed.input, { file: 'suite.yaml', document: parsed.document, lineCounter: parsed.lineCounter });
    } catch (error) {
      issues = (error as InvalidSuiteError).issues;
    }

    expect(issues).toEqual([
      { file: 'suite.yaml', line: 3, path: 'matrix.group', message: 'got "p-521"; expected one of "x25519", "p-256", "p-384"' },
    ]);
  });
});
