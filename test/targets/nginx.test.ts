/**
 * Runs scenarios/nginx.yaml against a real nginx that scripts/nginx-target.sh starts on
 * 127.0.0.1:18443 (mTLS) and :18444 (server-only TLS), then against the same nginx with
 * `ssl_verify_client optional_no_ca`, which lets wrong clients through and must fail every
 * mtls cell. nginx comes from Debian's packages through scripts/install-nginx.sh, which
 * .ci/run calls before the tests.
 *
 * The tests share the repository's .nginx-target/ with a hand-started nginx target, so they
 * restart and finally stop one that is running.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { ConfigurationProbes, ProbeOutcome } from '../../src/probes/types.ts';
import type { CellResult, MeasuredCell, RunResults } from '../../src/results/types.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = path.join(root, 'bin/mtls-bench.js');
const targetScript = path.join(root, 'scripts/nginx-target.sh');
const suiteFile = 'scenarios/nginx.yaml';

// Starting nginx makes a PKI and waits for both ports. A quick run of the suite took about 6 s
// on 2 cores, so both limits leave room for a slow CI machine.
const SCRIPT_TIMEOUT_MS = 30_000;
const CLI_TIMEOUT_MS = 45_000;

/** 2 TLS versions x 2 resumption modes x tls/mtls x 2 workloads. */
const EXPECTED_CELLS = 16;
const EXPECTED_PROTOCOL = { 'tls1.2': 'TLSv1.2', 'tls1.3': 'TLSv1.3' } as const;
const WRONG_CLIENT_PROBES = ['no-certificate', 'other-ca', 'expired', 'server-auth-only', 'unsent-intermediate'];

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

function run(file: string, args: string[], timeoutMs: number): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { cwd: root, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1' } },
      (error, stdout, stderr) => {
        // A process killed by the timeout or a signal has no numeric exit code.
        let code = -1;
        if (error === null) code = 0;
        else if (typeof error.code === 'number') code = error.code;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

function cli(args: string[]): Promise<Outcome> {
  return run(process.execPath, [bin, ...args], CLI_TIMEOUT_MS);
}

async function nginxTarget(...args: string[]): Promise<void> {
  const outcome = await run('bash', [targetScript, ...args], SCRIPT_TIMEOUT_MS);
  if (outcome.code !== 0) {
    throw new Error(`bash scripts/nginx-target.sh ${args.join(' ')} exited ${outcome.code}:\n${outcome.stdout}${outcome.stderr}`);
  }
}

function nginxInstalled(): boolean {
  const pathDirectories = (process.env.PATH ?? '').split(path.delimiter).filter((entry) => entry !== '');
  return [...pathDirectories, '/usr/sbin'].some((directory) => existsSync(path.join(directory, 'nginx')));
}

function probe(cell: CellResult, name: string): ProbeOutcome | undefined {
  return cell.probes.find((outcome) => outcome.name === name);
}

const scratch = mkdtempSync(path.join(os.tmpdir(), 'mtls-bench-nginx-test-'));
const installed = nginxInstalled();
if (!installed) {
  console.warn('nginx target tests skipped: nginx is not installed; run "bash scripts/install-nginx.sh" as root');
}
const describeWithNginx = installed ? describe : describe.skip;

afterAll(async () => {
  try {
    if (installed) await nginxTarget('stop');
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
});

describeWithNginx(`nginx target${installed ? '' : ' (skipped: nginx is not installed, see scripts/install-nginx.sh)'}`, () => {
  describe('with ssl_verify_client on', () => {
    let results: RunResults;
    let runOutcome: Outcome;

    beforeAll(async () => {
      await nginxTarget('start');
      const out = path.join(scratch, 'nginx.json');
      runOutcome = await cli(['run', suiteFile, '--quick', '--json', '--quiet', '--out', out]);
      results = JSON.parse(readFileSync(out, 'utf8')) as RunResults;
    }, 2 * CLI_TIMEOUT_MS);

    it('run exits 0', () => {
      expect(runOutcome.code, runOutcome.stderr).toBe(0);
      expect((JSON.parse(runOutcome.stdout) as RunResults).cells).toHaveLength(EXPECTED_CELLS);
    });

    it('measures every cell', () => {
      expect(results.cells).toHaveLength(EXPECTED_CELLS);
      for (const cell of results.cells) {
        expect(cell.state, `${cell.id}: ${cell.state === 'failed' ? cell.error.message : ''}`).toBe('measured');
        expect(cell.checks.length, cell.id).toBeGreaterThan(0);
        for (const check of cell.checks) {
          expect(check.passed, `${cell.id}: ${check.phase} ${check.name}: ${check.actual}`).toBe(true);
        }
      }
    });

    it('negotiates the requested TLS version', () => {
      for (const cell of results.cells) {
        const measured = cell as MeasuredCell;
        expect(measured.negotiated?.protocol, cell.id).toBe(EXPECTED_PROTOCOL[cell.scenario.tlsVersion]);
      }
    });

    it('resumes ticket handshakes only', () => {
      const handshakeCells = results.cells.filter((cell) => cell.scenario.workloadKind === 'handshake');
      expect(handshakeCells).toHaveLength(EXPECTED_CELLS / 2);
      for (const cell of handshakeCells) {
        const handshake = (cell as MeasuredCell).handshake;
        expect(handshake, cell.id).toBeDefined();
        expect(handshake!.count, cell.id).toBeGreaterThan(0);
        expect(handshake!.errors, cell.id).toBe(0);
        if (cell.scenario.resumption === 'tickets') {
          expect(handshake!.resumedShare, cell.id).toBeGreaterThanOrEqual(0.95);
        } else {
          expect(handshake!.resumed, cell.id).toBe(0);
        }
      }
    });

    it('serves the requests workload without errors', () => {
      const requestCells = results.cells.filter((cell) => cell.scenario.workloadKind === 'requests');
      expect(requestCells).toHaveLength(EXPECTED_CELLS / 2);
      for (const cell of requestCells) {
        const requests = (cell as MeasuredCell).requests;
        expect(requests, cell.id).toBeDefined();
        expect(requests!.count, cell.id).toBeGreaterThan(0);
        expect(requests!.errors, cell.id).toBe(0);
        expect(requests!.non2xx, cell.id).toBe(0);
      }
    });

    it('passes every probe of every mtls cell', () => {
      const mtlsCells = results.cells.filter((cell) => cell.scenario.auth === 'mtls');
      expect(mtlsCells).toHaveLength(EXPECTED_CELLS / 2);
      for (const cell of mtlsCells) {
        expect(cell.probes.map((outcome) => outcome.name), cell.id).toEqual([...WRONG_CLIENT_PROBES, 'right-certificate']);
        for (const outcome of cell.probes) {
          expect(outcome.passed, `${cell.id}: ${outcome.name}: ${outcome.actual} ${outcome.code ?? ''}`).toBe(true);
        }
        expect(probe(cell, 'right-certificate')?.actual, cell.id).toBe('accepted');
      }
    });

    it('sees nginx reject wrong clients with HTTP 400', () => {
      // nginx completes the handshake with any client certificate, or none, and responds to
      // the request with 400 when verification failed, instead of sending a TLS alert.
      for (const cell of results.cells.filter((candidate) => candidate.scenario.auth === 'mtls')) {
        for (const name of WRONG_CLIENT_PROBES) {
          const outcome = probe(cell, name);
          expect(outcome?.actual, `${cell.id}: ${name}`).toBe('rejected');
          expect(outcome?.code, `${cell.id}: ${name}`).toBe('HTTP_400');
        }
      }
    });

    it('probes no tls cell', () => {
      for (const cell of results.cells.filter((candidate) => candidate.scenario.auth === 'tls')) {
        expect(cell.probes, cell.id).toEqual([]);
      }
    });

    it('probe command exits 0', async () => {
      const outcome = await cli(['probe', suiteFile, '--json']);
      expect(outcome.code, outcome.stderr).toBe(0);
      const configurations = JSON.parse(outcome.stdout) as ConfigurationProbes[];
      // tls1.2 and tls1.3, each with none and tickets.
      expect(configurations).toHaveLength(4);
      for (const configuration of configurations) {
        expect(configuration.outcomes.filter((outcome) => outcome.passed)).toHaveLength(WRONG_CLIENT_PROBES.length + 1);
      }
    });
  });

  describe('with ssl_verify_client optional_no_ca', () => {
    let results: RunResults;
    let runOutcome: Outcome;

    beforeAll(async () => {
      await nginxTarget('start', '--verify-client', 'optional_no_ca');
      const out = path.join(scratch, 'nginx-optional-no-ca.json');
      runOutcome = await cli(['run', suiteFile, '--quick', '--quiet', '--out', out]);
      results = JSON.parse(readFileSync(out, 'utf8')) as RunResults;
    }, 2 * CLI_TIMEOUT_MS);

    it('run exits 3', () => {
      expect(runOutcome.code, runOutcome.stderr).toBe(3);
    });

    it('fails every mtls cell with PROBE_FAILED', () => {
      const mtlsCells = results.cells.filter((cell) => cell.scenario.auth === 'mtls');
      expect(mtlsCells).toHaveLength(EXPECTED_CELLS / 2);
      for (const cell of mtlsCells) {
        expect(cell.state, cell.id).toBe('failed');
        if (cell.state === 'failed') expect(cell.error.code, cell.id).toBe('PROBE_FAILED');
      }
    });

    it('records which wrong clients got through', () => {
      // optional_no_ca makes a client certificate optional and lets its chain end at a CA that
      // nginx does not trust, but other verification errors (expiry, purpose) still get 400.
      const expected: Record<string, { actual: string; code: string | null }> = {
        'no-certificate': { actual: 'accepted', code: null },
        'other-ca': { actual: 'accepted', code: null },
        expired: { actual: 'rejected', code: 'HTTP_400' },
        'server-auth-only': { actual: 'rejected', code: 'HTTP_400' },
        'unsent-intermediate': { actual: 'accepted', code: null },
        'right-certificate': { actual: 'accepted', code: null },
      };
      for (const cell of results.cells.filter((candidate) => candidate.scenario.auth === 'mtls')) {
        for (const [name, { actual, code }] of Object.entries(expected)) {
          const outcome = probe(cell, name);
          expect(outcome?.actual, `${cell.id}: ${name}`).toBe(actual);
          expect(outcome?.code, `${cell.id}: ${name}`).toBe(code);
        }
      }
    });

    it('still measures the tls cells', () => {
      const tlsCells = results.cells.filter((cell) => cell.scenario.auth === 'tls');
      expect(tlsCells).toHaveLength(EXPECTED_CELLS / 2);
      for (const cell of tlsCells) {
        expect(cell.state, cell.id).toBe('measured');
      }
    });

    it('probe command exits 3', async () => {
      const outcome = await cli(['probe', suiteFile]);
      expect(outcome.code, outcome.stderr).toBe(3);
      expect(outcome.stdout).toContain('FAIL');
    });
  });
});
