import { rmSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { MtlsBenchError } from '../errors.ts';

const DIR_MODE = 0o700;
const SECRET_FILE_MODE = 0o600;
const PUBLIC_FILE_MODE = 0o644;

/** Directories created and not yet removed, so that a signal handler can remove them all. */
const livePaths = new Set<string>();

/**
 * Removes every private directory this process created and has not removed yet. For signal
 * and exit handlers, which cannot wait for the run's own cleanup.
 */
export function removeLivePrivateDirsSync(): void {
  for (const path of livePaths) {
    rmSync(path, { recursive: true, force: true });
    livePaths.delete(path);
  }
}

/** A temporary directory that only the current user can enter, for keys and certificates. */
export interface PrivateDir {
  /** Absolute path of the directory. */
  readonly path: string;
  /**
   * Writes a new file directly inside the directory and returns its absolute path. Secret
   * files get mode 0600 and the others 0644, whatever the umask. Throws `MtlsBenchError`
   * with code `INVALID_ARGUMENT` when `name` is not a plain file name, and the `fs` error
   * when the file already exists.
   */
  writeFile(name: string, contents: string | Uint8Array, options: { secret: boolean }): Promise<string>;
  /** Deletes the directory and everything in it. Calling it again does nothing. */
  remove(): Promise<void>;
  /** Synchronous `remove`, for `process.on('exit')` handlers, which cannot wait for promises. */
  removeSync(): void;
}

/**
 * Creates a directory with mode 0700 under `os.tmpdir()`, named `prefix` followed by six
 * random characters. Default prefix `mtls-bench-`.
 */
export async function createPrivateDir(prefix = 'mtls-bench-'): Promise<PrivateDir> {
  if (prefix.includes('/') || prefix.includes('\\')) {
    throw new MtlsBenchError('INVALID_ARGUMENT', `private directory prefix ${JSON.stringify(prefix)} must not contain a path separator`);
  }

  const path = await mkdtemp(join(tmpdir(), prefix));
  // mkdtemp already creates the directory 0700 on POSIX, and the chmod keeps that from being implicit.
  await chmod(path, DIR_MODE);
  livePaths.add(path);

  return {
    path,

    async writeFile(name, contents, options) {
      if (name === '' || name === '.' || name === '..' || basename(name) !== name || name.includes('\\')) {
        throw new MtlsBenchError('INVALID_ARGUMENT', `file name ${JSON.stringify(name)} must be a plain name inside ${path}`);
      }

      const filePath = join(path, name);
      const mode = options.secret ? SECRET_FILE_MODE : PUBLIC_FILE_MODE;
      // 'wx' fails on an existing file, so a key is never written through a planted symlink.
      await writeFile(filePath, contents, { mode, flag: 'wx' });
      // The umask narrows the mode given at creation, so chmod sets it exactly.
      await chmod(filePath, mode);
      return filePath;
    },

    async remove() {
      await rm(path, { recursive: true, force: true });
      livePaths.delete(path);
    },

    removeSync() {
      rmSync(path, { recursive: true, force: true });
      livePaths.delete(path);
    },
  };
}
