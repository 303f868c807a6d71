import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';

type OptionSpec = NonNullable<ParseArgsConfig['options']>;

/**
 * Parses a benchmark script's arguments strictly, with positionals allowed. parseArgs' errors for
 * an unknown option or a missing value become `toError(message)`, so that the script prints one
 * sentence instead of a stack. The message for an unknown option lists the accepted ones.
 */
export function readScriptArgs<T extends OptionSpec>(argv: readonly string[], spec: T, toError: (message: string) => Error) {
  try {
    return parseArgs({ args: [...argv], options: spec, allowPositionals: true, strict: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      const option = /'([^']+)'/.exec((error as Error).message)?.[1] ?? 'an option';
      const accepted = Object.keys(spec).map((name) => `--${name}`).join(', ');
      throw toError(`unknown option ${option}; accepted options: ${accepted}`);
    }
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      throw toError(`${(error as Error).message.replace(/^Option /, 'option ')}; see --help`);
    }
    throw error;
  }
}
