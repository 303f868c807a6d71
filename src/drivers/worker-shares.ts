/** Splits of a driver's totals over worker threads, so that the workers together do the whole load. */

/**
 * Splits an integer total into `parts` integer shares that add up to it, larger shares first:
 * 10 over 3 is 4, 3, 3. Shares of two totals split this way keep their order, so when
 * `a >= b`, every share of `a` is at least the matching share of `b`.
 */
export function splitCount(total: number, parts: number): number[] {
  const base = Math.floor(total / parts);
  const remainder = total % parts;
  return Array.from({ length: parts }, (_, index) => base + (index < remainder ? 1 : 0));
}

/**
 * Splits a rate into `parts` equal shares. The shares are not rounded, so they add up to the
 * rate up to floating-point rounding. `undefined` and `null` (no rate) pass through unchanged.
 */
export function splitRate<Absent extends null | undefined>(rate: number | Absent, parts: number): (number | Absent)[] {
  return Array.from({ length: parts }, () => (typeof rate === 'number' ? rate / parts : rate));
}

/**
 * Splits an integer total into integer shares in proportion to `weights`, which add up to the
 * total: each share is rounded down, and the units left over go to the shares with the largest
 * fractions (largest remainder method), the earlier share first on a tie.
 */
export function splitInProportion(total: number, weights: readonly number[]): number[] {
  const weightSum = weights.reduce((sum, weight) => sum + weight, 0);
  const exact = weights.map((weight) => (total * weight) / weightSum);
  const shares = exact.map(Math.floor);
  let leftover = total - shares.reduce((sum, share) => sum + share, 0);
  const byFraction = exact.map((value, index) => ({ index, fraction: value - Math.floor(value) })).sort((a, b) => b.fraction - a.fraction || a.index - b.index);
  for (const { index } of byFraction) {
    if (leftover === 0) break;
    shares[index] = (shares[index] ?? 0) + 1;
    leftover--;
  }
  return shares;
}
