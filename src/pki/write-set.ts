import { chmod, lstat, mkdir, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { MtlsBenchError } from '../errors.ts';
import type { CertificateSet } from './types.ts';

const CREATED_DIR_MODE = 0o700;
const SECRET_FILE_MODE = 0o600;
const PUBLIC_FILE_MODE = 0o644;

/** One file of a written certificate set. */
export interface CertificateSetFile {
  /** File name inside the output directory, for example `server-key.pem`. */
  name: string;
  contents: string;
  /** True for private keys, which get mode 0600. Certificates get 0644. */
  secret: boolean;
}

/**
 * Lists the files that represent a certificate set on disk, in writing order. First come
 * `ca.pem`, then `ca-key.pem` when the set has the root's key, and `intermediate-1.pem` (just
 * below the root) onwards. Then `server.pem` is the leaf alone, `server-chain.pem` the leaf and
 * intermediates for a server's `cert` option, and `server-key.pem` its key, followed by the same
 * three for the client. The root's key is there so that enforcement probes can issue wrong
 * client certificates under the root for a server started from these files. The
 * intermediates' keys are left out because the root's key is enough for every probe.
 */
export function certificateSetFiles(set: CertificateSet): CertificateSetFile[] {
  return [
    { name: 'ca.pem', contents: set.caPem, secret: false },
    ...(set.rootKeyPem === undefined ? [] : [{ name: 'ca-key.pem', contents: set.rootKeyPem, secret: true }]),
    ...set.intermediates.map((pair, index) => ({
      name: `intermediate-${index + 1}.pem`,
      contents: pair.certPem,
      secret: false,
    })),
    { name: 'server.pem', contents: set.server.certPem, secret: false },
    { name: 'server-chain.pem', contents: set.serverChainPem, secret: false },
    { name: 'server-key.pem', contents: set.server.keyPem, secret: true },
    { name: 'client.pem', contents: set.client.certPem, secret: false },
    { name: 'client-chain.pem', contents: set.clientChainPem, secret: false },
    { name: 'client-key.pem', contents: set.client.keyPem, secret: true },
  ];
}

/**
 * Writes a certificate set into `outDir` as the files `certificateSetFiles` lists and returns
 * their absolute paths in the same order. Creates `outDir` with mode 0700 when it is missing.
 *
 * Throws `MtlsBenchError` with code `INVALID_ARGUMENT`, before writing anything, when `outDir`
 * is not a directory or when any of the files already exists.
 */
export async function writeCertificateSetFiles(set: CertificateSet, outDir: string): Promise<string[]> {
  const dir = resolve(outDir);
  await ensureDirectory(dir);

  const files = certificateSetFiles(set).map((file) => ({ ...file, path: join(dir, file.name) }));
  const existing: string[] = [];
  for (const file of files) {
    if (await pathExists(file.path)) {
      existing.push(file.path);
    }
  }
  if (existing.length > 0) {
    throw new MtlsBenchError(
      'INVALID_ARGUMENT',
      `will not overwrite existing ${existing.length === 1 ? 'file' : 'files'} ${existing.join(', ')}; ` +
        'remove them or choose another output directory',
    );
  }

  for (const file of files) {
    const mode = file.secret ? SECRET_FILE_MODE : PUBLIC_FILE_MODE;
    try {
      // 'wx' also catches a file created between the check above and this write.
      await writeFile(file.path, file.contents, { mode, flag: 'wx' });
    } catch (error) {
      if (isErrnoException(error) && error.code === 'EEXIST') {
        throw new MtlsBenchError('INVALID_ARGUMENT', `will not overwrite existing file ${file.path}`, { cause: error });
      }
      throw error;
    }
    // The umask narrows the mode given at creation, so chmod sets it exactly.
    await chmod(file.path, mode);
  }

  return files.map((file) => file.path);
}

async function ensureDirectory(dir: string): Promise<void> {
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(dir)).isDirectory();
  } catch (error) {
    if (!isErrnoException(error) || error.code !== 'ENOENT') {
      throw error;
    }
    // Only a directory made here gets 0700: an existing one keeps the mode its owner chose.
    await mkdir(dir, { recursive: true, mode: CREATED_DIR_MODE });
    await chmod(dir, CREATED_DIR_MODE);
    return;
  }

  if (!isDirectory) {
    throw new MtlsBenchError('INVALID_ARGUMENT', `output path ${dir} exists and is not a directory`);
  }
}

/** True for anything at the path, including a dangling symlink that `stat` would miss. */
async function pathExists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (error) {
    if (isErrnoException(error) && error.code === 'ENOENT') {
      return false;
    }
    throw error;
  }
}

function isErrnoException(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && 'code' in error;
}
