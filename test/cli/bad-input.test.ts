/**
 * Bad input through the command line: each case exits with 2 and prints one message that names
 * the file or option, the value and what is accepted, without a stack trace. `run` only ever
 * gets suites that fail validation here, so nothing is measured.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

import { parseCommandArgs } from '../../src/cli/args.ts';
import { EXIT_CODES, exitCodeFor } from '../../src/cli/exit-codes.ts';
import { MtlsBenchError } from '../../src/errors.ts';
import { measuredCell, resultsFile, FULL_P50_US, writeResults } from '../gate/results-fixture.ts';
import { runCli } from './run-cli.ts';

const scratch = mkdtempSync(path.join(os.tmpdir(), 'mtls-bench-bad-input-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function writeText(name: string, text: string | Uint8Array): string {
  const file = path.join(scratch, name);
  writeFileSync(file, text);
  return file;
}

function expectNoStack(stderr: string): void {
  expect(stderr).not.toMatch(/\n\s+at /);
  expect(stderr).not.toContain('internal error');
}

const BASE = writeResults(scratch, 'base.json', resultsFile([measuredCell({ auth: 'tls' }, { 'handshake.full.p50': FULL_P50_US })]));

describe('validate and run with a bad suite', () => {
  const suite = writeText('bad.yaml', ['name: x', 'workloads:', '  - kind: handshake', '    duration: 99999999999h', '    count: 1e300'].join('\n'));
  const expected =
    `${suite}:4: workloads[0].duration: got "99999999999h"; the unit "h" is not accepted; expected ms, s or m, for example "30s" or "5m"\n` +
    `${suite}:5: workloads[0].count: got 1e+300; expected at most 100000000\n`;

  it('validate exits 2 with file, line, path and value', async () => {
    const { code, stdout, stderr } = await runCli(['validate', suite]);

    expect(code).toBe(EXIT_CODES.invalidInput);
    expect(stdout).toBe('');
    expect(stderr).toBe(expected);
  });

  it('run --quick exits 2 before measuring', async () => {
    const { code, stdout, stderr } = await runCli(['run', '--quick', '--rounds', '-1', suite]);

    expect(code).toBe(EXIT_CODES.invalidInput);
    expect(stdout).toBe('');
    expect(stderr).toBe(`mtls-bench: ${expected}`);
    expectNoStack(stderr);
  });

  it('validate exits 2 for malformed YAML', async () => {
    const malformed = writeText('malformed.yaml', 'name: x\nmatrix:\n  keyType: [rsa-2048\n');
    const { code, stderr } = await runCli(['validate', malformed]);

    expect(code).toBe(EXIT_CODES.invalidInput);
    expect(stderr).toMatch(new RegExp(`^${escapeRegExp(malformed)}:\\d+: invalid YAML: `));
    expectNoStack(stderr);
  });

  it('validate exits 2 for an alias without anchor', async () => {
    const alias = writeText('alias.yaml', 'name: *nothing\n');
    const { code, stderr } = await runCli(['validate', alias]);

    expect(code).toBe(EXIT_CODES.invalidInput);
    expect(stderr).toBe(`${alias}:1: invalid YAML: alias *nothing has no anchor &nothing before it\n`);
  });

  it('validate exits 2 for missing target files', async () => {
    const targetSuite = writeText(
      'target.yaml',
      ['name: x', 'target:', '  host: 127.0.0.1', '  port: 18443', '  ca: nope/ca.pem', '  cert: /dev/zero', '  key: nope/key.pem', 'matrix:', '  auth: mtls'].join('\n'),
    );
    const { code, stderr } = await runCli(['validate', targetSuite]);

    expect(code).toBe(EXIT_CODES.invalidInput);
    expect(stderr).toBe(
      `${targetSuite}:5: target.ca: ${path.join(scratch, 'nope/ca.pem')}: file not found (a relative path is relative to the suite file's directory)\n` +
        `${targetSuite}:6: target.cert: /dev/zero: is not a regular file (a device, socket or pipe); expected a PEM file\n` +
        `${targetSuite}:7: target.key: ${path.join(scratch, 'nope/key.pem')}: file not found (a relative path is relative to the suite file's directory)\n`,
    );
  });
});

describe('command-line options', () => {
  const RUN_OPTIONS = { rounds: { type: 'string' }, filter: { type: 'string' }, quick: { type: 'boolean' } } as const;

  function optionError(args: string[]): MtlsBenchError {
    try {
      parseCommandArgs('run', args, RUN_OPTIONS);
    } catch (error) {
      if (error instanceof MtlsBenchError) return error;
      throw error;
    }
    throw new Error(`${args.join(' ')} parsed without an error`);
  }

  it('passes a negative number on to the option check', () => {
    const { values, positionals } = parseCommandArgs('run', ['--rounds', '-1', 'suite.yaml'], RUN_OPTIONS);

    expect(values.rounds).toBe('-1');
    expect(positionals).toEqual(['suite.yaml']);
  });

  it('keeps an argument after -- as a file', () => {
    const { values, positionals } = parseCommandArgs('run', ['--', '--rounds', '-1'], RUN_OPTIONS);

    expect(values.rounds).toBeUndefined();
    expect(positionals).toEqual(['--rounds', '-1']);
  });

  it('rejects a value that looks like an option', () => {
    const error = optionError(['--filter', '-x']);

    expect(error.message).toBe(
      'run: --filter needs a value, but the next argument "-x" starts with a dash; write --filter=-x if that is the value (see mtls-bench run --help)',
    );
    expect(exitCodeFor(error)).toBe(EXIT_CODES.invalidInput);
  });

  it('suggests the nearest option', () => {
    expect(optionError(['--round', '3']).message).toBe('run: unknown option "--round"; did you mean "--rounds"? (see mtls-bench run --help)');
  });

  it('lists the options when none is near', () => {
    expect(optionError(['--colour']).message).toBe(
      'run: unknown option "--colour"; expected --rounds, --filter, --quick, or a file name after -- (see mtls-bench run --help)',
    );
  });

  it('rejects a value on a switch', () => {
    expect(optionError(['--quick=yes']).message).toBe('run: --quick is a switch and takes no value; write --quick alone (see mtls-bench run --help)');
  });

  it('rejects an option without its value', () => {
    expect(optionError(['--rounds']).message).toBe('run: --rounds needs a value, as in --rounds VALUE (see mtls-bench run --help)');
  });

  it('run suggests the nearest option', async () => {
    const suite = writeText('option-bad.yaml', 'name: x\nrounds: 0\n');
    const { code, stderr } = await runCli(['run', '--quick', '--round', '3', suite]);

    expect(code).toBe(EXIT_CODES.invalidInput);
    expect(stderr).toBe('mtls-bench: run: unknown option "--round"; did you mean "--rounds"? (see mtls-bench run --help)\n');
  });
});

describe('compare with a bad results file', () => {
  it('gives the line and column of a JSON error', async () => {
    const file = writeText('token.json', '{\n  "schemaVersion": 2,\n  "cells": [1 2]\n}\n');
    const { code, stderr } = await runCli(['compare', BASE, file]);

    expect(code).toBe(EXIT_CODES.invalidInput);
    expect(stderr).toBe(
      `mtls-bench: ${file}: is not valid JSON (Expected ',' or ']' after array element at line 3, column 15); expected the results JSON that \`mtls-bench run\` writes\n`,
    );
  });

  it('locates an unexpected token', async () => {
    const file = writeText('yaml.json', '{\n  "schemaVersion": 2,\n  "quick": tru\n}\n');
    const { stderr } = await runCli(['compare', BASE, file]);

    expect(stderr).toBe(
      `mtls-bench: ${file}: is not valid JSON (unexpected character "\\n" at line 3, column 15); expected the results JSON that \`mtls-bench run\` writes\n`,
    );
  });

  it('escapes binary content', async () => {
    const file = writeText('binary.json', Uint8Array.from([0, 1, 2, 3, 27, 91, 50, 74]));
    const { code, stderr } = await runCli(['compare', BASE, file]);

    expect(code).toBe(EXIT_CODES.invalidInput);
    expect(stderr).toBe(
      `mtls-bench: ${file}: is not valid JSON (unexpected character "\\u0000" at line 1, column 1); expected the results JSON that \`mtls-bench run\` writes\n`,
    );
  });

  it('reports a truncated file', async () => {
    const text = JSON.stringify(resultsFile([measuredCell({ auth: 'tls' }, { 'handshake.full.p50': FULL_P50_US })]), null, 2);
    const file = writeText('truncated.json', text.slice(0, Math.floor(text.length / 2)));
    const { code, stderr } = await runCli(['compare', BASE, file]);

    expect(code).toBe(EXIT_CODES.invalidInput);
    expect(stderr).toBe(`mtls-bench: ${file}: is not valid JSON: it ends in the middle of a value, so it was probably truncated; run the suite again\n`);
  });

  it('reports a newer schema version', async () => {
    const file = writeResults(scratch, 'v3.json', { ...resultsFile([]), schemaVersion: 3 } as never);
    const { code, stderr } = await runCli(['compare', BASE, file]);

    expect(code).toBe(EXIT_CODES.invalidInput);
    expect(stderr).toBe(`mtls-bench: ${file}: has schema version 3, written by a newer mtls-bench; this one reads version 2, so upgrade mtls-bench\n`);
  });

  it('reports missing rounds', async () => {
    const { rounds: _rounds, ...withoutRounds } = resultsFile([measuredCell({ auth: 'tls' }, { 'handshake.full.p50': FULL_P50_US })]);
    const file = writeText('no-rounds.json', JSON.stringify(withoutRounds));
    const { code, stderr } = await runCli(['compare', BASE, file]);

    expect(code).toBe(EXIT_CODES.invalidInput);
    expect(stderr).toBe(`mtls-bench: ${file}: is not a usable results file:\n  rounds: missing; expected a number\n`);
  });

  it('rejects a device', async () => {
    const { code, stderr } = await runCli(['compare', BASE, '/dev/zero']);

    expect(code).toBe(EXIT_CODES.invalidInput);
    expect(stderr).toBe('mtls-bench: /dev/zero: is not a regular file (a device, socket or pipe); expected a results JSON file\n');
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
