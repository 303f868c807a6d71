/** Parses the percentages that `--threshold` and a suite's `gate` section take. */

/** A threshold as written: `10%`, `2.5%`, or `off` for a metric the gate must not fail on. */
export const THRESHOLD_PATTERN = /^(?:off|\d+(?:\.\d+)?%)$/;

/** Largest threshold accepted: a change of 1000% is beyond anything a gate is for. */
export const MAX_THRESHOLD_PERCENT = 1000;

/**
 * Returns a threshold as a fraction (`10%` → 0.1), null for `off`, or undefined when the text
 * is not a threshold, so that the caller can report it with its own field path.
 */
export function parseThreshold(text: string): number | null | undefined {
  const trimmed = text.trim();
  if (!THRESHOLD_PATTERN.test(trimmed)) return undefined;
  if (trimmed === 'off') return null;
  const percent = Number(trimmed.slice(0, -1));
  if (!Number.isFinite(percent) || percent > MAX_THRESHOLD_PERCENT) return undefined;
  return percent / 100;
}
