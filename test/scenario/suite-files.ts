import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { InvalidSuiteError } from '../../src/errors.ts';
import type { SuiteIssue } from '../../src/errors.ts';
import { loadSuite } from '../../src/scenario/load.ts';

let directory: string | null = null;
let fileCount = 0;

/**
 * Writes a suite to a fresh file under the OS temp directory and returns its path relative to
 * the working directory, the form a user types and that messages must repeat unchanged.
 */
export async function writeSuiteFile(text: string, extension = '.yaml'): Promise<string> {
  directory ??= await mkdtemp(path.join(tmpdir(), 'mtls-bench-scenario-'));
  const subdirectory = path.join(directory, 'scenarios');
  await mkdir(subdirectory, { recursive: true });
  fileCount += 1;
  const file = path.join(subdirectory, `suite-${fileCount}${extension}`);
  await writeFile(file, text);
  return path.relative(process.cwd(), file);
}

/** Deletes every file {@link writeSuiteFile} wrote; call it from `afterAll`. */
export async function removeSuiteFiles(): Promise<void> {
  if (directory !== null) {
    await rm(directory, { recursive: true, force: true });
    directory = null;
  }
}

/** Loads a suite that must be invalid and returns its error. */
export async function loadInvalidSuite(file: string): Promise<InvalidSuiteError> {
  try {
    await loadSuite(file);
  } catch (error) {
    if (error instanceof InvalidSuiteError) {
      return error;
    }
    throw error;
  }
  throw new Error(`${file} loaded without errors`);
}

/** Writes YAML lines to a suite file and returns the message lines of the error it raises. */
export async function messagesFor(lines: string[]): Promise<{ file: string; messages: string[]; issues: SuiteIssue[] }> {
  const file = await writeSuiteFile(`${lines.join('\n')}\n`);
  const error = await loadInvalidSuite(file);
  return { file, messages: error.message.split('\n'), issues: error.issues };
}
