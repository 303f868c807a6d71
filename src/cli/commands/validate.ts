import { loadSuite } from '../../scenario/load.ts';
import { MtlsBenchError } from '../../errors.ts';
import { parseCommandArgs } from '../args.ts';
import { EXIT_CODES } from '../exit-codes.ts';
import type { ExitCode } from '../exit-codes.ts';

export const VALIDATE_HELP = `Usage: mtls-bench validate [options] SUITE...

Checks suite files without opening a socket: schema, values, cipher suites against this
OpenSSL, and combinations that cannot work. Prints each suite's cell count.

Options:
  --cells      Also list the id of every cell (the text --filter matches)
  -h, --help   Show this help
`;

const OPTIONS = { cells: { type: 'boolean' } } as const;

/** `mtls-bench validate`: reports every problem in every file, then exits 2 if there was one. */
export async function validateCommand(args: string[]): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs('validate', args, OPTIONS);
  if (positionals.length === 0) {
    throw new MtlsBenchError('INVALID_ARGUMENT', 'validate: no suite file given (see mtls-bench validate --help)');
  }
  let exitCode: ExitCode = EXIT_CODES.success;
  for (const file of positionals) {
    try {
      const suite = await loadSuite(file);
      process.stdout.write(`${file}: valid, suite "${suite.name}", ${suite.cells.length} cells\n`);
      if (values.cells === true) {
        for (const cell of suite.cells) process.stdout.write(`  ${cell.id}\n`);
      }
    } catch (error) {
      if (!(error instanceof MtlsBenchError)) throw error;
      process.stderr.write(`${error.message}\n`);
      exitCode = EXIT_CODES.invalidInput;
    }
  }
  return exitCode;
}
