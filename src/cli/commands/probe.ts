import { MtlsBenchError } from '../../errors.ts';
import { failedProbes } from '../../probes/run-probes.ts';
import { mtlsConfigurationsOf, probeConfigurations, probeTargetConfigurations } from '../../probes/probe-suite.ts';
import type { ProbeConfiguration } from '../../probes/probe-suite.ts';
import type { Cell, ResolvedTarget } from '../../scenario/types.ts';
import type { ConfigurationProbes } from '../../probes/types.ts';
import { renderProbeTable, summarizeProbes } from '../../report/probe-table.ts';
import { selectCells } from '../../runner/run.ts';
import { loadSuite } from '../../scenario/load.ts';
import { colorEnabled, parseCommandArgs } from '../args.ts';
import { EXIT_CODES } from '../exit-codes.ts';
import type { ExitCode } from '../exit-codes.ts';
import { DEFAULT_SUITE, defaultSuiteFile } from './run.ts';

export const PROBE_HELP = `Usage: mtls-bench probe [options] [SUITE...]

Checks that every mTLS server configuration of each suite (default ${DEFAULT_SUITE})
enforces client authentication. For each one it starts an echo server on 127.0.0.1, or
for a suite with a target uses the target's mTLS port, and connects with wrong clients,
each of which must be rejected: no certificate, a certificate from another CA, an expired
one, one for serverAuth only, and one whose intermediate CA is not sent. A client with the
right certificate must be accepted. See docs/probes.md.

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

  // Every suite and the filter are checked before the first connection. Echo server
  // configurations of all suites are probed once each; each target is probed on its own.
  const echoServerCells: Cell[] = [];
  const targets: { target: ResolvedTarget; file: string; configurations: ProbeConfiguration[] }[] = [];
  for (const file of files) {
    const suite = await loadSuite(file);
    const cells = selectCells(suite, { filter: values.filter ?? null });
    if (suite.target === null) {
      echoServerCells.push(...cells);
    } else {
      targets.push({ target: suite.target, file, configurations: mtlsConfigurationsOf(cells) });
    }
  }
  const configurations: ProbeConfiguration[] = mtlsConfigurationsOf(echoServerCells);
  if (configurations.length === 0 && targets.every((target) => target.configurations.length === 0)) {
    throw new MtlsBenchError(
      'INVALID_ARGUMENT',
      'probe: no selected cell uses auth mtls, so there is no server to probe; add mtls to matrix.auth or change --filter',
    );
  }

  const probed: ConfigurationProbes[] = configurations.length === 0 ? [] : await probeConfigurations(configurations);
  for (const { target, file, configurations: targetConfigurations } of targets) {
    probed.push(...(await probeTargetConfigurations(target, file, targetConfigurations)));
  }

  const tableStream = values.json === true ? process.stderr : process.stdout;
  tableStream.write(`${renderProbeTable(probed, { color: colorEnabled(tableStream) })}\n`);
  tableStream.write(`${summarizeProbes(probed)}\n`);
  if (values.json === true) {
    process.stdout.write(`${JSON.stringify(probed, null, 2)}\n`);
  }

  const failed = probed.flatMap((configuration) => failedProbes(configuration.outcomes));
  return failed.length === 0 ? EXIT_CODES.success : EXIT_CODES.runFailed;
}
