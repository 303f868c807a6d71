import Table from 'cli-table3';
import type { Comparison, MetricComparison } from '../gate/types.ts';
import {
  abbreviateIds,
  changeHeader,
  describeCounts,
  describeFailure,
  describeGroup,
  describeMode,
  describeOutcome,
  describeSkipped,
  formatChange,
  formatComparedValue,
  formatMetricThreshold,
  formatVerdict,
  groupComparisons,
} from './compare-format.ts';
import type { ComparisonGroup } from './compare-format.ts';

export interface CompareTableOptions {
  /** Colour verdicts, headers and borders. The CLI turns it off for NO_COLOR and non-TTY output. */
  color: boolean;
}

/** SGR codes with the code that ends each, so that a coloured cell does not colour the border after it. */
const STYLES = {
  red: ['\u001b[31m', '\u001b[39m'],
  yellow: ['\u001b[33m', '\u001b[39m'],
  green: ['\u001b[32m', '\u001b[39m'],
  dim: ['\u001b[2m', '\u001b[22m'],
} as const;

/**
 * Replaces control characters, which a results file could carry in a cell id or an error message,
 * so that they cannot move the cursor or restyle the terminal.
 */
function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '\ufffd');
}

function paint(text: string, style: keyof typeof STYLES, options: CompareTableOptions): string {
  if (!options.color) return text;
  const [open, close] = STYLES[style];
  return `${open}${text}${close}`;
}

function verdictCell(entry: MetricComparison, options: CompareTableOptions): string {
  const text = formatVerdict(entry);
  if (entry.failed) return paint(text, 'red', options);
  if (entry.verdict === 'worse') return paint(text, 'yellow', options);
  if (entry.verdict === 'better') return paint(text, 'green', options);
  return text;
}

/** Formats the change column: a significant change as it is, an insignificant one in brackets and dimmed. */
function changeCell(entry: MetricComparison, options: CompareTableOptions): string {
  if (entry.verdict !== '~') return formatChange(entry);
  return paint(entry.estimate === null ? formatChange(entry) : `(${formatChange(entry)})`, 'dim', options);
}

function renderGroup(group: ComparisonGroup, options: CompareTableOptions): string {
  const { pattern, short } = abbreviateIds(group.entries.map((entry) => entry.cellId));
  const table = new Table({
    head: ['cell', 'base', 'head', changeHeader(), 'verdict', 'threshold'],
    // No rule between body rows, as in the run tables: the rows read as one list.
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
    style: { head: options.color ? ['cyan'] : [], border: options.color ? ['grey'] : [] },
  });
  group.entries.forEach((entry, index) => {
    table.push([
      printable(short[index] ?? entry.cellId),
      formatComparedValue(entry.kind, entry.metric, entry.base),
      formatComparedValue(entry.kind, entry.metric, entry.head),
      changeCell(entry, options),
      verdictCell(entry, options),
      formatMetricThreshold(entry),
    ]);
  });
  const cells = pattern === null ? '' : `, cells ${printable(pattern)}`;
  return `${describeGroup(group)}${cells}\n${table.toString()}`;
}

/** Ends the output: mode and why, counts, each failed metric, and the cells left out. */
function renderSummary(comparison: Comparison, options: CompareTableOptions): string {
  const lines = [printable(`suite "${comparison.suite}", ${describeMode(comparison)}`), describeCounts(comparison)];
  for (const line of describeSkipped(comparison.skipped)) lines.push(`not compared: ${printable(line)}`);
  for (const warning of comparison.warnings) lines.push(paint(`warning: ${warning}`, 'yellow', options));
  const outcome = describeOutcome(comparison);
  lines.push(comparison.passed ? paint(outcome, 'green', options) : paint(outcome, 'red', options));
  for (const entry of comparison.metrics) {
    if (entry.failed) lines.push(`  ${printable(describeFailure(entry))}`);
  }
  return lines.join('\n');
}

/**
 * Renders a comparison for the terminal: one table per kind and metric, a row per cell with the
 * base and head medians, the change with its confidence interval, the verdict and the threshold,
 * then a summary. Returns the text; the caller decides where it goes.
 */
export function renderComparisonTables(comparison: Comparison, options: CompareTableOptions): string {
  const sections = groupComparisons(comparison.metrics).map((group) => renderGroup(group, options));
  sections.push(renderSummary(comparison, options));
  return sections.join('\n\n');
}
