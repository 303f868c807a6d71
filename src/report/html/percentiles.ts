import * as hdr from 'hdr-histogram-js';
import type { LatencySummary } from '../../stats/histogram.ts';

/**
 * Percentile distribution of a latency histogram, as HdrHistogram's plotter draws it: latency
 * against percentile p, with p placed at 1/(1-p) on a log axis. So 90%, 99% and 99.9% are
 * equally far apart, and the tail gets as much room as the median.
 */

/**
 * Percentile levels per halving of the remaining tail: 5, as in HdrHistogram's
 * `outputPercentileDistribution`, which steps 1/(1-p) by a factor of 2^(1/5).
 */
const TICKS_PER_HALF_DISTANCE = 5;

/**
 * Upper bound on the levels of one curve. The levels stop at 1/(1-p) = sample count, and a
 * histogram counts at most 2^53 samples, so 53 halvings are never exceeded.
 */
const MAX_LEVELS = TICKS_PER_HALF_DISTANCE * 53;

/**
 * Counter width of the decoded histogram. Each percentile lookup walks the counts from the
 * start, and a plain Float64Array walks about 30 times faster than the packed array that
 * `decodeLatencyHistogram` builds (1.2 s against 40 ms for the 15 curves of a test fixture).
 */
const DECODED_BIT_BUCKET_SIZE = 64;

/** Significant digits kept of 1/(1-p), which keeps the embedded JSON short and equal levels equal. */
const INVERSE_TAIL_DIGITS = 6;

/** One point of a percentile curve. */
export interface PercentilePoint {
  /** 1/(1-p) for the percentile p as a fraction: 1 at p = 0, 10 at 90%, 100 at 99%. */
  inverseTail: number;
  /** Latency at that percentile, in microseconds, never above the recorded maximum. */
  valueUs: number;
}

function roundInverseTail(value: number): number {
  return Number(value.toPrecision(INVERSE_TAIL_DIGITS));
}

/**
 * Computes the percentile curve of a latency summary from its `hdr` histogram: one point per
 * level 1/(1-p) = 2^(k/5) up to the sample count, then the maximum at 1/(1-p) = count, the
 * resolution of `count` samples. Returns no points for an empty summary.
 */
export function percentileCurve(summary: LatencySummary): PercentilePoint[] {
  if (summary.count === 0) return [];
  const histogram = hdr.decodeFromCompressedBase64(summary.hdr, DECODED_BIT_BUCKET_SIZE, false);
  const count = histogram.totalCount;
  const points: PercentilePoint[] = [];

  for (let level = 0; level < MAX_LEVELS; level++) {
    const inverseTail = roundInverseTail(2 ** (level / TICKS_PER_HALF_DISTANCE));
    if (inverseTail >= count) break;
    const percentile = 100 * (1 - 1 / inverseTail);
    // HDR reports the highest value equivalent to a bucket, which can exceed the recorded maximum.
    points.push({ inverseTail, valueUs: Math.min(histogram.getValueAtPercentile(percentile), summary.max) });
  }
  points.push({ inverseTail: roundInverseTail(Math.max(count, 1)), valueUs: summary.max });
  return points;
}

/** Curves on one shared x axis, as uPlot takes them: each curve has a value or null at every x. */
export interface AlignedCurves {
  inverseTails: number[];
  valuesUs: (number | null)[][];
}

/** Puts several curves on the union of their x values, with null where a curve has no point. */
export function alignCurves(curves: readonly PercentilePoint[][]): AlignedCurves {
  const inverseTails = [...new Set(curves.flatMap((curve) => curve.map((point) => point.inverseTail)))].sort((a, b) => a - b);
  const index = new Map(inverseTails.map((value, position) => [value, position]));
  const valuesUs = curves.map((curve) => {
    const values: (number | null)[] = new Array<number | null>(inverseTails.length).fill(null);
    for (const point of curve) values[index.get(point.inverseTail)!] = point.valueUs;
    return values;
  });
  return { inverseTails, valuesUs };
}
