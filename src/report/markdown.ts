/**
 * The run's tables as GitHub-flavoured Markdown, drawn from the same model as the terminal
 * tables (`buildWorkloadReports`), so both show the same texts.
 */
import type { Environment, RunResults } from '../results/types.ts';
import { renderSuiteHeading } from './heading.ts';
import { buildWorkloadReports } from './table.ts';
import type { TableModel, WorkloadReport } from './table.ts';

/**
 * Escapes text for inline Markdown. Backslash escapes keep `*`, `_`, `` ` ``, `[`, `]`, `~` and
 * `|` literal; `&`, `<` and `>` become entities so that no text turns into HTML. A line break
 * becomes `<br>`, which GitHub renders inside a table cell and a list item alike.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\\`*_[\]~|]/g, (character) => `\\${character}`)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replace(/\r?\n/g, '<br>');
}

/**
 * Escapes text that starts a block, such as a list item's first line: a leading `#`, `+`, `-`
 * or `=`, or a number followed by `.` or `)`, would otherwise start a heading or a list.
 */
function escapeBlockStart(text: string): string {
  return escapeMarkdown(text).replace(/^([#+=-])/, '\\$1').replace(/^(\d+)([.)])/, '$1\\$2');
}

function tableRow(cells: readonly string[]): string {
  return `| ${cells.map(escapeMarkdown).join(' | ')} |`;
}

function renderTable(table: TableModel): string[] {
  return [tableRow(table.head), `|${table.head.map(() => ' --- |').join('')}`, ...table.rows.map(tableRow)];
}

function formatTime(iso: string): string {
  // Whole seconds are enough for a heading, because the results file keeps the milliseconds.
  return iso.replace(/\.\d+Z$/, 'Z');
}

function describeRun(results: RunResults): string {
  const failed = results.cells.filter((cell) => cell.state === 'failed').length;
  const cells = `${results.cells.length} cell${results.cells.length === 1 ? '' : 's'}${failed > 0 ? ` (${failed} failed)` : ''}`;
  const filter = results.filter === null ? '' : `, filter ${JSON.stringify(results.filter)}`;
  return (
    `Run from ${formatTime(results.startedAt)} to ${formatTime(results.finishedAt)}: ${cells}, ` +
    `${results.rounds} round${results.rounds === 1 ? '' : 's'} per cell${filter}.`
  );
}

function describeEnvironment(environment: Environment): string {
  const memoryGiB = (environment.totalMemoryBytes / 2 ** 30).toFixed(1);
  return (
    `Environment: ${environment.tool.name} ${environment.tool.version}, Node.js ${environment.node}, ` +
    `OpenSSL ${environment.openssl}, ${environment.cpu.count} × ${environment.cpu.model}, ` +
    `${environment.os.platform} ${environment.os.release} ${environment.os.arch}, ${memoryGiB} GiB memory, ` +
    `machine id ${environment.machineId}.`
  );
}

function renderWorkload(report: WorkloadReport): string[] {
  const lines = [`### ${escapeMarkdown(report.title)}`, ''];
  if (report.shared !== '') lines.push(escapeBlockStart(escapeMarkdown(report.shared)), '');
  lines.push(...renderTable(report.figures), '');
  if (report.notes.length > 0) {
    lines.push(...report.notes.map((note) => `- ${escapeBlockStart(note)}`), '');
  }
  if (report.overhead !== null) {
    if ('message' in report.overhead) {
      lines.push(escapeBlockStart(report.overhead.message), '');
    } else {
      lines.push(escapeBlockStart(report.overhead.heading), '', ...renderTable(report.overhead.table), '');
    }
  }
  return lines;
}

/**
 * Renders the run's tables as GitHub-flavoured Markdown: a heading with the suite, the run's
 * times, rounds and environment, then per workload the figures, the notes and the overhead of
 * mTLS. The text ends with a line feed.
 */
export function renderMarkdownReport(results: RunResults): string {
  const heading = renderSuiteHeading(results.suite, {
    quick: results.quick,
    partial: results.partial,
    cellsFinished: results.cells.length,
  });
  const lines = [
    `## mtls-bench: ${escapeMarkdown(heading)}`,
    '',
    escapeBlockStart(describeRun(results)),
    '',
    escapeBlockStart(describeEnvironment(results.environment)),
    '',
  ];
  for (const report of buildWorkloadReports(results)) lines.push(...renderWorkload(report));
  return `${lines.join('\n').trimEnd()}\n`;
}
