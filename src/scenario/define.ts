import type { SuiteInput } from './schema.ts';

/**
 * Returns the suite unchanged. It exists for type checking and editor completion in `.ts`
 * suite files (`export default defineSuite({...})`). The loader still validates the result and
 * fills in the defaults.
 */
export function defineSuite(input: SuiteInput): SuiteInput {
  return input;
}
