import { describe, expect, it } from 'vitest';
import {
  MAX_TRACKABLE_US,
  createLatencyHistogram,
  decodeLatencyHistogram,
  elapsedUs,
  mergeLatencyHistograms,
  recordLatencyUs,
  summarizeLatency,
} from '../../src/stats/histogram.ts';

function histogramOf(valuesUs: number[]) {
  const histogram = createLatencyHistogram();
  for (const value of valuesUs) recordLatencyUs(histogram, value);
  return histogram;
}

describe('summarizeLatency', () => {
  it('reads percentiles of a small sample', () => {
    const summary = summarizeLatency(histogramOf([233, 269, 1010, 5000]));

    expect(summary.count).toBe(4);
    expect(summary.p50).toBe(269);
    expect(summary.p90).toBe(5000);
    expect(summary.p99).toBe(5000);
    expect(summary.max).toBe(5000);
  });

  it('caps percentiles at the recorded max', () => {
    // 5000 falls in a bucket whose highest equivalent value is 5003.
    const summary = summarizeLatency(histogramOf([5000]));

    expect(summary.p999).toBe(5000);
    expect(summary.max).toBe(5000);
  });

  it('keeps microsecond resolution below 1 ms', () => {
    const summary = summarizeLatency(histogramOf([101, 101, 101, 102, 102, 102, 102, 102, 102, 102]));

    expect(summary.p50).toBe(102);
    expect(summary.p90).toBe(102);
    expect(summarizeLatency(histogramOf([101, 101, 101, 101, 101, 101, 102])).p50).toBe(101);
  });

  it('returns integer fields', () => {
    const summary = summarizeLatency(histogramOf([17.3, 250.8, 999.5, 1234.4, 40_000.9]));

    for (const field of ['p50', 'p90', 'p99', 'p999', 'max', 'mean', 'count'] as const) {
      expect(Number.isInteger(summary[field]), field).toBe(true);
    }
  });

  it('returns zeros for an empty histogram', () => {
    const summary = summarizeLatency(createLatencyHistogram());

    expect(summary.count).toBe(0);
    expect(summary.p50).toBe(0);
    expect(summary.max).toBe(0);
    expect(summary.mean).toBe(0);
  });

  it('computes the mean from recorded values', () => {
    expect(summarizeLatency(histogramOf([100, 200, 300, 400])).mean).toBe(250);
  });
});

describe('recordLatencyUs', () => {
  it('rounds fractional microseconds', () => {
    expect(summarizeLatency(histogramOf([100.4])).max).toBe(100);
    expect(summarizeLatency(histogramOf([100.6])).max).toBe(101);
  });

  it('records values below 1 µs as 1', () => {
    const histogram = histogramOf([0, 0.2]);

    expect(histogram.totalCount).toBe(2);
    expect(summarizeLatency(histogram).max).toBe(1);
  });

  it('clamps values above the trackable max', () => {
    const histogram = histogramOf([120_000_000]);
    const summary = summarizeLatency(histogram);

    expect(summary.count).toBe(1);
    expect(summary.max).toBe(MAX_TRACKABLE_US);
    expect(summary.p50).toBe(MAX_TRACKABLE_US);
  });
});

describe('decodeLatencyHistogram', () => {
  it('round-trips values below 2048 µs exactly', () => {
    const valuesUs = [88, 90, 95, 120, 133, 260, 271, 1500, 1900, 2047];
    const original = summarizeLatency(histogramOf(valuesUs));
    const decoded = summarizeLatency(decodeLatencyHistogram(original.hdr));

    expect(decoded.count).toBe(valuesUs.length);
    expect(decoded.p50).toBe(original.p50);
    expect(decoded.p90).toBe(original.p90);
    expect(decoded.p99).toBe(original.p99);
    expect(decoded.max).toBe(original.max);
    expect(decoded.mean).toBe(original.mean);
  });

  it('round-trips larger values within 0.1%', () => {
    // The encoding keeps buckets, not the exact max, so 31000 comes back as its bucket's top, 31007.
    const valuesUs = [88, 260, 1500, 7000, 31_000];
    const original = summarizeLatency(histogramOf(valuesUs));
    const decoded = summarizeLatency(decodeLatencyHistogram(original.hdr));

    expect(decoded.count).toBe(valuesUs.length);
    expect(decoded.p50).toBe(original.p50);
    expect(Math.abs(decoded.p90 - original.p90) / original.p90).toBeLessThanOrEqual(0.001);
    expect(Math.abs(decoded.max - original.max) / original.max).toBeLessThanOrEqual(0.001);
  });
});

describe('mergeLatencyHistograms', () => {
  it('adds counts of both histograms', () => {
    const target = histogramOf([100, 200]);
    mergeLatencyHistograms(target, histogramOf([300, 400, 500]));
    const summary = summarizeLatency(target);

    expect(summary.count).toBe(5);
    expect(summary.p50).toBe(300);
    expect(summary.max).toBe(500);
  });
});

describe('elapsedUs', () => {
  it('converts nanosecond readings to whole microseconds', () => {
    expect(elapsedUs(1_000_000n, 3_500_999n)).toBe(2500);
  });
});
