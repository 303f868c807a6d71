/**
 * Saturation of the load generator. The handshake driver and autocannon both run on this
 * process's main thread, so the client can use one core at most. A cell whose client kept that
 * core nearly busy measured the client's limit as much as the server's.
 */

/**
 * Client CPU share of one core above which a cell is marked client-bound. Below 90% the client
 * still had idle time between operations, so the server or the network set the pace.
 */
export const CLIENT_BOUND_SHARE = 0.9;

/** The client side's load over a cell's measured rounds. */
export interface ClientLoad {
  /** Client CPU time over wall time, where 1 is one core busy all the time. */
  cpuShare: number;
  /** True when `cpuShare` is above {@link CLIENT_BOUND_SHARE}. */
  bound: boolean;
}

/** Computes the client's load from the rounds' CPU use (`process.cpuUsage` differences) and wall times. */
export function clientLoadOf(runs: readonly { clientCpuUs: { user: number; system: number }; elapsedUs: number }[]): ClientLoad {
  const cpuUs = runs.reduce((sum, run) => sum + run.clientCpuUs.user + run.clientCpuUs.system, 0);
  const elapsedUs = runs.reduce((sum, run) => sum + run.elapsedUs, 0);
  const cpuShare = elapsedUs === 0 ? 0 : Math.round((cpuUs / elapsedUs) * 1000) / 1000;
  return { cpuShare, bound: cpuShare > CLIENT_BOUND_SHARE };
}
