/**
 * Wording shared by every suite check, so that all messages read `got X; expected Y` with
 * values quoted the same way and paths written the same way.
 */

/** One step of a field path: an object key or a list index. */
export type PathSegment = string | number;

/** A problem found in a suite, before the loader adds the file name and the line. */
export interface PathIssue {
  path: readonly PathSegment[];
  /** Sentence after the path, for example `got "1.3"; expected "tls1.2" or "tls1.3"`. */
  message: string;
}

/** Writes a path as `matrix.tlsVersion[1]`. The root path is the empty string. */
export function formatPath(path: readonly PathSegment[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') {
      text += `[${segment}]`;
    } else {
      // A key that is not a plain name, such as one with a line break, is shown quoted, so that
      // a message stays on its own line.
      const name = /^[\w$.-]+$/.test(segment) ? segment : JSON.stringify(segment);
      text += text === '' ? name : `.${name}`;
    }
  }
  return text;
}

/** Quotes a value the way messages show it: strings in double quotes, numbers bare. */
export function quote(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/** Describes what the author wrote: `got "1.3"`, `got 3`, `got a list`, or `missing`. */
export function describeReceived(value: unknown): string {
  if (value === undefined) {
    return 'missing';
  }
  if (Array.isArray(value)) {
    return value.length === 0 ? 'got an empty list' : 'got a list';
  }
  if (value !== null && typeof value === 'object') {
    return 'got an object';
  }
  return `got ${quote(value)}`;
}

/** Lists accepted values: `"a"`, `"a" or "b"`, or `one of "a", "b", "c"`. */
export function formatChoices(values: readonly unknown[]): string {
  const quoted = values.map(quote);
  if (quoted.length <= 1) {
    return quoted.join('');
  }
  if (quoted.length === 2) {
    return `${quoted[0]} or ${quoted[1]}`;
  }
  return `one of ${quoted.join(', ')}`;
}

/** Edit distance (insertions, deletions and substitutions, each costing 1) between two strings. */
export function editDistance(a: string, b: string): number {
  let previousRow = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const currentRow = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitutionCost = a[i - 1] === b[j - 1] ? 0 : 1;
      currentRow[j] = Math.min(
        (previousRow[j] ?? 0) + 1,
        (currentRow[j - 1] ?? 0) + 1,
        (previousRow[j - 1] ?? 0) + substitutionCost,
      );
    }
    previousRow = currentRow;
  }
  return previousRow[b.length] ?? 0;
}

/**
 * Finds the accepted name closest to a misspelt one, ignoring case, or null when none is
 * close. Close means at most 2 edits, or a third of the name's length for longer names.
 */
export function findNearestName(name: string, accepted: readonly string[]): string | null {
  const maxDistance = Math.max(2, Math.floor(name.length / 3));
  let nearest: string | null = null;
  let nearestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of accepted) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < nearestDistance) {
      nearest = candidate;
      nearestDistance = distance;
    }
  }
  return nearestDistance <= maxDistance ? nearest : null;
}

/** Message for a key that the object does not accept, with the likely intended key. */
export function unknownKeyMessage(key: string, accepted: readonly string[]): string {
  const nearest = findNearestName(key, accepted);
  if (nearest !== null) {
    return `unknown key ${quote(key)}; did you mean ${quote(nearest)}?`;
  }
  return `unknown key ${quote(key)}; expected ${formatChoices(accepted)}`;
}
