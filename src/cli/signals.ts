import { removeLivePrivateDirsSync } from '../pki/private-dir.ts';
import { EXIT_CODES } from './exit-codes.ts';

/** Exit codes for a run ended by a signal: 128 plus the signal number, as shells report them. */
export const SIGNAL_EXIT_CODES = {
  SIGHUP: EXIT_CODES.hangUp,
  SIGINT: EXIT_CODES.interrupted,
  SIGQUIT: EXIT_CODES.quit,
  SIGTERM: EXIT_CODES.terminated,
} as const;

export type StopSignal = keyof typeof SIGNAL_EXIT_CODES;

/** Signals that stop a run at once, without waiting for anything, as Ctrl-\ means to. */
const IMMEDIATE_SIGNALS = new Set<StopSignal>(['SIGQUIT']);

/**
 * Time a stopped run gets to close its servers and write what it finished. Its steps are short
 * (servers get 2 s to exit, worker threads are terminated), so this is only a backstop.
 */
const GRACEFUL_STOP_LIMIT_MS = 15_000;

/** Removes every private directory still present and exits at once with the signal's code. */
function exitNow(signal: StopSignal, message: string): never {
  removeLivePrivateDirsSync();
  process.stderr.write(`\nmtls-bench: ${message}\n`);
  process.exit(SIGNAL_EXIT_CODES[signal]);
}

/** Handle that `stopRunOnSignal` returns to the run. */
export interface RunStopper {
  /** Aborted, with the signal's name as its reason, on the first SIGINT or SIGTERM. */
  signal: AbortSignal;
  /** Takes the handlers off again. */
  restore(): void;
}

/**
 * Stops a run gracefully on the first SIGINT or SIGTERM. The returned signal aborts, so the run
 * abandons the pair of cells under way, stops its servers and returns the cells it finished,
 * which the caller writes as a partial run. A second signal, or a stop that takes longer than
 * 15 s, removes the private keys and exits at once.
 */
export function stopRunOnSignal(): RunStopper {
  const controller = new AbortController();
  const restore = installHandlers((signal) => {
    if (IMMEDIATE_SIGNALS.has(signal)) exitNow(signal, `stopped by ${signal}; private keys removed, nothing written`);
    if (controller.signal.aborted) {
      exitNow(signal, `stopped by a second ${signal}; private keys removed, nothing more written`);
    }
    process.stderr.write(
      `\nmtls-bench: ${signal}: stopping after the cells already finished; they are written as a partial run. ` +
        `${signal === 'SIGINT' ? 'Press Ctrl-C again' : 'Send it again'} to quit at once.\n`,
    );
    controller.abort(signal);
    setTimeout(() => {
      exitNow(signal, `the run did not stop within ${GRACEFUL_STOP_LIMIT_MS / 1000} s of ${signal}; private keys removed, nothing written`);
    }, GRACEFUL_STOP_LIMIT_MS).unref();
  });
  return { signal: controller.signal, restore };
}

function installHandlers(onSignal: (signal: StopSignal) => void): () => void {
  const signals = Object.keys(SIGNAL_EXIT_CODES) as StopSignal[];
  const handlers = signals.map((signal) => {
    const handler = (): void => onSignal(signal);
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  return () => {
    for (const [signal, handler] of handlers) process.off(signal, handler);
  };
}
