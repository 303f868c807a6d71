import { debuglog } from 'node:util';
import { MtlsBenchError } from '../errors.ts';
import { removeLivePrivateDirsSync } from '../pki/private-dir.ts';
import { TOOL } from '../results/environment.ts';
import { EXIT_CODES, exitCodeFor } from './exit-codes.ts';
import type { ExitCode } from './exit-codes.ts';
import { runCommand, RUN_HELP } from './commands/run.ts';
import { validateCommand, VALIDATE_HELP } from './commands/validate.ts';
import { certsCommand, CERTS_HELP } from './commands/certs.ts';
import { probeCommand, PROBE_HELP } from './commands/probe.ts';
import { compareCommand, COMPARE_HELP } from './commands/compare.ts';
import { reportCommand, REPORT_HELP } from './commands/report.ts';

const debug = debuglog('mtls-bench');

const MAIN_HELP = `mtls-bench ${TOOL.version}: what mutual TLS costs, measured against server-only TLS

Usage: mtls-bench <command> [options]

Commands:
  run [SUITE...]     Run suites (default scenarios/default.yaml) and report mTLS against TLS
  validate SUITE...  Check suite files and list their cells, without opening a socket
  certs              Write a generated PKI as PEM files, for openssl s_client or curl
  probe [SUITE...]   Check that each mTLS server rejects wrong client certificates
  compare BASE HEAD  Compare two results files and fail on a regression (the CI gate)
  report RESULTS     Write an HTML report, Markdown, CSV or Prometheus text of a results file

Options:
  -h, --help         Show help; \`mtls-bench <command> --help\` shows a command's options
  -V, --version      Show the version

Exit codes: 0 success, 1 a comparison found a regression, 2 invalid input (nothing was
measured), 3 a cell or probe failed (the others are in the results), 70 an internal error,
130 and 143 stopped by SIGINT (Ctrl-C) or SIGTERM (the finished cells are written as a
partial run; a second signal quits at once).
`;

const COMMANDS: Record<string, { run: (args: string[]) => Promise<ExitCode>; help: string }> = {
  run: { run: runCommand, help: RUN_HELP },
  validate: { run: validateCommand, help: VALIDATE_HELP },
  certs: { run: certsCommand, help: CERTS_HELP },
  probe: { run: probeCommand, help: PROBE_HELP },
  compare: { run: compareCommand, help: COMPARE_HELP },
  report: { run: reportCommand, help: REPORT_HELP },
};

/** Prints an error as one or more plain sentences on stderr; the stack only under NODE_DEBUG=mtls-bench. */
function reportError(error: unknown, exitCode: ExitCode): void {
  debug('%o', error);
  const message = error instanceof Error ? error.message : String(error);
  if (exitCode === EXIT_CODES.internalError) {
    process.stderr.write(`mtls-bench: internal error: ${message}\n(rerun with NODE_DEBUG=mtls-bench for details)\n`);
    return;
  }
  process.stderr.write(`mtls-bench: ${message}\n`);
}

/**
 * Ends the process quietly when stdout's reader goes away, as in `mtls-bench validate --cells | head`:
 * nothing is left to print to, and that is not an error of this tool.
 */
function exitQuietlyOnClosedStdout(): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(EXIT_CODES.success);
    throw error;
  });
}

/**
 * Ends the process on an error that nothing caught, such as one thrown in an event handler,
 * the way a thrown internal error ends it: a sentence on stderr, exit code 70. Private keys are
 * removed first. Echo server children and worker threads end with the process.
 */
function exitOnUncaughtError(): void {
  const onError = (error: unknown): void => {
    removeLivePrivateDirsSync();
    reportError(error, EXIT_CODES.internalError);
    process.exit(EXIT_CODES.internalError);
  };
  process.on('uncaughtException', onError);
  process.on('unhandledRejection', onError);
}

/** Runs the command line and returns the exit code; the caller sets it on the process. */
export async function main(argv: string[]): Promise<ExitCode> {
  exitQuietlyOnClosedStdout();
  exitOnUncaughtError();
  try {
    const [first, ...rest] = argv;
    const helpTopic = first === 'help' && rest[0] !== undefined ? COMMANDS[rest[0]] : undefined;
    if (helpTopic !== undefined) {
      process.stdout.write(helpTopic.help);
      return EXIT_CODES.success;
    }
    if (first === undefined || first === '-h' || first === '--help' || first === 'help') {
      process.stdout.write(MAIN_HELP);
      return first === undefined ? EXIT_CODES.invalidInput : EXIT_CODES.success;
    }
    if (first === '-V' || first === '--version') {
      process.stdout.write(`${TOOL.version}\n`);
      return EXIT_CODES.success;
    }
    const command = COMMANDS[first];
    if (command === undefined) {
      throw new MtlsBenchError(
        'INVALID_ARGUMENT',
        `unknown command "${first}"; expected one of ${Object.keys(COMMANDS).join(', ')} (see mtls-bench --help)`,
      );
    }
    if (rest.includes('-h') || rest.includes('--help')) {
      process.stdout.write(command.help);
      return EXIT_CODES.success;
    }
    return await command.run(rest);
  } catch (error) {
    const exitCode = exitCodeFor(error);
    reportError(error, exitCode);
    return exitCode;
  }
}
