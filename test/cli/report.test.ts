import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.ts';

const scratch = mkdtempSync(path.join(os.tmpdir(), 'mtls-report-cli-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const BASE = 'test/report/fixtures/base.json';
const HEAD = 'test/report/fixtures/head.json';

describe('mtls-bench report', () => {
  it('prints the tables without an output option', async () => {
    const { code, stdout } = await runCli(['report', HEAD]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^suite "report-fixture"\nhandshake workload "handshake"\n/);
    expect(stdout).toContain('requests workload "requests"');
  });

  it('prints base against head for two files', async () => {
    const { code, stdout } = await runCli(['report', BASE, HEAD]);
    expect(code).toBe(0);
    expect(stdout).toContain('handshake workload "handshake"');
    expect(stdout).toMatch(/p50/);
  });

  it('writes every requested report', async () => {
    const files = ['report.html', 'report.md', 'report.csv', 'report.prom'].map((name) => path.join(scratch, name));
    const [html, markdown, csv, prometheus] = files as [string, string, string, string];
    const { code, stderr } = await runCli(['report', HEAD, '--html', html, '--markdown', markdown, '--csv', csv, '--prometheus', prometheus]);
    expect(code).toBe(0);
    for (const file of files) {
      expect(stderr).toContain(`report written to ${file}\n`);
      expect(readFileSync(file, 'utf8').length).toBeGreaterThan(100);
    }
    expect(readFileSync(html, 'utf8')).toMatch(/^<!doctype html>/i);
  });

  it('rejects no file, three files and CSV of two runs', async () => {
    expect(await runCli(['report'])).toMatchObject({
      code: 2,
      stderr: 'mtls-bench: report: got 0 results files; expected RESULTS.json, or BASE.json and HEAD.json (see mtls-bench report --help)\n',
    });
    expect((await runCli(['report', BASE, HEAD, HEAD])).code).toBe(2);
    const twoRuns = await runCli(['report', BASE, HEAD, '--csv', path.join(scratch, 'two.csv')]);
    expect(twoRuns).toMatchObject({
      code: 2,
      stderr: 'mtls-bench: report: --csv describes one run but two results files were given; pass one of them\n',
    });
    expect(existsSync(path.join(scratch, 'two.csv'))).toBe(false);
  });

  it('rejects an output that is an input or another output', async () => {
    const sameAsInput = await runCli(['report', HEAD, '--html', HEAD]);
    expect(sameAsInput.code).toBe(2);
    expect(sameAsInput.stderr).toBe(`mtls-bench: --html: ${JSON.stringify(HEAD)} is a results file being read; name another file\n`);
    const shared = path.join(scratch, 'shared.txt');
    const twice = await runCli(['report', HEAD, '--markdown', shared, '--csv', shared]);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toBe(`mtls-bench: --csv: ${JSON.stringify(shared)} is also the --markdown file; name a file per format\n`);
  });

  it('rejects report files for several suites on run', async () => {
    const { code, stderr } = await runCli(['run', 'scenarios/default.yaml', 'scenarios/resumption.yaml', '--html', path.join(scratch, 'x.html')]);
    expect(code).toBe(2);
    expect(stderr).toBe('mtls-bench: run: report options name one file each but 2 suites were given; run them one at a time\n');
  });
});
