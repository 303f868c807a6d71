import { MtlsBenchError } from '../../errors.ts';
import { compareResults } from '../../gate/compare.ts';
import { parseThresholdOptions } from '../../gate/thresholds.ts';
import type { Comparison } from '../../gate/types.ts';
import { renderComparisonTables } from '../../report/compare-table.ts';
import { renderSuiteHeading } from '../../report/heading.ts';
import { renderTables } from '../../report/table.ts';
import { readResultsFile } from '../../results/read.ts';
import { colorEnabled, parseCommandArgs } from '../args.ts';
import { EXIT_CODES } from '../exit-codes.ts';
import type { ExitCode } from '../exit-codes.ts';
import { checkReportFiles, hasReportFiles, REPORT_OPTIONS, REPORT_OPTIONS_HELP, reportFilesOf, writeReportFiles } from '../report-files.ts';

export const REPORT_HELP = `Usage: mtls-bench report [options] RESULTS.json
       mtls-bench report [options] BASE.json HEAD.json

Turns a results file into reports: a self-contained HTML page with latency plots, the tables
as Markdown, a CSV file and Prometheus text. Without an output option it prints the tables.
With two files of the same suite, the first is the base and the second the head: the HTML
report and the Markdown show the head against the base. CSV and Prometheus take one file.

Options:
${REPORT_OPTIONS_HELP}  -h, --help       Show this help
`;

/** `mtls-bench report`: reads one or two results files and writes the requested reports. */
export async function reportCommand(args: string[]): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs('report', args, REPORT_OPTIONS);
  if (positionals.length === 0 || positionals.length > 2) {
    throw new MtlsBenchError(
      'INVALID_ARGUMENT',
      `report: got ${positionals.length} results files; expected RESULTS.json, or BASE.json and HEAD.json (see mtls-bench report --help)`,
    );
  }
  const files = reportFilesOf(values);
  if (positionals.length === 2) {
    const single = (['csv', 'prometheus'] as const).find((format) => files[format] !== null);
    if (single !== undefined) {
      throw new MtlsBenchError('INVALID_ARGUMENT', `report: --${single} describes one run but two results files were given; pass one of them`);
    }
  }
  await checkReportFiles(files, positionals);

  const runs = [];
  for (const file of positionals) runs.push(await readResultsFile(file));
  const results = runs.at(-1)!;
  const base = runs.length === 2 ? runs[0]! : null;
  let comparison: Comparison | null = null;
  if (base !== null) {
    try {
      comparison = compareResults(base, results, { mode: 'auto', thresholds: parseThresholdOptions([]) });
    } catch (error) {
      if (!(error instanceof MtlsBenchError)) throw error;
      throw new MtlsBenchError(error.code, `report: ${error.message} (base: ${positionals[0]}, head: ${positionals[1]})`, { cause: error });
    }
  }

  if (!hasReportFiles(files)) {
    const color = colorEnabled(process.stdout);
    process.stdout.write(`${renderSuiteHeading(results.suite, { quick: results.quick, partial: results.partial ?? null, cellsFinished: results.cells.length })}\n`);
    process.stdout.write(`${renderTables(results, { color })}\n`);
    if (comparison !== null) process.stdout.write(`\n${renderComparisonTables(comparison, { color })}\n`);
    return EXIT_CODES.success;
  }
  for (const written of await writeReportFiles({ results, base, comparison }, files)) {
    process.stderr.write(`report written to ${written}\n`);
  }
  return EXIT_CODES.success;
}
