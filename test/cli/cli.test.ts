import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BIN, ROOT, runCli } from './run-cli.ts';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunResults } from '../../src/results/types.ts';

const root = ROOT;
const bin = BIN;
const scratch = mkdtempSync(path.join(os.tmpdir(), 'mtls-bench-cli-test-'));


const cli = runCli;

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('mtls-bench command line', () => {
  it('prints its version', async () => {
    const { code, stdout } = await cli(['--version']);
    const version = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;
    expect(code).toBe(0);
    expect(stdout.trim()).toBe(version);
  });

  it('rejects an unknown command with exit 2', async () => {
    const { code, stderr } = await cli(['bench']);
    expect(code).toBe(2);
    expect(stderr).toBe('mtls-bench: unknown command "bench"; expected one of run, validate, certs, probe, compare, report (see mtls-bench --help)\n');
  });

  it('rejects an unknown option with exit 2', async () => {
    const { code, stderr } = await cli(['run', '--fast']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^mtls-bench: run: unknown option "--fast"; expected --quick, --filter, --rounds/);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('validates the shipped suites', async () => {
    const { code, stdout } = await cli(['validate', 'scenarios/default.yaml', 'scenarios/resumption.yaml']);
    expect(code).toBe(0);
    expect(stdout).toContain('scenarios/default.yaml: valid, suite "default", 48 cells');
    expect(stdout).toContain('scenarios/resumption.yaml: valid');
  });

  it('reports an invalid suite with its location and no stack trace', async () => {
    const file = path.join(scratch, 'bad.yaml');
    writeFileSync(file, 'name: bad\nmatrix:\n  tlsVersion: [tls1.2, "1.3"]\n');
    const { code, stderr } = await cli(['validate', file]);
    expect(code).toBe(2);
    expect(stderr).toBe(`${file}:3: matrix.tlsVersion[1]: got "1.3"; expected "tls1.2" or "tls1.3"\n`);
  });

  it('rejects a bad suite before running anything', async () => {
    const file = path.join(scratch, 'bad-run.yaml');
    const out = path.join(scratch, 'bad-run.json');
    writeFileSync(file, 'name: bad-run\nmatrix:\n  keytype: rsa-2048\n');
    const { code, stderr } = await cli(['run', file, '--out', out]);
    expect(code).toBe(2);
    expect(stderr).toContain(`${file}:3: matrix.keytype: unknown key "keytype"; did you mean "keyType"?`);
    expect(() => statSync(out)).toThrow();
  });

  it('rejects a filter that matches no cell', async () => {
    const { code, stderr } = await cli(['run', '--filter', 'no-such-cell']);
    expect(code).toBe(2);
    expect(stderr).toContain('--filter: no cell id of suite "default" contains "no-such-cell"');
  });

  it('runs a filtered quick suite and prints the results JSON', async () => {
    const out = path.join(scratch, 'run.json');
    const { code, stdout, stderr } = await cli([
      'run', '--quick', '--json', '--no-crypto-floor', '--filter', 'handshake/ed25519/tls1.3/default/x25519/none', '--out', out,
    ]);
    expect(code).toBe(0);
    const printed = JSON.parse(stdout) as RunResults;
    const written = JSON.parse(readFileSync(out, 'utf8')) as RunResults;
    expect(written).toEqual(printed);
    expect(printed.quick).toBe(true);
    expect(printed.cells.map((cell) => cell.id)).toEqual([
      'handshake/ed25519/tls1.3/default/x25519/none/d0/tls',
      'handshake/ed25519/tls1.3/default/x25519/none/d0/mtls',
    ]);
    expect(printed.cells.every((cell) => cell.state === 'measured')).toBe(true);
    // Tables go to stderr when stdout carries the JSON.
    expect(stderr).toContain('handshake workload "handshake"');
    expect(stderr).toContain(`results written to ${out}`);
  });

  it('writes a certificate set that verifies', async () => {
    const out = path.join(scratch, 'pki');
    const { code, stdout } = await cli(['certs', '--key-type', 'ecdsa-p256', '--chain-depth', '1', '--out', out]);
    expect(code).toBe(0);
    expect(stdout).toContain(path.join(out, 'server-key.pem'));
    const ca = new X509Certificate(readFileSync(path.join(out, 'ca.pem')));
    const intermediate = new X509Certificate(readFileSync(path.join(out, 'intermediate-1.pem')));
    const server = new X509Certificate(readFileSync(path.join(out, 'server.pem')));
    expect(intermediate.verify(ca.publicKey)).toBe(true);
    expect(server.verify(intermediate.publicKey)).toBe(true);
    expect(statSync(path.join(out, 'server-key.pem')).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(out, 'client-key.pem')).mode & 0o777).toBe(0o600);
  });

  it('rejects an unknown key type for certs', async () => {
    const { code, stderr } = await cli(['certs', '--key-type', 'rsa-1024', '--out', path.join(scratch, 'never')]);
    expect(code).toBe(2);
    expect(stderr).toBe(
      'mtls-bench: certs: --key-type: got "rsa-1024"; expected one of rsa-2048, rsa-3072, rsa-4096, ecdsa-p256, ecdsa-p384, ed25519\n',
    );
  });
});
