import { describe, expect, it } from 'vitest';

import { parseDurationMs } from '../../src/scenario/duration.ts';
import { findNearestName, formatChoices, formatPath } from '../../src/scenario/messages.ts';

describe('parseDurationMs', () => {
  it('converts each unit', () => {
    expect(parseDurationMs('500ms')).toBe(500);
    expect(parseDurationMs('3s')).toBe(3000);
    expect(parseDurationMs('2m')).toBe(120_000);
  });

  it('converts decimals exactly', () => {
    expect(parseDurationMs('1.1s')).toBe(1100);
    expect(parseDurationMs('0.25m')).toBe(15_000);
  });

  it('rejects fractions of a millisecond', () => {
    expect(parseDurationMs('0.5ms')).toBeNull();
    expect(parseDurationMs('1.0001s')).toBeNull();
  });

  it('rejects text without a unit', () => {
    expect(parseDurationMs('3')).toBeNull();
    expect(parseDurationMs('3 s')).toBeNull();
    expect(parseDurationMs('3h')).toBeNull();
    expect(parseDurationMs('-1s')).toBeNull();
  });
});

describe('message wording', () => {
  it('formats paths with indexes', () => {
    expect(formatPath(['matrix', 1, 'tlsVersion', 0])).toBe('matrix[1].tlsVersion[0]');
    expect(formatPath([])).toBe('');
  });

  it('lists choices by count', () => {
    expect(formatChoices(['a'])).toBe('"a"');
    expect(formatChoices(['a', 'b'])).toBe('"a" or "b"');
    expect(formatChoices(['a', 'b', 'c'])).toBe('one of "a", "b", "c"');
  });

  it('finds near names only', () => {
    expect(findNearestName('keytype', ['keyType', 'group'])).toBe('keyType');
    expect(findNearestName('tlsversion', ['tlsVersion'])).toBe('tlsVersion');
    expect(findNearestName('colour', ['name', 'matrix'])).toBeNull();
  });
});
