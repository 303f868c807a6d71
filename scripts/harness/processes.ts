/**
 * Child processes of the external tools (openssl s_time, wrk): finding them on PATH, running
 * them with a hard time limit, and reading their CPU time from /proc while they run.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Children still running, so that a signal handler can kill them. */
const liveChildren = new Set<ChildProcess>();

/** Kills every tool process that is still running, for signal handlers. */
export function killLiveChildren(): void {
  for (const child of liveChildren) child.kill('SIGKILL');
  liveChildren.clear();
}

/**
 * Returns the first line a tool prints for its version, or null when the command is not on PATH.
 * `wrk -v` exits with status 1 after printing its version, so the exit status is not checked.
 */
export function findTool(command: string, versionArgs: readonly string[]): string | null {
  const result = spawnSync(command, versionArgs, { encoding: 'utf8', timeout: 5_000 });
  if (result.error !== undefined) return null;
  const line = `${result.stdout}\n${result.stderr}`.split('\n').find((candidate) => candidate.trim() !== '');
  return line?.trim() ?? '';
}

/** Outcome of a tool process. */
export interface ChildOutcome {
  pid: number;
  /** Exit code, or null when a signal ended it. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Wall time from spawn to exit, in microseconds. */
  wallUs: number;
  /** Whether the time limit ran out and the process was killed. */
  timedOut: boolean;
}

/** Output kept per stream: s_time prints one mark per connection, which stays far below this. */
const MAX_OUTPUT_CHARS = 4 * 1024 * 1024;

/**
 * Spawns a tool and returns its pid at once, and its outcome when it exits. A process still
 * running after `timeLimitMs` is killed with SIGKILL. Rejects only when the process cannot be
 * spawned at all.
 */
export function runChild(command: string, args: readonly string[], timeLimitMs: number): { pid: number; outcome: Promise<ChildOutcome> } {
  const startNs = process.hrtime.bigint();
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  liveChildren.add(child);
  let stdout = '';
  let stderr = '';
  let timedOut = false;
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    if (stdout.length < MAX_OUTPUT_CHARS) stdout += chunk;
  });
  child.stderr.on('data', (chunk: string) => {
    if (stderr.length < MAX_OUTPUT_CHARS) stderr += chunk;
  });
  const killTimer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, timeLimitMs);

  const outcome = new Promise<ChildOutcome>((resolve, reject) => {
    child.once('error', (error) => {
      clearTimeout(killTimer);
      liveChildren.delete(child);
      reject(error);
    });
    // 'close' comes after both output streams are drained.
    child.once('close', (code, signal) => {
      clearTimeout(killTimer);
      liveChildren.delete(child);
      const wallUs = Number((process.hrtime.bigint() - startNs) / 1000n);
      resolve({ pid: child.pid ?? 0, code, signal, stdout, stderr, wallUs, timedOut });
    });
  });
  return { pid: child.pid ?? 0, outcome };
}

/** Clock ticks per second of /proc/PID/stat times; Linux reports them in USER_HZ, 100 on common builds. */
const CLOCK_TICKS_PER_SEC = readClockTicks();

function readClockTicks(): number {
  const result = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8', timeout: 5_000 });
  const ticks = Number(result.stdout?.trim());
  return Number.isInteger(ticks) && ticks > 0 ? ticks : 100;
}

/**
 * CPU time (user plus system) a running process has used, in microseconds, from /proc. Null when
 * the process has exited or /proc is not there. The resolution is one clock tick, 10 ms at 100 Hz.
 */
export function processCpuUs(pid: number): number | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name in brackets may contain spaces, so fields are counted after its closing bracket.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name.
  const ticks = Number(fields[11]) + Number(fields[12]);
  return Number.isFinite(ticks) ? (ticks * 1e6) / CLOCK_TICKS_PER_SEC : null;
}
