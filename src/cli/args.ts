import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { MtlsBenchError } from '../errors.ts';

/**
 * Parses a command's arguments strictly. Node's messages for unknown or malformed options are
 * kept and prefixed with the command, so the user learns which command rejected what.
 */
export function parseCommandArgs<T extends NonNullable<ParseArgsConfig['options']>>(
  command: string,
  args: string[],
  options: T,
) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new MtlsBenchError('INVALID_ARGUMENT', `${command}: ${message} (see mtls-bench ${command} --help)`, {
      cause: error,
    });
  }
}

/** True when output to this stream may carry colour: a TTY, and NO_COLOR unset or empty. */
export function colorEnabled(stream: NodeJS.WriteStream): boolean {
  const noColor = process.env.NO_COLOR;
  return stream.isTTY === true && (noColor === undefined || noColor === '');
}
