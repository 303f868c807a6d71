/**
 * Arrival rates in suite files: a whole number of operations per second, written as a number
 * (`500`), or as text with or without its unit (`"500/s"`, `"500"`).
 */
export const RATE_PATTERN = /^(\d+)(?:\/s)?$/;

/**
 * Parses `500`, `"500"` or `"500/s"` into operations per second; null for anything else. Digits
 * beyond the safe integer range still parse, so that the range check can report the value as too large.
 */
export function parseRatePerSec(value: number | string): number | null {
  if (typeof value === 'number') {
    return Number.isInteger(value) ? value : null;
  }
  const match = RATE_PATTERN.exec(value);
  return match === null ? null : Number(match[1]);
}

/**
 * autocannon paces a rate per whole second: each connection sends its share of a second at the
 * start of that second, then waits for the next. A round that is not a whole number of seconds
 * long gets one more second's share than its length, so 400 ms rounds at 2000/s ran 5000 req/s.
 */
export const RATE_PACING_MS = 1000;

/**
 * Returns why a requests workload with a rate cannot run in `rounds` rounds, or null when it
 * can: each round must last a whole number of seconds.
 */
export function rateRoundProblem(workload: { rateRps: number | null; durationMs: number }, rounds: number): string | null {
  if (workload.rateRps === null) return null;
  const roundMs = workload.durationMs / rounds;
  if (roundMs >= RATE_PACING_MS && roundMs % RATE_PACING_MS === 0) return null;
  return (
    `a requests workload with a rate needs rounds of whole seconds, because autocannon sends each second's share ` +
    `of the rate at the start of that second; ${workload.durationMs} ms over ${rounds} round${rounds === 1 ? '' : 's'} ` +
    `gives ${Math.round(roundMs)} ms rounds; set the duration to ${rounds}s, ${rounds * 2}s or another multiple of ${rounds}s`
  );
}
