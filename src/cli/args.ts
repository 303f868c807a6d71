import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { MtlsBenchError } from '../errors.ts';
import { findNearestName, quote } from '../scenario/messages.ts';

type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

/**
 * Parses a command's arguments strictly. Each error names the command, the option and what it
 * accepts, in the same words as the suite checks, instead of Node's parseArgs messages.
 */
export function parseCommandArgs<T extends OptionsConfig>(command: string, args: string[], options: T) {
  const prepared = attachNegativeNumbers(args, options);
  const problem = findDashedValue(prepared, options);
  if (problem !== null) {
    throw invalidArgument(command, problem);
  }
  try {
    return parseArgs({ args: prepared, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw invalidArgument(command, describeParseArgsError(error, options), error);
  }
}

function invalidArgument(command: string, problem: string, cause?: unknown): MtlsBenchError {
  return new MtlsBenchError('INVALID_ARGUMENT', `${command}: ${problem} (see mtls-bench ${command} --help)`, { cause });
}

function takesValue(options: OptionsConfig, argument: string): string | null {
  if (!argument.startsWith('--') || argument.includes('=')) return null;
  const name = argument.slice(2);
  return Object.hasOwn(options, name) && options[name]?.type === 'string' ? name : null;
}

/**
 * Joins `--rounds -1` into `--rounds=-1`. parseArgs rejects a value that starts with a dash as
 * ambiguous, so without this `--rounds -1` never reaches the check that names what `--rounds`
 * accepts. Only numbers are joined: `--filter -x` stays ambiguous, because -x could be an option.
 */
function attachNegativeNumbers(args: string[], options: OptionsConfig): string[] {
  const prepared: string[] = [];
  for (let index = 0; index < args.length; index++) {
    const argument = args[index] ?? '';
    if (argument === '--') {
      prepared.push(...args.slice(index));
      break;
    }
    const next = args[index + 1];
    if (takesValue(options, argument) !== null && next !== undefined && /^-\.?\d/.test(next)) {
      prepared.push(`${argument}=${next}`);
      index += 1;
    } else {
      prepared.push(argument);
    }
  }
  return prepared;
}

/** Returns the message for an option that takes a value but is followed by something starting with a dash. */
function findDashedValue(args: string[], options: OptionsConfig): string | null {
  for (let index = 0; index < args.length - 1; index++) {
    const argument = args[index] ?? '';
    if (argument === '--') return null;
    const name = takesValue(options, argument);
    const next = args[index + 1] ?? '';
    if (name !== null && next.startsWith('-')) {
      return (
        `--${name} needs a value, but the next argument ${quote(next)} starts with a dash; ` +
        `write --${name}=${next} if that is the value`
      );
    }
  }
  return null;
}

/** Rewords the errors parseArgs throws, which all carry a code and name the option in quotes. */
function describeParseArgsError(error: unknown, options: OptionsConfig): string {
  const { code, message } = error as NodeJS.ErrnoException;
  const option = /Option '([^' ]+)/.exec(String(message))?.[1] ?? /option '([^']+)'/i.exec(String(message))?.[1];
  const accepted = Object.keys(options).map((name) => `--${name}`);

  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option !== undefined) {
    const nearest = findNearestName(option, accepted);
    return nearest === null
      ? `unknown option ${quote(option)}; expected ${accepted.join(', ')}, or a file name after --`
      : `unknown option ${quote(option)}; did you mean ${quote(nearest)}?`;
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option !== undefined) {
    if (String(message).includes('argument missing')) {
      return `${option} needs a value, as in ${option} VALUE`;
    }
    if (String(message).includes('does not take an argument')) {
      return `${option} is a switch and takes no value; write ${option} alone`;
    }
  }
  return String(message);
}

/** True when output to this stream may carry colour: a TTY, and NO_COLOR unset or empty. */
export function colorEnabled(stream: NodeJS.WriteStream): boolean {
  const noColor = process.env.NO_COLOR;
  return stream.isTTY === true && (noColor === undefined || noColor === '');
}
