/** Adds up counts by key, such as failed operations by error code. */
export function mergeErrorCounts(lists: readonly Readonly<Record<string, number>>[]): Record<string, number> {
  const merged: Record<string, number> = {};
  for (const list of lists) {
    for (const [code, count] of Object.entries(list)) merged[code] = (merged[code] ?? 0) + count;
  }
  return merged;
}
