import { describe, expect, it } from 'vitest';
import { splitCount, splitInProportion, splitRate } from '../../src/drivers/worker-shares.ts';

const sum = (values: readonly number[]): number => values.reduce((total, value) => total + value, 0);

describe('splitCount', () => {
  it('puts the remainder on the first shares', () => {
    expect(splitCount(10, 3)).toEqual([4, 3, 3]);
    expect(splitCount(2, 3)).toEqual([1, 1, 0]);
    expect(splitCount(8, 2)).toEqual([4, 4]);
  });

  it('keeps the total', () => {
    for (const [total, parts] of [[0, 2], [1, 4], [199, 2], [1_000, 3], [20_001, 7]] as const) {
      expect(sum(splitCount(total, parts)), `${total} over ${parts}`).toBe(total);
    }
  });

  it('keeps shares of a larger total at least as large', () => {
    for (const [larger, smaller, parts] of [[10, 10, 3], [11, 10, 3], [12, 10, 4], [100, 7, 3]] as const) {
      const largerShares = splitCount(larger, parts);
      const smallerShares = splitCount(smaller, parts);
      largerShares.forEach((share, index) => expect(share, `${larger} and ${smaller} over ${parts}`).toBeGreaterThanOrEqual(smallerShares[index] ?? 0));
    }
  });
});

describe('splitRate', () => {
  it('splits a rate evenly', () => {
    const shares = splitRate(100, 3);

    expect(shares).toHaveLength(3);
    for (const share of shares) expect(share).toBeCloseTo(100 / 3, 12);
    expect(sum(shares as number[])).toBeCloseTo(100, 9);
  });

  it('passes an absent rate through', () => {
    expect(splitRate(undefined, 2)).toEqual([undefined, undefined]);
    expect(splitRate(null, 2)).toEqual([null, null]);
  });
});

describe('splitInProportion', () => {
  it('splits in proportion to the weights', () => {
    expect(splitInProportion(100, [3, 2])).toEqual([60, 40]);
    expect(splitInProportion(100, [2, 2])).toEqual([50, 50]);
  });

  it('gives leftover units to the largest fractions', () => {
    // 6.67, 3.33: the first share's fraction is larger.
    expect(splitInProportion(10, [2, 1])).toEqual([7, 3]);
    // 3.33 each: the tie goes to the earlier shares.
    expect(splitInProportion(10, [1, 1, 1])).toEqual([4, 3, 3]);
  });

  it('keeps the total', () => {
    for (const [total, weights] of [[7, [4, 3, 3]], [1_000, [334, 333, 333]], [3, [2, 1]], [9_999, [5, 1, 1]]] as const) {
      expect(sum(splitInProportion(total, weights)), `${total} over ${weights.join(', ')}`).toBe(total);
    }
  });
});
