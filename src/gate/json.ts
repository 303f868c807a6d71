import type { Comparison } from './types.ts';

/**
 * Serialises a comparison as two-space indented JSON. The object is plain data (numbers, strings,
 * booleans, null, arrays and objects), so this loses nothing; docs/ci.md describes the fields.
 */
export function serializeComparison(comparison: Comparison): string {
  return `${JSON.stringify(comparison, null, 2)}\n`;
}
