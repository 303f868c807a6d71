import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Comparison } from '../../src/gate/types.ts';
import { cellId, FULL_P50_US, FULL_P50_US_OVERLAPPING, measuredCell, resultsFile, scaled, writeResults } from '../gate/results-fixture.ts';
import { runCli } from './run-cli.ts';

const scratch = mkdtempSync(path.join(os.tmpdir(), 'mtls-bench-compare-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const TLS = { auth: 'tls' } as const;
const MTLS = { auth: 'mtls' } as const;

/** A base file whose TLS and mTLS full-handshake p50 are `FULL_P50_US` and twice that. */
const BASE = writeResults(
  scratch,
  'base.json',
  resultsFile([measuredCell(TLS, { 'handshake.full.p50': FULL_P50_US }), measuredCell(MTLS, { 'handshake.full.p50': scaled(FULL_P50_US, 2) })]),
);

/** Writes a head file whose mTLS cell's values are the base's times `mtlsFactor`. */
function headFile(name: string, mtlsFactor: number, tlsValues = FULL_P50_US, spec: Parameters<typeof resultsFile>[1] = {}): string {
  return writeResults(
    scratch,
    name,
    resultsFile(
      [measuredCell(TLS, { 'handshake.full.p50': tlsValues }), measuredCell(MTLS, { 'handshake.full.p50': scaled(FULL_P50_US, 2 * mtlsFactor) })],
      spec,
    ),
  );
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function writeText(name: string, text: string): string {
  const file = path.join(scratch, name);
  writeFileSync(file, text);
  return file;
}

describe('mtls-bench compare exit codes', () => {
  it('exits 1 on a regression beyond the threshold', async () => {
    const { code, stdout, stderr } = await runCli(['compare', BASE, headFile('regression.json', 1.25)]);
    expect(stderr).toBe('');
    expect(code).toBe(1);
    expect(stdout).toContain('gate FAILED: 1 metric is worse beyond its threshold');
    expect(stdout).toMatch(new RegExp(`  ${cellId(MTLS)} absolute handshake\\.full\\.p50: \\+25\\.0% \\[.*\\], threshold 10%\\n$`));
  });

  it('exits 0 on a regression within the threshold', async () => {
    const { code, stdout } = await runCli(['compare', BASE, headFile('within.json', 1.05)]);
    expect(code).toBe(0);
    expect(stdout).toContain('1 worse, 0 better, 1 ~');
    expect(stdout).toContain('gate passed: no metric is worse beyond its threshold');
  });

  it('exits 0 on overlapping rounds', async () => {
    const head = writeResults(
      scratch,
      'overlapping.json',
      resultsFile([
        measuredCell(TLS, { 'handshake.full.p50': FULL_P50_US_OVERLAPPING }),
        measuredCell(MTLS, { 'handshake.full.p50': scaled(FULL_P50_US_OVERLAPPING, 2) }),
      ]),
    );
    const { code, stdout } = await runCli(['compare', BASE, head]);
    expect(code).toBe(0);
    expect(stdout).toContain('0 worse, 0 better, 2 ~');
  });

  it('exits 0 on an improvement', async () => {
    const { code, stdout } = await runCli(['compare', BASE, headFile('better.json', 0.7)]);
    expect(code).toBe(0);
    expect(stdout).toContain('0 worse, 1 better, 1 ~');
  });

  it('exits 0 when a threshold option allows the change', async () => {
    const { code, stdout } = await runCli(['compare', BASE, headFile('allowed.json', 1.25), '--threshold', 'handshake.full.p50=30%']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/│ mtls +│ 2000 │ 2500 │ \+25\.0% \[.*\] │ worse +│ 30% +│/);
  });

  it('compares overhead ratios across machines', async () => {
    // The head machine is 40% slower for both cells: the mTLS/TLS ratio stays at 2.
    const head = headFile('other-machine.json', 1.4, scaled(FULL_P50_US, 1.4), { machineId: 'c3d4e5f60718a1b2' });
    const normalized = await runCli(['compare', BASE, head]);
    expect(normalized.code).toBe(0);
    expect(normalized.stdout).toContain('normalized mode: different machines (machine ids a1b2c3d4… vs c3d4e5f6…)');
    expect(normalized.stdout).toContain('handshake.full.p50, mTLS/TLS overhead ratio');

    const absolute = await runCli(['compare', BASE, head, '--mode', 'absolute']);
    expect(absolute.code).toBe(1);
    expect(absolute.stdout).toContain('gate FAILED: 2 metrics are worse beyond their thresholds');
  });
});

describe('mtls-bench compare input errors', () => {
  const head = headFile('head.json', 1);

  it.each([
    ['different suites', () => headFile('other-suite.json', 1, FULL_P50_US, { suite: 'ciphers' }), (file: string) =>
      `mtls-bench: base and head are results of different suites ("gate-test" and "ciphers"); compare two runs of the same suite (base: ${BASE}, head: ${file})\n`],
    ['no common cell', () => writeResults(scratch, 'disjoint.json', resultsFile([measuredCell({ auth: 'tls', keyType: 'ed25519' }, { throughput: [1, 2] })])), (file: string) =>
      'mtls-bench: base and head have no cell in common: base has handshake/ecdsa-p256/tls1.3/default/x25519/none/d0/tls, ' +
      'handshake/ecdsa-p256/tls1.3/default/x25519/none/d0/mtls; head has handshake/ed25519/tls1.3/default/x25519/none/d0/tls. ' +
      `Run both with the same --filter, or none. (base: ${BASE}, head: ${file})\n`],
    ['not JSON', () => writeText('results.txt', 'suite "default"\n'), (file: string) =>
      // The part in brackets is V8's own message, whose wording varies between Node versions.
      new RegExp(`^mtls-bench: ${escapeRegExp(file)}: is not valid JSON \\([^]+\\); expected the results JSON that \`mtls-bench run\` writes\n$`)],
    ['truncated JSON', () => writeText('truncated.json', readFileSync(head, 'utf8').slice(0, 400)), (file: string) =>
      `mtls-bench: ${file}: is not valid JSON: it ends in the middle of a value, so it was probably truncated; run the suite again\n`],
    ['schema version 1', () => writeResults(scratch, 'v1.json', { ...resultsFile([]), schemaVersion: 1 }), (file: string) =>
      `mtls-bench: ${file}: has schema version 1, written by an older mtls-bench without rounds; run the suite again\n`],
    ['a missing file', () => path.join(scratch, 'missing.json'), (file: string) => `mtls-bench: ${file}: results file not found\n`],
    ['a mistyped round value', () => {
      const results = resultsFile([measuredCell(TLS, { 'handshake.full.p50': FULL_P50_US })]);
      const broken = JSON.parse(JSON.stringify(results)) as { cells: { rounds: { values: Record<string, unknown> }[] }[] };
      const round = broken.cells[0]?.rounds[1];
      if (round !== undefined) round.values['handshake.full.p50'] = '1000us';
      return writeResults(scratch, 'mistyped.json', broken);
    }, (file: string) => `mtls-bench: ${file}: is not a usable results file:\n  cells[0].rounds[1].values.handshake.full.p50: got "1000us"; expected a number\n`],
  ])('rejects %s with exit 2', async (_case, makeFile, expectedMessage) => {
    const file = makeFile();
    const { code, stdout, stderr } = await runCli(['compare', BASE, file]);
    expect(code).toBe(2);
    const expected = expectedMessage(file);
    if (typeof expected === 'string') expect(stderr).toBe(expected);
    else expect(stderr).toMatch(expected);
    expect(stdout).toBe('');
  });

  it('rejects a bad threshold before reading the files', async () => {
    const { code, stderr } = await runCli(['compare', 'missing-base.json', 'missing-head.json', '--threshold', 'requests.p999=5%']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^mtls-bench: --threshold "requests\.p999=5%": unknown metric "requests\.p999"; did you mean "requests\.p99"\?/);
  });

  it('rejects an unknown mode', async () => {
    const { code, stderr } = await runCli(['compare', BASE, head, '--mode', 'relative']);
    expect(code).toBe(2);
    expect(stderr).toBe('mtls-bench: --mode: got "relative"; expected one of "auto", "absolute", "normalized"\n');
  });

  it('rejects one file', async () => {
    const { code, stderr } = await runCli(['compare', BASE]);
    expect(code).toBe(2);
    expect(stderr).toBe('mtls-bench: compare: expected two results files, BASE and HEAD; got 1 (see mtls-bench compare --help)\n');
  });

  it('rejects an output that would overwrite an input', async () => {
    const { code, stderr } = await runCli(['compare', BASE, head, '--junit', head]);
    expect(code).toBe(2);
    expect(stderr).toBe(`mtls-bench: --junit: ${JSON.stringify(head)} is a results file being compared; name another file\n`);
  });
});

describe('mtls-bench compare outputs', () => {
  it('prints the comparison JSON on stdout with --json', async () => {
    const { code, stdout, stderr } = await runCli(['compare', BASE, headFile('json.json', 1.25), '--json']);
    expect(code).toBe(1);
    const comparison = JSON.parse(stdout) as Comparison;
    expect(comparison.formatVersion).toBe(1);
    expect(comparison.passed).toBe(false);
    expect(comparison.metrics.map((entry) => [entry.cellId, entry.verdict, entry.failed])).toEqual([
      [cellId(TLS), '~', false],
      [cellId(MTLS), 'worse', true],
    ]);
    expect(stderr).toContain('gate FAILED');
  });

  it('writes JSON, Markdown and JUnit files', async () => {
    const out = path.join(scratch, 'outputs', 'comparison.json');
    const markdown = path.join(scratch, 'outputs', 'summary.md');
    const junit = path.join(scratch, 'outputs', 'junit.xml');
    const { code } = await runCli(['compare', BASE, headFile('files.json', 1.25), '--out', out, '--markdown', markdown, '--junit', junit]);
    expect(code).toBe(1);
    expect((JSON.parse(readFileSync(out, 'utf8')) as Comparison).counts.failed).toBe(1);
    expect(readFileSync(markdown, 'utf8')).toMatch(/^\*\*mtls-bench gate failed\*\* for suite "gate-test": 1 of 2 metrics/);
    const xml = readFileSync(junit, 'utf8');
    expect(xml.match(/<testcase /g)).toHaveLength(2);
    expect(xml.match(/<failure /g)).toHaveLength(1);
  });

  it('appends the Markdown summary to GITHUB_STEP_SUMMARY', async () => {
    const summary = writeText('step-summary.md', '## Earlier step\n\n');
    const { code } = await runCli(['compare', BASE, headFile('summary.json', 1.25)], 60_000, { GITHUB_STEP_SUMMARY: summary });
    expect(code).toBe(1);
    const text = readFileSync(summary, 'utf8');
    expect(text.startsWith('## Earlier step\n\n**mtls-bench gate failed**')).toBe(true);
    expect(text).toContain('</details>');
  });
});
