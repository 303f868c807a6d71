import { existsSync } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createPrivateDir } from '../../src/pki/private-dir.ts';
import type { PrivateDir } from '../../src/pki/private-dir.ts';

const created: PrivateDir[] = [];

async function makeDir(prefix?: string): Promise<PrivateDir> {
  const dir = await createPrivateDir(prefix);
  created.push(dir);
  return dir;
}

afterEach(async () => {
  for (const dir of created.splice(0)) {
    await dir.remove();
  }
});

function modeOf(stats: { mode: number }): number {
  return stats.mode & 0o777;
}

describe('createPrivateDir', () => {
  it('creates a 0700 directory under the temp dir', async () => {
    const dir = await makeDir('mtls-bench-test-');

    expect(dirname(dir.path)).toBe(tmpdir());
    expect(basename(dir.path)).toMatch(/^mtls-bench-test-.{6}$/);
    const stats = await stat(dir.path);
    expect(stats.isDirectory()).toBe(true);
    expect(modeOf(stats)).toBe(0o700);
  });

  it('uses the mtls-bench- prefix by default', async () => {
    const dir = await makeDir();

    expect(basename(dir.path).startsWith('mtls-bench-')).toBe(true);
  });

  it('writes secret files 0600 and others 0644', async () => {
    const dir = await makeDir();
    // A umask that would strip group and other bits must not change the public file's mode.
    const previousUmask = process.umask(0o077);
    let keyPath: string;
    let certPath: string;
    try {
      keyPath = await dir.writeFile('server-key.pem', 'secret key', { secret: true });
      certPath = await dir.writeFile('server.pem', new TextEncoder().encode('certificate'), { secret: false });
    } finally {
      process.umask(previousUmask);
    }

    expect(keyPath).toBe(join(dir.path, 'server-key.pem'));
    expect(certPath).toBe(join(dir.path, 'server.pem'));
    expect(modeOf(await stat(keyPath))).toBe(0o600);
    expect(modeOf(await stat(certPath))).toBe(0o644);
    expect(await readFile(keyPath, 'utf8')).toBe('secret key');
    expect(await readFile(certPath, 'utf8')).toBe('certificate');
  });

  it('rejects an existing file', async () => {
    const dir = await makeDir();
    await dir.writeFile('ca.pem', 'first', { secret: false });

    await expect(dir.writeFile('ca.pem', 'second', { secret: false })).rejects.toMatchObject({ code: 'EEXIST' });
    expect(await readFile(join(dir.path, 'ca.pem'), 'utf8')).toBe('first');
  });

  it.each(['../escape.pem', 'nested/key.pem', '..', '.', '', 'back\\slash.pem'])(
    'rejects file name %j',
    async (name) => {
      const dir = await makeDir();

      await expect(dir.writeFile(name, 'x', { secret: true })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      expect(await readdir(dir.path)).toEqual([]);
    },
  );

  it('rejects a prefix with a path separator', async () => {
    await expect(createPrivateDir('../mtls-bench-')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('removes everything and ignores a second remove', async () => {
    const dir = await makeDir();
    await dir.writeFile('client-key.pem', 'secret', { secret: true });
    await dir.writeFile('client.pem', 'certificate', { secret: false });

    await dir.remove();
    expect(existsSync(dir.path)).toBe(false);
    await expect(dir.remove()).resolves.toBeUndefined();
    expect(() => dir.removeSync()).not.toThrow();
  });

  it('removes everything synchronously', async () => {
    const dir = await makeDir();
    await dir.writeFile('server-key.pem', 'secret', { secret: true });

    dir.removeSync();
    expect(existsSync(dir.path)).toBe(false);
    expect(() => dir.removeSync()).not.toThrow();
  });
});
