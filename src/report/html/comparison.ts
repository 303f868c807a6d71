import { MtlsBenchError } from '../../errors.ts';
import { compareResults } from '../../gate/compare.ts';
import type { Comparison } from '../../gate/types.ts';
import type { RunResults } from '../../results/types.ts';
import {
  abbreviateIds,
  changeHeader,
  describeCounts,
  describeGroup,
  describeMode,
  describeOutcome,
  describeSkipped,
  formatChange,
  formatComparedValue,
  formatMetricThreshold,
  formatVerdict,
  groupComparisons,
} from '../compare-format.ts';
import type { TableModel } from '../table.ts';
import { escapeHtml } from './escape.ts';
import { renderSortableTable } from './table-html.ts';

/**
 * Compares base with head as `mtls-bench compare` does without options: the mode chosen by
 * machine id, the thresholds of the base file's suite. Returns the reason instead when the
 * files cannot be compared (other suites, no cell in common, too few rounds).
 */
export function comparisonOf(base: RunResults, head: RunResults): Comparison | { error: string } {
  try {
    return compareResults(base, head, { mode: 'auto', thresholds: { metrics: {} } });
  } catch (error) {
    if (error instanceof MtlsBenchError) return { error: error.message };
    throw error;
  }
}

/** Builds the comparison as one table, a row per cell and metric, and the class of each row by verdict. */
export function comparisonTable(comparison: Comparison): { pattern: string | null; model: TableModel; rowClasses: (string | null)[] } {
  const entries = groupComparisons(comparison.metrics).flatMap((group) => group.entries);
  const { pattern, short } = abbreviateIds(entries.map((entry) => entry.cellId));
  const model: TableModel = {
    head: ['cell', 'metric', 'base', 'head', changeHeader(), 'verdict', 'threshold'],
    rows: entries.map((entry, index) => [
      short[index] ?? entry.cellId,
      describeGroup(entry),
      formatComparedValue(entry.kind, entry.metric, entry.base),
      formatComparedValue(entry.kind, entry.metric, entry.head),
      formatChange(entry),
      formatVerdict(entry),
      formatMetricThreshold(entry),
    ]),
  };
  const rowClasses = entries.map((entry) => {
    if (entry.failed) return 'failed';
    if (entry.verdict === 'worse') return 'worse';
    return entry.verdict === 'better' ? 'better' : null;
  });
  return { pattern, model, rowClasses };
}

/**
 * Renders the base-against-head section: mode, counts and outcome, warnings, the cells not
 * compared, then the sortable table of every metric compared.
 */
export function renderComparison(result: Comparison | { error: string }): string {
  if ('error' in result) {
    return `<p class="problem-summary">The runs cannot be compared: ${escapeHtml(result.error)}</p>`;
  }
  const lines = [
    `<p>${escapeHtml(describeMode(result))}</p>`,
    `<p>${escapeHtml(describeCounts(result))}</p>`,
    `<p class="${result.passed ? 'all-passed' : 'problem-summary'}" id="comparison-outcome">${escapeHtml(describeOutcome(result))}</p>`,
  ];
  for (const warning of result.warnings) lines.push(`<p class="warning">warning: ${escapeHtml(warning)}</p>`);
  const skipped = describeSkipped(result.skipped);
  if (skipped.length > 0) {
    lines.push(`<ul class="notes">${skipped.map((line) => `<li>not compared: ${escapeHtml(line)}</li>`).join('')}</ul>`);
  }
  const { pattern, model, rowClasses } = comparisonTable(result);
  if (pattern !== null) lines.push(`<p>Cells <code>${escapeHtml(pattern)}</code>, with <code>*</code> as in each row.</p>`);
  lines.push(
    '<p>Base and head are the medians of each run\'s rounds. The change is the Hodges-Lehmann estimate over all pairs of ' +
      'rounds, with its 95% interval, so with few rounds it can differ from the ratio of the two medians, even in sign.</p>',
  );
  lines.push(renderSortableTable(model, { id: 'comparison-table', rowClasses }));
  return lines.join('\n');
}
