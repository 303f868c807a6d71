/**
 * Reads the files a user names (suites, a target's PEM files, results files) within limits, so
 * that a device, a directory or a file far larger than any real one gets a message instead of a
 * hang or a crash. Reads are synchronous, because the suite loader that needs them is.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';

/** Reason a file could not be read. */
export type InputFileProblem =
  | { kind: 'not-found' }
  | { kind: 'directory' }
  /** A device, a socket, or a pipe where none is accepted. */
  | { kind: 'not-a-file' }
  | { kind: 'too-large'; maxBytes: number }
  /** Any other failure, such as EACCES, with the system's reason. */
  | { kind: 'unreadable'; reason: string };

/** Options of {@link readInputFile}. */
export interface InputFileOptions {
  /** Largest accepted size; a longer file or pipe is rejected without being read further. */
  maxBytes: number;
  /**
   * Accept a named pipe, such as `<(command)` in bash. Default: false, because opening a pipe
   * that nothing writes to blocks, and a suite or PEM path never needs one.
   */
  allowPipe?: boolean;
}

const CHUNK_BYTES = 64 * 1024;

/** Reads a file as UTF-8 text, or returns the problem that kept it from being read. */
export function readInputFile(file: string, options: InputFileOptions): { text: string } | { problem: InputFileProblem } {
  let isPipe: boolean;
  try {
    const stats = statSync(file);
    if (stats.isDirectory()) return { problem: { kind: 'directory' } };
    isPipe = stats.isFIFO();
    if (!stats.isFile() && !(isPipe && options.allowPipe === true)) return { problem: { kind: 'not-a-file' } };
    if (stats.size > options.maxBytes) return { problem: { kind: 'too-large', maxBytes: options.maxBytes } };
  } catch (error) {
    return { problem: problemOf(error) };
  }

  try {
    // NOTE: opening a pipe that nothing writes to blocks this thread until a writer appears, as `cat` would.
    const bytes = readAtMost(file, options.maxBytes + 1);
    // A pipe has no size to check first, and a regular file may have grown since the stat.
    if (bytes.length > options.maxBytes) return { problem: { kind: 'too-large', maxBytes: options.maxBytes } };
    return { text: bytes.toString('utf8') };
  } catch (error) {
    return { problem: problemOf(error) };
  }
}

/** Describes a problem as the words after the file name, for example `is a directory; expected a PEM file`. */
export function describeInputFileProblem(problem: InputFileProblem, expected: string): string {
  switch (problem.kind) {
    case 'not-found':
      return 'file not found';
    case 'directory':
      return `is a directory; expected ${expected}`;
    case 'not-a-file':
      return `is not a regular file (a device, socket or pipe); expected ${expected}`;
    case 'too-large':
      return `is larger than ${formatBytes(problem.maxBytes)}; expected ${expected}, which is far smaller`;
    case 'unreadable':
      return `could not be read: ${problem.reason}`;
  }
}

function readAtMost(file: string, maxBytes: number): Buffer {
  const descriptor = openSync(file, 'r');
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    while (total < maxBytes) {
      const chunk = Buffer.alloc(Math.min(CHUNK_BYTES, maxBytes - total));
      const read = readSync(descriptor, chunk, 0, chunk.length, null);
      if (read === 0) break;
      chunks.push(chunk.subarray(0, read));
      total += read;
    }
    return Buffer.concat(chunks);
  } finally {
    closeSync(descriptor);
  }
}

function problemOf(error: unknown): InputFileProblem {
  const { code, message } = error as NodeJS.ErrnoException;
  if (code === 'ENOENT') return { kind: 'not-found' };
  if (code === 'EISDIR') return { kind: 'directory' };
  // Node ends the message with the call and the path, as in "EACCES: permission denied, open '/x'",
  // and every caller already names the file.
  return { kind: 'unreadable', reason: String(message).replace(/, \w+ '.*'$/s, '') };
}

function formatBytes(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB` : `${bytes} bytes`;
}
