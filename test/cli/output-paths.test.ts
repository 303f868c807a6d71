import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from './run-cli.ts';
import { afterAll, describe, expect, it } from 'vitest';

const scratch = mkdtempSync(path.join(os.tmpdir(), 'mtls-bench-paths-test-'));

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const cli = runCli;

describe('output paths', () => {
  it('rejects --out naming a directory before running', async () => {
    const { code, stderr } = await cli(['run', '--quick', '--out', scratch]);
    expect(code).toBe(2);
    expect(stderr).toBe(`mtls-bench: --out: ${JSON.stringify(scratch)} is a directory; name a file in a writable directory\n`);
  });

  it('rejects --out under a file before running', async () => {
    const file = path.join(scratch, 'plain-file');
    writeFileSync(file, '');
    const { code, stderr } = await cli(['run', '--quick', '--out', path.join(file, 'results.json')]);
    expect(code).toBe(2);
    expect(stderr).toContain(`cannot be created: ${file} is not a directory`);
  });

  it('rejects certs --out naming a file', async () => {
    const file = path.join(scratch, 'not-a-dir');
    writeFileSync(file, '');
    const { code, stderr } = await cli(['certs', '--key-type', 'ed25519', '--out', file]);
    expect(code).toBe(2);
    expect(stderr).toContain(`--out: ${JSON.stringify(file)} is a file`);
  });
});
