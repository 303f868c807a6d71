import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

  it('rejects --out naming the suite being run', async () => {
    const suite = path.join(scratch, 'suite.yaml');
    writeFileSync(suite, 'name: out-test\n');
    const { code, stderr } = await cli(['run', suite, '--out', suite]);
    expect(code).toBe(2);
    expect(stderr).toBe(`mtls-bench: --out: ${JSON.stringify(suite)} is a suite being run, which the results would replace; name another file\n`);
    expect(readFileSync(suite, 'utf8')).toBe('name: out-test\n');
  });

  it('rejects --out naming a file that is not results', async () => {
    const notes = path.join(scratch, 'notes.txt');
    writeFileSync(notes, 'keep me\n');
    const { code, stderr } = await cli(['run', '--quick', '--out', notes]);
    expect(code).toBe(2);
    expect(stderr).toContain('exists and is not an mtls-bench results file; --out replaces only results files');
    expect(readFileSync(notes, 'utf8')).toBe('keep me\n');
  });
});
