import { describe, expect, it } from 'vitest';
import {
  canShowDifference,
  EXACT_MAX_PAIR_COUNT,
  estimateRatio,
  rankSumMethod,
  rankSumNullCounts,
} from '../../src/stats/ratio.ts';

/** mulberry32, a small seeded PRNG, so every simulation here is reproducible. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal draws by the Box-Muller transform. */
function normalSource(random: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** Lognormal sample with median `medianValue` and log-scale standard deviation `logSd`. */
function lognormalSample(normal: () => number, count: number, medianValue: number, logSd: number): number[] {
  return Array.from({ length: count }, () => medianValue * Math.exp(logSd * normal()));
}

function* combinations(size: number, choose: number, start = 0, chosen: number[] = []): Generator<number[]> {
  if (chosen.length === choose) {
    yield chosen;
    return;
  }
  for (let i = start; i <= size - (choose - chosen.length); i++) {
    yield* combinations(size, choose, i + 1, [...chosen, i]);
  }
}

/** U = pairs with head > base, plus half the tied pairs. */
function uStatistic(base: readonly number[], head: readonly number[]): number {
  let u = 0;
  for (const b of base) {
    for (const h of head) {
      if (h > b) u += 1;
      else if (h === b) u += 0.5;
    }
  }
  return u;
}

/**
 * Two-sided p-value by brute force: the share of all C(n+m, n) ways to split the pooled values
 * into a base and a head sample whose U lies at least as far from n·m/2 as the observed U.
 */
function enumeratedPValue(base: readonly number[], head: readonly number[]): number {
  const pooled = [...base, ...head];
  const center = (base.length * head.length) / 2;
  const observedDistance = Math.abs(uStatistic(base, head) - center);
  let extreme = 0;
  let total = 0;
  for (const baseIndexes of combinations(pooled.length, base.length)) {
    const chosen = new Set(baseIndexes);
    const splitBase = pooled.filter((_, i) => chosen.has(i));
    const splitHead = pooled.filter((_, i) => !chosen.has(i));
    if (Math.abs(uStatistic(splitBase, splitHead) - center) >= observedDistance) extreme++;
    total++;
  }
  return extreme / total;
}

/**
 * Null counts of U as the coefficients of the Gaussian binomial [n+m choose n]_q
 * = Π (1 − q^(m+i)) / (1 − q^i) for i = 1..n, in exact integers: a second derivation,
 * independent of the recurrence in the module.
 */
function gaussianBinomialCounts(n: number, m: number): bigint[] {
  let coefficients: bigint[] = [1n];
  for (let i = 1; i <= n; i++) {
    const shift = m + i;
    const product = [...coefficients, ...new Array<bigint>(shift).fill(0n)];
    for (let k = 0; k < coefficients.length; k++) product[k + shift]! -= coefficients[k]!;
    const quotient = new Array<bigint>(product.length - i).fill(0n);
    for (let k = 0; k < quotient.length; k++) quotient[k] = product[k]! + (k >= i ? quotient[k - i]! : 0n);
    coefficients = quotient;
  }
  return coefficients;
}

/** P(U ≤ u) under the null, from the exact integer counts. */
function exactLowerTail(n: number, m: number): (u: number) => number {
  const counts = gaussianBinomialCounts(n, m);
  const cumulative: bigint[] = [];
  let sum = 0n;
  for (const count of counts) {
    sum += count;
    cumulative.push(sum);
  }
  return (u) => (u < 0 ? 0 : Number((cumulative[Math.floor(u)]! * 10n ** 18n) / sum) / 1e18);
}

/** Largest c with P(U ≤ c) ≤ tailProbability, or −1. */
function exactCriticalValue(tail: (u: number) => number, tailProbability: number): number {
  let critical = -1;
  while (tail(critical + 1) <= tailProbability) critical++;
  return critical;
}

/** Pairwise ratios head_j/base_i, computed and sorted the way the module orders them. */
function sortedPairRatios(base: readonly number[], head: readonly number[]): number[] {
  const logDifferences = base.flatMap((b) => head.map((h) => Math.log(h) - Math.log(b)));
  return Array.from(Float64Array.from(logDifferences).sort(), (d) => Math.exp(d));
}

/** Binomial standard deviation of a proportion estimated from `trials` trials. */
function proportionSd(probability: number, trials: number): number {
  return Math.sqrt((probability * (1 - probability)) / trials);
}

const ascending5 = [1, 2, 3, 4, 5];
const higher5 = [6, 7, 8, 9, 10];

describe('rankSumNullCounts', () => {
  it('5 vs 5 starts 1, 1, 2, 3, 5 and sums to 252', () => {
    const counts = rankSumNullCounts(5, 5);

    expect(Array.from(counts.slice(0, 5))).toEqual([1, 1, 2, 3, 5]);
    expect(counts.length).toBe(26);
    expect(counts.reduce((sum, count) => sum + count, 0)).toBe(252);
  });

  it('matches enumeration of all splits', () => {
    for (let n = 1; n <= 6; n++) {
      for (let m = 1; m <= 6; m++) {
        const enumerated = new Array<number>(n * m + 1).fill(0);
        const pooled = Array.from({ length: n + m }, (_, i) => i);
        for (const baseIndexes of combinations(n + m, n)) {
          const chosen = new Set(baseIndexes);
          const u = uStatistic(
            pooled.filter((i) => chosen.has(i)),
            pooled.filter((i) => !chosen.has(i)),
          );
          enumerated[u]!++;
        }

        expect(Array.from(rankSumNullCounts(n, m)), `${n} vs ${m}`).toEqual(enumerated);
      }
    }
  });

  it('matches the Gaussian binomial at 28 vs 28', () => {
    const counts = rankSumNullCounts(28, 28);
    const reference = gaussianBinomialCounts(28, 28);

    expect(counts.length).toBe(reference.length);
    expect(Array.from(counts, (count) => BigInt(count))).toEqual(reference);
  });

  it('rejects sizes past the safe-integer limit', () => {
    expect(() => rankSumNullCounts(29, 28)).toThrow(RangeError);
    expect(() => rankSumNullCounts(-1, 3)).toThrow(RangeError);
    expect(() => rankSumNullCounts(2.5, 3)).toThrow(RangeError);
  });
});

describe('canShowDifference', () => {
  it('needs 4 vs 4 rounds at 95%', () => {
    expect(canShowDifference(3, 3)).toBe(false);
    expect(canShowDifference(4, 4)).toBe(true);
    expect(canShowDifference(5, 5)).toBe(true);
  });

  it('accounts for unequal sizes', () => {
    // 2 / C(21, 1) = 0.095, 2 / C(22, 2) = 0.0087.
    expect(canShowDifference(1, 20)).toBe(false);
    expect(canShowDifference(2, 20)).toBe(true);
    expect(canShowDifference(20, 2)).toBe(true);
  });

  it('rejects empty samples', () => {
    expect(canShowDifference(0, 5)).toBe(false);
  });
});

describe('rankSumMethod', () => {
  it('is exact for small samples without ties', () => {
    expect(rankSumMethod(5, 5, false)).toBe('exact');
    expect(rankSumMethod(28, 28, false)).toBe('exact');
    expect(rankSumMethod(5, 500, false)).toBe('exact');
  });

  it('is normal with ties or large samples', () => {
    expect(rankSumMethod(5, 5, true)).toBe('normal');
    expect(rankSumMethod(29, 28, false)).toBe('normal');
    expect(rankSumMethod(40, 40, false)).toBe('normal');
    expect(rankSumMethod(5, EXACT_MAX_PAIR_COUNT / 5 + 1, false)).toBe('normal');
  });
});

describe('estimateRatio p-value', () => {
  it('complete separation 5 vs 5 gives p 2/252', () => {
    expect(estimateRatio(ascending5, higher5)!.pValue).toBe(2 / 252);
    expect(estimateRatio(higher5, ascending5)!.pValue).toBe(2 / 252);
  });

  it('complete separation 4 vs 4 gives p 2/70', () => {
    expect(estimateRatio([1, 2, 3, 4], [5, 6, 7, 8])!.pValue).toBe(2 / 70);
  });

  it('complete separation 3 vs 3 gives p 0.1', () => {
    expect(estimateRatio([1, 2, 3], [4, 5, 6])!.pValue).toBeCloseTo(0.1, 15);
  });

  it('exact p matches enumeration of splits', () => {
    const cases: [number[], number[]][] = [
      [[1.1, 2.3, 3.2, 5.9], [2.8, 4.4, 6.1, 7.5, 8.2]],
      [[12, 15, 19], [9, 14, 16, 22, 25, 31]],
      [[3.1, 4.2, 4.9, 6.3, 7.7, 8.8], [5.2, 6.8, 9.4, 10.1, 11.5, 12.9]],
      [[10, 20, 30, 40, 50], [15, 25, 35, 45, 55]],
      [[2, 9], [3, 4, 5, 6, 7, 8]],
    ];

    for (const [base, head] of cases) {
      const expected = enumeratedPValue(base, head);

      expect(estimateRatio(base, head)!.pValue, `${base} vs ${head}`).toBeCloseTo(expected, 14);
    }
  });

  it('ties use the tie-corrected normal p', () => {
    // R's wilcox.test(x, y), continuity correction on, prints p = 0.5966 and p = 0.001364 for
    // these samples, both with ties, so both use the normal approximation.
    const x = [1, 5, 9, 24, 56, 21, 3, 7, 21, 4];

    expect(estimateRatio(x, [12, 15, 5, 9, 9, 14, 56, 22, 3, 7, 32, 5])!.pValue).toBeCloseTo(0.5966, 4);
    expect(estimateRatio(x, [1233, 4356, 987, 39999, 1111, 200000])!.pValue).toBeCloseTo(0.001364, 6);
  });

  it('40 vs 40 uses the normal approximation', () => {
    const normal = normalSource(mulberry32(40));
    const tail = exactLowerTail(40, 40);
    const exactCritical = exactCriticalValue(tail, 0.025);

    for (const trueRatio of [1, 1.03, 1.06, 1.1, 1.15]) {
      const base = lognormalSample(normal, 40, 100, 0.2);
      const head = lognormalSample(normal, 40, 100 * trueRatio, 0.2);
      const u = uStatistic(base, head);
      const exactP = Math.min(1, 2 * tail(Math.min(u, 1600 - u)));
      const estimate = estimateRatio(base, head)!;

      // Edgeworth expansion: the leading error of the normal approximation to U comes from its
      // excess kurtosis, −(6/5)(n² + m² + nm + n + m)/(nm(n + m + 1)) = −0.045 at 40 vs 40.
      // Its effect on a two-sided p is at most 2·0.045/24·max|(z³ − 3z)φ(z)| ≈ 0.0021.
      expect(Math.abs(estimate.pValue - exactP), `ratio ${trueRatio}`).toBeLessThan(0.003);
      // Equal p-values would mean the exact distribution was used after all.
      expect(estimate.pValue, `ratio ${trueRatio}`).not.toBe(exactP);

      // The normal critical value may sit one step from the exact one. Whichever it is, the
      // reported confidence must match the exact coverage of the interval returned.
      const lowIndex = sortedPairRatios(base, head).indexOf(estimate.low);
      expect([exactCritical - 1, exactCritical]).toContain(lowIndex);
      expect(Math.abs(estimate.confidence - (1 - 2 * tail(lowIndex)))).toBeLessThan(0.003);
    }
  });
});

describe('estimateRatio interval', () => {
  it('5 vs 5 at 0.95 has confidence 1 - 8/252', () => {
    const estimate = estimateRatio(ascending5, higher5, 0.95)!;

    expect(estimate.confidence).toBeCloseTo(1 - 8 / 252, 15);
    expect(estimate.confidence).toBeCloseTo(0.968, 3);
  });

  it('5 vs 5 bounds are ratios 3 and 23', () => {
    const base = [101, 97, 105, 99, 103];
    const head = [118, 125, 110, 121, 131];
    const ratios = sortedPairRatios(base, head);
    const estimate = estimateRatio(base, head)!;

    expect(estimate.low).toBe(ratios[2]);
    expect(estimate.high).toBe(ratios[22]);
    expect(estimate.ratio).toBe(ratios[12]);
  });

  it('default confidence is 0.95', () => {
    expect(estimateRatio(ascending5, higher5)).toEqual(estimateRatio(ascending5, higher5, 0.95));
  });

  it('3 vs 3 returns the full range at 0.9', () => {
    const base = [1, 2, 3];
    const head = [4, 5, 6];
    const ratios = sortedPairRatios(base, head);
    const estimate = estimateRatio(base, head)!;

    expect(estimate.low).toBe(ratios[0]);
    expect(estimate.high).toBe(ratios[8]);
    expect(estimate.confidence).toBeCloseTo(0.9, 15);
    expect(estimate.differs).toBe(false);
  });

  it('4 vs 4 complete separation differs', () => {
    const estimate = estimateRatio([1, 2, 3, 4], [5, 6, 7, 8])!;

    expect(estimate.confidence).toBeCloseTo(1 - 2 / 70, 15);
    expect(estimate.low).toBeCloseTo(5 / 4, 12);
    expect(estimate.differs).toBe(true);
  });

  it('higher confidence widens the interval', () => {
    const base = [101, 97, 105, 99, 103, 100, 98];
    const head = [118, 125, 110, 121, 131, 104, 115];
    const at90 = estimateRatio(base, head, 0.9)!;
    const at99 = estimateRatio(base, head, 0.99)!;

    expect(at99.low).toBeLessThan(at90.low);
    expect(at99.high).toBeGreaterThan(at90.high);
    expect(at90.confidence).toBeGreaterThanOrEqual(0.9);
    expect(at99.confidence).toBeGreaterThanOrEqual(0.99);
  });
});

describe('estimateRatio ratio', () => {
  it('even pair count averages the middle logs', () => {
    // Ratios 3/2, 2, 3, 4: the median of the logs is the mean of log 2 and log 3.
    expect(estimateRatio([1, 2], [3, 4])!.ratio).toBeCloseTo(Math.sqrt(6), 12);
  });

  it('head scaled by 1.5 gives ratio 1.5', () => {
    const base = [233, 269, 1010, 512, 377];
    const estimate = estimateRatio(
      base,
      base.map((value) => value * 1.5),
    )!;

    expect(estimate.ratio).toBeCloseTo(1.5, 12);
    expect(estimate.low).toBeLessThanOrEqual(1.5);
    expect(estimate.high).toBeGreaterThanOrEqual(1.5);
  });

  it('swapping samples inverts the ratio', () => {
    const base = [101, 97, 105, 99, 103];
    const head = [118, 125, 110, 121, 131];
    const forward = estimateRatio(base, head)!;
    const backward = estimateRatio(head, base)!;

    expect(backward.ratio).toBeCloseTo(1 / forward.ratio, 12);
    expect(backward.low).toBeCloseTo(1 / forward.high, 12);
    expect(backward.high).toBeCloseTo(1 / forward.low, 12);
    expect(backward.pValue).toBe(forward.pValue);
    expect(backward.differs).toBe(forward.differs);
  });

  it('identical samples give ratio 1, shown as ~', () => {
    for (const values of [
      [100, 100, 100, 100, 100],
      [90, 95, 100, 105, 110],
    ]) {
      const estimate = estimateRatio(values, [...values])!;

      expect(estimate.ratio, `${values}`).toBe(1);
      expect(estimate.low, `${values}`).toBeLessThanOrEqual(1);
      expect(estimate.high, `${values}`).toBeGreaterThanOrEqual(1);
      expect(estimate.pValue, `${values}`).toBe(1);
      expect(estimate.differs, `${values}`).toBe(false);
    }
  });

  it('reports the sample sizes', () => {
    const estimate = estimateRatio([1, 2, 3], [4, 5, 6, 7])!;

    expect(estimate.baseCount).toBe(3);
    expect(estimate.headCount).toBe(4);
  });
});

describe('estimateRatio input', () => {
  it('returns null for fewer than 2 values', () => {
    expect(estimateRatio([1], [2, 3])).toBeNull();
    expect(estimateRatio([1, 2], [3])).toBeNull();
    expect(estimateRatio([], [])).toBeNull();
  });

  it('returns null for values not finite and positive', () => {
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(estimateRatio([1, bad, 3], [4, 5, 6]), `${bad}`).toBeNull();
      expect(estimateRatio([1, 2, 3], [4, 5, bad]), `${bad}`).toBeNull();
    }
  });

  it('rejects confidence outside (0, 1)', () => {
    for (const confidence of [0, 1, -0.5, 1.5, 95, Number.NaN]) {
      expect(() => estimateRatio(ascending5, higher5, confidence), `${confidence}`).toThrow(RangeError);
      expect(() => estimateRatio(ascending5, higher5, confidence), `${confidence}`).toThrow(/confidence: got/);
    }
  });

  it('checks confidence before the samples', () => {
    expect(() => estimateRatio([1], [2], 2)).toThrow(RangeError);
  });
});

describe('estimateRatio differs', () => {
  const confidences = [0.8, 0.9, 0.95, 0.99];
  const trueRatios = [1, 1.02, 1.1, 1 / 1.1, 1.3];

  it('agrees with the p-value without ties', () => {
    const random = mulberry32(2024);
    const normal = normalSource(random);
    const mismatches: string[] = [];
    const methods = new Set<string>();
    let differing = 0;
    const trials = 3000;

    for (let trial = 0; trial < trials; trial++) {
      const n = 2 + Math.floor(random() * 34);
      const m = 2 + Math.floor(random() * 34);
      const confidence = confidences[trial % confidences.length]!;
      const trueRatio = trueRatios[trial % trueRatios.length]!;
      const base = lognormalSample(normal, n, 100, 0.1);
      const head = lognormalSample(normal, m, 100 * trueRatio, 0.1);
      const estimate = estimateRatio(base, head, confidence)!;

      methods.add(rankSumMethod(n, m, false));
      if (estimate.differs) differing++;
      if (estimate.differs !== estimate.pValue <= 1 - confidence) {
        mismatches.push(`${n} vs ${m} at ${confidence}: p ${estimate.pValue}, differs ${estimate.differs}`);
      }
      if (estimate.differs && estimate.confidence < confidence) {
        mismatches.push(`${n} vs ${m} at ${confidence}: differs with confidence ${estimate.confidence}`);
      }
    }

    expect(mismatches).toEqual([]);
    expect([...methods].sort()).toEqual(['exact', 'normal']);
    expect(differing).toBeGreaterThan(trials / 10);
    expect(differing).toBeLessThan(trials - trials / 10);
  });

  it('implies a small p-value with ties', () => {
    const random = mulberry32(77);
    const normal = normalSource(random);
    const mismatches: string[] = [];
    let differing = 0;
    let tied = 0;
    const trials = 2000;

    for (let trial = 0; trial < trials; trial++) {
      const n = 2 + Math.floor(random() * 20);
      const m = 2 + Math.floor(random() * 20);
      const confidence = confidences[trial % confidences.length]!;
      const trueRatio = trueRatios[trial % trueRatios.length]!;
      // Whole microseconds around 100 µs, as HDR percentiles are: ties are common.
      const base = lognormalSample(normal, n, 100, 0.05).map(Math.round);
      const head = lognormalSample(normal, m, 100 * trueRatio, 0.05).map(Math.round);
      const estimate = estimateRatio(base, head, confidence)!;

      if (new Set([...base, ...head]).size < n + m) tied++;
      if (estimate.differs) differing++;
      if (estimate.differs && estimate.pValue > 1 - confidence) {
        mismatches.push(`${base} vs ${head} at ${confidence}: p ${estimate.pValue}, differs`);
      }
    }

    expect(mismatches).toEqual([]);
    expect(tied).toBeGreaterThan(trials / 2);
    expect(differing).toBeGreaterThan(trials / 10);
  });
});

describe('estimateRatio coverage', () => {
  const trials = 1000;

  /** Runs `trials` comparisons of lognormal samples whose medians differ by `trueRatio`. */
  function simulate(n: number, m: number, trueRatio: number, seed: number) {
    const normal = normalSource(mulberry32(seed));
    let covered = 0;
    let differing = 0;
    for (let trial = 0; trial < trials; trial++) {
      const base = lognormalSample(normal, n, 250, 0.15);
      const head = lognormalSample(normal, m, 250 * trueRatio, 0.15);
      const estimate = estimateRatio(base, head)!;
      if (estimate.low <= trueRatio && trueRatio <= estimate.high) covered++;
      if (estimate.differs) differing++;
    }
    return { coverage: covered / trials, falseDifferenceRate: differing / trials };
  }

  /** Exact coverage 1 − 2·P(U ≤ C) of the 95% interval under a pure shift. */
  function theoreticalCoverage(n: number, m: number): number {
    const tail = exactLowerTail(n, m);
    return 1 - 2 * tail(exactCriticalValue(tail, 0.025));
  }

  // Under a pure shift on the log scale the interval covers the true ratio with probability
  // exactly 1 − 2·P(U ≤ C). Four binomial standard deviations of a 1000-trial proportion
  // around it leave a correct method a chance below 1e-4 of failing for a given seed.
  for (const size of [5, 10]) {
    it(`interval covers ratio 1.2 at ${size} vs ${size}`, () => {
      const expected = theoreticalCoverage(size, size);
      const { coverage } = simulate(size, size, 1.2, 1000 + size);

      expect(Math.abs(coverage - expected)).toBeLessThanOrEqual(4 * proportionSd(expected, trials));
      expect(coverage).toBeGreaterThanOrEqual(0.93);
      expect(coverage).toBeLessThanOrEqual(0.995);
    });

    // With equal distributions `differs` is true with probability 1 − (achieved confidence),
    // at most 0.05. The margin is three binomial standard deviations of a 1000-trial
    // proportion at 0.05, about 0.021, which a correct method exceeds with probability
    // below 0.2% for a given seed.
    it(`false-difference rate below 5% at ${size} vs ${size}`, () => {
      const { falseDifferenceRate } = simulate(size, size, 1, 2000 + size);

      expect(falseDifferenceRate).toBeLessThanOrEqual(0.05 + 3 * proportionSd(0.05, trials));
    });
  }

  it('5 vs 5 coverage theory is 1 - 8/252', () => {
    expect(theoreticalCoverage(5, 5)).toBeCloseTo(1 - 8 / 252, 15);
  });
});
