import path from 'node:path';
import { MtlsBenchError } from '../errors.ts';
import type { Comparison } from '../gate/types.ts';
import { renderComparisonMarkdown } from '../gate/markdown.ts';
import { renderCsv } from '../report/csv.ts';
import { renderHtmlReport } from '../report/html/index.ts';
import { renderMarkdownReport } from '../report/markdown.ts';
import { renderPrometheus } from '../report/prometheus.ts';
import type { RunResults } from '../results/types.ts';
import { writeFileAtomically } from '../results/write.ts';
import { checkOutputPath } from './paths.ts';

/** Command-line options that name a report file, shared by `run` and `report`. */
export const REPORT_OPTIONS = {
  html: { type: 'string' },
  markdown: { type: 'string' },
  csv: { type: 'string' },
  prometheus: { type: 'string' },
} as const;

export const REPORT_OPTIONS_HELP = `  --html FILE      Write a self-contained HTML report with latency plots to FILE
  --markdown FILE  Write the tables as GitHub-flavoured Markdown to FILE
  --csv FILE       Write one CSV row per cell and metric to FILE
  --prometheus FILE
                   Write the figures in Prometheus text format to FILE, for node_exporter's
                   textfile collector or a Pushgateway
`;

/** Report files to write, each null when its option was not given. */
export interface ReportFiles {
  html: string | null;
  markdown: string | null;
  csv: string | null;
  prometheus: string | null;
}

const FORMATS = ['html', 'markdown', 'csv', 'prometheus'] as const;

export function reportFilesOf(values: Partial<Record<(typeof FORMATS)[number], string>>): ReportFiles {
  return { html: values.html ?? null, markdown: values.markdown ?? null, csv: values.csv ?? null, prometheus: values.prometheus ?? null };
}

export function hasReportFiles(files: ReportFiles): boolean {
  return FORMATS.some((format) => files[format] !== null);
}

/**
 * Checks, before anything runs or is read, that every report file can be written, that no two
 * options name the same file, and that none of them is one of `inputFiles`, which it would overwrite.
 */
export async function checkReportFiles(
  files: ReportFiles,
  inputFiles: readonly string[],
  otherOutputs: readonly { option: string; file: string }[] = [],
): Promise<void> {
  const inputs = new Set(inputFiles.map((file) => path.resolve(file)));
  const seen = new Map<string, string>(otherOutputs.map(({ option, file }) => [path.resolve(file), option]));
  for (const format of FORMATS) {
    const file = files[format];
    if (file === null) continue;
    const option = `--${format}`;
    const resolved = path.resolve(file);
    if (inputs.has(resolved)) {
      throw new MtlsBenchError('INVALID_ARGUMENT', `${option}: ${JSON.stringify(file)} is a results file being read; name another file`);
    }
    const other = seen.get(resolved);
    if (other !== undefined) {
      throw new MtlsBenchError('INVALID_ARGUMENT', `${option}: ${JSON.stringify(file)} is also the ${other} file; name a file per format`);
    }
    seen.set(resolved, option);
    await checkOutputPath(file, option, 'file');
  }
}

/** Input of the reports: the run, and with two files the base run and their comparison. */
export interface ReportInput {
  results: RunResults;
  base: RunResults | null;
  comparison: Comparison | null;
}

/**
 * Renders and writes each requested report. The Markdown file starts with the comparison when
 * there is one. Returns the paths written. Rendering happens before any file is written, so a
 * rendering error leaves no file half done.
 */
export async function writeReportFiles(input: ReportInput, files: ReportFiles): Promise<string[]> {
  const documents: [string | null, () => string][] = [
    [files.html, () => renderHtmlReport(input.results, { base: input.base })],
    [
      files.markdown,
      () => {
        const tables = renderMarkdownReport(input.results);
        return input.comparison === null ? tables : `${renderComparisonMarkdown(input.comparison)}\n\n${tables}`;
      },
    ],
    [files.csv, () => renderCsv(input.results)],
    [files.prometheus, () => renderPrometheus(input.results)],
  ];
  const rendered = documents.flatMap(([file, render]) => (file === null ? [] : [{ file, text: render() }]));
  const written: string[] = [];
  for (const { file, text } of rendered) written.push(await writeFileAtomically(file, text));
  return written;
}
