import * as hdr from 'hdr-histogram-js';
import type { Histogram } from 'hdr-histogram-js';

/**
 * Largest latency a histogram tracks: 60 s in microseconds. A value above it is clamped to it
 * instead of being dropped, so a stalled connection still counts as slow.
 */
export const MAX_TRACKABLE_US = 60_000_000;

/**
 * Three significant digits keep every value below 2048 µs exact and bound the error above
 * that to 0.1%, in a histogram of about 30 KiB that does not grow with the sample count.
 */
const SIGNIFICANT_DIGITS = 3;

/** Latency summary in integer microseconds, plus the whole distribution. */
export interface LatencySummary {
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  /** Arithmetic mean, rounded to whole microseconds. */
  mean: number;
  count: number;
  /** The histogram, compressed and base64-encoded in HdrHistogram's interchange format. */
  hdr: string;
}

/** Creates an empty latency histogram for integer microseconds. */
export function createLatencyHistogram(): Histogram {
  return hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: MAX_TRACKABLE_US,
    numberOfSignificantValueDigits: SIGNIFICANT_DIGITS,
    bitBucketSize: 'packed',
    autoResize: false,
  });
}

/**
 * Records one latency. HDR histograms store integers, so the value is rounded to whole
 * microseconds. Values below 1 µs count as 1, and values above the trackable maximum are clamped.
 */
export function recordLatencyUs(histogram: Histogram, latencyUs: number): void {
  const rounded = Math.round(latencyUs);
  histogram.recordValue(Math.min(Math.max(rounded, 1), MAX_TRACKABLE_US));
}

/**
 * Records one latency measured under a fixed request rate, corrected for coordinated omission:
 * when it exceeds `intervalUs`, the requests that the rate would have sent while this one was
 * outstanding are recorded too (see HdrHistogram's `recordValueWithExpectedInterval`). Rounded
 * and clamped like {@link recordLatencyUs}.
 */
export function recordLatencyWithExpectedIntervalUs(histogram: Histogram, latencyUs: number, intervalUs: number): void {
  const rounded = Math.min(Math.max(Math.round(latencyUs), 1), MAX_TRACKABLE_US);
  histogram.recordValueWithExpectedInterval(rounded, Math.max(1, Math.round(intervalUs)));
}

/** Microseconds elapsed since a `process.hrtime.bigint()` reading. */
export function elapsedUs(startNs: bigint, endNs: bigint = process.hrtime.bigint()): number {
  return Number((endNs - startNs) / 1000n);
}

/**
 * Returns the value at a percentile. HDR reports the highest value equivalent to the bucket,
 * which can exceed anything recorded (5000 reads back as 5003), so it is capped at the max.
 */
function valueAtPercentile(histogram: Histogram, percentile: number, maxUs: number): number {
  if (histogram.totalCount === 0) return 0;
  return Math.min(histogram.getValueAtPercentile(percentile), maxUs);
}

/** Summarises a histogram whose exact maximum is `maxUs`. */
function summaryOf(histogram: Histogram, maxUs: number): LatencySummary {
  const count = histogram.totalCount;
  return {
    p50: valueAtPercentile(histogram, 50, maxUs),
    p90: valueAtPercentile(histogram, 90, maxUs),
    p99: valueAtPercentile(histogram, 99, maxUs),
    p999: valueAtPercentile(histogram, 99.9, maxUs),
    max: count === 0 ? 0 : maxUs,
    mean: count === 0 ? 0 : Math.round(histogram.mean),
    count,
    hdr: hdr.encodeIntoCompressedBase64(histogram),
  };
}

/** Summarises a histogram into the percentiles that results and tables show. */
export function summarizeLatency(histogram: Histogram): LatencySummary {
  return summaryOf(histogram, histogram.maxValue);
}

/** Decodes the `hdr` field of a summary back into a histogram. */
export function decodeLatencyHistogram(encoded: string): Histogram {
  return hdr.decodeFromCompressedBase64(encoded, 'packed', false);
}

/** Adds every value of `source` into `target`. */
export function mergeLatencyHistograms(target: Histogram, source: Histogram): void {
  target.add(source);
}

/**
 * Merges the histograms of several summaries, such as those of a cell's rounds or of a pool's
 * worker threads, into one summary of every sample, equal to the summary of one histogram that
 * recorded them all.
 *
 * A decoded histogram does not keep its exact maximum, because hdr-histogram-js 3 sets it to the
 * highest value of the maximum's bucket, up to 0.1% higher (60,000,000 µs decodes as 60,030,975).
 * So the merged maximum, which also caps the percentiles, is the largest of the summaries' maxima.
 */
export function mergeLatencySummaries(summaries: readonly LatencySummary[]): LatencySummary {
  const merged = createLatencyHistogram();
  let maxUs = 0;
  for (const summary of summaries) {
    if (summary.count === 0) continue;
    mergeLatencyHistograms(merged, decodeLatencyHistogram(summary.hdr));
    maxUs = Math.max(maxUs, summary.max);
  }
  return summaryOf(merged, maxUs);
}
