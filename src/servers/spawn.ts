import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { debuglog } from 'node:util';
import { MtlsBenchError } from '../errors.ts';
import type { ChildMessage, EchoServerPorts, ParentMessage } from './protocol.ts';
import type { EchoServerConfig, ServerWindowStats } from './types.ts';

const debug = debuglog('mtls-bench');

/**
 * Time for a child to respond to `start`. A cold start loads tsx and compiles the child's modules,
 * which can take a few seconds on a slow or busy machine.
 */
const DEFAULT_START_TIMEOUT_MS = 15_000;
/** Time for a child to respond to a window request, which it does without waiting on anything. */
const REQUEST_TIMEOUT_MS = 5_000;
/** Time a child gets to exit after `stop` before it is killed. */
const STOP_TIMEOUT_MS = 2_000;
/** Time to wait for the child's exit after a message to it could not be sent. */
const SEND_FAILURE_EXIT_WAIT_MS = 1_000;
/** Characters of the child's stderr kept for error messages. */
const STDERR_TAIL_CHARS = 4_000;

export type { EchoServerPorts } from './protocol.ts';

/** Exit status of an echo server child. */
export interface EchoServerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The last lines the child wrote to stderr, at most 4000 characters. */
  stderrTail: string;
}

/** A running echo server child. */
export interface EchoServerHandle {
  ports: EchoServerPorts;
  pid: number;
  /** Resets the child's counters and starts its CPU and wall clocks. */
  beginWindow(): Promise<void>;
  /** Returns the child's counters since the last `beginWindow()`. */
  endWindow(): Promise<ServerWindowStats>;
  /** Asks the child to exit, and kills it with SIGKILL if it has not exited after 2 s. */
  stop(): Promise<void>;
  /** Settles when the child exits, for whatever reason. Never rejects. */
  exited: Promise<EchoServerExit>;
  /** The child's exit status once it has exited, otherwise null. */
  readonly exit: EchoServerExit | null;
}

export interface StartEchoServerOptions {
  /** Time for the child to start and report its ports, in milliseconds. Default 15000. */
  startTimeoutMs?: number;
}

/**
 * Returns the child's entry and the Node flags it needs. From TypeScript sources (tests, the
 * CLI through tsx) the child is a `.ts` file and loads tsx's ESM loader. The child is ESM
 * only, and `tsx/esm` starts faster than the full `tsx` entry, which also hooks CommonJS.
 * The loader is resolved from this file, so the child finds it whatever the working directory.
 */
function childEntry(): { path: string; execArgv: string[] } {
  const ownPath = fileURLToPath(import.meta.url);
  if (ownPath.endsWith('.ts')) {
    const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm')).href;
    return { path: fileURLToPath(new URL('./echo-child.ts', import.meta.url)), execArgv: ['--import', tsxLoader] };
  }
  return { path: fileURLToPath(new URL('./echo-child.js', import.meta.url)), execArgv: [] };
}

interface PendingRequest {
  expected: ChildMessage['type'];
  resolve(message: ChildMessage): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

/**
 * Sends requests to one child and matches each reply to the request, one request at a time.
 * Errors from the child, its exit and timeouts reject the pending request.
 */
class ChildChannel {
  readonly #child: ChildProcess;
  #pending: PendingRequest | null = null;
  #stderrTail = '';
  #exit: EchoServerExit | null = null;
  readonly exited: Promise<EchoServerExit>;

  constructor(child: ChildProcess) {
    this.#child = child;
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      this.#stderrTail = (this.#stderrTail + chunk).slice(-STDERR_TAIL_CHARS);
    });
    child.on('message', (message: ChildMessage) => this.#onMessage(message));

    this.exited = new Promise((resolve) => {
      // 'close' comes after stderr is drained, so the tail is complete.
      child.once('close', (code: number | null, signal: NodeJS.Signals | null) => {
        this.#exit = { code, signal, stderrTail: this.#stderrTail };
        debug('echo server pid %d exited with code %s, signal %s', child.pid, code, signal);
        this.#fail(new MtlsBenchError('SERVER_FAILED', `echo server (pid ${child.pid}) exited with ${describeExitWithTail(this.#exit)}`), {
          appendStderr: false,
        });
        resolve(this.#exit);
      });
    });
    child.once('error', (error) => {
      this.#fail(new MtlsBenchError('SERVER_FAILED', `echo server process failed: ${error.message}`, { cause: error }));
    });
  }

  get exit(): EchoServerExit | null {
    return this.#exit;
  }

  request(message: ParentMessage, expected: ChildMessage['type'], timeoutMs: number): Promise<ChildMessage> {
    if (this.#exit !== null) {
      return Promise.reject(new MtlsBenchError('SERVER_FAILED', `echo server (pid ${this.#child.pid}) has exited with ${describeExitWithTail(this.#exit)}`));
    }
    if (this.#pending !== null) {
      return Promise.reject(
        new MtlsBenchError('SERVER_FAILED', `echo server request "${message.type}" sent while "${this.#pending.expected}" is still pending`),
      );
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#fail(new MtlsBenchError('SERVER_FAILED', `echo server (pid ${this.#child.pid}) did not respond to "${message.type}" within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending = { expected, resolve, reject, timer };
      this.#child.send(message, (error) => {
        if (error !== null) void this.#failSend(message.type, error);
      });
    });
  }

  #onMessage(message: ChildMessage): void {
    const pending = this.#pending;
    if (pending === null) {
      debug('echo server pid %d sent an unexpected %s message', this.#child.pid, message.type);
      return;
    }
    if (message.type === 'error') {
      this.#fail(new MtlsBenchError('SERVER_FAILED', `echo server failed: ${message.message} (${message.code})`));
      return;
    }
    if (message.type !== pending.expected) {
      this.#fail(new MtlsBenchError('SERVER_FAILED', `echo server sent "${message.type}" where "${pending.expected}" was expected`));
      return;
    }
    this.#settle();
    pending.resolve(message);
  }

  /**
   * Fails the pending request whose message could not be sent. A closed channel usually means
   * the child is exiting, so this waits up to 1 s for its exit and then reports the exit status
   * and stderr, which describe the failure better than the channel error.
   */
  async #failSend(type: ParentMessage['type'], error: Error): Promise<void> {
    const exit = await Promise.race([this.exited, new Promise<null>((resolve) => setTimeout(resolve, SEND_FAILURE_EXIT_WAIT_MS, null))]);
    if (exit !== null) {
      // The 'close' handler has already failed the request with the exit status.
      return;
    }
    this.#fail(new MtlsBenchError('SERVER_FAILED', `sending "${type}" to the echo server failed: ${error.message}`, { cause: error }));
  }

  #fail(error: MtlsBenchError, options: { appendStderr: boolean } = { appendStderr: true }): void {
    const pending = this.#pending;
    if (pending === null) return;
    this.#settle();
    const tail = this.#stderrTail.trim();
    if (options.appendStderr && tail !== '') {
      error.message += `\nchild stderr:\n${tail}`;
    }
    pending.reject(error);
  }

  #settle(): void {
    if (this.#pending !== null) {
      clearTimeout(this.#pending.timer);
      this.#pending = null;
    }
  }
}

function describeExit(exit: EchoServerExit): string {
  return exit.signal === null ? `code ${exit.code}` : `signal ${exit.signal}`;
}

/** Lines of the child's stderr kept in a cell's error message. */
const STDERR_TAIL_LINES = 10;

/** Describes the exit status and the last lines of the child's stderr, for a cell's error message. */
function describeExitWithTail(exit: EchoServerExit): string {
  const lines = exit.stderrTail.trimEnd().split('\n').filter((line) => line.trim() !== '');
  if (lines.length === 0) return `${describeExit(exit)} and wrote nothing to stderr`;
  return `${describeExit(exit)}; the last lines of its stderr:\n${lines.slice(-STDERR_TAIL_LINES).join('\n')}`;
}

/**
 * Starts an echo server child for one TLS configuration and waits until both listeners are
 * up. Throws `MtlsBenchError` with code `SERVER_FAILED`, carrying the child's own message,
 * when the child cannot start, and kills the child in that case.
 */
export async function startEchoServer(config: EchoServerConfig, options: StartEchoServerOptions = {}): Promise<EchoServerHandle> {
  const startTimeoutMs = options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
  const entry = childEntry();
  const child = fork(entry.path, [], {
    execArgv: entry.execArgv,
    serialization: 'advanced',
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  const channel = new ChildChannel(child);
  const pid = child.pid;

  let ports: EchoServerPorts;
  try {
    const ready = await channel.request({ type: 'start', config }, 'ready', startTimeoutMs);
    if (ready.type !== 'ready' || pid === undefined) {
      throw new MtlsBenchError('SERVER_FAILED', 'echo server started without reporting its ports');
    }
    ports = ready.ports;
  } catch (error) {
    child.kill('SIGKILL');
    await channel.exited;
    throw error;
  }
  debug('echo server pid %d listening on tls %d, https %d', pid, ports.tls, ports.https);

  return {
    ports,
    pid,
    exited: channel.exited,
    get exit() {
      return channel.exit;
    },
    async beginWindow() {
      await channel.request({ type: 'begin-window' }, 'window-begun', REQUEST_TIMEOUT_MS);
    },
    async endWindow() {
      const reply = await channel.request({ type: 'end-window' }, 'window', REQUEST_TIMEOUT_MS);
      if (reply.type !== 'window') {
        throw new MtlsBenchError('SERVER_FAILED', `echo server sent "${reply.type}" where "window" was expected`);
      }
      return reply.stats;
    },
    async stop() {
      if (channel.exit !== null) return;
      child.send({ type: 'stop' } satisfies ParentMessage, (error) => {
        if (error !== null) debug('sending stop to echo server pid %d failed: %s', pid, error.message);
      });
      const killTimer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await channel.exited;
      clearTimeout(killTimer);
    },
  };
}
