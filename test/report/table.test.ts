import { describe, expect, it } from 'vitest';
import { renderTables } from '../../src/report/table.ts';
import { formatEstimate, formatRatioChange, overheadsOf } from '../../src/report/overhead.ts';
import { createLatencyHistogram, recordLatencyUs, summarizeLatency } from '../../src/stats/histogram.ts';
import { estimateRatio } from '../../src/stats/ratio.ts';
import type { CellResult, CellScenario, MeasuredCell, RoundResult, RunResults } from '../../src/results/types.ts';
import type { Auth } from '../../src/scenario/types.ts';

function latency(values: number[]) {
  const histogram = createLatencyHistogram();
  for (const value of values) recordLatencyUs(histogram, value);
  return summarizeLatency(histogram);
}

function scenario(auth: Auth): CellScenario {
  return {
    keyType: 'ecdsa-p256',
    serverKeyType: 'ecdsa-p256',
    clientKeyType: 'ecdsa-p256',
    tlsVersion: 'tls1.3',
    cipherSuite: 'default',
    group: 'x25519',
    resumption: 'none',
    auth,
    chainDepth: 0,
    workload: 'handshake',
    workloadKind: 'handshake',
  };
}

/**
 * Five rounds around the cell's figures, each 1% above the one before, so that rounds of two
 * cells overlap unless their figures differ by more than about 4%.
 */
function roundsAround(fullP50Us: number, cpu: { server: number; client: number }, perSec: number): RoundResult[] {
  return [0, 1, 2, 3, 4].map((index) => {
    const scale = 1 + index / 100;
    return {
      durationMs: 200,
      count: 100,
      values: {
        'handshake.full.p50': Math.round(fullP50Us * scale),
        'handshake.full.p99': Math.round(2 * fullP50Us * scale),
        'handshake.resumed.p50': null,
        'handshake.resumed.p99': null,
        throughput: perSec / scale,
        'cpu.server': Math.round(cpu.server * scale),
        'cpu.client': Math.round(cpu.client * scale),
      },
    };
  });
}

function handshakeCell(auth: Auth, fullUs: number[], cpu: { server: number; client: number }): MeasuredCell {
  const id = `handshake/ecdsa-p256/tls1.3/default/x25519/none/d0/${auth}`;
  return {
    id,
    baselineId: auth === 'mtls' ? id.replace(/mtls$/, 'tls') : null,
    scenario: scenario(auth),
    state: 'measured',
    probes: [],
    durationMs: 1000,
    negotiated: { protocol: 'TLSv1.3', cipherSuite: 'TLS_AES_256_GCM_SHA384', group: 'x25519', peerKeyType: 'ecdsa-p256' },
    handshake: {
      count: fullUs.length,
      errors: 0,
      errorsByCode: {},
      resumed: 0,
      resumedShare: 0,
      handshakesPerSec: 1000 / (auth === 'mtls' ? 1.25 : 1),
      connectUs: latency(fullUs.map(() => 40)),
      latencyUs: { full: latency(fullUs), resumed: latency([]) },
    },
    server: { handshakesFull: fullUs.length, handshakesResumed: 0, clientCertsVerified: auth === 'mtls' ? fullUs.length : 0, errorsByCode: {} },
    cpu: { serverUsPerOp: cpu.server, clientUsPerOp: cpu.client },
    cryptoFloorUs: { serverUs: 60, clientUs: 90 },
    client: { cpuShare: 0.5, bound: false },
    rounds: roundsAround(fullUs[Math.floor(fullUs.length / 2)] ?? 0, cpu, 1000 / (auth === 'mtls' ? 1.25 : 1)),
    checks: [{ name: 'protocol', phase: 'measured', expected: 'TLSv1.3', actual: `negotiated TLSv1.3 on ${fullUs.length} of ${fullUs.length} handshakes`, passed: true }],
  };
}

function resultsOf(cells: CellResult[]): RunResults {
  return {
    schemaVersion: 2,
    environment: {
      tool: { name: 'mtls-bench', version: '0.0.0' },
      node: '20.0.0',
      openssl: '3.0.0',
      cpu: { model: 'test', count: 2 },
      os: { platform: 'linux', release: '6', arch: 'x64' },
      totalMemoryBytes: 1,
      machineId: '0123456789abcdef',
    },
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:00:01.000Z',
    quick: false,
    filter: null,
    rounds: 5,
    suite: {
      name: 'table-test',
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
      gate: { threshold: 0.1, metrics: {} },
      cells: [],
    },
    cryptoFloor: null,
    cells,
  };
}

describe('overhead', () => {
  it('divides the mTLS rounds by the baseline rounds', () => {
    const baseline = handshakeCell('tls', [400, 400, 400, 400], { server: 200, client: 300 });
    const mtls = handshakeCell('mtls', [500, 500, 500, 500], { server: 300, client: 450 });
    const overhead = overheadsOf(resultsOf([baseline, mtls])).get(mtls.id);
    const estimateOf = (metric: string) => overhead?.metrics.find((entry) => entry.metric === metric)?.estimate;

    expect(estimateOf('handshake.full.p50')?.ratio).toBeCloseTo(1.25, 2);
    expect(estimateOf('handshake.full.p50')?.differs).toBe(true);
    expect(estimateOf('cpu.server')?.ratio).toBeCloseTo(1.5, 2);
    expect(estimateOf('cpu.client')?.ratio).toBeCloseTo(1.5, 2);
    expect(estimateOf('throughput')?.ratio).toBeCloseTo(0.8, 2);
    expect(estimateOf('handshake.resumed.p50')).toBeNull();
  });

  it('calls overlapping rounds no difference', () => {
    const baseline = handshakeCell('tls', [400], { server: 200, client: 300 });
    const mtls = handshakeCell('mtls', [404], { server: 202, client: 300 });
    const overhead = overheadsOf(resultsOf([baseline, mtls])).get(mtls.id);
    const estimate = overhead?.metrics.find((entry) => entry.metric === 'handshake.full.p50')?.estimate ?? null;

    expect(estimate?.differs).toBe(false);
    expect(formatEstimate(estimate).change).toBe('~');
  });

  it('skips an mTLS cell whose baseline failed', () => {
    const baseline: CellResult = {
      id: 'handshake/ecdsa-p256/tls1.3/default/x25519/none/d0/tls',
      baselineId: null,
      scenario: scenario('tls'),
      state: 'failed',
      probes: [],
      durationMs: 0,
      error: { code: 'SERVER_FAILED', message: 'server exited' },
      checks: [],
    };
    const mtls = handshakeCell('mtls', [500], { server: 300, client: 450 });
    expect(overheadsOf(resultsOf([baseline, mtls])).size).toBe(0);
  });

  it('formats ratios as signed percentages', () => {
    expect(formatRatioChange(1.25)).toBe('+25%');
    expect(formatRatioChange(0.8)).toBe('-20%');
    expect(formatRatioChange(1)).toBe('+0%');
    expect(formatEstimate(null)).toEqual({ change: '-', interval: '' });
    // 3 vs 3 rounds: the whole range of pairwise ratios covers 90%, short of 95%.
    const threeRounds = estimateRatio([100, 101, 102], [200, 201, 202]);
    expect(formatEstimate(threeRounds)).toEqual({ change: '~', interval: '(too few rounds)' });
  });
});

describe('renderTables', () => {
  it('shows percentiles, CPU and overhead with intervals', () => {
    const baseline = handshakeCell('tls', [400, 410, 420, 900], { server: 200, client: 300 });
    const mtls = handshakeCell('mtls', [500, 510, 520, 1000], { server: 300, client: 450 });
    const text = renderTables(resultsOf([baseline, mtls]), { color: false });
    expect(text).toContain('handshake workload "handshake"');
    expect(text).toContain('410 / 900 / 900');
    expect(text).toContain('510 / 1000 / 1000');
    expect(text).toContain('200 / 300');
    expect(text).toContain('mTLS against TLS, change and 95% interval over 5 rounds');
    // Rounds 1% apart: the intervals are narrow and exclude no change.
    expect(text).toMatch(/\+24%\s+│\s+\+24%\s+│\s+-20%\s+│\s+\+50%\s+│\s+\+50%/);
    expect(text).not.toContain('\u001b[');
  });

  it('gives no intervals below 4 rounds', () => {
    const baseline = handshakeCell('tls', [400], { server: 200, client: 300 });
    const mtls = handshakeCell('mtls', [500], { server: 300, client: 450 });
    const results = { ...resultsOf([{ ...baseline, rounds: baseline.rounds.slice(0, 3) }, { ...mtls, rounds: mtls.rounds.slice(0, 3) }]), rounds: 3 };

    const text = renderTables(results, { color: false });

    expect(text).toContain(
      'mTLS against TLS: no intervals, because 3 rounds per cell can never show a difference at 95%; run at least 4 rounds (5 by default)',
    );
    expect(text).not.toContain('[+');
  });

  it('marks a failed cell with its error', () => {
    const failed: CellResult = {
      id: 'handshake/ecdsa-p256/tls1.3/default/x25519/none/d0/tls',
      baselineId: null,
      scenario: scenario('tls'),
      state: 'failed',
      probes: [],
      durationMs: 0,
      error: { code: 'SERVER_FAILED', message: 'echo server exited with code 1' },
      checks: [],
    };
    const text = renderTables(resultsOf([failed]), { color: false });
    expect(text).toContain('FAILED SERVER_FAILED: echo server exited with code 1');
    expect(text).toContain('FAILED [1]');
    // A spanning cell made cli-table3 draw stray joints between rows.
    expect(text).not.toContain('┴┴');
  });

  it('lists the failed checks of a cell, one per line', () => {
    const failed: CellResult = {
      id: 'handshake/ecdsa-p256/tls1.3/default/x25519/none/d0/mtls',
      baselineId: 'handshake/ecdsa-p256/tls1.3/default/x25519/none/d0/tls',
      scenario: scenario('mtls'),
      state: 'failed',
      probes: [],
      durationMs: 0,
      error: { code: 'CHECK_FAILED', message: 'checks failed in the warm-up: …' },
      checks: [
        { name: 'protocol', phase: 'warm-up', expected: 'TLSv1.3', actual: 'negotiated TLSv1.3 on 20 of 20 handshakes', passed: true },
        { name: 'group', phase: 'warm-up', expected: 'x25519', actual: 'negotiated p-256 on 20 of 20 full handshakes', passed: false },
        { name: 'client certificate', phase: 'warm-up', expected: 'verified', actual: 'not verified on 20 of 20 full handshakes', passed: false },
      ],
    };
    const baseline = handshakeCell('tls', [400, 410], { server: 200, client: 300 });

    const lines = renderTables(resultsOf([baseline, failed]), { color: false }).split('\n');

    const groupLine = lines.findIndex((line) => line.includes('FAILED in the warm-up: group: expected x25519, negotiated p-256 on 20 of 20 full handshakes'));
    expect(groupLine).toBeGreaterThan(0);
    expect(lines[groupLine + 1]).toContain('FAILED in the warm-up: client certificate: expected verified, not verified on 20 of 20 full handshakes');
    expect(lines.join('\n')).not.toContain('protocol: expected');
    expect(lines.join('\n')).not.toContain('CHECK_FAILED');
  });
});

describe('rates', () => {
  function openLoopCell(auth: Auth, achievedPerSec: number): MeasuredCell {
    const cell = handshakeCell(auth, [900, 1000, 1100], { server: 500, client: 400 });
    const handshake = cell.handshake;
    if (handshake === undefined) throw new Error('handshake cell without handshake results');
    return {
      ...cell,
      handshake: {
        ...handshake,
        arrivals: {
          ratePerSec: 500,
          achievedPerSec,
          reached: achievedPerSec >= 475,
          started: 1000,
          missed: achievedPerSec >= 475 ? 0 : 400,
          late: achievedPerSec >= 475 ? 3 : 600,
          startDelayUs: latency([100, 200]),
        },
      },
    };
  }

  it('shows the requested rate and the open-loop note', () => {
    const text = renderTables(resultsOf([openLoopCell('tls', 499.6), openLoopCell('mtls', 498)]), { color: false });
    expect(text).toContain('of 500');
    expect(text).toContain("latency counts from each connection's intended start");
    expect(text).not.toContain('could not keep up');
  });

  it('marks a cell that fell short of its rate and explains the mark', () => {
    const text = renderTables(resultsOf([openLoopCell('tls', 499.6), openLoopCell('mtls', 310)]), { color: false });
    expect(text).toMatch(/800!/);
    expect(text).toContain(
      '! handshake/ecdsa-p256/tls1.3/default/x25519/none/d0/mtls: started 310/s of the 500/s requested (400 never started, 600 late by over 2 ms)',
    );
    expect(text).not.toContain('d0/tls: started');
  });
});

describe('requests connections', () => {
  function requestsCell(connectionsVerified: number): MeasuredCell {
    const base = handshakeCell('tls', [900], { server: 50, client: 40 });
    const { handshake: _handshake, cryptoFloorUs: _floor, ...rest } = base;
    return {
      ...rest,
      id: 'requests/ecdsa-p256/tls1.3/default/x25519/none/d0/tls',
      scenario: { ...scenario('tls'), workload: 'requests', workloadKind: 'requests' },
      requests: {
        count: 5000,
        errors: 0,
        errorsByCode: {},
        non2xx: 0,
        throughputRps: 5000,
        latencyUs: latency([200, 300]),
        connectionsVerified,
        connectionsUnverified: 0,
      },
    };
  }

  function resultsWithRequests(cell: MeasuredCell): RunResults {
    const results = resultsOf([cell]);
    results.suite.workloads = [
      { kind: 'requests', name: 'requests', connections: 10, workers: 1, pipelining: 1, durationMs: 1000, maxCount: null, rateRps: null, warmupMs: 0, payloadBytes: 64 },
    ];
    return results;
  }

  it('says when fewer connections came up than the workload opens', () => {
    const text = renderTables(resultsWithRequests(requestsCell(38)), { color: false });
    expect(text).toContain(
      'requests/ecdsa-p256/tls1.3/default/x25519/none/d0/tls: 38 of 50 connections (10 in each of 5 rounds) finished their handshake within the window',
    );
  });

  it('says nothing when every connection came up', () => {
    const text = renderTables(resultsWithRequests(requestsCell(50)), { color: false });
    expect(text).not.toContain('connections (10 in each');
  });
});
