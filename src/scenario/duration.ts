/**
 * Durations in suite files: a whole or decimal number followed by `ms`, `s` or `m`, with
 * nothing in between. A bare number is rejected on purpose, because `duration: 3` could mean
 * seconds or milliseconds and a wrong guess silently changes a run by a factor of 1000.
 */
import { describeReceived } from './messages.ts';

export const DURATION_PATTERN = /^(\d+)(?:\.(\d+))?(ms|s|m)$/;

export const DURATION_UNITS = ['ms', 's', 'm'] as const;

const MS_PER_UNIT: Record<string, bigint> = { ms: 1n, s: 1000n, m: 60_000n };

/**
 * Reads a duration that matches {@link DURATION_PATTERN} exactly, in BigInt arithmetic, so that
 * neither a long fraction nor a number past 2^53 is rounded on the way. Returns null for text
 * that does not match.
 */
function readExactMs(text: string): { wholeMs: bigint; subMillisecond: boolean } | null {
  const match = DURATION_PATTERN.exec(text);
  if (match === null) {
    return null;
  }
  const [, wholeDigits = '0', fractionDigits = '', unit = ''] = match;
  const msPerUnit = MS_PER_UNIT[unit];
  if (msPerUnit === undefined) {
    return null;
  }
  // Trailing zeros change nothing, and dropping them keeps the power of ten small.
  const fraction = fractionDigits.replace(/0+$/, '');
  const fractionScale = 10n ** BigInt(fraction.length);
  const fractionTimesUnit = BigInt(fraction === '' ? '0' : fraction) * msPerUnit;
  return {
    wholeMs: BigInt(wholeDigits) * msPerUnit + fractionTimesUnit / fractionScale,
    subMillisecond: fractionTimesUnit % fractionScale !== 0n,
  };
}

/**
 * Parses a duration such as `500ms`, `1.5s` or `2m` into milliseconds. Returns null when the
 * text does not match {@link DURATION_PATTERN}, does not come to a whole number of
 * milliseconds (`0.5ms`), or comes to more than `Number.MAX_SAFE_INTEGER` milliseconds.
 */
export function parseDurationMs(text: string): number | null {
  const exact = readExactMs(text);
  if (exact === null || exact.subMillisecond || exact.wholeMs > BigInt(Number.MAX_SAFE_INTEGER)) {
    return null;
  }
  return Number(exact.wholeMs);
}

/** Writes a limit in the largest unit that divides it, for example 3600000 as `60m`. */
export function formatDurationMs(durationMs: number): string {
  if (durationMs % 60_000 === 0) return `${durationMs / 60_000}m`;
  if (durationMs % 1000 === 0) return `${durationMs / 1000}s`;
  return `${durationMs}ms`;
}

/** Bounds that a duration field accepts. */
export interface DurationBounds {
  /** Whether `0s` is accepted, as it is for a warm-up. */
  allowZero: boolean;
  maxMs: number;
}

const EXAMPLES = 'for example "3s" or "500ms"';

/**
 * Explains why a value is not an accepted duration, as the sentence after the field path
 * (`got "1h"; the unit "h" is not accepted; ...`), or returns null for an accepted one.
 */
export function describeDurationProblem(value: unknown, bounds: DurationBounds): string | null {
  const received = describeReceived(value);
  if (typeof value === 'number' || (typeof value === 'string' && /^\d+(\.\d+)?$/.test(value))) {
    return `${received}; a duration needs a unit, ${EXAMPLES}`;
  }
  if (typeof value !== 'string') {
    return `${received}; expected a duration in ms, s or m, ${EXAMPLES}`;
  }

  const exact = readExactMs(value);
  if (exact === null) {
    return describeUnmatchedText(value, received, bounds);
  }
  if (exact.subMillisecond) {
    return `${received}; a duration must come to whole milliseconds, for example "1ms" or "1.5s"`;
  }
  if (exact.wholeMs > BigInt(bounds.maxMs)) {
    return `${received}; expected at most ${formatDurationMs(bounds.maxMs)}`;
  }
  if (exact.wholeMs === 0n && !bounds.allowZero) {
    return `${received}; expected a duration above zero`;
  }
  return null;
}

/** Words the problem of text that {@link DURATION_PATTERN} rejects, from what it looks like. */
function describeUnmatchedText(text: string, received: string, bounds: DurationBounds): string {
  const trimmed = text.trim();
  if (trimmed !== text && readExactMs(trimmed) !== null) {
    return `${received}; remove the spaces around the duration, as in ${JSON.stringify(trimmed)}`;
  }
  if (/^-\s*\d/.test(trimmed)) {
    return bounds.allowZero
      ? `${received}; expected zero or a positive duration, for example "0s" or "500ms"`
      : `${received}; expected a duration above zero, ${EXAMPLES}`;
  }
  const numberAndUnit = /^(\d+(?:\.\d+)?)\s*([^\d\s.]+)$/.exec(trimmed);
  if (numberAndUnit !== null) {
    const [, number = '', unit = ''] = numberAndUnit;
    if ((DURATION_UNITS as readonly string[]).includes(unit)) {
      return `${received}; write the unit right after the number, without spaces, for example "${number}${unit}"`;
    }
    return `${received}; the unit ${JSON.stringify(unit)} is not accepted; expected ms, s or m, for example "30s" or "5m"`;
  }
  return `${received}; expected a duration in ms, s or m, ${EXAMPLES}`;
}
