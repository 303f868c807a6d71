import type { PartialRun } from '../results/types.ts';
import type { ResolvedSuite } from '../scenario/types.ts';

/**
 * Renders the line printed above a suite's tables: its name, and what makes its figures unlike
 * a normal run (the `--quick` bounds, a simulated slowdown, a run stopped before its end).
 */
export function renderSuiteHeading(
  suite: Pick<ResolvedSuite, 'name' | 'simulate'>,
  options: { quick: boolean; partial?: PartialRun | null; cellsFinished?: number },
): string {
  let heading = `suite "${suite.name}"`;
  if (options.partial != null) {
    const finished = options.cellsFinished === undefined ? '' : ` after ${options.cellsFinished} of ${options.partial.cellsPlanned} cells`;
    heading += ` (partial run: stopped by ${options.partial.stoppedBy}${finished})`;
  }
  if (options.quick) {
    heading += ' (--quick: smoke-test bounds)';
  }
  if (suite.simulate !== null) {
    const servers = suite.simulate.auth.length === 1 ? `, ${suite.simulate.auth[0]} servers only` : '';
    heading += ` (simulate: +${suite.simulate.handshakeCpuUs} µs server CPU per handshake${servers})`;
  }
  return heading;
}
