import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { RunResults } from './types.ts';

/** Default results path: `results/<suite>-<start time>.json`, so no run overwrites another. */
export function defaultResultsPath(results: RunResults, directory = 'results'): string {
  const stamp = results.startedAt.replace(/\.\d+Z$/, 'Z').replaceAll(':', '-');
  return path.join(directory, `${results.suite.name}-${stamp}${results.quick ? '-quick' : ''}.json`);
}

/** Serialises results in the results-file format: two-space indented JSON. */
export function serializeResults(results: RunResults): string {
  return `${JSON.stringify(results, null, 2)}\n`;
}

/**
 * Writes results to a temporary file beside the target and renames it into place, so a
 * crash mid-write never leaves a truncated file where a good one was. The temporary file is
 * removed when the write fails.
 */
export async function writeResultsFile(results: RunResults, file: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    await writeFile(temporary, serializeResults(results), { mode: 0o644 });
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/**
 * Writes results to `file`, or, when that fails, to a file in the system temporary
 * directory so the measurements survive. Returns where they went and the error, if any.
 */
export async function saveResults(results: RunResults, file: string): Promise<{ file: string; error: Error | null }> {
  try {
    await writeResultsFile(results, file);
    return { file, error: null };
  } catch (error) {
    const fallback = path.join(os.tmpdir(), path.basename(defaultResultsPath(results)));
    await writeResultsFile(results, fallback);
    return { file: fallback, error: error as Error };
  }
}
