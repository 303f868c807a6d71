import { describe, expect, it } from 'vitest';
import { CLIENT_BOUND_SHARE, clientLoadOf } from '../../src/results/client-load.ts';

function run(cpuUs: number, elapsedUs: number) {
  return { clientCpuUs: { user: cpuUs * 0.8, system: cpuUs * 0.2 }, elapsedUs };
}

describe('clientLoadOf', () => {
  it('divides CPU time by wall time over every round', () => {
    expect(clientLoadOf([run(150_000, 200_000), run(170_000, 200_000)])).toEqual({ cpuShare: 0.8, cores: 1, bound: false });
  });

  it('marks a busy client as bound', () => {
    expect(clientLoadOf([run(190_000, 200_000), run(196_000, 200_000)])).toEqual({ cpuShare: 0.965, cores: 1, bound: true });
  });

  it('is not bound at the threshold itself', () => {
    expect(clientLoadOf([run(CLIENT_BOUND_SHARE * 100_000, 100_000)]).bound).toBe(false);
  });

  it('reports no load without rounds', () => {
    expect(clientLoadOf([])).toEqual({ cpuShare: 0, cores: 1, bound: false });
  });

  it('measures worker threads against one core each', () => {
    // 1.5 cores busy: bound for one thread, not for two on a machine with at least two cores.
    expect(clientLoadOf([run(300_000, 200_000)], 1, 8)).toEqual({ cpuShare: 1.5, cores: 1, bound: true });
    expect(clientLoadOf([run(300_000, 200_000)], 2, 8)).toEqual({ cpuShare: 1.5, cores: 2, bound: false });
    expect(clientLoadOf([run(380_000, 200_000)], 2, 8).bound).toBe(true);
  });

  it('counts no more cores than the machine has', () => {
    expect(clientLoadOf([run(190_000, 200_000)], 4, 1)).toEqual({ cpuShare: 0.95, cores: 1, bound: true });
  });
});
