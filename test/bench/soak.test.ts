import { execFile, spawn } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSoakOptions, SoakOptionError } from '../../scripts/soak/options.ts';
import { listDescendants, listPrivateDirs, readResources } from '../../scripts/soak/resources.ts';
import type { SoakSample } from '../../scripts/soak/samples.ts';
import { judgeSoak, SOAK_LIMITS } from '../../scripts/soak/verdict.ts';
import type { SoakVerdict } from '../../scripts/soak/verdict.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function sample(label: SoakSample['label'], fields: Partial<SoakSample> = {}): SoakSample {
  const iteration = typeof label === 'number';
  return {
    label,
    elapsedS: iteration ? label * 30 : 0,
    rssMiB: 160,
    heapUsedMiB: 22,
    openFds: 31,
    threads: 12,
    newChildren: [],
    newTempDirs: [],
    failedCells: iteration ? 0 : null,
    cellCount: iteration ? 48 : null,
    ...fields,
  };
}

/** Builds the samples of a soak of `iterations` iterations where nothing leaked, with `endFields` set in the end sample. */
function soak(iterations: number, endFields: Partial<SoakSample> = {}): SoakSample[] {
  const rows = Array.from({ length: iterations }, (_, index) => sample(index + 1));
  return [sample('start', { rssMiB: 120, heapUsedMiB: 18 }), ...rows, sample('end', endFields)];
}

function check(verdict: SoakVerdict, name: string) {
  const found = verdict.checks.find((candidate) => candidate.name === name);
  if (found === undefined) throw new Error(`no check named ${name}`);
  return found;
}

describe('judgeSoak', () => {
  it('passes a soak where nothing leaked', () => {
    const verdict = judgeSoak(soak(4));
    expect(verdict.checks.filter((candidate) => !candidate.passed)).toEqual([]);
    expect(verdict.passed).toBe(true);
  });

  it('fails on one leaked file descriptor', () => {
    const verdict = judgeSoak(soak(4, { openFds: 32 }));
    expect(verdict.passed).toBe(false);
    expect(check(verdict, 'open file descriptors')).toMatchObject({ passed: false, detail: '31 at start, 32 at end (expected no increase)' });
  });

  it('accepts fewer descriptors at the end', () => {
    expect(check(judgeSoak(soak(4, { openFds: 30 })), 'open file descriptors').passed).toBe(true);
  });

  it('fails on a leaked child process', () => {
    const verdict = judgeSoak(soak(4, { newChildren: ['node (pid 4711, state S)'] }));
    expect(verdict.passed).toBe(false);
    expect(check(verdict, 'child processes')).toMatchObject({ passed: false, detail: '1 new at end: node (pid 4711, state S)' });
  });

  it('fails on a leaked temporary directory', () => {
    const verdict = judgeSoak(soak(4, { newTempDirs: ['mtls-bench-a1B2c3'] }));
    expect(verdict.passed).toBe(false);
    expect(check(verdict, 'temporary directories').passed).toBe(false);
  });

  it('fails on a leaked thread', () => {
    const verdict = judgeSoak(soak(4, { threads: 13 }));
    expect(verdict.passed).toBe(false);
    expect(check(verdict, 'threads').passed).toBe(false);
  });

  it('fails on a failed cell', () => {
    const samples = soak(4);
    samples[2] = sample(2, { failedCells: 1 });
    const verdict = judgeSoak(samples);
    expect(verdict.passed).toBe(false);
    expect(check(verdict, 'failed cells')).toMatchObject({ passed: false, detail: '1 of 192 over 4 iteration(s)' });
  });

  it('measures RSS growth from the second iteration', () => {
    const samples = soak(4);
    // The first iteration's jump from the start is warm-up and does not count.
    samples[1] = sample(1, { rssMiB: 100 });
    samples[4] = sample(4, { rssMiB: 160 * (1 + SOAK_LIMITS.rssGrowth) - 0.1 });
    expect(check(judgeSoak(samples), 'RSS after GC').passed).toBe(true);

    samples[4] = sample(4, { rssMiB: 160 * (1 + SOAK_LIMITS.rssGrowth) + 0.1 });
    const verdict = judgeSoak(samples);
    expect(verdict.passed).toBe(false);
    expect(check(verdict, 'RSS after GC').detail).toBe('iteration 2 to 4: 160.0 to 176.1 MiB (+10.1%; at most +10.0% allowed)');
  });

  it('fails on heap growth', () => {
    const samples = soak(3);
    samples[3] = sample(3, { heapUsedMiB: 30 });
    expect(check(judgeSoak(samples), 'heap used after GC').passed).toBe(false);
  });

  it('cannot judge memory from two iterations', () => {
    const verdict = judgeSoak(soak(2));
    expect(verdict.passed).toBe(false);
    expect(check(verdict, 'RSS after GC').detail).toMatch(/^not judged: 2 iteration\(s\) finished and 3 are needed/);
  });

  it('fails a soak without iterations', () => {
    const verdict = judgeSoak([sample('start'), sample('end')]);
    expect(check(verdict, 'iterations').passed).toBe(false);
  });

  it('rejects samples without start and end', () => {
    expect(() => judgeSoak([sample(1), sample('end')])).toThrow('must begin with the start sample');
  });
});

describe('parseSoakOptions', () => {
  it('fills in the defaults', () => {
    expect(parseSoakOptions([])).toEqual({
      suiteFile: path.join(ROOT, 'scenarios/default.yaml'),
      minutes: 10,
      iterations: null,
      filter: null,
      full: false,
      json: null,
      help: false,
    });
  });

  it.each([
    [['--minutes', '0'], '--minutes: got "0"; expected a number of minutes above 0'],
    [['--minutes', '1e3'], '--minutes: got "1e3"'],
    [['--minutes', '1441'], '--minutes: got "1441"'],
    [['--iterations', '0'], '--iterations: got "0"; expected a whole number from 1 to 100000'],
    [['a.yaml', 'b.yaml'], 'a soak runs one suite'],
    [['--quick'], 'unknown option --quick'],
  ])('rejects %j', (argv, message) => {
    expect(() => parseSoakOptions(argv)).toThrow(SoakOptionError);
    expect(() => parseSoakOptions(argv)).toThrow(message);
  });
});

describe('soak resource readings', () => {
  it('counts an open file descriptor', () => {
    const directory = os.tmpdir();
    const before = readResources(directory).openFds;
    const fd = openSync(fileURLToPath(import.meta.url), 'r');
    try {
      expect(readResources(directory).openFds).toBe(before + 1);
    } finally {
      closeSync(fd);
    }
    expect(readResources(directory).openFds).toBe(before);
  });

  it('finds a child and a grandchild', async () => {
    // sh starts sleep in the background and waits for it, so sleep is a grandchild of this process.
    const shell = spawn('sh', ['-c', 'sleep 20 & wait'], { stdio: 'ignore' });
    try {
      let found: ReturnType<typeof listDescendants> = [];
      for (let attempt = 0; attempt < 50 && !found.some((descendant) => descendant.command === 'sleep'); attempt += 1) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        found = listDescendants().filter((descendant) => descendant.pid === shell.pid || descendant.command === 'sleep');
      }
      expect(found.map((descendant) => descendant.command).sort()).toEqual(['sh', 'sleep']);
      const sleep = found.find((descendant) => descendant.command === 'sleep');
      if (sleep !== undefined) process.kill(sleep.pid);
    } finally {
      shell.kill();
    }
  });

  it('lists only private directory names', () => {
    const directory = mkdtempSync(path.join(os.tmpdir(), 'soak-test-'));
    try {
      for (const name of ['mtls-bench-a1B2c3', 'mtls-bench-soak-a1B2c3', 'mtls-bench-abc', 'other-a1B2c3']) {
        mkdirSync(path.join(directory, name));
      }
      writeFileSync(path.join(directory, 'mtls-bench-Zz9Zz9'), '');
      expect(listPrivateDirs(directory)).toEqual(['mtls-bench-a1B2c3']);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});

/** A suite of one ECDSA P-256 TLS 1.3 pair with the smallest bounds, so an iteration takes about a second. */
const TINY_SUITE = `name: soak-test
rounds: 1
matrix:
  keyType: ecdsa-p256
  tlsVersion: tls1.3
  resumption: none
  auth: [tls, mtls]
workloads:
  - kind: handshake
    concurrency: 1
    count: 20
    warmup: 2
`;

describe('soak script', () => {
  let directory: string;
  let outcome: { code: number; stdout: string; stderr: string };

  beforeAll(async () => {
    directory = mkdtempSync(path.join(os.tmpdir(), 'soak-test-'));
    writeFileSync(path.join(directory, 'tiny.yaml'), TINY_SUITE);
    const args = ['--import', 'tsx', 'scripts/soak.ts', '--minutes', '1', '--iterations', '3', '--json', path.join(directory, 'soak.json'), path.join(directory, 'tiny.yaml')];
    outcome = await new Promise((resolve) => {
      execFile(process.execPath, args, { cwd: ROOT, timeout: 50_000 }, (error, stdout, stderr) => {
        let code = 0;
        if (error !== null) code = typeof error.code === 'number' ? error.code : -1;
        resolve({ code, stdout, stderr });
      });
    });
  }, 60_000);

  afterAll(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  it('exits 0 with a passing verdict', () => {
    expect(outcome.stderr).toBe('');
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toContain('verdict: pass, nothing leaked');
  });

  it('prints a row per sample', () => {
    const rows = outcome.stdout.split('\n').filter((line) => /^(start|end|\d+)\s/.test(line));
    expect(rows.map((row) => row.split(/\s+/)[0])).toEqual(['start', '1', '2', '3', 'end']);
    expect(rows[1]).toMatch(/\s0 of 2$/);
  });

  it('writes real figures to the JSON file', () => {
    const report = JSON.parse(readFileSync(path.join(directory, 'soak.json'), 'utf8')) as {
      samples: SoakSample[];
      verdict: SoakVerdict;
      cellCount: number;
    };
    expect(report.cellCount).toBe(2);
    expect(report.samples.map((entry) => entry.label)).toEqual(['start', 1, 2, 3, 'end']);
    for (const entry of report.samples) {
      expect(entry.rssMiB).toBeGreaterThan(20);
      expect(entry.heapUsedMiB).toBeGreaterThan(1);
      expect(entry.openFds).toBeGreaterThan(3);
      expect(entry.threads).toBeGreaterThan(1);
    }
    const last = report.samples[3];
    expect(last?.elapsedS).toBeGreaterThan(0);
    expect(last?.failedCells).toBe(0);
    expect(report.verdict.passed).toBe(true);
  });
});
