/**
 * Every way a run can end, on real runs of the command: a normal end, a cell whose echo server
 * crashes, SIGINT (once and twice), SIGTERM and an error that nothing catches. After each, no
 * process the run started is left, by process id, and its private key directory is gone.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { FailedCell, RunResults } from '../../src/results/types.ts';
import { BIN, ROOT } from './run-cli.ts';
import { descendantsOf, isRunning, listeningAddressesOf } from './processes.ts';

const scratch = mkdtempSync(path.join(os.tmpdir(), 'mtls-endings-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const FIXTURES = path.join(ROOT, 'test/cli/fixtures');

/**
 * Two groups of cells (one per key type), each with a TLS and an mTLS server and two pairs, so
 * that a group's second pair runs after its first and the second group starts new servers.
 */
const SUITE = path.join(scratch, 'endings.yaml');
writeFileSync(
  SUITE,
  [
    'name: endings',
    'rounds: 2',
    'matrix:',
    '  keyType: [ecdsa-p256, ed25519]',
    '  tlsVersion: [tls1.3]',
    '  auth: [tls, mtls]',
    'workloads:',
    '  - name: hs',
    '    kind: handshake',
    '    concurrency: 2',
    '    duration: 1s',
    '    warmup: 5',
    '  - name: rq',
    '    kind: requests',
    '    connections: 2',
    '    duration: 1s',
    '    warmup: 100ms',
    '',
  ].join('\n'),
);

/** Private key directories of runs: `mtls-bench-` and six random characters. */
function privateDirs(): Set<string> {
  return new Set(readdirSync(os.tmpdir()).filter((name) => /^mtls-bench-[A-Za-z0-9]{6}$/.test(name)));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Echo server children of a process, by the entry file they run. */
function echoServersOf(pid: number): number[] {
  return descendantsOf(pid)
    .filter((info) => info.command.includes('echo-child'))
    .map((info) => info.pid);
}

interface RunHandle {
  pid: number;
  /** Every process below the run seen so far, sampled every 50 ms. */
  seen: Set<number>;
  /** Private key directory the run created, once it has one. */
  privateDir(): string | undefined;
  /** Polls until `predicate` holds, for at most `limitMs`; false when it never did. */
  waitFor(predicate: () => boolean, limitMs: number): Promise<boolean>;
  /** Settles with the exit code and stderr when the run ends. */
  ended: Promise<{ code: number | null; stderr: string }>;
}

function startRun(args: string[], env: Record<string, string> = {}): RunHandle {
  const before = privateDirs();
  // In a process group of its own, so that a test can signal the whole group as a terminal's Ctrl-C does.
  const child = spawn(process.execPath, [BIN, 'run', '--no-crypto-floor', ...args], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  });
  const pid = child.pid!;
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const seen = new Set<number>();
  let dir: string | undefined;
  const sample = (): void => {
    for (const info of descendantsOf(pid)) seen.add(info.pid);
    dir ??= [...privateDirs()].find((name) => !before.has(name));
  };
  const sampler = setInterval(sample, 50);
  const ended = once(child, 'exit').then(([code]) => {
    clearInterval(sampler);
    return { code: code as number | null, stderr };
  });
  return {
    pid,
    seen,
    privateDir: () => dir,
    // Samples once the predicate holds, so that the processes it saw are in `seen` even when
    // the test ends the run before the next tick of the sampler.
    async waitFor(predicate, limitMs) {
      for (let waited = 0; waited < limitMs; waited += 50) {
        if (predicate()) {
          sample();
          return true;
        }
        await sleep(50);
      }
      sample();
      return predicate();
    },
    ended,
  };
}

/**
 * Checks that nothing the run started outlives it: every process seen below it has exited
 * within 3 s of its end (echo servers exit when their IPC channel closes), and its private key
 * directory is gone.
 */
async function expectNothingLeft(run: RunHandle): Promise<void> {
  expect(run.seen.size).toBeGreaterThan(0);
  const deadline = Date.now() + 3000;
  while ([...run.seen].some(isRunning) && Date.now() < deadline) await sleep(50);
  expect([...run.seen].filter(isRunning)).toEqual([]);
  const dir = run.privateDir();
  expect(dir).toBeDefined();
  expect(existsSync(path.join(os.tmpdir(), dir!))).toBe(false);
}

/** Waits until the run's first echo servers are up, then until one of them is replaced: the first group is done. */
async function waitForSecondGroup(run: RunHandle): Promise<void> {
  let first: number[] = [];
  expect(await run.waitFor(() => (first = echoServersOf(run.pid)).length === 2, 30_000)).toBe(true);
  const replaced = () => echoServersOf(run.pid).some((pid) => !first.includes(pid));
  expect(await run.waitFor(replaced, 60_000)).toBe(true);
}

function readResults(file: string): RunResults {
  return JSON.parse(readFileSync(file, 'utf8')) as RunResults;
}

describe('how a run ends', () => {
  it('normal end: loopback, no leftovers, no keys', async () => {
    const out = path.join(scratch, 'normal.json');
    const run = startRun([SUITE, '--filter', 'hs/ecdsa-p256', '--out', out]);

    // While the run is under way its keys are in a 0700 directory, readable by the owner alone.
    expect(await run.waitFor(() => run.privateDir() !== undefined && echoServersOf(run.pid).length === 2, 30_000)).toBe(true);
    const dir = path.join(os.tmpdir(), run.privateDir()!);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const keyFiles = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('key.pem'));
    expect(keyFiles.length).toBeGreaterThan(0);
    for (const name of keyFiles) expect(statSync(path.join(dir, name)).mode & 0o777).toBe(0o600);
    // Each echo server listens on 127.0.0.1 alone: its TLS and its HTTPS port.
    const listening = () => echoServersOf(run.pid).map(listeningAddressesOf);
    expect(await run.waitFor(() => listening().filter((addresses) => addresses.length === 2).length === 2, 30_000)).toBe(true);
    for (const address of listening().flat()) expect(address).toMatch(/^127\.0\.0\.1:\d+$/);

    const { code, stderr } = await run.ended;
    expect(code).toBe(0);
    await expectNothingLeft(run);
    const text = readFileSync(out, 'utf8');
    expect(text).not.toContain('PRIVATE KEY');
    expect(stderr).not.toContain('PRIVATE KEY');
    expect(readResults(out).partial).toBeNull();
  }, 60_000);

  it('server crash: cell fails, run restarts server', async () => {
    const out = path.join(scratch, 'crash.json');
    const marker = path.join(scratch, 'crashed-pid');
    const run = startRun([SUITE, '--out', out], {
      NODE_OPTIONS: `--import ${path.join(FIXTURES, 'crash-echo-server.mjs')}`,
      CRASH_MARKER: marker,
    });
    const { code } = await run.ended;
    expect(code).toBe(3);
    await expectNothingLeft(run);

    // The first server to open its third window is the mTLS server of the first group: after
    // both warm-ups and the first round, the second round starts with the mTLS cell.
    const crashedPid = Number(readFileSync(marker, 'utf8'));
    const results = readResults(out);
    const failed = results.cells.filter((cell): cell is FailedCell => cell.state === 'failed');
    expect(failed.map((cell) => cell.id)).toEqual(['hs/ecdsa-p256/tls1.3/default/x25519/none/d0/mtls']);
    expect(failed[0]!.error.code).toBe('SERVER_FAILED');
    // "has exited" when the crash came between two requests to the server, "exited" during one.
    expect(failed[0]!.error.message).toMatch(
      new RegExp(`^echo server \\(pid ${crashedPid}\\) (has )?exited with code 7; the last lines of its stderr:\nfixture: the echo server crashes on purpose$`),
    );
    // Its baseline, the next pair on a restarted and probed server, and the second group were all measured.
    expect(results.cells.filter((cell) => cell.state === 'measured')).toHaveLength(7);
    const afterRestart = results.cells.find((cell) => cell.id === 'rq/ecdsa-p256/tls1.3/default/x25519/none/d0/mtls');
    expect(afterRestart?.probes.length).toBeGreaterThan(0);
  }, 90_000);

  it('Ctrl-C: partial results, exit 130', async () => {
    const out = path.join(scratch, 'sigint.json');
    const run = startRun([SUITE, '--out', out]);
    await waitForSecondGroup(run);
    // Ctrl-C in a terminal signals the whole foreground process group, echo servers included.
    process.kill(-run.pid, 'SIGINT');
    const { code, stderr } = await run.ended;

    expect(code).toBe(130);
    expect(stderr).toContain('written as a partial run');
    await expectNothingLeft(run);
    const results = readResults(out);
    expect(results.partial).toEqual({ stoppedBy: 'SIGINT', cellsPlanned: 8 });
    // The whole first group, and nothing of the second, whose first pair was under way.
    expect(results.cells.map((cell) => `${cell.id} ${cell.state}`)).toEqual([
      'hs/ecdsa-p256/tls1.3/default/x25519/none/d0/tls measured',
      'hs/ecdsa-p256/tls1.3/default/x25519/none/d0/mtls measured',
      'rq/ecdsa-p256/tls1.3/default/x25519/none/d0/tls measured',
      'rq/ecdsa-p256/tls1.3/default/x25519/none/d0/mtls measured',
    ]);
  }, 90_000);

  it('SIGTERM: partial results, exit 143', async () => {
    const out = path.join(scratch, 'sigterm.json');
    const run = startRun([SUITE, '--out', out]);
    await waitForSecondGroup(run);
    process.kill(run.pid, 'SIGTERM');
    const { code } = await run.ended;

    expect(code).toBe(143);
    await expectNothingLeft(run);
    const results = readResults(out);
    expect(results.partial).toEqual({ stoppedBy: 'SIGTERM', cellsPlanned: 8 });
    expect(results.cells).toHaveLength(4);
  }, 90_000);

  it('second SIGINT: immediate exit', async () => {
    const out = path.join(scratch, 'twice.json');
    const run = startRun([SUITE, '--out', out]);
    expect(await run.waitFor(() => echoServersOf(run.pid).length === 2, 30_000)).toBe(true);
    process.kill(run.pid, 'SIGINT');
    await sleep(20);
    process.kill(run.pid, 'SIGINT');
    const { code, stderr } = await run.ended;

    expect(code).toBe(130);
    expect(stderr).toContain('stopped by a second SIGINT; private keys removed');
    await expectNothingLeft(run);
  }, 60_000);

  it('SIGQUIT: immediate exit 131', async () => {
    const run = startRun([SUITE, '--out', path.join(scratch, 'quit.json')]);
    expect(await run.waitFor(() => echoServersOf(run.pid).length === 2, 30_000)).toBe(true);
    process.kill(run.pid, 'SIGQUIT');
    const { code, stderr } = await run.ended;

    expect(code).toBe(131);
    expect(stderr).toContain('stopped by SIGQUIT; private keys removed, nothing written');
    await expectNothingLeft(run);
  }, 60_000);

  it('SIGHUP to the group: stops like SIGTERM, exit 129', async () => {
    const out = path.join(scratch, 'hangup.json');
    const run = startRun([SUITE, '--out', out]);
    expect(await run.waitFor(() => echoServersOf(run.pid).length === 2, 30_000)).toBe(true);
    // A closing terminal sends SIGHUP to the whole group.
    process.kill(-run.pid, 'SIGHUP');
    const { code, stderr } = await run.ended;

    expect(code).toBe(129);
    expect(stderr).toContain('SIGHUP: stopping after the cells already finished');
    await expectNothingLeft(run);
  }, 60_000);

  it('uncaught error: keys removed, exit 70', async () => {
    const out = path.join(scratch, 'uncaught.json');
    const run = startRun([SUITE, '--out', out], { NODE_OPTIONS: `--import ${path.join(FIXTURES, 'throw-on-sigusr2.mjs')}` });
    expect(await run.waitFor(() => echoServersOf(run.pid).length === 2, 30_000)).toBe(true);
    process.kill(run.pid, 'SIGUSR2');
    const { code, stderr } = await run.ended;

    expect(code).toBe(70);
    expect(stderr).toContain('mtls-bench: internal error: fixture: an error nothing catches');
    expect(stderr).not.toMatch(/\n\s+at /);
    await expectNothingLeft(run);
  }, 60_000);
});
