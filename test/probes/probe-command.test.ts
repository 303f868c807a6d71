import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BIN, ROOT, runCli } from '../cli/run-cli.ts';
import { afterAll, describe, expect, it } from 'vitest';
import type { ConfigurationProbes } from '../../src/probes/types.ts';

const root = ROOT;
const bin = BIN;
const scratch = mkdtempSync(path.join(os.tmpdir(), 'mtls-bench-probe-test-'));


const cli = runCli;

/** Two mTLS configurations (resumption none and tickets) of one key type in TLS 1.3. */
const SUITE = `name: probe-inline
matrix:
  keyType: ecdsa-p256
  tlsVersion: tls1.3
  resumption: [none, tickets]
  auth: [tls, mtls]
workloads:
  - kind: handshake
    duration: 1s
  - kind: requests
    duration: 1s
`;

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('mtls-bench probe', () => {
  it('prints a passing table and exits 0', async () => {
    const file = path.join(scratch, 'inline.yaml');
    writeFileSync(file, SUITE);

    const { code, stdout, stderr } = await cli(['probe', file, '--filter', 'none/d0']);

    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('ecdsa-p256/tls1.3/default/x25519/none/d0/mtls');
    expect(stdout).not.toContain('tickets');
    expect(stdout).toMatch(/│ no-certificate\s+│ rejected │ rejected │ ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED\s+│ pass/);
    expect(stdout).toMatch(/│ right-certificate\s+│ accepted │ accepted │ -\s+│ pass/);
    expect(stdout.match(/│ pass/g)).toHaveLength(6);
    expect(stdout).not.toContain('PRIVATE KEY');
  });

  it('prints the outcomes as JSON', async () => {
    const file = path.join(scratch, 'inline-json.yaml');
    writeFileSync(file, SUITE);

    const { code, stdout, stderr } = await cli(['probe', file, '--filter', 'handshake/', '--json']);

    expect(code).toBe(0);
    const probed = JSON.parse(stdout) as ConfigurationProbes[];
    // Two workloads share each server configuration, so each is probed once.
    expect(probed.map((entry) => entry.configuration)).toEqual([
      'ecdsa-p256/tls1.3/default/x25519/none/d0/mtls',
      'ecdsa-p256/tls1.3/default/x25519/tickets/d0/mtls',
    ]);
    expect(probed.flatMap((entry) => entry.outcomes).every((outcome) => outcome.passed)).toBe(true);
    expect(stderr).toContain('│ configuration');
  });

  it('rejects a bad suite with exit 2', async () => {
    const file = path.join(scratch, 'bad.yaml');
    writeFileSync(file, 'name: bad\nmatrix:\n  auth: [mtls, "both"]\n');

    const { code, stdout, stderr } = await cli(['probe', file]);

    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(`${file}:3: matrix.auth[1]`);
  });

  it('rejects a suite without mtls cells with exit 2', async () => {
    const file = path.join(scratch, 'tls-only.yaml');
    writeFileSync(file, 'name: tls-only\nmatrix:\n  auth: tls\n');

    const { code, stderr } = await cli(['probe', file]);

    expect(code).toBe(2);
    expect(stderr).toContain('probe: no selected cell uses auth mtls');
  });
});
