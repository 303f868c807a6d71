/**
 * Decides from a soak's samples whether anything leaked. Pure: it takes samples and limits and
 * returns the checks, so it can be tested with made-up samples.
 */
import type { SoakSample } from './samples.ts';

/** Limits of the checks. */
export interface SoakLimits {
  /** Open file descriptors the end sample may have above the start sample. */
  fdGrowth: number;
  /** Threads the end sample may have above the start sample. */
  threadGrowth: number;
  /** Largest relative growth of RSS after GC from the reference iteration to the last, as a fraction. */
  rssGrowth: number;
  /** Largest relative growth of the V8 heap used after GC, same reference, as a fraction. */
  heapGrowth: number;
}

/**
 * Default limits. Descriptors and threads must come back exactly. The start sample is taken once
 * the modules are loaded and the libuv thread pool runs, and a finished run should leave no
 * socket, pipe, file or worker open, so any difference is something a run left behind. Memory may move by 10%,
 * the same bound as bench-memory: the allocator keeps freed pages and V8 sizes its heap by its
 * own heuristics, so RSS after GC moves by a few MiB between runs with nothing kept. A leak of a
 * fixed amount per cell or per run grows with every iteration, so a longer soak exposes a
 * smaller one.
 */
export const SOAK_LIMITS: SoakLimits = { fdGrowth: 0, threadGrowth: 0, rssGrowth: 0.1, heapGrowth: 0.1 };

/**
 * Iterations needed to judge memory growth. The first iteration loads modules and fills caches,
 * so growth counts from the second, and a third is needed to have something to compare it with.
 */
export const MIN_ITERATIONS_FOR_GROWTH = 3;

/** One check of the verdict. */
export interface SoakCheck {
  name: string;
  passed: boolean;
  /** The figures behind the result, such as `28 at start, 28 at end`. */
  detail: string;
}

export interface SoakVerdict {
  passed: boolean;
  checks: SoakCheck[];
}

function formatPercent(fraction: number): string {
  const percent = fraction * 100;
  return `${percent >= 0 ? '+' : ''}${percent.toFixed(1)}%`;
}

function countCheck(name: string, start: number, end: number, allowedGrowth: number): SoakCheck {
  const allowance = allowedGrowth === 0 ? 'expected no increase' : `at most ${allowedGrowth} more allowed`;
  return { name, passed: end - start <= allowedGrowth, detail: `${start} at start, ${end} at end (${allowance})` };
}

function leftoverCheck(name: string, leftovers: readonly string[]): SoakCheck {
  if (leftovers.length === 0) return { name, passed: true, detail: 'none new at end' };
  return { name, passed: false, detail: `${leftovers.length} new at end: ${leftovers.join(', ')}` };
}

function growthCheck(name: string, iterations: readonly SoakSample[], field: 'rssMiB' | 'heapUsedMiB', limit: number): SoakCheck {
  const reference = iterations[1];
  const last = iterations[iterations.length - 1];
  if (iterations.length < MIN_ITERATIONS_FOR_GROWTH || reference === undefined || last === undefined) {
    return {
      name,
      passed: false,
      detail: `not judged: ${iterations.length} iteration(s) finished and ${MIN_ITERATIONS_FOR_GROWTH} are needed; raise --minutes`,
    };
  }
  const growth = last[field] / reference[field] - 1;
  return {
    name,
    passed: growth <= limit,
    detail:
      `iteration ${reference.label} to ${last.label}: ${reference[field].toFixed(1)} to ${last[field].toFixed(1)} MiB ` +
      `(${formatPercent(growth)}; at most ${formatPercent(limit)} allowed)`,
  };
}

/**
 * Judges a soak. `samples` must start with the `start` sample and end with the `end` one, with
 * one sample per finished iteration between them.
 */
export function judgeSoak(samples: readonly SoakSample[], limits: SoakLimits = SOAK_LIMITS): SoakVerdict {
  const start = samples[0];
  const end = samples[samples.length - 1];
  if (start?.label !== 'start' || end?.label !== 'end' || samples.length < 2) {
    throw new Error('judgeSoak: the samples must begin with the start sample and end with the end sample');
  }
  const iterations = samples.slice(1, -1);
  const cellCount = iterations.reduce((sum, sample) => sum + (sample.cellCount ?? 0), 0);
  const failedCells = iterations.reduce((sum, sample) => sum + (sample.failedCells ?? 0), 0);

  const checks: SoakCheck[] = [
    {
      name: 'iterations',
      passed: iterations.length > 0,
      detail: iterations.length > 0 ? `${iterations.length} finished` : 'none finished, so nothing was exercised',
    },
    {
      name: 'failed cells',
      passed: failedCells === 0,
      detail: `${failedCells} of ${cellCount} over ${iterations.length} iteration(s)`,
    },
    countCheck('open file descriptors', start.openFds, end.openFds, limits.fdGrowth),
    countCheck('threads', start.threads, end.threads, limits.threadGrowth),
    leftoverCheck('child processes', end.newChildren),
    leftoverCheck('temporary directories', end.newTempDirs),
    growthCheck('RSS after GC', iterations, 'rssMiB', limits.rssGrowth),
    growthCheck('heap used after GC', iterations, 'heapUsedMiB', limits.heapGrowth),
  ];
  return { passed: checks.every((check) => check.passed), checks };
}
