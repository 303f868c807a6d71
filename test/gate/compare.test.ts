import { describe, expect, it } from 'vitest';
import { compareResults } from '../../src/gate/compare.ts';
import type { CompareOptions } from '../../src/gate/compare.ts';
import type { MetricComparison } from '../../src/gate/types.ts';
import { MtlsBenchError } from '../../src/errors.ts';
import type { MetricName } from '../../src/results/metrics.ts';
import {
  cellId,
  failedCell,
  FULL_P50_US,
  FULL_P50_US_OVERLAPPING,
  measuredCell,
  resultsFile,
  scaled,
} from './results-fixture.ts';

const AUTO: CompareOptions = { mode: 'auto', thresholds: { metrics: {} } };
const TLS = { auth: 'tls' } as const;
const MTLS = { auth: 'mtls' } as const;
const RATE_RPS = [500, 506, 497, 503, 499];

function find(metrics: MetricComparison[], cell: string, kind: 'absolute' | 'overhead', metric: MetricName): MetricComparison {
  const found = metrics.find((entry) => entry.cellId === cell && entry.kind === kind && entry.metric === metric);
  if (found === undefined) throw new Error(`no ${kind} ${metric} comparison of ${cell}`);
  return found;
}

/** Compares one TLS cell whose full-handshake p50 is `FULL_P50_US` in base and `head` in head, on one machine. */
function compareOneCell(head: number[], options: CompareOptions = AUTO, metric: MetricName = 'handshake.full.p50') {
  const base = resultsFile([measuredCell(TLS, { [metric]: FULL_P50_US })]);
  const headFile = resultsFile([measuredCell(TLS, { [metric]: head })]);
  const comparison = compareResults(base, headFile, options);
  return { comparison, entry: find(comparison.metrics, cellId(TLS), 'absolute', metric) };
}

describe('compareResults verdicts', () => {
  it('fails a regression beyond its threshold', () => {
    const { comparison, entry } = compareOneCell(scaled(FULL_P50_US, 1.25));
    expect(entry.verdict).toBe('worse');
    expect(entry.failed).toBe(true);
    expect(entry.estimate?.ratio).toBeCloseTo(1.25, 2);
    expect(entry.estimate?.differs).toBe(true);
    expect(entry.threshold).toBe(0.1);
    expect(comparison.passed).toBe(false);
    expect(comparison.counts).toEqual({ compared: 1, worse: 1, better: 0, unchanged: 0, failed: 1 });
  });

  it('passes a significant regression within its threshold', () => {
    const { comparison, entry } = compareOneCell(scaled(FULL_P50_US, 1.05));
    expect(entry.verdict).toBe('worse');
    expect(entry.failed).toBe(false);
    expect(comparison.passed).toBe(true);
  });

  it('calls overlapping rounds unchanged', () => {
    const { comparison, entry } = compareOneCell(FULL_P50_US_OVERLAPPING);
    expect(entry.verdict).toBe('~');
    expect(entry.estimate?.differs).toBe(false);
    expect(entry.failed).toBe(false);
    expect(comparison.passed).toBe(true);
  });

  it('calls a large change from a single round unchanged', () => {
    const base = resultsFile([measuredCell(TLS, { 'handshake.full.p50': [1000] })]);
    const head = resultsFile([measuredCell(TLS, { 'handshake.full.p50': [3000] })]);
    const entry = find(compareResults(base, head, AUTO).metrics, cellId(TLS), 'absolute', 'handshake.full.p50');
    expect(entry.estimate).toBeNull();
    expect(entry.verdict).toBe('~');
    expect(entry.failed).toBe(false);
  });

  it('passes an improvement', () => {
    const { comparison, entry } = compareOneCell(scaled(FULL_P50_US, 0.7));
    expect(entry.verdict).toBe('better');
    expect(entry.failed).toBe(false);
    expect(comparison.passed).toBe(true);
  });

  it('reads lower throughput as worse', () => {
    const { entry } = compareOneCell(scaled(RATE_RPS, 0.8), AUTO, 'throughput');
    expect(entry.verdict).toBe('worse');
    expect(entry.failed).toBe(true);
  });

  it('gates throughput at 1/(1+t)', () => {
    // 1/1.1 = 0.909: a 7% drop is within a 10% threshold, a 12% drop beyond it.
    const base = resultsFile([measuredCell(TLS, { throughput: RATE_RPS })]);
    const within = compareResults(base, resultsFile([measuredCell(TLS, { throughput: scaled(RATE_RPS, 0.93) })]), AUTO);
    const beyond = compareResults(base, resultsFile([measuredCell(TLS, { throughput: scaled(RATE_RPS, 0.88) })]), AUTO);
    expect(within.metrics[0]?.verdict).toBe('worse');
    expect(within.metrics[0]?.failed).toBe(false);
    expect(beyond.metrics[0]?.failed).toBe(true);
  });

  it('records medians and the values compared', () => {
    const { entry } = compareOneCell(scaled(FULL_P50_US, 2));
    expect(entry.base).toBe(1000);
    expect(entry.head).toBe(2000);
    expect(entry.baseValues).toEqual(FULL_P50_US);
    expect(entry.headValues).toEqual(scaled(FULL_P50_US, 2));
  });

  it('drops null round values', () => {
    const base = resultsFile([measuredCell(TLS, { 'handshake.resumed.p50': [null, null, null], 'handshake.full.p50': [1000, null, 1010] })]);
    const head = resultsFile([measuredCell(TLS, { 'handshake.resumed.p50': [null, null, null], 'handshake.full.p50': [1000, 1005, null] })]);
    const comparison = compareResults(base, head, AUTO);
    expect(comparison.metrics.map((entry) => entry.metric)).toEqual(['handshake.full.p50']);
    expect(comparison.metrics[0]?.baseValues).toEqual([1000, 1010]);
    expect(comparison.metrics[0]?.headValues).toEqual([1000, 1005]);
  });

  it('does not fail an ungated metric', () => {
    const options: CompareOptions = { mode: 'auto', thresholds: { metrics: { 'handshake.full.p50': null } } };
    const { comparison, entry } = compareOneCell(scaled(FULL_P50_US, 1.5), options);
    expect(entry.verdict).toBe('worse');
    expect(entry.threshold).toBeNull();
    expect(entry.failed).toBe(false);
    expect(comparison.passed).toBe(true);
  });
});

describe('compareResults modes', () => {
  // The head machine is 50% slower for TLS and mTLS alike; mTLS still costs twice TLS.
  const tlsBase = FULL_P50_US;
  const mtlsBase = [2010, 1995, 2004, 1990, 2008];
  const slowerTls = scaled([1002, 996, 1008, 993, 1003], 1.5);
  const slowerMtls = scaled([2000, 2012, 1992, 2006, 1997], 1.5);
  const cpuUs = [800, 804, 797, 801, 799];

  function files(machineIds: [string, string], cpuModels: [string, string] = ['Test CPU', 'Test CPU']) {
    const base = resultsFile(
      [measuredCell(TLS, { 'handshake.full.p50': tlsBase, 'cpu.server': cpuUs }), measuredCell(MTLS, { 'handshake.full.p50': mtlsBase, 'cpu.server': scaled(cpuUs, 2) })],
      { machineId: machineIds[0], cpuModel: cpuModels[0] },
    );
    const head = resultsFile(
      [measuredCell(TLS, { 'handshake.full.p50': slowerTls, 'cpu.server': cpuUs }), measuredCell(MTLS, { 'handshake.full.p50': slowerMtls, 'cpu.server': scaled(cpuUs, 2) })],
      { machineId: machineIds[1], cpuModel: cpuModels[1] },
    );
    return { base, head };
  }

  it('picks absolute mode on one machine', () => {
    const { base, head } = files(['a1b2c3d4e5f60718', 'a1b2c3d4e5f60718']);
    const comparison = compareResults(base, head, AUTO);
    expect(comparison.mode).toBe('absolute');
    expect(comparison.modeReason).toBe('same machine (machine id a1b2c3d4…)');
    expect(comparison.absoluteCpu).toBeNull();
  });

  it('picks normalized mode across machines', () => {
    const { base, head } = files(['a1b2c3d4e5f60718', 'c3d4e5f60718a1b2']);
    const comparison = compareResults(base, head, AUTO);
    expect(comparison.mode).toBe('normalized');
    expect(comparison.modeReason).toBe('different machines (machine ids a1b2c3d4… vs c3d4e5f6…)');
  });

  it('cancels a slowdown of both cells in normalized mode', () => {
    const { base, head } = files(['a1b2c3d4e5f60718', 'c3d4e5f60718a1b2']);
    const comparison = compareResults(base, head, AUTO);
    const overhead = find(comparison.metrics, cellId(MTLS), 'overhead', 'handshake.full.p50');
    expect(overhead.verdict).toBe('~');
    expect(overhead.baselineId).toBe(cellId(TLS));
    expect(overhead.base).toBeCloseTo(2, 1);
    expect(overhead.head).toBeCloseTo(2, 1);
    expect(comparison.metrics.some((entry) => entry.kind === 'absolute' && entry.metric === 'handshake.full.p50')).toBe(false);
    expect(comparison.passed).toBe(true);
  });

  it('fails the same slowdown in absolute mode', () => {
    const { base, head } = files(['a1b2c3d4e5f60718', 'c3d4e5f60718a1b2']);
    const comparison = compareResults(base, head, { ...AUTO, mode: 'absolute' });
    expect(comparison.modeReason).toBe('requested; the files come from different machines (machine ids a1b2c3d4… vs c3d4e5f6…)');
    expect(find(comparison.metrics, cellId(TLS), 'absolute', 'handshake.full.p50').failed).toBe(true);
    expect(find(comparison.metrics, cellId(MTLS), 'absolute', 'handshake.full.p50').failed).toBe(true);
    expect(comparison.metrics.some((entry) => entry.kind === 'overhead')).toBe(false);
  });

  it('fails an mTLS-only slowdown in normalized mode', () => {
    const { base } = files(['a1b2c3d4e5f60718', 'a1b2c3d4e5f60718']);
    const head = resultsFile(
      [
        measuredCell(TLS, { 'handshake.full.p50': slowerTls }),
        measuredCell(MTLS, { 'handshake.full.p50': scaled(slowerMtls, 1.3) }),
      ],
      { machineId: 'c3d4e5f60718a1b2' },
    );
    const overhead = find(compareResults(base, head, AUTO).metrics, cellId(MTLS), 'overhead', 'handshake.full.p50');
    expect(overhead.verdict).toBe('worse');
    expect(overhead.estimate?.ratio).toBeCloseTo(1.3, 1);
    expect(overhead.failed).toBe(true);
  });

  it('pairs overhead rounds by index', () => {
    // Round 2 of both cells is twice as slow: the ratio of that round stays at 2.
    const base = resultsFile([
      measuredCell(TLS, { 'handshake.full.p50': [1000, 2000, 1000] }),
      measuredCell(MTLS, { 'handshake.full.p50': [2000, 4000, 2000] }),
    ]);
    const head = resultsFile(
      [measuredCell(TLS, { 'handshake.full.p50': [1000, 0, 1000] }), measuredCell(MTLS, { 'handshake.full.p50': [3000, 3000, 3000] })],
      { machineId: 'c3d4e5f60718a1b2' },
    );
    const overhead = find(compareResults(base, head, AUTO).metrics, cellId(MTLS), 'overhead', 'handshake.full.p50');
    expect(overhead.baseValues).toEqual([2, 2, 2]);
    expect(overhead.headValues).toEqual([3, 3]);
  });

  it('compares absolute CPU on the same CPU model', () => {
    const { base, head } = files(['a1b2c3d4e5f60718', 'c3d4e5f60718a1b2']);
    const comparison = compareResults(base, head, AUTO);
    expect(comparison.absoluteCpu).toEqual({ compared: true, reason: 'same CPU in both files (Test CPU × 2)' });
    expect(find(comparison.metrics, cellId(TLS), 'absolute', 'cpu.server').verdict).toBe('~');
    expect(find(comparison.metrics, cellId(MTLS), 'absolute', 'cpu.server').verdict).toBe('~');
  });

  it('skips absolute CPU on different CPU models', () => {
    const { base, head } = files(['a1b2c3d4e5f60718', 'c3d4e5f60718a1b2'], ['Test CPU', 'Other CPU']);
    const comparison = compareResults(base, head, AUTO);
    expect(comparison.absoluteCpu).toEqual({
      compared: false,
      reason: 'skipped because the CPU models differ (Test CPU × 2 vs Other CPU × 2)',
    });
    expect(comparison.metrics.every((entry) => entry.kind === 'overhead')).toBe(true);
  });
});

describe('compareResults cell matching', () => {
  it('rejects results of different suites', () => {
    const base = resultsFile([measuredCell(TLS, { throughput: RATE_RPS })], { suite: 'default' });
    const head = resultsFile([measuredCell(TLS, { throughput: RATE_RPS })], { suite: 'ciphers' });
    expect(() => compareResults(base, head, AUTO)).toThrow(MtlsBenchError);
    expect(() => compareResults(base, head, AUTO)).toThrow(
      'base and head are results of different suites ("default" and "ciphers"); compare two runs of the same suite',
    );
  });

  it('rejects too few rounds to judge', () => {
    const base = { ...resultsFile([measuredCell(TLS, { throughput: RATE_RPS })]), rounds: 1 };
    const head = resultsFile([measuredCell(TLS, { throughput: RATE_RPS })]);
    expect(() => compareResults(base, head, AUTO)).toThrow(
      'base has 1 round per cell and head 5: so few rounds can never show a difference at 95%, so the gate could not fail; ' +
        'run both with at least 4 rounds (5 by default)',
    );
    expect(() => compareResults({ ...base, rounds: 3 }, { ...head, rounds: 3 }, AUTO)).toThrow('base has 3 rounds per cell and head 3');
    expect(compareResults({ ...base, rounds: 4 }, { ...head, rounds: 4 }, AUTO).passed).toBe(true);
  });

  it('warns about quick runs, other round counts and one run twice', () => {
    const cell = measuredCell(TLS, { throughput: RATE_RPS });
    const base = resultsFile([cell]);

    expect(compareResults(base, base, AUTO).warnings).toEqual(['base and head are the same run, so every change is zero']);
    const quickHead = { ...resultsFile([measuredCell(TLS, { throughput: scaled(RATE_RPS, 1.01) })]), quick: true, rounds: 6 };
    expect(compareResults(base, quickHead, AUTO).warnings).toEqual([
      'head is a --quick run, whose short bounds make chance failures likely',
      'base has 5 rounds per cell and head 6, so their rounds are of different lengths',
    ]);
  });

  it('warns about a partial run', () => {
    const base = resultsFile([measuredCell(TLS, { throughput: RATE_RPS })]);
    const head = { ...resultsFile([measuredCell(TLS, { throughput: scaled(RATE_RPS, 1.01) })]), partial: { stoppedBy: 'SIGINT', cellsPlanned: 8 } };
    expect(compareResults(base, head, AUTO).warnings).toEqual([
      'head is a partial run, stopped by SIGINT after 1 of 8 cells, so only the cells it finished are compared',
    ]);
  });

  it('rejects files without a common cell', () => {
    const base = resultsFile([measuredCell({ auth: 'tls', keyType: 'rsa-2048' }, { throughput: RATE_RPS })]);
    const head = resultsFile([measuredCell({ auth: 'tls', keyType: 'ed25519' }, { throughput: RATE_RPS })]);
    expect(() => compareResults(base, head, AUTO)).toThrow(
      'base and head have no cell in common: base has handshake/rsa-2048/tls1.3/default/x25519/none/d0/tls; ' +
        'head has handshake/ed25519/tls1.3/default/x25519/none/d0/tls. Run both with the same --filter, or none.',
    );
  });

  it('lists cells of one file and failed cells', () => {
    const rsa = { auth: 'tls', keyType: 'rsa-2048' } as const;
    const ed25519 = { auth: 'tls', keyType: 'ed25519' } as const;
    const base = resultsFile([measuredCell(TLS, { throughput: RATE_RPS }), measuredCell(MTLS, { throughput: RATE_RPS }), measuredCell(rsa, { throughput: RATE_RPS })]);
    const head = resultsFile([measuredCell(TLS, { throughput: RATE_RPS }), failedCell(MTLS), measuredCell(ed25519, { throughput: RATE_RPS })]);
    const comparison = compareResults(base, head, AUTO);
    expect(comparison.skipped).toEqual([
      { cellId: cellId(MTLS), reason: 'failed', detail: 'failed in head: PROBE_FAILED: the server accepted a client without a certificate' },
      { cellId: cellId(ed25519), reason: 'only-in-head', detail: 'measured in head only' },
      { cellId: cellId(rsa), reason: 'only-in-base', detail: 'measured in base only' },
    ]);
    expect(comparison.metrics.map((entry) => entry.cellId)).toEqual([cellId(TLS)]);
  });

  it('skips overheads whose baseline failed', () => {
    const base = resultsFile([measuredCell(TLS, { throughput: RATE_RPS }), measuredCell(MTLS, { throughput: RATE_RPS })]);
    const head = resultsFile([failedCell(TLS, 'no handshake completed'), measuredCell(MTLS, { throughput: RATE_RPS })], {
      machineId: 'c3d4e5f60718a1b2',
    });
    const comparison = compareResults(base, head, AUTO);
    expect(comparison.mode).toBe('normalized');
    expect(comparison.skipped.map((cell) => [cell.cellId, cell.reason])).toEqual([
      [cellId(TLS), 'failed'],
      [cellId(MTLS), 'baseline-not-measured'],
    ]);
    expect(comparison.metrics.filter((entry) => entry.kind === 'overhead')).toEqual([]);
  });

  it('serialises to JSON without loss', () => {
    const { comparison } = compareOneCell(scaled(FULL_P50_US, 1.25));
    expect(JSON.parse(JSON.stringify(comparison))).toEqual(comparison);
  });
});
