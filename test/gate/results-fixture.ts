import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { MetricName, MetricValues } from '../../src/results/metrics.ts';
import type { CellResult, CellScenario, FailedCell, MeasuredCell, RunResults } from '../../src/results/types.ts';
import type { Auth, GateSettings, KeyType, WorkloadKind } from '../../src/scenario/types.ts';

/**
 * Hand-made results files for gate tests: cells with chosen round values and nothing else that a
 * comparison does not read filled in beyond what the types require.
 */

export interface CellSpec {
  auth: Auth;
  keyType?: KeyType;
  workloadKind?: WorkloadKind;
}

export function cellId({ auth, keyType = 'ecdsa-p256', workloadKind = 'handshake' }: CellSpec): string {
  return `${workloadKind}/${keyType}/tls1.3/default/x25519/none/d0/${auth}`;
}

function scenario({ auth, keyType = 'ecdsa-p256', workloadKind = 'handshake' }: CellSpec): CellScenario {
  return {
    keyType,
    serverKeyType: keyType,
    clientKeyType: keyType,
    tlsVersion: 'tls1.3',
    cipherSuite: 'default',
    group: 'x25519',
    resumption: 'none',
    auth,
    chainDepth: 0,
    workload: workloadKind,
    workloadKind,
  };
}

/** Turns per-metric lists (one value per round) into per-round value records. */
export function roundValues(values: Partial<Record<MetricName, (number | null)[]>>): MetricValues[] {
  const count = Math.max(0, ...Object.values(values).map((list) => list.length));
  return Array.from({ length: count }, (_, round) => {
    const record: MetricValues = {};
    for (const [metric, list] of Object.entries(values) as [MetricName, (number | null)[]][]) {
      const value = list[round];
      if (value !== undefined) record[metric] = value;
    }
    return record;
  });
}

/** Multiplies every value by `factor`, as a uniformly slower or faster run would. */
export function scaled(values: readonly number[], factor: number): number[] {
  return values.map((value) => value * factor);
}

export function measuredCell(spec: CellSpec, values: Partial<Record<MetricName, (number | null)[]>>): MeasuredCell {
  const id = cellId(spec);
  const rounds = roundValues(values).map((record) => ({ durationMs: 1000, count: 100, values: record }));
  return {
    id,
    baselineId: spec.auth === 'mtls' ? cellId({ ...spec, auth: 'tls' }) : null,
    scenario: scenario(spec),
    state: 'measured',
    durationMs: 1000 * rounds.length,
    checks: [],
    probes: [],
    rounds,
    negotiated: null,
    server: null,
    cpu: { serverUsPerOp: null, clientUsPerOp: 0 },
    client: { cpuShare: 0.5, bound: false },
  };
}

export function failedCell(spec: CellSpec, message = 'the server accepted a client without a certificate'): FailedCell {
  return {
    id: cellId(spec),
    baselineId: spec.auth === 'mtls' ? cellId({ ...spec, auth: 'tls' }) : null,
    scenario: scenario(spec),
    state: 'failed',
    durationMs: 0,
    checks: [],
    probes: [],
    error: { code: 'PROBE_FAILED', message },
  };
}

export interface FileSpec {
  suite?: string;
  machineId?: string;
  cpuModel?: string;
  cpuCount?: number;
  gate?: GateSettings;
}

export function resultsFile(cells: CellResult[], spec: FileSpec = {}): RunResults {
  return {
    schemaVersion: 2,
    environment: {
      tool: { name: 'mtls-bench', version: '0.0.0' },
      node: '20.0.0',
      openssl: '3.0.0',
      cpu: { model: spec.cpuModel ?? 'Test CPU', count: spec.cpuCount ?? 2 },
      os: { platform: 'linux', release: '6', arch: 'x64' },
      totalMemoryBytes: 1,
      machineId: spec.machineId ?? 'a1b2c3d4e5f60718',
    },
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:01:00.000Z',
    quick: false,
    filter: null,
    rounds: 5,
    suite: {
      name: spec.suite ?? 'gate-test',
      description: null,
      sourceFile: null,
      matrix: {
        serverKeyType: ['ecdsa-p256'],
        clientKeyType: ['ecdsa-p256'],
        tlsVersion: ['tls1.3'],
        cipherSuite: [null],
        group: ['x25519'],
        resumption: ['none'],
        auth: ['tls', 'mtls'],
        chainDepth: [0],
      },
      workloads: [],
      target: null,
      simulate: null,
      rounds: 5,
      gate: spec.gate ?? { threshold: 0.1, metrics: {} },
      cells: [],
    },
    cryptoFloor: null,
    cells,
  };
}

export function writeResults(directory: string, name: string, results: unknown): string {
  const file = path.join(directory, name);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  return file;
}

/** Five rounds of a full-handshake p50 around 1000 µs, spread a few percent. */
export const FULL_P50_US = [1000, 1012, 991, 1006, 996];

/** Five rounds that overlap `FULL_P50_US` almost entirely, so no change can be called. */
export const FULL_P50_US_OVERLAPPING = [1003, 990, 1010, 998, 1001];
