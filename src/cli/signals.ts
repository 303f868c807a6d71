import { removeLivePrivateDirsSync } from '../pki/private-dir.ts';

/** Exit codes for a run ended by a signal: 128 plus the signal number, as shells report them. */
const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;

/**
 * Makes SIGINT and SIGTERM end the process without leaving private keys behind: the
 * handler removes every private directory still present and exits at once. Echo server
 * children exit by themselves when their IPC channel to this process closes.
 * Returns a function that takes the handlers off again.
 */
export function removeKeysOnSignal(): () => void {
  const handlers = Object.entries(SIGNAL_EXIT_CODES).map(([signal, exitCode]) => {
    const handler = (): void => {
      removeLivePrivateDirsSync();
      process.stderr.write(`\nmtls-bench: stopped by ${signal}; private keys removed, no results written for the unfinished suite\n`);
      process.exit(exitCode);
    };
    process.once(signal, handler);
    return [signal, handler] as const;
  });
  return () => {
    for (const [signal, handler] of handlers) process.off(signal, handler);
  };
}
