/**
 * Durations in suite files: a whole or decimal number followed by `ms`, `s` or `m`, with
 * nothing in between. A bare number is rejected on purpose, because `duration: 3` could mean
 * seconds or milliseconds and a wrong guess silently changes a run by a factor of 1000.
 */
export const DURATION_PATTERN = /^(\d+)(?:\.(\d+))?(ms|s|m)$/;

const MS_PER_UNIT: Record<string, number> = { ms: 1, s: 1000, m: 60_000 };

/**
 * Parses a duration such as `500ms`, `1.5s` or `2m` into milliseconds. Returns null when the
 * text does not match {@link DURATION_PATTERN} or does not come to a whole number of
 * milliseconds (`0.5ms`).
 */
export function parseDurationMs(text: string): number | null {
  const match = DURATION_PATTERN.exec(text);
  if (match === null) {
    return null;
  }
  const [, wholeDigits = '', fractionDigits = '', unit = ''] = match;
  const msPerUnit = MS_PER_UNIT[unit];
  if (msPerUnit === undefined) {
    return null;
  }

  // Integer arithmetic on the fraction digits, because 1.1 * 1000 is 1100.0000000000002 in
  // floating point and would fail the whole-millisecond check.
  const fractionScale = 10 ** fractionDigits.length;
  const fractionTimesUnit = Number(fractionDigits === '' ? '0' : fractionDigits) * msPerUnit;
  if (fractionTimesUnit % fractionScale !== 0) {
    return null;
  }
  const durationMs = Number(wholeDigits) * msPerUnit + fractionTimesUnit / fractionScale;
  return Number.isSafeInteger(durationMs) ? durationMs : null;
}
