/**
 * Worker-thread module of the requests pool: runs `runRequests` with this worker's shares, and
 * delays its requests until the connections of every worker are up.
 */
import { runRequests } from './requests.ts';
import type { RequestsRunResult } from './requests.ts';
import type { WorkerRun } from './merge-runs.ts';
import type { RequestsWorkerRequest, RequestsWorkerSetup } from './requests-pool.ts';
import { serveDriverRequests } from './worker-serve.ts';

/** `Atomics.waitAsync`, which Node 20 provides but TypeScript declares only in its ES2024 lib, newer than this project's target. */
interface AtomicsWithWaitAsync {
  waitAsync(
    array: Int32Array,
    index: number,
    value: number,
    timeoutMs: number,
  ): { async: false; value: 'not-equal' | 'timed-out' } | { async: true; value: Promise<'ok' | 'timed-out'> };
}

/**
 * Counts this worker in `connectedWorkers` and resolves once all `workers` have counted, or after
 * `timeoutMs`. The caller passes the run's duration, after which the window has closed anyway.
 */
async function waitForEveryWorker(connectedWorkers: SharedArrayBuffer, workers: number, timeoutMs: number): Promise<void> {
  const counter = new Int32Array(connectedWorkers);
  let counted = Atomics.add(counter, 0, 1) + 1;
  if (counted >= workers) {
    Atomics.notify(counter, 0);
    return;
  }
  const deadlineMs = performance.now() + timeoutMs;
  while (counted < workers) {
    const remainingMs = deadlineMs - performance.now();
    if (remainingMs <= 0) return;
    const wait = (Atomics as unknown as AtomicsWithWaitAsync).waitAsync(counter, 0, counted, remainingMs);
    if (wait.async) await wait.value;
    counted = Atomics.load(counter, 0);
  }
}

serveDriverRequests<RequestsWorkerSetup, RequestsWorkerRequest, WorkerRun<RequestsRunResult>>((setup) => async (request) => {
  const { connectedWorkers, workers, ...bounds } = request;
  const startNs = process.hrtime.bigint();
  const result = await runRequests({
    ...setup,
    ...bounds,
    beforeRequests: () => waitForEveryWorker(connectedWorkers, workers, bounds.durationMs),
  });
  return { result, startNs };
});
