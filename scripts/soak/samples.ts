/**
 * Samples of a soak: one resource reading, put against what was there at the start.
 */
import { descendantKey } from './resources.ts';
import type { Descendant, ResourceReading } from './resources.ts';

/** Descendants and private directories present before the first iteration, which later samples do not count as new. */
export interface SoakBaseline {
  /** Keys from `descendantKey`, such as the compiler service that tsx starts for itself. */
  descendantKeys: ReadonlySet<string>;
  privateDirs: ReadonlySet<string>;
}

/** One row of the soak table. */
export interface SoakSample {
  /** `start`, `end`, or the number of the iteration just finished, counted from 1. */
  label: 'start' | 'end' | number;
  /** Seconds since the start sample. */
  elapsedS: number;
  /** Resident set size of this process after a full garbage collection, in MiB. */
  rssMiB: number;
  /** V8 heap used after a full garbage collection, in MiB. */
  heapUsedMiB: number;
  /** Entries of /proc/self/fd. */
  openFds: number;
  /** Operating-system threads of this process, worker threads included. */
  threads: number;
  /** Descendant processes that were not there at the start, such as `node (pid 4711, state S)`. */
  newChildren: string[];
  /** Private temporary directories (`mtls-bench-XXXXXX`) that were not there at the start. */
  newTempDirs: string[];
  /** Cells of this iteration that failed, or null for the start and end samples. */
  failedCells: number | null;
  /** Cells of this iteration, or null for the start and end samples. */
  cellCount: number | null;
}

/** Takes what a start reading shows as the baseline. */
export function baselineOf(reading: ResourceReading): SoakBaseline {
  return {
    descendantKeys: new Set(reading.descendants.map(descendantKey)),
    privateDirs: new Set(reading.privateDirs),
  };
}

/** Describes a descendant process for a message: command, pid and state. */
export function describeDescendant(descendant: Descendant): string {
  return `${descendant.command} (pid ${descendant.pid}, state ${descendant.state})`;
}

/** Builds a sample from a reading. `cells` is null for the start and end samples. */
export function sampleOf(
  reading: ResourceReading,
  baseline: SoakBaseline,
  label: SoakSample['label'],
  elapsedS: number,
  cells: { failed: number; count: number } | null,
): SoakSample {
  return {
    label,
    elapsedS,
    rssMiB: reading.rssMiB,
    heapUsedMiB: reading.heapUsedMiB,
    openFds: reading.openFds,
    threads: reading.threads,
    newChildren: reading.descendants.filter((descendant) => !baseline.descendantKeys.has(descendantKey(descendant))).map(describeDescendant),
    newTempDirs: reading.privateDirs.filter((name) => !baseline.privateDirs.has(name)),
    failedCells: cells?.failed ?? null,
    cellCount: cells?.count ?? null,
  };
}
