import type { ResolvedSuite } from '../scenario/types.ts';

/**
 * Renders the line printed above a suite's tables: its name, and what makes its figures unlike
 * a normal run (the `--quick` bounds, a simulated slowdown).
 */
export function renderSuiteHeading(suite: Pick<ResolvedSuite, 'name' | 'simulate'>, options: { quick: boolean }): string {
  let heading = `suite "${suite.name}"`;
  if (options.quick) {
    heading += ' (--quick: smoke-test bounds)';
  }
  if (suite.simulate !== null) {
    const servers = suite.simulate.auth.length === 1 ? `, ${suite.simulate.auth[0]} servers only` : '';
    heading += ` (simulate: +${suite.simulate.handshakeCpuUs} µs server CPU per handshake${servers})`;
  }
  return heading;
}
