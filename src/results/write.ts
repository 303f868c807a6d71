import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { RunResults } from './types.ts';

/** Default results path: `results/<suite>-<start time>.json`, so no run overwrites another. */
export function defaultResultsPath(results: RunResults, directory = 'results'): string {
  const stamp = results.startedAt.replace(/\.\d+Z$/, 'Z').replaceAll(':', '-');
  return path.join(directory, `${results.suite.name}-${stamp}${results.quick ? '-quick' : ''}.json`);
}

/** Serialises results as the results file holds them: two-space indented JSON. */
export function serializeResults(results: RunResults): string {
  return `${JSON.stringify(results, null, 2)}\n`;
}

/**
 * Writes results to a temporary file beside the target and renames it into place, so a
 * crash mid-write never leaves a truncated file where a good one was.
 */
export async function writeResultsFile(results: RunResults, file: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, serializeResults(results), { mode: 0o644 });
  await rename(temporary, file);
}
