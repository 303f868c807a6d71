import type { LatencySummary } from '../../src/stats/histogram.ts';
import { decodeLatencyHistogram } from '../../src/stats/histogram.ts';

/** Counts the latencies of a summary at or above `thresholdUs`, read back from its histogram. */
export function countAtLeast(summary: LatencySummary, thresholdUs: number): number {
  const histogram = decodeLatencyHistogram(summary.hdr);
  let count = 0;
  for (let i = 1; i <= summary.count; i++) {
    // The i-th smallest value sits at the percentile just below i / count.
    if (histogram.getValueAtPercentile(((i - 0.5) / summary.count) * 100) >= thresholdUs) count++;
  }
  return count;
}
