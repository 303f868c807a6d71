import { describe, expect, it } from 'vitest';
import { renderTables } from '../../src/report/table.ts';
import { runSuite } from '../../src/runner/run.ts';
import { INLINE_SUITE_FILE, resolveSuite } from '../../src/scenario/load.ts';
import type { MeasuredCell } from '../../src/results/types.ts';

/** Threads of this process, from /proc, so that a test can see worker threads that were left running. */
async function threadCount(): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const status = await readFile('/proc/self/status', 'utf8');
  return Number(/^Threads:\s+(\d+)$/m.exec(status)?.[1] ?? Number.NaN);
}

describe('workloads with worker threads and rates', () => {
  it('measures a suite through worker pools and closes their threads', async () => {
    const suite = resolveSuite(
      {
        name: 'workers-test',
        matrix: { keyType: 'ecdsa-p256', tlsVersion: 'tls1.3', resumption: 'tickets' },
        rounds: 4,
        workloads: [
          { kind: 'handshake', name: 'pool', concurrency: 4, workers: 2, duration: '800ms', warmup: 8 },
          { kind: 'handshake', name: 'open', rate: '200/s', concurrency: 20, workers: 2, duration: '800ms', warmup: 8 },
          { kind: 'requests', name: 'paced', connections: 4, workers: 2, rate: '400/s', warmup: '200ms' },
        ],
      },
      { file: INLINE_SUITE_FILE },
    );
    const threadsBefore = await threadCount();
    const results = await runSuite(suite, { skipCryptoFloor: true });
    const cells = results.cells.filter((cell): cell is MeasuredCell => cell.state === 'measured');
    expect(cells.map((cell) => cell.id)).toEqual(results.cells.map((cell) => cell.id));
    expect(cells).toHaveLength(6);

    for (const cell of cells) {
      expect(cell.client.cores).toBe(2);
      const section = cell.handshake ?? cell.requests;
      expect(section?.count).toBeGreaterThan(0);
      expect(section?.errors).toBe(0);
    }
    // Sessions carry over from the warm-up inside each worker.
    for (const cell of cells.filter((candidate) => candidate.scenario.workload === 'pool')) {
      expect(cell.handshake?.resumedShare).toBeGreaterThan(0.9);
    }
    for (const cell of cells.filter((candidate) => candidate.scenario.workload === 'open')) {
      const arrivals = cell.handshake?.arrivals;
      expect(arrivals?.ratePerSec).toBe(200);
      // 4 rounds of 200 ms at 200/s: 160 connections due.
      expect((arrivals?.started ?? 0) + (arrivals?.missed ?? 0)).toBe(160);
      expect(arrivals?.reached).toBe(true);
    }
    for (const cell of cells.filter((candidate) => candidate.scenario.workload === 'paced')) {
      expect(cell.requests?.rate).toMatchObject({ ratePerSec: 400, expectedIntervalUs: 10_000 });
      expect(cell.requests?.throughputRps).toBeGreaterThan(400 * 0.8);
      expect(cell.requests?.throughputRps).toBeLessThan(400 * 1.2);
    }
    const text = renderTables(results, { color: false });
    expect(text).toContain('of 200');
    expect(text).toContain('of 400');
    expect(await threadCount()).toBe(threadsBefore);
  }, 60_000);
});
