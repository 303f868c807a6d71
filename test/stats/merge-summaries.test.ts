import { describe, expect, it } from 'vitest';
import { createLatencyHistogram, MAX_TRACKABLE_US, mergeLatencySummaries, recordLatencyUs, summarizeLatency } from '../../src/stats/histogram.ts';
import type { LatencySummary } from '../../src/stats/histogram.ts';

function summaryOf(valuesUs: number[]): LatencySummary {
  const histogram = createLatencyHistogram();
  for (const value of valuesUs) recordLatencyUs(histogram, value);
  return summarizeLatency(histogram);
}

describe('mergeLatencySummaries', () => {
  it('keeps the exact max above the exact range', () => {
    // Decoded alone, 5000 reads back as 5003 and 60,000,000 as 60,030,975.
    const merged = mergeLatencySummaries([summaryOf([100, 5_000]), summaryOf([200])]);

    expect(merged.max).toBe(5_000);
    expect(merged.p99).toBe(5_000);
    expect(merged.count).toBe(3);
  });

  it('stays within the trackable maximum', () => {
    const merged = mergeLatencySummaries([summaryOf([MAX_TRACKABLE_US]), summaryOf([1])]);

    expect(merged.max).toBe(MAX_TRACKABLE_US);
    expect(merged.p999).toBe(MAX_TRACKABLE_US);
  });

  it('returns zeros for empty summaries', () => {
    const merged = mergeLatencySummaries([summaryOf([]), summaryOf([])]);

    expect(merged.count).toBe(0);
    expect(merged.max).toBe(0);
    expect(merged.p50).toBe(0);
  });
});
