import { generateCertificateSet, writeCertificateSetFiles } from '../../pki/index.ts';
import { MtlsBenchError } from '../../errors.ts';
import { CHAIN_DEPTHS, KEY_TYPES } from '../../scenario/types.ts';
import type { ChainDepth, KeyType } from '../../scenario/types.ts';
import { parseCommandArgs } from '../args.ts';
import { checkOutputPath } from '../paths.ts';
import { EXIT_CODES } from '../exit-codes.ts';
import type { ExitCode } from '../exit-codes.ts';

export const CERTS_HELP = `Usage: mtls-bench certs --key-type TYPE --out DIR [options]

Generates the PKI a run uses (root CA, intermediates, server and client leaves) and
writes it as PEM files, so that openssl s_client, curl or a real server can use the
same setup. Private keys are written with mode 0600. Existing files are not overwritten.

Options:
  --key-type TYPE         Server key type, also of the CAs: ${KEY_TYPES.join(', ')}
  --client-key-type TYPE  Client key type (default: the server's)
  --chain-depth N         Intermediate CAs between root and leaves: 0, 1 or 2 (default 0)
  --out DIR               Directory to write to; created if missing
  -h, --help              Show this help
`;

const OPTIONS = {
  'key-type': { type: 'string' },
  'client-key-type': { type: 'string' },
  'chain-depth': { type: 'string' },
  out: { type: 'string' },
} as const;

function parseKeyType(option: string, value: string): KeyType {
  if ((KEY_TYPES as readonly string[]).includes(value)) return value as KeyType;
  throw new MtlsBenchError('INVALID_ARGUMENT', `certs: ${option}: got "${value}"; expected one of ${KEY_TYPES.join(', ')}`);
}

function parseChainDepth(value: string): ChainDepth {
  const depth = CHAIN_DEPTHS.find((candidate) => String(candidate) === value);
  if (depth !== undefined) return depth;
  throw new MtlsBenchError('INVALID_ARGUMENT', `certs: --chain-depth: got "${value}"; expected 0, 1 or 2`);
}

/** `mtls-bench certs`: generates one certificate set and writes it as PEM files. */
export async function certsCommand(args: string[]): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs('certs', args, OPTIONS);
  if (positionals.length > 0) {
    throw new MtlsBenchError('INVALID_ARGUMENT', `certs: unexpected argument "${positionals[0]}" (see mtls-bench certs --help)`);
  }
  if (values['key-type'] === undefined) {
    throw new MtlsBenchError('INVALID_ARGUMENT', `certs: --key-type is required; expected one of ${KEY_TYPES.join(', ')}`);
  }
  if (values.out === undefined) {
    throw new MtlsBenchError('INVALID_ARGUMENT', 'certs: --out DIR is required');
  }
  const serverKeyType = parseKeyType('--key-type', values['key-type']);
  const clientKeyType =
    values['client-key-type'] === undefined ? serverKeyType : parseKeyType('--client-key-type', values['client-key-type']);
  const chainDepth = values['chain-depth'] === undefined ? 0 : parseChainDepth(values['chain-depth']);
  await checkOutputPath(values.out, '--out', 'directory');

  const set = await generateCertificateSet({ serverKeyType, clientKeyType, chainDepth });
  const written = await writeCertificateSetFiles(set, values.out);
  for (const file of written) process.stdout.write(`${file}\n`);
  return EXIT_CODES.success;
}
