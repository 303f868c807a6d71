/**
 * Compares two small samples of a positive quantity as a ratio head/base, with a
 * distribution-free confidence interval and the Mann-Whitney U (Wilcoxon rank-sum) test.
 *
 * The comparison runs on the log scale, so a shift there is a ratio of the original values.
 * - Estimate: the Hodges-Lehmann shift, the median of the n·m pairwise differences
 *   log(head_j) − log(base_i) (Hodges and Lehmann 1963, Ann. Math. Statist. 34, 598–611).
 * - Interval: the inversion of the rank-sum test (Bauer 1972, JASA 67, 687–690; Hollander and
 *   Wolfe, Nonparametric Statistical Methods, two-sample location problem). It runs from the
 *   (C+1)-th to the (n·m − C)-th smallest difference. C is the largest c with P(U ≤ c) ≤ α/2
 *   under the null hypothesis. The coverage is 1 − 2·P(U ≤ C), which moves in steps.
 * - Test: the two-sided Mann-Whitney U test, as Go's benchstat uses to decide when to print `~`.
 *
 * Assumptions: rounds are independent, and the two distributions differ only by a shift on the
 * log scale. When their shapes differ, the test still responds to P(head > base) ≠ 1/2, but its
 * error rate and the interval's coverage are then only approximate.
 *
 * The null distribution of U is exact when the pooled sample has no ties and the samples are
 * small (see `rankSumMethod`). Otherwise it is the normal approximation with continuity
 * correction: the p-value uses the variance of U corrected for ties, the interval the
 * uncorrected one, which gives a wider interval.
 */

/** Outcome of comparing two samples of a positive quantity (latency µs, rate, CPU µs/op). */
export interface RatioEstimate {
  /** Hodges-Lehmann estimate of head/base: exp of the median of all pairwise log(head_j) - log(base_i). */
  ratio: number;
  /** Confidence interval of the ratio, distribution-free, from the Mann-Whitney U critical values. */
  low: number;
  high: number;
  /** Coverage the interval actually has (exact intervals jump in steps: 5 vs 5 at a requested 0.95 gives 1 - 8/252 = 0.968). */
  confidence: number;
  /** Two-sided p-value of the Mann-Whitney U (Wilcoxon rank-sum) test. */
  pValue: number;
  /** True when the interval excludes 1 at the requested confidence or more: a real difference. False is shown as `~`. */
  differs: boolean;
  baseCount: number;
  headCount: number;
}

/** Method for the null distribution of U: exact enumeration or the normal approximation. */
export type RankSumMethod = 'exact' | 'normal';

/**
 * Largest n·m for the exact distribution. Building it takes about (n·m)²/4 additions, so this
 * bounds one call to about 1.6 million.
 */
export const EXACT_MAX_PAIR_COUNT = 2500;

/** Default requested confidence of `estimateRatio`. */
export const DEFAULT_CONFIDENCE = 0.95;

/**
 * Estimates head/base with its confidence interval and tests whether it differs from 1.
 * Returns null when a sample has fewer than 2 values or a value that is not a finite positive
 * number. Throws a RangeError when `confidence` is not strictly between 0 and 1.
 */
export function estimateRatio(
  base: readonly number[],
  head: readonly number[],
  confidence: number = DEFAULT_CONFIDENCE,
): RatioEstimate | null {
  if (!(confidence > 0 && confidence < 1)) {
    throw new RangeError(`confidence: got ${confidence}; expected a number between 0 and 1 exclusive, such as 0.95`);
  }
  if (!isComparableSample(base) || !isComparableSample(head)) return null;

  // Ties, U and the differences all come from the logs, so the test and the interval see the
  // same order even where two different values have the same logarithm.
  const baseLogs = base.map(Math.log);
  const headLogs = head.map(Math.log);
  const n = base.length;
  const m = head.length;
  const pairCount = n * m;
  const differences = sortedDifferences(baseLogs, headLogs);
  const tieSum = tieCorrectionSum([...baseLogs, ...headLogs]);
  const method = rankSumMethod(n, m, tieSum > 0);

  // Without ties the interval and the test use the same lower tail, which makes `differs`
  // equal to pValue <= 1 - confidence. With ties the test uses the smaller tie-corrected
  // variance and the interval counts a zero difference against a change, so `differs` still
  // implies that inequality, but not the reverse.
  const intervalTail = method === 'exact' ? exactLowerTail(n, m) : normalLowerTail(pairCount, rankSumSd(n, m, 0));
  const testTail = method === 'exact' ? intervalTail : normalLowerTail(pairCount, rankSumSd(n, m, tieSum));

  const u = mannWhitneyU(differences);
  const pValue = Math.min(1, 2 * testTail(Math.min(u, pairCount - u)));

  const alpha = 1 - confidence;
  const critical = criticalValue(intervalTail, pairCount, alpha / 2);
  const reached = critical >= 0;
  // When no critical value reaches the requested confidence, the result is the whole range of
  // differences, the widest interval there is. Its coverage is reported and no difference is called.
  const lowIndex = reached ? critical : 0;
  const lowLog = differences[lowIndex]!;
  const highLog = differences[pairCount - 1 - lowIndex]!;

  return {
    ratio: Math.exp(medianOfSorted(differences)),
    low: Math.exp(lowLog),
    high: Math.exp(highLog),
    confidence: 1 - 2 * intervalTail(lowIndex),
    pValue,
    differs: reached && (lowLog > 0 || highLog < 0),
    baseCount: n,
    headCount: m,
  };
}

/**
 * Selects the exact null distribution when the pooled sample has no ties, n·m is at most
 * `EXACT_MAX_PAIR_COUNT` and C(n+m, n) is a safe integer. The last keeps every count exact in a
 * double, up to 28 vs 28 for equal sizes. Otherwise selects the normal approximation.
 */
/**
 * Returns whether samples of these sizes can ever show a difference at `confidence`. The most
 * extreme split, every value of one side above every value of the other, has a two-sided p-value
 * of 2 / C(n + m, n). With 3 vs 3 that is 0.1, so no 95% interval can exclude 1.
 */
export function canShowDifference(baseCount: number, headCount: number, confidence = DEFAULT_CONFIDENCE): boolean {
  if (baseCount < 1 || headCount < 1) return false;
  // C(n + m, n) grows past 2^53 long before the bound matters; stop once it is large enough.
  let splits = 1;
  for (let i = 1; i <= baseCount && splits <= 2 / (1 - confidence); i++) {
    splits = (splits * (headCount + i)) / i;
  }
  return 2 / splits <= 1 - confidence;
}

export function rankSumMethod(baseCount: number, headCount: number, hasTies: boolean): RankSumMethod {
  if (hasTies || baseCount * headCount > EXACT_MAX_PAIR_COUNT) return 'normal';
  return binomial(baseCount + headCount, baseCount) <= BigInt(Number.MAX_SAFE_INTEGER) ? 'exact' : 'normal';
}

/**
 * Computes how many of the C(n+m, n) equally likely orderings of a pooled sample without ties
 * give U = u, for u from 0 to n·m. Throws a RangeError when the sizes are not non-negative
 * integers or C(n+m, n) exceeds Number.MAX_SAFE_INTEGER, past which a count could be inexact.
 */
export function rankSumNullCounts(baseCount: number, headCount: number): Float64Array {
  if (!Number.isSafeInteger(baseCount) || !Number.isSafeInteger(headCount) || baseCount < 0 || headCount < 0) {
    throw new RangeError(`sample sizes: got ${baseCount} and ${headCount}; expected non-negative integers`);
  }
  if (binomial(baseCount + headCount, baseCount) > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new RangeError(
      `sample sizes: got ${baseCount} and ${headCount}; C(n+m, n) exceeds Number.MAX_SAFE_INTEGER, so use the normal approximation`,
    );
  }

  // counts(i, j)[u] = counts(i-1, j)[u] + counts(i, j-1)[u-i]. The largest of the i + j values
  // is either a base value, which adds no pair with head > base, or a head value, which adds i.
  let previousRow: Float64Array[] = Array.from({ length: headCount + 1 }, () => Float64Array.of(1));
  for (let i = 1; i <= baseCount; i++) {
    const row: Float64Array[] = [Float64Array.of(1)];
    for (let j = 1; j <= headCount; j++) {
      const lastBaseLargest = previousRow[j]!;
      const lastHeadLargest = row[j - 1]!;
      const counts = new Float64Array(i * j + 1);
      counts.set(lastBaseLargest);
      for (let u = 0; u < lastHeadLargest.length; u++) counts[u + i]! += lastHeadLargest[u]!;
      row.push(counts);
    }
    previousRow = row;
  }
  return previousRow[headCount]!;
}

function isComparableSample(values: readonly number[]): boolean {
  return values.length >= 2 && values.every((value) => Number.isFinite(value) && value > 0);
}

function sortedDifferences(baseLogs: readonly number[], headLogs: readonly number[]): Float64Array {
  const differences = new Float64Array(baseLogs.length * headLogs.length);
  let k = 0;
  for (const baseLog of baseLogs) {
    for (const headLog of headLogs) differences[k++] = headLog - baseLog;
  }
  return differences.sort();
}

function medianOfSorted(sorted: Float64Array): number {
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** U = pairs with head_j > base_i, plus half of the tied pairs, from the pairwise differences. */
function mannWhitneyU(differences: Float64Array): number {
  let u = 0;
  for (const difference of differences) {
    if (difference > 0) u += 1;
    else if (difference === 0) u += 0.5;
  }
  return u;
}

/** Σ(t³ − t) over the groups of t equal values in the pooled sample; 0 when there are no ties. */
function tieCorrectionSum(pooled: number[]): number {
  pooled.sort((a, b) => a - b);
  let sum = 0;
  let start = 0;
  for (let i = 1; i <= pooled.length; i++) {
    if (i === pooled.length || pooled[i] !== pooled[start]) {
      const t = i - start;
      sum += t * t * t - t;
      start = i;
    }
  }
  return sum;
}

/** Standard deviation of U under the null hypothesis, reduced for ties by `tieSum` = Σ(t³ − t). */
function rankSumSd(n: number, m: number, tieSum: number): number {
  const total = n + m;
  return Math.sqrt(((n * m) / 12) * (total + 1 - tieSum / (total * (total - 1))));
}

type LowerTail = (u: number) => number;

/** P(U ≤ u) from the exact null counts; u may be a half-integer, as U is with ties. */
function exactLowerTail(n: number, m: number): LowerTail {
  const cumulative = rankSumNullCounts(n, m);
  for (let u = 1; u < cumulative.length; u++) cumulative[u]! += cumulative[u - 1]!;
  const total = cumulative[cumulative.length - 1]!;
  return (u) => (u < 0 ? 0 : cumulative[Math.min(Math.floor(u), cumulative.length - 1)]! / total);
}

/** P(U ≤ u) by the normal approximation with continuity correction. */
function normalLowerTail(pairCount: number, sd: number): LowerTail {
  const mean = pairCount / 2;
  // Every value equal: U is always n·m/2, and its distribution is a single point.
  if (sd === 0) return (u) => (u >= mean ? 1 : 0);
  return (u) => normalCdf((u + 0.5 - mean) / sd);
}

/**
 * Finds the largest integer c below n·m/2 with P(U ≤ c) ≤ tailProbability, or −1 when even
 * P(U ≤ 0) is larger. The tail is non-decreasing in c, so a binary search finds it.
 */
function criticalValue(tail: LowerTail, pairCount: number, tailProbability: number): number {
  let low = -1;
  let high = Math.ceil(pairCount / 2) - 1;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (tail(middle) <= tailProbability) low = middle;
    else high = middle - 1;
  }
  return low;
}

/** Standard normal CDF, Φ(z) = erfc(−z/√2)/2. */
function normalCdf(z: number): number {
  return 0.5 * erfc(-z / Math.SQRT2);
}

/**
 * Complementary error function: a power series of erf below 2.5 and the continued fraction of
 * erfc above, where the series would lose digits. Checked against tabulated values to a
 * relative error of 1e-13 or less.
 */
function erfc(x: number): number {
  if (x < 0) return 2 - erfc(-x);
  if (x < 2.5) return 1 - erfSeries(x);
  return erfcContinuedFraction(x);
}

/** erf(x) = (2/√π)·e^(−x²)·Σ_k (2x²)^k·x / (1·3·…·(2k+1)), whose terms are all positive. */
function erfSeries(x: number): number {
  const twoXSquared = 2 * x * x;
  let term = x;
  let sum = x;
  for (let k = 1; term > sum * 1e-17; k++) {
    term *= twoXSquared / (2 * k + 1);
    sum += term;
  }
  return (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x) * sum;
}

/** erfc(x) = e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))), evaluated from the tail. */
function erfcContinuedFraction(x: number): number {
  let denominator = x;
  for (let k = 80; k >= 1; k--) denominator = x + k / 2 / denominator;
  return Math.exp(-x * x) / (Math.sqrt(Math.PI) * denominator);
}

/** C(n, k) as an exact integer. */
function binomial(n: number, k: number): bigint {
  let result = 1n;
  for (let i = 1; i <= Math.min(k, n - k); i++) {
    result = (result * BigInt(n - Math.min(k, n - k) + i)) / BigInt(i);
  }
  return result;
}
