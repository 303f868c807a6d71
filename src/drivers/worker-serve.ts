/**
 * Worker-thread side of a driver pool: the messages between a pool and its workers, and the loop
 * that a worker module runs. Every message is copied with the structured clone algorithm, so it
 * contains plain data only: no functions, class instances or secure contexts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { MtlsBenchError } from '../errors.ts';
import type { MtlsBenchErrorCode } from '../errors.ts';

/** `workerData` of a driver worker. */
export interface DriverWorkerData<Setup> {
  /** File URL of the worker module, which the TypeScript boot file imports. */
  entry: string;
  /** This worker's share of the driver options. */
  setup: Setup;
}

/** Message from the pool to a worker. A worker gets one request at a time. */
export interface RequestMessage<Request> {
  type: 'request';
  request: Request;
}

/** Message from a worker to the pool. */
export type WorkerMessage<Reply> =
  | { type: 'ready' }
  | { type: 'reply'; reply: Reply }
  /** Setup or a request failed. `code` is set when the error was an `MtlsBenchError`. */
  | { type: 'failed'; code: MtlsBenchErrorCode | null; message: string };

/** Handles one request in a worker and returns the reply to send back. */
export type RequestHandler<Request, Reply> = (request: Request) => Promise<Reply>;

function failureOf(error: unknown): WorkerMessage<never> {
  if (error instanceof MtlsBenchError) return { type: 'failed', code: error.code, message: error.message };
  return { type: 'failed', code: null, message: error instanceof Error ? error.message : String(error) };
}

/**
 * Runs a worker module's loop. It builds the handler from `workerData.setup` and posts `ready`,
 * or the setup error, then replies to each request with its result or its error. An error that
 * escapes this loop crashes the thread, and the pool reports it as the worker's crash.
 */
export function serveDriverRequests<Setup, Request, Reply>(setUp: (setup: Setup) => RequestHandler<Request, Reply>): void {
  const port = parentPort;
  if (port === null) {
    throw new MtlsBenchError('RUN_FAILED', 'serveDriverRequests: this module must run in a worker thread started by a driver pool');
  }
  const post = (message: WorkerMessage<Reply>): void => port.postMessage(message);

  let handle: RequestHandler<Request, Reply>;
  try {
    handle = setUp((workerData as DriverWorkerData<Setup>).setup);
  } catch (error) {
    post(failureOf(error));
    return;
  }

  port.on('message', (message: RequestMessage<Request>) => {
    handle(message.request).then(
      (reply) => post({ type: 'reply', reply }),
      (error: unknown) => post(failureOf(error)),
    );
  });
  post({ type: 'ready' });
}
