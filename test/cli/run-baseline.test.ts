import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunResults } from '../../src/results/types.ts';
import { measuredCell, resultsFile, writeResults } from '../gate/results-fixture.ts';
import { runCli } from './run-cli.ts';

const scratch = mkdtempSync(path.join(os.tmpdir(), 'mtls-bench-run-baseline-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/**
 * Writes a suite of one TLS and one mTLS handshake cell, 5 rounds of up to 60 handshakes each.
 * The rank test needs at least 4 rounds per side to call any change at 95%.
 */
function writeSuite(name: string, extra = ''): string {
  const file = path.join(scratch, `${name}.yaml`);
  writeFileSync(
    file,
    [
      'name: gate-e2e',
      'matrix:',
      '  keyType: ecdsa-p256',
      '  tlsVersion: tls1.3',
      'workloads:',
      '  - kind: handshake',
      '    concurrency: 1',
      '    duration: 2s',
      '    count: 300',
      '    warmup: 10',
      'rounds: 5',
      extra,
    ].join('\n'),
  );
  return file;
}

const SUITE = writeSuite('plain');
const MTLS_ID = 'handshake/ecdsa-p256/tls1.3/default/x25519/none/d0/mtls';

describe('mtls-bench run --baseline checks before running', () => {
  it('rejects a baseline of another suite', async () => {
    const baseline = writeResults(scratch, 'other-suite.json', resultsFile([measuredCell({ auth: 'tls' }, {})], { suite: 'default' }));
    const out = path.join(scratch, 'not-run.json');
    const { code, stderr } = await runCli(['run', SUITE, '--baseline', baseline, '--out', out]);
    expect(code).toBe(2);
    expect(stderr).toBe(
      `mtls-bench: --baseline ${baseline}: results of suite "default", but this run is of suite "gate-e2e"; pass a results file of "gate-e2e"\n`,
    );
    expect(existsSync(out)).toBe(false);
  });

  it('rejects a baseline without the cells to run', async () => {
    const baseline = writeResults(
      scratch,
      'other-cells.json',
      resultsFile([measuredCell({ auth: 'tls', keyType: 'rsa-2048' }, {})], { suite: 'gate-e2e' }),
    );
    const { code, stderr } = await runCli(['run', SUITE, '--baseline', baseline]);
    expect(code).toBe(2);
    expect(stderr).toBe(
      `mtls-bench: --baseline ${baseline}: none of the 2 cells to run is in the baseline (it has 1, for example ` +
        'handshake/rsa-2048/tls1.3/default/x25519/none/d0/tls); use the --filter the baseline was run with, or none\n',
    );
  });

  it('rejects --out naming the baseline', async () => {
    const baseline = writeResults(scratch, 'kept.json', resultsFile([measuredCell({ auth: 'tls' }, {})], { suite: 'gate-e2e' }));
    const before = readFileSync(baseline, 'utf8');
    const { code, stderr } = await runCli(['run', SUITE, '--baseline', baseline, '--out', baseline]);
    expect(code).toBe(2);
    expect(stderr).toBe(`mtls-bench: --out: ${JSON.stringify(baseline)} is the --baseline file, which the run would overwrite; name another file\n`);
    expect(readFileSync(baseline, 'utf8')).toBe(before);
  });

  it('rejects a baseline of too few rounds', async () => {
    const baseline = writeResults(scratch, 'one-round.json', { ...resultsFile([measuredCell({ auth: 'tls' }, {})], { suite: 'gate-e2e' }), rounds: 1 });
    const { code, stderr } = await runCli(['run', SUITE, '--baseline', baseline]);
    expect(code).toBe(2);
    expect(stderr).toContain('base has 1 round per cell and head 5: so few rounds can never show a difference at 95%');
  });

  it('rejects an unreadable baseline', async () => {
    const baseline = path.join(scratch, 'truncated.json');
    writeFileSync(baseline, '{"schemaVersion": 2, "cells": [');
    const { code, stderr } = await runCli(['run', SUITE, '--baseline', baseline]);
    expect(code).toBe(2);
    expect(stderr).toBe(`mtls-bench: ${baseline}: is not valid JSON: it ends in the middle of a value, so it was probably truncated; run the suite again\n`);
  });

  it('rejects gate options without a baseline', async () => {
    const { code, stderr } = await runCli(['run', SUITE, '--threshold', '5%']);
    expect(code).toBe(2);
    expect(stderr).toBe('mtls-bench: run: --threshold needs --baseline FILE, the results to compare the run with\n');
  });

  it('rejects a baseline with several suites', async () => {
    const baseline = writeResults(scratch, 'several.json', resultsFile([], { suite: 'gate-e2e' }));
    const { code, stderr } = await runCli(['run', SUITE, SUITE, '--baseline', baseline]);
    expect(code).toBe(2);
    expect(stderr).toBe('mtls-bench: run: --baseline compares one suite but 2 suites were given; run them one at a time\n');
  });
});

describe('mtls-bench run --baseline gate', () => {
  const baseline = path.join(scratch, 'baseline.json');

  it('passes a run of the same servers against its baseline', async () => {
    const first = await runCli(['run', SUITE, '--no-crypto-floor', '--quiet', '--out', baseline], 120_000);
    expect(first.stderr).toContain(`results written to ${baseline}`);
    expect(first.code).toBe(0);

    // Absolute latency of two runs can differ by more than 10% on a busy machine. With the
    // threshold off, this checks the plumbing and not the noise.
    const out = path.join(scratch, 'second.json');
    const second = await runCli(['run', SUITE, '--no-crypto-floor', '--quiet', '--baseline', baseline, '--threshold', 'off', '--out', out], 120_000);
    expect(second.stderr).toContain(`results written to ${out}`);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('absolute mode: same machine');
    expect(second.stdout).toContain('gate passed: no metric is worse beyond its threshold');
  });

  it('fails a run slowed down on purpose, after saving its results', async () => {
    // Every echo server burns 3 ms of CPU per handshake, more than a whole ECDSA handshake takes.
    const slowed = writeSuite('slowed', 'simulate: { handshakeCpuUs: 3000 }');
    const out = path.join(scratch, 'slowed.json');
    const junit = path.join(scratch, 'slowed.xml');
    const markdown = path.join(scratch, 'slowed.md');
    const { code, stdout } = await runCli(
      ['run', slowed, '--no-crypto-floor', '--quiet', '--baseline', baseline, '--out', out, '--junit', junit, '--markdown', markdown],
      120_000,
    );
    expect(code).toBe(1);
    expect(stdout).toContain('gate FAILED');
    expect(stdout).toMatch(new RegExp(`  ${MTLS_ID.replaceAll('.', '\\.')} absolute handshake\\.full\\.p50: \\+\\d+\\.\\d% `));
    expect((JSON.parse(readFileSync(out, 'utf8')) as RunResults).suite.simulate).toEqual({ handshakeCpuUs: 3000, auth: ['tls', 'mtls'] });
    expect(readFileSync(junit, 'utf8')).toMatch(/<failure type="regression"/);
    expect(readFileSync(markdown, 'utf8')).toMatch(/^\*\*mtls-bench gate failed\*\*/);
  });
});
