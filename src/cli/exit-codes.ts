import { MtlsBenchError } from '../errors.ts';

/** Exit codes of the `mtls-bench` command. */
export const EXIT_CODES = {
  /** Everything asked for ran and every cell was measured; a comparison found no regression. */
  success: 0,
  /** A comparison found a metric worse, significantly and beyond its threshold. */
  regression: 1,
  /** Bad input: a suite, an option or a file; nothing was measured. */
  invalidInput: 2,
  /** The run went ahead but at least one cell failed; the others are in the results. */
  runFailed: 3,
  /** A run stopped by SIGHUP, as when its terminal closes, with the same partial results as for SIGINT. */
  hangUp: 129,
  /** A run stopped by SIGINT (Ctrl-C); the cells it finished are written as a partial run. */
  interrupted: 130,
  /** A run stopped at once by SIGQUIT (Ctrl-\\): private keys removed, nothing written. */
  quit: 131,
  /** A run stopped by SIGTERM, with the same partial results. */
  terminated: 143,
  /** A bug in mtls-bench: an error that no code threw on purpose (70 is EX_SOFTWARE in sysexits.h). */
  internalError: 70,
} as const;

export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];

/** Maps a thrown error to the exit code the CLI ends with. */
export function exitCodeFor(error: unknown): ExitCode {
  if (error instanceof MtlsBenchError) {
    switch (error.code) {
      case 'INVALID_SUITE':
      case 'INVALID_ARGUMENT':
      case 'INVALID_RESULTS':
        return EXIT_CODES.invalidInput;
      default:
        return EXIT_CODES.runFailed;
    }
  }
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_')) return EXIT_CODES.invalidInput;
  return EXIT_CODES.internalError;
}
