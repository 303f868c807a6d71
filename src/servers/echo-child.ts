/**
 * Entry point of an echo server child, started by `startEchoServer` with `child_process.fork`.
 * It speaks the IPC protocol of `protocol.ts` and never writes to stdout.
 *
 * The imports stay limited to Node built-ins and small project modules, because a suite starts
 * one child per TLS configuration and every import adds to each start.
 */
import { startEchoListeners } from './echo-listeners.ts';
import type { EchoListeners } from './echo-listeners.ts';
import type { ChildMessage, ParentMessage } from './protocol.ts';
import { ServerWindow } from './server-window.ts';

let listeners: EchoListeners | null = null;
let window: ServerWindow | null = null;

function send(message: ChildMessage, then?: () => void): void {
  process.send?.(message, undefined, undefined, () => then?.());
}

function errorMessageOf(error: unknown): ChildMessage {
  if (error instanceof Error) {
    const code = (error as Error & { code?: unknown }).code;
    return { type: 'error', message: error.message, code: typeof code === 'string' ? code : error.name };
  }
  return { type: 'error', message: String(error), code: 'ERR_UNKNOWN' };
}

async function start(message: Extract<ParentMessage, { type: 'start' }>): Promise<void> {
  if (listeners !== null) {
    send({ type: 'error', message: 'the echo server was already started', code: 'ERR_ALREADY_STARTED' });
    return;
  }
  try {
    window = new ServerWindow();
    listeners = await startEchoListeners(message.config, window);
    send({ type: 'ready', ports: listeners.ports });
  } catch (error) {
    // A child that failed to start has nothing left to do. Exiting after the reply is flushed
    // lets the parent read the reason before the exit event.
    send(errorMessageOf(error), () => process.exit(1));
  }
}

function onMessage(message: ParentMessage): void {
  switch (message.type) {
    case 'start':
      void start(message);
      break;
    case 'begin-window':
      window?.begin();
      send(window === null ? notStarted() : { type: 'window-begun' });
      break;
    case 'end-window':
      send(window === null ? notStarted() : { type: 'window', stats: window.end() });
      break;
    case 'stop':
      listeners?.close();
      process.exit(0);
  }
}

function notStarted(): ChildMessage {
  return { type: 'error', message: 'the echo server has not been started', code: 'ERR_NOT_STARTED' };
}

if (process.send === undefined) {
  throw new Error('echo-child.ts must be started with child_process.fork, which opens the IPC channel it needs');
}
process.on('message', onMessage);
// Without a parent no process can stop this one, so it stops itself.
process.on('disconnect', () => process.exit(0));
// Ctrl-C, and a closing terminal, signal the whole process group. The parent decides what stops:
// it keeps the cells already measured and then stops this server, or exits, which closes the channel.
process.on('SIGINT', () => {});
process.on('SIGHUP', () => {});
