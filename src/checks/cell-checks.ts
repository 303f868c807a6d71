import type { CellCheck, CheckPhase } from '../results/types.ts';
import { checkNegotiation } from './negotiation.ts';
import { checkResumption } from './resumption.ts';
import type { CheckInput } from './types.ts';

/** Phase names as messages use them: `checks failed in the warm-up`. */
export const PHASE_NAMES: Readonly<Record<CheckPhase, string>> = {
  'warm-up': 'the warm-up',
  measured: 'the measured run',
};

/**
 * Returns every check of one phase of a cell: negotiation first, then resumption. A check that
 * applies to no connection of the phase is left out.
 */
export function checkCell(input: CheckInput): CellCheck[] {
  return [...checkNegotiation(input), ...checkResumption(input)];
}

/** Formats a check as one line, for example `protocol: expected TLSv1.3, negotiated TLSv1.2 on 20 of 20 handshakes`. */
export function describeCheck(check: CellCheck): string {
  return `${check.name}: expected ${check.expected}, ${check.actual}`;
}

/** Returns the checks that failed. */
export function failedChecks(checks: CellCheck[]): CellCheck[] {
  return checks.filter((check) => !check.passed);
}
