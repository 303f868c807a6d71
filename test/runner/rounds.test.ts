import { describe, expect, it } from 'vitest';
import { roundCount, roundDurationMs, roundPercentile } from '../../src/runner/rounds.ts';
import { mergeErrorCounts } from '../../src/stats/counts.ts';
import { createLatencyHistogram, mergeLatencySummaries, recordLatencyUs, summarizeLatency } from '../../src/stats/histogram.ts';

function summaryOf(values: number[]) {
  const histogram = createLatencyHistogram();
  for (const value of values) recordLatencyUs(histogram, value);
  return summarizeLatency(histogram);
}

describe('round bounds', () => {
  it('splits a count exactly', () => {
    expect([0, 1, 2, 3, 4].map((round) => roundCount(12, 5, round))).toEqual([3, 3, 2, 2, 2]);
    expect([0, 1, 2, 3, 4].map((round) => roundCount(2000, 5, round))).toEqual([400, 400, 400, 400, 400]);
  });

  it('gives a count below the rounds to the first rounds', () => {
    expect([0, 1, 2, 3, 4].map((round) => roundCount(3, 5, round))).toEqual([1, 1, 1, 0, 0]);
  });

  it('raises a share to its minimum', () => {
    expect(roundCount(12, 5, 4, 8)).toBe(8);
  });

  it('keeps a missing bound missing', () => {
    expect(roundCount(null, 5, 0)).toBeNull();
    expect(roundDurationMs(null, 5)).toBeNull();
    expect(roundDurationMs(1000, 5)).toBe(200);
  });
});

describe('round values', () => {
  it('leaves percentiles of sparse rounds out', () => {
    expect(roundPercentile(summaryOf([100, 200, 300]), 'p50')).toBeNull();
    expect(roundPercentile(summaryOf(Array.from({ length: 10 }, (_, index) => 100 + index)), 'p50')).toBe(104);
  });

  it('merges histograms of every round', () => {
    const merged = mergeLatencySummaries([summaryOf([100, 200]), summaryOf([]), summaryOf([300, 400, 500])]);

    expect(merged.count).toBe(5);
    expect(merged.p50).toBe(300);
    expect(merged.max).toBe(500);
  });

  it('adds up errors by code', () => {
    expect(mergeErrorCounts([{ ECONNRESET: 1 }, {}, { ECONNRESET: 2, ETIMEDOUT: 1 }])).toEqual({ ECONNRESET: 3, ETIMEDOUT: 1 });
  });
});
