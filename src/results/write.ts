import { access, link, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { RunResults } from './types.ts';

/** Files tried after the default name is taken: `-2` up to this suffix. */
const MAX_NAME_SUFFIX = 100;

/** Default results path: `results/<suite>-<start time>.json`, so no run overwrites another. */
export function defaultResultsPath(results: RunResults, directory = 'results'): string {
  const stamp = results.startedAt.replace(/\.\d+Z$/, 'Z').replaceAll(':', '-');
  const partial = results.partial == null ? '' : '-partial';
  return path.join(directory, `${results.suite.name}-${stamp}${results.quick ? '-quick' : ''}${partial}.json`);
}

/** Serialises results in the results-file format: two-space indented JSON. */
export function serializeResults(results: RunResults): string {
  return `${JSON.stringify(results, null, 2)}\n`;
}

/**
 * Writes results to a temporary file beside `file`, then moves it into place in one step, so a
 * crash mid-write never leaves a truncated file where a good one was. With `overwrite` (the
 * default) the move is a rename that replaces `file`. Without it the file is linked into place,
 * which fails when the name is taken, and the next free name is used: `NAME-2.json`, `NAME-3.json`
 * and so on. Returns the path written. The temporary file is removed however the write ends.
 */
export async function writeResultsFile(results: RunResults, file: string, options: { overwrite?: boolean } = {}): Promise<string> {
  return writeFileAtomically(file, serializeResults(results), options);
}

/**
 * Writes `text` to a temporary file beside `file` and moves it into place in one step, as
 * `writeResultsFile` does for results; the same for reports. Returns the path written.
 */
export async function writeFileAtomically(file: string, text: string, options: { overwrite?: boolean } = {}): Promise<string> {
  await mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    await writeFile(temporary, text, { mode: 0o644 });
    if (options.overwrite !== false) {
      await rename(temporary, file);
      return file;
    }
    return await linkToFreeName(temporary, file);
  } finally {
    await rm(temporary, { force: true });
  }
}

/** Links `temporary` to `file`, or to the first free `file-N` when it exists. */
async function linkToFreeName(temporary: string, file: string): Promise<string> {
  const extension = path.extname(file);
  const stem = file.slice(0, file.length - extension.length);
  for (let suffix = 1; suffix <= MAX_NAME_SUFFIX; suffix++) {
    const candidate = suffix === 1 ? file : `${stem}-${suffix}${extension}`;
    try {
      await link(temporary, candidate);
      return candidate;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') continue;
      // A file system without hard links: check the name, then rename, which leaves a short race.
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS') throw error;
      if (await exists(candidate)) continue;
      await rename(temporary, candidate);
      return candidate;
    }
  }
  throw new Error(`${file} and ${MAX_NAME_SUFFIX - 1} numbered names after it already exist`);
}

/**
 * Writes results to `file`, or, when it is null, to a new file under `results/` that no earlier
 * run has written. When that fails, writes them to a new file in the system temporary directory
 * so the measurements survive. Returns where they went and the error, if any.
 */
export async function saveResults(results: RunResults, file: string | null): Promise<{ file: string; error: Error | null }> {
  try {
    const written = file === null ? await writeResultsFile(results, defaultResultsPath(results), { overwrite: false }) : await writeResultsFile(results, file);
    return { file: written, error: null };
  } catch (error) {
    const fallback = path.join(os.tmpdir(), path.basename(defaultResultsPath(results)));
    return { file: await writeResultsFile(results, fallback, { overwrite: false }), error: error as Error };
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}
