import type { TableModel } from '../table.ts';
import { escapeHtml, escapeHtmlLines } from './escape.ts';

/**
 * Returns the number a table cell's text starts with, which the page sorts that column by:
 * `2829` for `2829 / 5323 / 9783` (the p50), `87` for `+87%`, `547` for `547*`. Null for a
 * text that starts otherwise (`~`, `-`, `FAILED [1]`); such rows sort after the numbered ones
 * in both directions.
 */
export function sortValueOf(text: string): number | null {
  const match = /^\s*([+-]?\d+(?:\.\d+)?)/.exec(text);
  return match === null ? null : Number(match[1]);
}

export interface SortableTableOptions {
  /** Element id, for links and tests. */
  id: string;
  /** Class of each body row, such as `failed`, or null; by row index. */
  rowClasses?: readonly (string | null)[];
  /** Tooltip of each body row, such as the cell id; by row index. */
  rowTitles?: readonly (string | null)[];
}

/**
 * Renders a table model as an HTML table that the page script sorts by any column: a header
 * contains a button, and a body cell whose text starts with a number carries that number in
 * `data-sort`. A column with no such cell sorts as text.
 */
export function renderSortableTable(model: TableModel, options: SortableTableOptions): string {
  const head = model.head
    .map((header) => `<th scope="col" aria-sort="none"><button type="button">${escapeHtmlLines(header)}</button></th>`)
    .join('');
  const body = model.rows
    .map((row, index) => {
      const rowClass = options.rowClasses?.[index] ?? null;
      const rowTitle = options.rowTitles?.[index] ?? null;
      const attributes = `${rowClass === null ? '' : ` class="${escapeHtml(rowClass)}"`}${rowTitle === null ? '' : ` title="${escapeHtml(rowTitle)}"`}`;
      const cells = row
        .map((text) => {
          const sortValue = sortValueOf(text);
          return `<td${sortValue === null ? '' : ` data-sort="${sortValue}"`}>${escapeHtmlLines(text)}</td>`;
        })
        .join('');
      return `<tr${attributes}>${cells}</tr>`;
    })
    .join('\n');
  return `<table class="sortable" id="${escapeHtml(options.id)}">\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}
