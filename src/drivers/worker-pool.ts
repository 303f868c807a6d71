/**
 * Persistent worker threads for the drivers, for loads that one event loop cannot generate. A
 * pool starts one thread per setup, keeps them across runs so that driver state (TLS sessions)
 * carries over, sends each thread one request per run, and terminates them on `close()`.
 *
 * Threads share this process, so `process.cpuUsage()` read in any of them returns the CPU time
 * of the whole process. Pools therefore measure client CPU in the calling thread, around a run.
 */
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { debuglog } from 'node:util';
import { Worker } from 'node:worker_threads';
import { MtlsBenchError } from '../errors.ts';
import type { DriverWorkerData, RequestMessage, WorkerMessage } from './worker-serve.ts';

const debug = debuglog('mtls-bench');

/**
 * Time for a worker to report that it is ready. A cold start loads tsx and compiles the driver
 * modules, which can take a few seconds on a slow or busy machine.
 */
const DEFAULT_START_TIMEOUT_MS = 15_000;

/** Options of `DriverWorkerPool.start`. */
export interface DriverWorkerPoolOptions<Setup> {
  /** Name used in messages, such as `handshake`, which gives `handshake worker 2 of 3`. */
  name: string;
  /**
   * The worker module, as a `.ts` file URL. When these sources run compiled, the `.js` file of
   * the same name is started instead.
   */
  moduleUrl: URL;
  /** One setup per worker, each sent to its worker as `workerData`. At least one. */
  setups: readonly Setup[];
  /** Time for every worker to become ready, in milliseconds. Default 15000. */
  startTimeoutMs?: number;
}

/**
 * Returns the file a worker starts and the `workerData.entry` it imports. From TypeScript sources
 * the worker starts the boot file, which registers tsx before it imports the module. From
 * compiled sources, as in `childEntry` of `servers/spawn.ts`, the `.js` module starts directly.
 */
function workerEntryOf(moduleUrl: URL): { file: URL; entry: string } {
  if (fileURLToPath(import.meta.url).endsWith('.ts')) {
    // Resolving tsx here fails early, with a clear message, when it is not installed.
    createRequire(import.meta.url).resolve('tsx/esm/api');
    return { file: new URL('./worker-boot.mjs', import.meta.url), entry: moduleUrl.href };
  }
  const compiled = pathToFileURL(fileURLToPath(moduleUrl).replace(/\.ts$/, '.js'));
  return { file: compiled, entry: compiled.href };
}

interface PendingReply<Reply> {
  resolve(reply: Reply): void;
  reject(error: Error): void;
}

/** One worker thread: sends requests one at a time and turns a crash into an error. */
class DriverThread<Request, Reply> {
  readonly label: string;
  readonly #worker: Worker;
  readonly #exited: Promise<void>;
  #pending: PendingReply<Reply> | null = null;
  #ready: PendingReply<void> | null = null;
  /** Why the thread can take no more requests: its crash, its exit or a setup error. */
  #failure: MtlsBenchError | null = null;
  #terminating = false;

  constructor(label: string, file: URL, workerData: DriverWorkerData<unknown>, ready: PendingReply<void>) {
    this.label = label;
    this.#ready = ready;
    this.#worker = new Worker(file, { workerData });
    this.#worker.on('message', (message: WorkerMessage<Reply>) => this.#onMessage(message));
    this.#worker.on('messageerror', (error) => {
      this.#fail(new MtlsBenchError('RUN_FAILED', `${label}: a message from the worker could not be deserialized: ${error.message}`, { cause: error }));
    });
    this.#worker.on('error', (error: unknown) => {
      const reason = error instanceof Error ? error.message : String(error);
      this.#fail(new MtlsBenchError('RUN_FAILED', `${label} crashed: ${reason}`, { cause: error }));
    });
    this.#exited = new Promise((resolve) => {
      this.#worker.once('exit', (code) => {
        debug('%s (thread %d) exited with code %d', label, this.#worker.threadId, code);
        if (!this.#terminating) this.#fail(new MtlsBenchError('RUN_FAILED', `${label} exited unexpectedly with code ${code}`));
        resolve();
      });
    });
  }

  /** Sends one request and resolves with its reply. Rejects at once when the thread has failed. */
  request(request: Request): Promise<Reply> {
    if (this.#failure !== null) return Promise.reject(this.#failure);
    if (this.#pending !== null || this.#ready !== null) {
      return Promise.reject(new MtlsBenchError('RUN_FAILED', `${this.label}: a request was sent while the worker was busy`));
    }
    return new Promise<Reply>((resolve, reject) => {
      this.#pending = { resolve, reject };
      // A busy worker keeps the process alive, but an idle one does not, so a pool that is never
      // closed cannot keep a finished program from exiting.
      this.#worker.ref();
      this.#worker.postMessage({ type: 'request', request } satisfies RequestMessage<Request>);
    });
  }

  /** Stops the thread and resolves once it has exited. */
  async terminate(): Promise<void> {
    this.#terminating = true;
    this.#fail(new MtlsBenchError('RUN_FAILED', `${this.label} was terminated`));
    await this.#worker.terminate();
    await this.#exited;
  }

  #onMessage(message: WorkerMessage<Reply>): void {
    if (message.type === 'ready') {
      const ready = this.#ready;
      this.#ready = null;
      this.#worker.unref();
      ready?.resolve();
      return;
    }
    if (message.type === 'failed') {
      const error = new MtlsBenchError(message.code ?? 'RUN_FAILED', `${this.label}: ${message.message}`);
      if (this.#ready !== null) {
        // The worker could not set up, so it can take no request.
        this.#fail(error);
        return;
      }
      this.#settle()?.reject(error);
      return;
    }
    this.#settle()?.resolve(message.reply);
  }

  #settle(): PendingReply<Reply> | null {
    const pending = this.#pending;
    this.#pending = null;
    this.#worker.unref();
    return pending;
  }

  #fail(error: MtlsBenchError): void {
    this.#failure ??= error;
    const ready = this.#ready;
    this.#ready = null;
    ready?.reject(this.#failure);
    this.#settle()?.reject(this.#failure);
  }
}

/**
 * Worker threads that each run a driver module (a module that calls `serveDriverRequests`). The
 * pool is for one caller at a time: `runAll` waits for every thread before it settles.
 */
export class DriverWorkerPool<Setup, Request, Reply> {
  readonly #threads: DriverThread<Request, Reply>[];
  #closed = false;

  private constructor(threads: DriverThread<Request, Reply>[]) {
    this.#threads = threads;
  }

  /**
   * Starts one worker per setup and resolves once all of them are ready. Rejects, after
   * terminating every worker, when one fails to set up (with the code of its error, such as
   * `INVALID_ARGUMENT`), crashes or is not ready in time (`RUN_FAILED`). With several failures
   * the error is that of the first failing worker in worker order.
   */
  static async start<Setup, Request, Reply>(options: DriverWorkerPoolOptions<Setup>): Promise<DriverWorkerPool<Setup, Request, Reply>> {
    const { name, setups } = options;
    if (setups.length === 0) {
      throw new MtlsBenchError('INVALID_ARGUMENT', `${name} worker pool: got no setups; expected one per worker`);
    }
    const { file, entry } = workerEntryOf(options.moduleUrl);
    const startTimeoutMs = options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;

    const threads: DriverThread<Request, Reply>[] = [];
    const readiness: Promise<void>[] = [];
    for (const [index, setup] of setups.entries()) {
      const label = `${name} worker ${index + 1} of ${setups.length}`;
      readiness.push(
        new Promise<void>((resolve, reject) => {
          threads.push(new DriverThread<Request, Reply>(label, file, { entry, setup }, { resolve, reject }));
        }),
      );
    }
    const pool = new DriverWorkerPool<Setup, Request, Reply>(threads);

    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        reject(new MtlsBenchError('RUN_FAILED', `${name} worker pool: the workers were not ready within ${startTimeoutMs} ms`));
      }, startTimeoutMs);
    });
    try {
      // Every worker settles before the failure is chosen, so the error names the first failing
      // worker in worker order, whichever failed first in time.
      const outcomes = await Promise.race([Promise.allSettled(readiness), timeout]);
      const failure = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
      if (failure !== undefined) throw failure.reason;
    } catch (error) {
      await pool.close();
      throw error;
    } finally {
      clearTimeout(timer);
    }
    return pool;
  }

  /** Number of worker threads. */
  get size(): number {
    return this.#threads.length;
  }

  /**
   * Sends `requests[i]` to worker i, all of them before awaiting any, and resolves with the
   * replies in worker order. Settles only once every worker has replied or failed, so no worker
   * is still running when it rejects. Rejects with the first failure in worker order.
   */
  async runAll(requests: readonly Request[]): Promise<Reply[]> {
    if (this.#closed) {
      throw new MtlsBenchError('RUN_FAILED', 'worker pool: run requested after close()');
    }
    if (requests.length !== this.#threads.length) {
      throw new MtlsBenchError('INVALID_ARGUMENT', `worker pool: got ${requests.length} requests; expected one per worker (${this.#threads.length})`);
    }
    const settled = await Promise.allSettled(this.#threads.map((thread, index) => thread.request(requests[index] as Request)));

    const replies: Reply[] = [];
    for (const outcome of settled) {
      if (outcome.status === 'rejected') throw outcome.reason;
      replies.push(outcome.value);
    }
    return replies;
  }

  /** Terminates every worker and resolves once all threads have exited. Calling it again does nothing. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all(this.#threads.map((thread) => thread.terminate()));
  }
}
