import { MtlsBenchError } from '../../errors.ts';
import { failedProbes } from '../../probes/run-probes.ts';
import { mtlsConfigurationsOf, probeConfigurations } from '../../probes/probe-suite.ts';
import type { ProbeConfiguration } from '../../probes/probe-suite.ts';
import { renderProbeTable } from '../../report/probe-table.ts';
import { selectCells } from '../../runner/run.ts';
import { loadSuite } from '../../scenario/load.ts';
import { colorEnabled, parseCommandArgs } from '../args.ts';
import { EXIT_CODES } from '../exit-codes.ts';
import type { ExitCode } from '../exit-codes.ts';
import { DEFAULT_SUITE, defaultSuiteFile } from './run.ts';

export const PROBE_HELP = `Usage: mtls-bench probe [options] [SUITE...]

Checks that every mTLS server configuration of each suite (default ${DEFAULT_SUITE})
enforces client authentication. For each one it starts an echo server on 127.0.0.1 and
connects with wrong clients, each of which must be rejected: no certificate, a certificate
from another CA, an expired one, one for serverAuth only, and one whose intermediate CA is
not sent. A client with the right certificate must be accepted. See docs/probes.md.

Options:
  --filter TEXT   Probe only the configurations of cells whose id contains TEXT
  --json          Print the outcomes as JSON on stdout; the table goes to stderr
  -h, --help      Show this help

Exit codes: 0 every probe passed, 3 a probe failed, 2 invalid input (nothing was probed).
`;

const OPTIONS = {
  filter: { type: 'string' },
  json: { type: 'boolean' },
} as const;

/** `mtls-bench probe`: loads and checks every suite first, then probes each mTLS configuration once. */
export async function probeCommand(args: string[]): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs('probe', args, OPTIONS);
  const files = positionals.length === 0 ? [defaultSuiteFile()] : positionals;

  // Every suite and the filter are checked before the first server starts.
  const cells = [];
  for (const file of files) {
    const suite = await loadSuite(file);
    cells.push(...selectCells(suite, { filter: values.filter ?? null }));
  }
  const configurations: ProbeConfiguration[] = mtlsConfigurationsOf(cells);
  if (configurations.length === 0) {
    throw new MtlsBenchError(
      'INVALID_ARGUMENT',
      'probe: no selected cell uses auth mtls, so there is no server to probe; add mtls to matrix.auth or change --filter',
    );
  }

  const probed = await probeConfigurations(configurations);

  const tableStream = values.json === true ? process.stderr : process.stdout;
  tableStream.write(`${renderProbeTable(probed, { color: colorEnabled(tableStream) })}\n`);
  if (values.json === true) {
    process.stdout.write(`${JSON.stringify(probed, null, 2)}\n`);
  }

  const failed = probed.flatMap((configuration) => failedProbes(configuration.outcomes));
  return failed.length === 0 ? EXIT_CODES.success : EXIT_CODES.runFailed;
}
