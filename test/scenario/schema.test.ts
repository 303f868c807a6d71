import { readFile } from 'node:fs/promises';

import { describe, expect, it } from 'vitest';

import { defineSuite } from '../../src/scenario/define.ts';
import { buildSuiteJsonSchema, renderSuiteJsonSchema, SUITE_SCHEMA_ID } from '../../src/scenario/json-schema.ts';
import { loadSuite } from '../../src/scenario/load.ts';

const SCHEMA_COMMENT = '# yaml-language-server: $schema=../schema/suite.schema.json';

describe('suite JSON Schema', () => {
  it('matches the committed file', async () => {
    const committed = await readFile('schema/suite.schema.json', 'utf8');

    // On failure, run `npm run schema` and commit schema/suite.schema.json.
    expect(committed).toBe(renderSuiteJsonSchema());
  });

  it('carries an id and a title', () => {
    const schema = buildSuiteJsonSchema();

    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(schema.$id).toBe(SUITE_SCHEMA_ID);
    expect(schema.title).toBe('mtls-bench suite');
  });

  it('rejects unknown keys', () => {
    const schema = buildSuiteJsonSchema() as { additionalProperties?: unknown; required?: unknown };

    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toEqual(['name']);
  });

  it('offers key types for completion', () => {
    const schema = JSON.stringify(buildSuiteJsonSchema());

    expect(schema).toContain('"enum":["rsa-2048","rsa-3072","rsa-4096","ecdsa-p256","ecdsa-p384","ed25519"]');
  });
});

describe('shipped scenarios', () => {
  it('gate suite measures long enough to gate on', async () => {
    const suite = await loadSuite('scenarios/gate.yaml');

    expect(suite.rounds).toBe(20);
    expect(suite.gate).toEqual({ threshold: 0.1, metrics: {} });
    expect(suite.cells.map((cell) => cell.tls.auth)).toEqual(['tls', 'mtls']);
  });

  const shipped = [
    { file: 'scenarios/default.yaml', cells: 48 },
    { file: 'scenarios/ciphers.yaml', cells: 24 },
    { file: 'scenarios/key-sizes.yaml', cells: 10 },
    { file: 'scenarios/resumption.yaml', cells: 10 },
    { file: 'scenarios/gate.yaml', cells: 2 },
  ];

  for (const { file, cells } of shipped) {
    it(`loads ${file}`, async () => {
      const suite = await loadSuite(file);

      expect(suite.cells).toHaveLength(cells);
      expect(suite.description).not.toBeNull();
    });

    it(`links ${file} to the schema`, async () => {
      const text = await readFile(file, 'utf8');

      expect(text.split('\n')[0]).toBe(SCHEMA_COMMENT);
    });
  }

  it('pairs every default cell with a baseline', async () => {
    const suite = await loadSuite('scenarios/default.yaml');
    const mtlsCells = suite.cells.filter((cell) => cell.tls.auth === 'mtls');

    expect(mtlsCells).toHaveLength(24);
    expect(mtlsCells.every((cell) => cell.baselineId !== null)).toBe(true);
  });

  it('keeps session IDs to TLS 1.2', async () => {
    const suite = await loadSuite('scenarios/resumption.yaml');
    const sessionIdVersions = suite.cells
      .filter((cell) => cell.tls.resumption === 'session-ids')
      .map((cell) => cell.tls.tlsVersion);

    expect(sessionIdVersions).toEqual(['tls1.2', 'tls1.2']);
  });
});

describe('defineSuite', () => {
  it('returns its input unchanged', () => {
    const input = { name: 'typed', matrix: { keyType: 'ed25519' as const } };

    expect(defineSuite(input)).toBe(input);
  });
});
