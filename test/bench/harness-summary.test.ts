import { describe, expect, it } from 'vitest';
import { checkRatios, median, renderRatioTable, summarize } from '../../scripts/harness/summary.ts';
import type { Measurement } from '../../scripts/harness/types.ts';

function measurement(overrides: Partial<Measurement>): Measurement {
  return {
    phase: 'full',
    tool: 'driver',
    concurrency: 1,
    repetition: 1,
    position: 1,
    serverRate: null,
    toolRate: null,
    latencyP50Us: null,
    resumedShare: null,
    serverCpuShare: null,
    clientCpuShare: null,
    errors: {},
    failure: null,
    ...overrides,
  };
}

describe('median', () => {
  it('takes the middle of an odd count', () => {
    expect(median([3, 1, 2])).toBe(2);
  });

  it('averages the middle two of an even count', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('returns null for no values', () => {
    expect(median([])).toBeNull();
  });
});

describe('summarize', () => {
  it('compares server rates for handshakes', () => {
    const [summary] = summarize([
      measurement({ serverRate: 300, toolRate: 900 }),
      measurement({ serverRate: 320, toolRate: 900, repetition: 2 }),
      measurement({ serverRate: 310, toolRate: 900, repetition: 3 }),
    ]);
    expect(summary?.rate).toEqual({ median: 310, min: 300, max: 320 });
    expect(summary?.toolRateMedian).toBe(900);
  });

  it('compares tool rates for requests', () => {
    const [summary] = summarize([measurement({ phase: 'requests', tool: 'wrk', toolRate: 40_000 })]);
    expect(summary?.rate?.median).toBe(40_000);
  });

  it('counts runs without a rate', () => {
    const [summary] = summarize([
      measurement({ tool: 's_time', serverRate: 500 }),
      measurement({ tool: 's_time', repetition: 2, failure: 'openssl s_time exited with code 1', errors: { 'tool:S_TIME_EXIT': 1 } }),
    ]);
    expect(summary?.measuredRuns).toBe(1);
    expect(summary?.runs).toBe(2);
    expect(summary?.errorCount).toBe(1);
  });
});

describe('checkRatios', () => {
  const summaries = summarize([
    measurement({ tool: 'driver', serverRate: 950 }),
    measurement({ tool: 'loop', serverRate: 1000 }),
    measurement({ tool: 's_time', serverRate: 1100 }),
    measurement({ tool: 'driver', concurrency: 8, serverRate: 940 }),
    measurement({ tool: 'loop', concurrency: 8, serverRate: 1000 }),
  ]);
  const checks = checkRatios(summaries);

  it('passes a ratio at its target', () => {
    const check = checks.find((entry) => entry.concurrency === 1 && entry.reference === 'loop' && entry.subject === 'driver');
    expect(check?.ratio).toBeCloseTo(0.95, 10);
    expect(check?.verdict).toBe('pass');
  });

  it('misses a ratio below its target', () => {
    const driverToSTime = checks.find((entry) => entry.concurrency === 1 && entry.reference === 's_time' && entry.subject === 'driver');
    expect(driverToSTime?.verdict).toBe('miss');
    const atEight = checks.find((entry) => entry.concurrency === 8 && entry.reference === 'loop');
    expect(atEight?.verdict).toBe('miss');
  });

  it('shows the loop against s_time for information', () => {
    const check = checks.find((entry) => entry.subject === 'loop' && entry.reference === 's_time');
    expect(check?.target).toBeNull();
    expect(check?.verdict).toBe('info');
  });

  it('leaves out a reference that was not run', () => {
    expect(checks.some((entry) => entry.concurrency === 8 && entry.reference === 's_time')).toBe(false);
  });

  it('checks the https phase against its targets', () => {
    const httpsChecks = checkRatios(
      summarize([
        measurement({ phase: 'https', tool: 'driver', serverRate: 450 }),
        measurement({ phase: 'https', tool: 'loop', serverRate: 460 }),
        measurement({ phase: 'https', tool: 's_time', serverRate: 480 }),
      ]),
    );
    const toLoop = httpsChecks.find((entry) => entry.subject === 'driver' && entry.reference === 'loop');
    expect(toLoop?.target).toBe(0.95);
    expect(toLoop?.verdict).toBe('pass');
    const toSTime = httpsChecks.find((entry) => entry.subject === 'driver' && entry.reference === 's_time');
    expect(toSTime?.ratio).toBeCloseTo(0.9375, 10);
    expect(toSTime?.target).toBe(0.9);
    expect(toSTime?.verdict).toBe('pass');
    expect(httpsChecks.find((entry) => entry.subject === 'loop')?.verdict).toBe('info');
    expect(httpsChecks.every((entry) => entry.phase === 'https')).toBe(true);
    expect(renderRatioTable(httpsChecks)).toContain('full handshakes + GET');
  });

  it('reports no data for a reference without a rate', () => {
    const noRate = checkRatios(summarize([measurement({ serverRate: 900 }), measurement({ tool: 'loop', failure: 'failed' })]));
    expect(noRate[0]?.verdict).toBe('no data');
    expect(renderRatioTable(noRate)).toContain('no data');
  });
});
