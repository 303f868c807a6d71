import {
  changeHeader,
  describeCounts,
  describeGroup,
  describeMode,
  describeSkipped,
  formatChange,
  formatComparedValue,
  formatMetricThreshold,
  formatVerdict,
  groupComparisons,
} from '../report/compare-format.ts';
import type { Comparison, MetricComparison } from './types.ts';

/**
 * Renders a comparison as GitHub-flavoured Markdown, for a pull request comment or
 * `$GITHUB_STEP_SUMMARY`: the outcome first, then the failed metrics, then every comparison in
 * a collapsed `<details>` block.
 */

/** Escapes text for a table cell: a `|` would end the cell, and `<` or `&` could start HTML. */
function escapeCell(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('|', '\\|').replaceAll('\n', ' ');
}

/** Wraps a cell id in a code span, so that `_` and `*` in cipher names stay literal. */
function code(text: string): string {
  return `\`${text.replaceAll('`', "'").replaceAll('|', '\\|')}\``;
}

function tableRow(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |`;
}

function tableHeader(cells: readonly string[]): string[] {
  return [tableRow(cells), tableRow(cells.map(() => '---'))];
}

function headline(comparison: Comparison): string {
  const { compared, failed } = comparison.counts;
  const counts = `${describeCounts(comparison)}.`;
  if (failed === 0) return `**mtls-bench gate passed** for suite "${escapeCell(comparison.suite)}": no metric is worse beyond its threshold. ${counts}`;
  return `**mtls-bench gate failed** for suite "${escapeCell(comparison.suite)}": ${failed} of ${compared} metrics worse beyond their threshold. ${counts}`;
}

function failedTable(failed: readonly MetricComparison[]): string[] {
  const lines = tableHeader(['cell', 'kind', 'metric', 'base', 'head', changeHeader(), 'threshold']);
  for (const entry of failed) {
    lines.push(
      tableRow([
        code(entry.cellId),
        entry.kind,
        entry.metric,
        formatComparedValue(entry.kind, entry.metric, entry.base),
        formatComparedValue(entry.kind, entry.metric, entry.head),
        formatChange(entry),
        formatMetricThreshold(entry),
      ]),
    );
  }
  return lines;
}

function detailTables(comparison: Comparison): string[] {
  const lines: string[] = [];
  for (const group of groupComparisons(comparison.metrics)) {
    lines.push(`#### ${escapeCell(describeGroup(group))}`, '');
    lines.push(...tableHeader(['cell', 'base', 'head', changeHeader(), 'verdict', 'threshold']));
    for (const entry of group.entries) {
      const change = entry.verdict === '~' && entry.estimate !== null ? `(${formatChange(entry)})` : formatChange(entry);
      const verdict = entry.failed ? '**FAIL**' : formatVerdict(entry);
      lines.push(
        tableRow([
          code(entry.cellId),
          formatComparedValue(entry.kind, entry.metric, entry.base),
          formatComparedValue(entry.kind, entry.metric, entry.head),
          change,
          verdict,
          formatMetricThreshold(entry),
        ]),
      );
    }
    lines.push('');
  }
  return lines;
}

/** Renders the Markdown summary of a comparison, ending with a newline. */
export function renderComparisonMarkdown(comparison: Comparison): string {
  const lines = [headline(comparison), '', escapeCell(describeMode(comparison)), ''];
  for (const warning of comparison.warnings) lines.push(`> **Warning:** ${escapeCell(warning)}`, '');

  const failed = comparison.metrics.filter((entry) => entry.failed);
  if (failed.length > 0) lines.push(...failedTable(failed), '');

  if (comparison.skipped.length > 0) {
    lines.push(`Not compared (${comparison.skipped.length} cells):`, '');
    for (const line of describeSkipped(comparison.skipped)) lines.push(`- ${escapeCell(line)}`);
    lines.push('');
  }

  lines.push(`<details><summary>All ${comparison.counts.compared} comparisons</summary>`, '');
  lines.push(...detailTables(comparison));
  lines.push('</details>', '');
  return lines.join('\n');
}
