import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import path from 'node:path';
import { MtlsBenchError } from '../errors.ts';

type PathKind = 'file' | 'directory' | 'other' | 'missing';

async function pathKind(target: string): Promise<PathKind> {
  try {
    const info = await stat(target);
    if (info.isDirectory()) return 'directory';
    return info.isFile() ? 'file' : 'other';
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // ENOTDIR: a parent is a file, which the walk up to the nearest existing parent reports.
    if (code === 'ENOENT' || code === 'ENOTDIR') return 'missing';
    throw error;
  }
}

/**
 * Checks, before anything is measured or generated, that an output path from the command line
 * can be written. An existing entry there must be of the expected kind, and the nearest
 * existing parent must be a directory this process may write to. `option` names the setting in
 * the message, for example `--out`.
 */
export async function checkOutputPath(target: string, option: string, expected: 'file' | 'directory'): Promise<void> {
  const invalid = (reason: string): MtlsBenchError =>
    new MtlsBenchError('INVALID_ARGUMENT', `${option}: ${JSON.stringify(target)} ${reason}; name a ${expected} in a writable directory`);

  const kind = await pathKind(target);
  if (kind === 'directory' && expected === 'file') throw invalid('is a directory');
  if (kind === 'file' && expected === 'directory') throw invalid('is a file');
  if (kind === 'other') throw invalid(`is not a regular ${expected}`);

  let parent = path.dirname(path.resolve(target));
  let parentKind = kind === 'directory' ? 'directory' : await pathKind(parent);
  if (kind === 'directory') parent = path.resolve(target);
  while (parentKind === 'missing') {
    parent = path.dirname(parent);
    parentKind = await pathKind(parent);
  }
  if (parentKind !== 'directory') throw invalid(`cannot be created: ${parent} is not a directory`);
  try {
    await access(parent, constants.W_OK);
  } catch {
    throw invalid(`cannot be created: ${parent} is not writable`);
  }
}
