/**
 * The results as CSV in long format: one row per cell and metric. The value sits in the column
 * of its unit (`value_us`, `value_us_per_op`, `value_per_s`, `value_count`, `value_ratio`) and
 * the other value columns of the row are empty, so the header says every value's unit. A failed
 * cell has one row, with its error and no metric.
 */
import type { CellResult, RunResults } from '../results/types.ts';
import { cellMetrics } from './export/cell-metrics.ts';
import type { CellMetric, ValueUnit } from './export/cell-metrics.ts';
import { overheadsOf } from './overhead.ts';

/** Header of the CSV, in column order. */
export const CSV_COLUMNS = [
  'cell_id',
  'baseline_id',
  'workload',
  'workload_kind',
  'key_type',
  'client_key_type',
  'tls_version',
  'cipher_suite',
  'group',
  'resumption',
  'auth',
  'chain_depth',
  'state',
  'metric',
  'value_us',
  'value_us_per_op',
  'value_per_s',
  'value_count',
  'value_ratio',
  'interval_low_ratio',
  'interval_high_ratio',
  'interval_confidence',
  'error_code',
  'error_message',
] as const;

type Column = (typeof CSV_COLUMNS)[number];
type Row = Partial<Record<Column, string>>;

/** The value column of each unit. */
const VALUE_COLUMNS: Record<ValueUnit, Column> = {
  us: 'value_us',
  us_per_op: 'value_us_per_op',
  per_s: 'value_per_s',
  count: 'value_count',
  ratio: 'value_ratio',
};

/** Quotes a field as RFC 4180 requires when it contains a comma, a double quote or a line break. */
function quoteField(field: string): string {
  return /[",\r\n]/.test(field) ? `"${field.replaceAll('"', '""')}"` : field;
}

function formatRow(row: Row): string {
  return CSV_COLUMNS.map((column) => quoteField(row[column] ?? '')).join(',');
}

/** Returns the columns that name the cell, the same on each of its rows. `key_type` is the server's key type. */
function cellColumns(cell: CellResult): Row {
  const scenario = cell.scenario;
  return {
    cell_id: cell.id,
    baseline_id: cell.baselineId ?? '',
    workload: scenario.workload,
    workload_kind: scenario.workloadKind,
    key_type: scenario.serverKeyType,
    client_key_type: scenario.clientKeyType,
    tls_version: scenario.tlsVersion,
    cipher_suite: scenario.cipherSuite,
    group: scenario.group,
    resumption: scenario.resumption,
    auth: scenario.auth,
    chain_depth: String(scenario.chainDepth),
    state: cell.state,
  };
}

function metricColumns(entry: CellMetric): Row {
  const row: Row = { metric: entry.metric, [VALUE_COLUMNS[entry.unit]]: String(entry.value) };
  if (entry.interval !== undefined) {
    row.interval_low_ratio = String(entry.interval.low);
    row.interval_high_ratio = String(entry.interval.high);
    row.interval_confidence = String(entry.interval.confidence);
  }
  return row;
}

/**
 * Renders one CSV row per cell and metric, with units in the column names. Records end with
 * CRLF as RFC 4180 sets, and a line break inside a quoted field stays as it was.
 */
export function renderCsv(results: RunResults): string {
  const overheads = overheadsOf(results);
  const lines = [CSV_COLUMNS.join(',')];
  for (const cell of results.cells) {
    const cellRow = cellColumns(cell);
    if (cell.state === 'failed') {
      lines.push(formatRow({ ...cellRow, error_code: cell.error.code, error_message: cell.error.message }));
      continue;
    }
    for (const entry of cellMetrics(cell, overheads.get(cell.id))) lines.push(formatRow({ ...cellRow, ...metricColumns(entry) }));
  }
  return `${lines.join('\r\n')}\r\n`;
}
