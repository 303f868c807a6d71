/**
 * Reads what a leak in this process would leave behind: memory, open file descriptors, threads,
 * descendant processes and mtls-bench temporary directories. Everything but memory comes from
 * /proc, so this works on Linux only.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import v8 from 'node:v8';
import vm from 'node:vm';

/** Name of a directory made by `createPrivateDir` with its default prefix: `mkdtemp` adds six letters or digits. */
export const PRIVATE_DIR_NAME = /^mtls-bench-[A-Za-z0-9]{6}$/;

const MIB = 1024 * 1024;

/** A process below this one in the process tree. */
export interface Descendant {
  pid: number;
  /** Executable name from /proc/PID/stat, at most 15 characters. */
  command: string;
  /** Process state from /proc/PID/stat, such as `S` for sleeping or `Z` for a zombie not yet reaped. */
  state: string;
  /**
   * Start time in clock ticks after boot, which distinguishes a process from a later one that
   * got the same pid.
   */
  startTicks: number;
}

/** One reading of this process's resources, after a full garbage collection. */
export interface ResourceReading {
  rssMiB: number;
  heapUsedMiB: number;
  openFds: number;
  /** Operating-system threads of this process, worker threads included. */
  threads: number;
  descendants: Descendant[];
  /** Names of directories in the temporary directory that match {@link PRIVATE_DIR_NAME}. */
  privateDirs: string[];
}

let collectGarbage: (() => void) | null = null;

/**
 * Runs a full garbage collection, which leaves only what is still referenced, so growth from one
 * reading to the next is memory kept, not garbage not yet collected. `--expose-gc` set at run
 * time makes `gc` available to contexts created after it, so the script needs no node flag.
 */
function collectAllGarbage(): void {
  if (collectGarbage === null) {
    v8.setFlagsFromString('--expose-gc');
    collectGarbage = vm.runInNewContext('gc') as () => void;
  }
  collectGarbage();
}

/** Returns why these readings cannot work here, or null when /proc has what they need. */
export function procProblem(): string | null {
  for (const file of ['/proc/self/fd', '/proc/self/status', '/proc/self/stat']) {
    if (!existsSync(file)) return `${file} is missing; the soak reads /proc and runs on Linux only`;
  }
  return null;
}

/** Parses /proc/PID/stat. The command is in parentheses and may itself contain spaces and parentheses. */
function parseStat(text: string, pid: number): (Descendant & { ppid: number }) | null {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  // The fields after the command start at field 3 of proc(5): state is field 3, ppid 4 and starttime 22.
  const fields = text.slice(close + 2).split(' ');
  const state = fields[0];
  const ppid = Number(fields[1]);
  const startTicks = Number(fields[19]);
  if (state === undefined || !Number.isInteger(ppid) || !Number.isFinite(startTicks)) return null;
  return { pid, ppid, command: text.slice(open + 1, close), state, startTicks };
}

/**
 * Lists every process whose chain of parents leads to `rootPid`, zombies included, by reading
 * /proc/PID/stat of every process. A process that exits during the scan is left out.
 */
export function listDescendants(rootPid = process.pid): Descendant[] {
  const childrenOf = new Map<number, Descendant[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let text: string;
    try {
      text = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue;
    }
    const stat = parseStat(text, Number(name));
    if (stat === null) continue;
    const { ppid, ...descendant } = stat;
    const siblings = childrenOf.get(ppid) ?? [];
    siblings.push(descendant);
    childrenOf.set(ppid, siblings);
  }

  const found: Descendant[] = [];
  const queue = [rootPid];
  // Each pid is visited once, so the walk ends even if a pid was reused into a cycle mid-scan.
  const visited = new Set<number>(queue);
  for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
    for (const child of childrenOf.get(pid) ?? []) {
      if (visited.has(child.pid)) continue;
      visited.add(child.pid);
      found.push(child);
      queue.push(child.pid);
    }
  }
  return found.sort((a, b) => a.pid - b.pid);
}

/** Returns a key that stays the same for one process and differs for a later one with the same pid. */
export function descendantKey(descendant: Descendant): string {
  return `${descendant.pid}@${descendant.startTicks}`;
}

/** Returns true while the process exists and is not yet a zombie, which is what a dead child is until reaped. */
function isRunning(pid: number): boolean {
  try {
    return parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'), pid)?.state !== 'Z';
  } catch {
    return false;
  }
}

/**
 * Sends SIGKILL to every descendant whose key is not in `keep` and waits, at most `timeoutMs`,
 * until none of them runs. Synchronous, for a signal handler that exits right after. Returns the
 * descendants it signalled.
 */
export function killDescendantsSync(keep: ReadonlySet<string>, timeoutMs: number): Descendant[] {
  const targets = listDescendants().filter((descendant) => !keep.has(descendantKey(descendant)) && descendant.state !== 'Z');
  for (const target of targets) {
    try {
      process.kill(target.pid, 'SIGKILL');
    } catch {
      // It exited after the listing.
    }
  }
  const pause = new Int32Array(new SharedArrayBuffer(4));
  const deadline = Date.now() + timeoutMs;
  while (targets.some((target) => isRunning(target.pid)) && Date.now() < deadline) {
    Atomics.wait(pause, 0, 0, 10);
  }
  return targets;
}

function threadCount(): number {
  const match = /^Threads:\s+(\d+)$/m.exec(readFileSync('/proc/self/status', 'utf8'));
  if (match === null) throw new Error('/proc/self/status has no Threads line');
  return Number(match[1]);
}

/** Lists the directories in `directory` that `createPrivateDir` could have made with its default prefix. */
export function listPrivateDirs(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && PRIVATE_DIR_NAME.test(entry.name))
    .map((entry) => entry.name)
    .sort();
}

/**
 * Runs a full garbage collection, then reads this process's resources. The descriptor count
 * includes the one that listing /proc/self/fd opens, the same in every reading.
 */
export function readResources(tempDirectory: string): ResourceReading {
  collectAllGarbage();
  const memory = process.memoryUsage();
  return {
    rssMiB: memory.rss / MIB,
    heapUsedMiB: memory.heapUsed / MIB,
    openFds: readdirSync('/proc/self/fd').length,
    threads: threadCount(),
    descendants: listDescendants(),
    privateDirs: listPrivateDirs(tempDirectory),
  };
}
