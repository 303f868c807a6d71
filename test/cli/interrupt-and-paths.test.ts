import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BIN, ROOT, runCli } from './run-cli.ts';
import { afterAll, describe, expect, it } from 'vitest';

const root = ROOT;
const bin = BIN;
const scratch = mkdtempSync(path.join(os.tmpdir(), 'mtls-bench-paths-test-'));

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const cli = runCli;

/** Private key directories of runs: `mtls-bench-` and six random characters, nothing more. */
function privateDirs(): Set<string> {
  return new Set(readdirSync(os.tmpdir()).filter((name) => /^mtls-bench-[A-Za-z0-9]{6}$/.test(name)));
}

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

describe('interrupted run', () => {
  it('removes private keys on SIGINT and exits 130', async () => {
    const before = privateDirs();
    const child = spawn(process.execPath, [bin, 'run', '--quick', '--out', path.join(scratch, 'never.json')], {
      cwd: root,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });

    // Wait, bounded, until the run has created its private directory.
    let created: string | undefined;
    for (let attempt = 0; attempt < 200 && created === undefined; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      created = [...privateDirs()].find((name) => !before.has(name));
    }
    expect(created).toBeDefined();
    // Give the run time to write certificates and start servers.
    await new Promise((resolve) => setTimeout(resolve, 1500));

    child.kill('SIGINT');
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(130);
    expect(privateDirs().has(created!)).toBe(false);
    expect(stderr).toContain('stopped by SIGINT; private keys removed');
  });
});
