import { MtlsBenchError } from '../../errors.ts';
import { METRIC_NAMES } from '../../results/metrics.ts';
import { readResultsFile } from '../../results/read.ts';
import { parseCommandArgs } from '../args.ts';
import type { ExitCode } from '../exit-codes.ts';
import { GATE_OPTIONS, GATE_OPTIONS_HELP, gateResults, parseGateOptions } from '../gate.ts';

/** Breaks text into lines of at most `width` characters at spaces, for help text built from lists. */
function wrapWords(text: string, width = 90): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  lines.push(line);
  return lines.join('\n');
}

export const COMPARE_HELP = `Usage: mtls-bench compare [options] BASE.json HEAD.json

Compares two results files of the same suite, cell by cell, with a confidence interval for
each metric's change over the rounds. Exits with 1 when a metric is worse, significantly and
beyond its threshold, and prints a table per metric either way.

Options:
${GATE_OPTIONS_HELP}  --json           Print the comparison JSON on stdout; tables go to stderr
  --out FILE       Write the comparison JSON to FILE
  -h, --help       Show this help

${wrapWords(`Metrics: ${METRIC_NAMES.join(', ')}.`)}
When GITHUB_STEP_SUMMARY is set, the Markdown summary is appended to that file.
The thresholds come from the base file's suite, so a change cannot loosen its own gate.

Exit codes: 0 no regression, 1 a metric is worse beyond its threshold, 2 invalid input.
`;

const OPTIONS = {
  ...GATE_OPTIONS,
  json: { type: 'boolean' },
  out: { type: 'string' },
} as const;

/** `mtls-bench compare BASE HEAD`: checks every option and reads both files before printing anything. */
export async function compareCommand(args: string[]): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs('compare', args, OPTIONS);
  const [baseFile, headFile] = positionals;
  if (baseFile === undefined || headFile === undefined || positionals.length > 2) {
    throw new MtlsBenchError(
      'INVALID_ARGUMENT',
      `compare: expected two results files, BASE and HEAD; got ${positionals.length} (see mtls-bench compare --help)`,
    );
  }
  const outputs = { jsonFile: values.out ?? null, printJson: values.json === true };
  const settings = await parseGateOptions(values, outputs, [baseFile, headFile]);
  const base = await readResultsFile(baseFile);
  const head = await readResultsFile(headFile);

  const streams = { table: values.json === true ? process.stderr : process.stdout, stdout: process.stdout };
  return (await gateResults(base, head, settings, streams, { base: baseFile, head: headFile })).exitCode;
}
