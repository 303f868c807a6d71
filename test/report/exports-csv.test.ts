import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { CSV_COLUMNS, renderCsv } from '../../src/report/csv.ts';
import { overheadsOf } from '../../src/report/overhead.ts';
import type { FailedCell, HandshakeResults, MeasuredCell, RequestsResults, RunResults } from '../../src/results/types.ts';
import type { LatencySummary } from '../../src/stats/histogram.ts';

function loadFixture(name: 'base' | 'head'): RunResults {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), 'utf8')) as RunResults;
}

/** A parsed row: every column of the header, as text. */
type CsvRecord = { [Column in (typeof CSV_COLUMNS)[number]]: string };

/** Parses strictly: every record must have the header's column count and well-formed quotes. */
function parseCsv(text: string): CsvRecord[] {
  return parse(text, { columns: true, record_delimiter: '\r\n', relax_quotes: false, relax_column_count: false }) as CsvRecord[];
}

function rowOf(records: CsvRecord[], cellId: string, metric: string): CsvRecord {
  const matches = records.filter((record) => record.cell_id === cellId && record.metric === metric);
  expect(matches, `${cellId} ${metric}`).toHaveLength(1);
  return matches[0]!;
}

/** Rows a latency summary takes: its sample count, and six statistics unless it is empty. */
function latencyRows(summary: LatencySummary): number {
  return summary.count === 0 ? 1 : 7;
}

function errorRows(results: HandshakeResults | RequestsResults): number {
  return 1 + Object.keys(results.errorsByCode).length + Object.keys(results.clientResourceErrors ?? {}).length;
}

/** Counts the rows a measured cell should have, from the format's definition. */
function expectedRows(cell: MeasuredCell, overheadRows: number): number {
  const cpuRows = cell.cpu.serverUsPerOp === null ? 1 : 2;
  let rows = cpuRows + 1 + overheadRows; // CPU, client.cpu_share, overhead
  const handshake = cell.handshake;
  if (handshake !== undefined) {
    rows += latencyRows(handshake.latencyUs.full) + latencyRows(handshake.latencyUs.resumed) + latencyRows(handshake.connectUs);
    rows += 3 + errorRows(handshake); // count, resumed_share, throughput, errors
    if (cell.cryptoFloorUs !== undefined) rows += 2;
    if (handshake.arrivals !== undefined) rows += 5 + latencyRows(handshake.arrivals.startDelayUs);
  }
  const requests = cell.requests;
  if (requests !== undefined) {
    rows += latencyRows(requests.latencyUs) + 3 + errorRows(requests) + 2; // count, non_2xx, throughput, errors, connections
    if (requests.rate !== undefined) rows += 3;
  }
  return rows;
}

const VALUE_COLUMNS = ['value_us', 'value_us_per_op', 'value_per_s', 'value_count', 'value_ratio'] as const;

/** Returns the value column a metric belongs in, from its name alone. */
function unitColumnOf(metric: string): string {
  if (metric.startsWith('overhead.')) return 'value_ratio';
  if (/\.(p50|p90|p99|p999|max|mean)$/.test(metric) || metric === 'rate.expected_interval') return 'value_us';
  if (/^(cpu|crypto_floor)\./.test(metric)) return 'value_us_per_op';
  if (metric === 'throughput' || /^(arrivals\.rate_|rate\.)/.test(metric)) return 'value_per_s';
  if (/(^|\.)(resumed_share|cpu_share)$/.test(metric)) return 'value_ratio';
  return 'value_count';
}

const base = loadFixture('base');
const head = loadFixture('head');
const FULL_TLS = 'handshake/ecdsa-p256/tls1.3/default/x25519/none/d0/tls';
const FULL_MTLS = 'handshake/ed25519/tls1.3/default/x25519/none/d0/mtls';
const REQUESTS_TLS = 'requests/ecdsa-p256/tls1.3/default/x25519/none/d0/tls';
const FAILED = 'handshake/ecdsa-p256/tls1.3/default/x25519/none/d0/mtls';

describe('CSV export', () => {
  it('has a header with units', () => {
    const header = renderCsv(base).split('\r\n')[0]!.split(',');

    expect(header).toEqual([...CSV_COLUMNS]);
    expect(header.filter((column) => column.startsWith('value_'))).toEqual([...VALUE_COLUMNS]);
    expect(header).toContain('interval_low_ratio');
    expect(header).toContain('interval_high_ratio');
  });

  it('has one row per cell and metric', () => {
    for (const results of [base, head]) {
      const overheads = overheadsOf(results);
      const records = parseCsv(renderCsv(results));
      let expected = 0;
      for (const cell of results.cells) {
        const cellRows = records.filter((record) => record.cell_id === cell.id);
        const overheadRows = overheads.get(cell.id)?.metrics.filter((entry) => entry.estimate !== null).length ?? 0;
        const rows = cell.state === 'failed' ? 1 : expectedRows(cell, overheadRows);
        expect(cellRows, cell.id).toHaveLength(rows);
        expect(new Set(cellRows.map((record) => record.metric)).size, cell.id).toBe(rows);
        expected += rows;
      }
      expect(records).toHaveLength(expected);
    }
  });

  it('puts each value in the column of its unit', () => {
    for (const results of [base, head]) {
      for (const record of parseCsv(renderCsv(results))) {
        const filled = VALUE_COLUMNS.filter((column) => record[column] !== '');
        const expected = record.state === 'failed' ? [] : [unitColumnOf(record.metric)];
        expect(filled, `${record.cell_id} ${record.metric}`).toEqual(expected);
      }
    }
  });

  it('gives handshake values as in the JSON', () => {
    const records = parseCsv(renderCsv(base));
    const cell = base.cells.find((candidate) => candidate.id === FULL_TLS) as MeasuredCell;
    const handshake = cell.handshake!;

    expect(rowOf(records, FULL_TLS, 'handshake.full.p50').value_us).toBe(String(handshake.latencyUs.full.p50));
    expect(rowOf(records, FULL_TLS, 'handshake.full.p99').value_us).toBe('9783');
    expect(rowOf(records, FULL_TLS, 'handshake.full.samples').value_count).toBe(String(handshake.latencyUs.full.count));
    expect(rowOf(records, FULL_TLS, 'connect.p50').value_us).toBe(String(handshake.connectUs.p50));
    expect(Number(rowOf(records, FULL_TLS, 'throughput').value_per_s)).toBe(handshake.handshakesPerSec);
    expect(rowOf(records, FULL_TLS, 'cpu.server').value_us_per_op).toBe(String(cell.cpu.serverUsPerOp));
    expect(rowOf(records, FULL_TLS, 'cpu.client').value_us_per_op).toBe(String(cell.cpu.clientUsPerOp));
    expect(Number(rowOf(records, FULL_TLS, 'crypto_floor.client').value_us_per_op)).toBe(cell.cryptoFloorUs!.clientUs);
    expect(rowOf(records, FULL_TLS, 'handshake.resumed_share').value_ratio).toBe('0');
    expect(rowOf(records, FULL_TLS, 'errors').value_count).toBe('0');
  });

  it('leaves out the statistics of an empty summary', () => {
    const records = parseCsv(renderCsv(base));
    const metrics = records.filter((record) => record.cell_id === FULL_TLS).map((record) => record.metric);

    expect(metrics).toContain('handshake.resumed.samples');
    expect(metrics).not.toContain('handshake.resumed.p50');
    expect(rowOf(records, FULL_TLS, 'handshake.resumed.samples').value_count).toBe('0');
  });

  it('gives requests values as in the JSON', () => {
    const records = parseCsv(renderCsv(base));
    const cell = base.cells.find((candidate) => candidate.id === REQUESTS_TLS) as MeasuredCell;
    const requests = cell.requests!;

    expect(rowOf(records, REQUESTS_TLS, 'requests.p50').value_us).toBe(String(requests.latencyUs.p50));
    expect(rowOf(records, REQUESTS_TLS, 'requests.p999').value_us).toBe(String(requests.latencyUs.p999));
    expect(rowOf(records, REQUESTS_TLS, 'requests.count').value_count).toBe(String(requests.count));
    expect(Number(rowOf(records, REQUESTS_TLS, 'throughput').value_per_s)).toBe(requests.throughputRps);
    expect(rowOf(records, REQUESTS_TLS, 'requests.connections_verified').value_count).toBe(String(requests.connectionsVerified));
    expect(rowOf(records, REQUESTS_TLS, 'requests.non_2xx').value_count).toBe('0');
  });

  it('gives the overhead with its interval', () => {
    const records = parseCsv(renderCsv(base));
    const estimate = overheadsOf(base).get(FULL_MTLS)!.metrics.find((entry) => entry.metric === 'cpu.server')!.estimate!;

    const row = rowOf(records, FULL_MTLS, 'overhead.cpu.server');

    expect(Number(row.value_ratio)).toBe(estimate.ratio);
    expect(Number(row.interval_low_ratio)).toBe(estimate.low);
    expect(Number(row.interval_high_ratio)).toBe(estimate.high);
    expect(Number(row.interval_confidence)).toBe(estimate.confidence);
    expect(row.baseline_id).toBe('handshake/ed25519/tls1.3/default/x25519/none/d0/tls');
    expect(records.filter((record) => record.auth === 'tls' && record.metric.startsWith('overhead.'))).toEqual([]);
    expect(records.filter((record) => record.metric === 'overhead.handshake.resumed.p50' && record.cell_id === FULL_MTLS)).toEqual([]);
  });

  it('lists the rates of cells with a rate', () => {
    const handshakeCell = base.cells.find((candidate) => candidate.id === FULL_TLS) as MeasuredCell;
    const requestsCell = base.cells.find((candidate) => candidate.id === REQUESTS_TLS) as MeasuredCell;
    const startDelayUs = handshakeCell.handshake!.connectUs;
    const arrivals = { ratePerSec: 500, achievedPerSec: 431.5, reached: false, started: 2100, missed: 57, late: 9, startDelayUs };
    const rate = { ratePerSec: 2000, achievedPerSec: 1990.5, reached: true, expectedIntervalUs: 2000 };
    const cells: MeasuredCell[] = [
      { ...handshakeCell, handshake: { ...handshakeCell.handshake!, arrivals } },
      { ...requestsCell, requests: { ...requestsCell.requests!, rate } },
    ];
    const records = parseCsv(renderCsv({ ...base, cells }));

    expect(records.filter((record) => record.cell_id === FULL_TLS)).toHaveLength(expectedRows(cells[0]!, 0));
    expect(records.filter((record) => record.cell_id === REQUESTS_TLS)).toHaveLength(expectedRows(cells[1]!, 0));
    expect(rowOf(records, FULL_TLS, 'arrivals.rate_achieved').value_per_s).toBe('431.5');
    expect(rowOf(records, FULL_TLS, 'arrivals.missed').value_count).toBe('57');
    expect(rowOf(records, FULL_TLS, 'arrivals.start_delay.p99').value_us).toBe(String(arrivals.startDelayUs.p99));
    expect(rowOf(records, REQUESTS_TLS, 'rate.requested').value_per_s).toBe('2000');
    expect(rowOf(records, REQUESTS_TLS, 'rate.expected_interval').value_us).toBe('2000');
  });

  it('gives a failed cell one row with its error', () => {
    const records = parseCsv(renderCsv(base));
    const rows = records.filter((record) => record.cell_id === FAILED);
    const failed = base.cells.find((cell): cell is FailedCell => cell.id === FAILED && cell.state === 'failed')!;

    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ state: 'failed', metric: '', error_code: 'SERVER_FAILED', auth: 'mtls', resumption: 'none' });
    expect(rows[0]!.error_message).toBe(failed.error.message);
    expect(renderCsv(base)).toContain(`,"${failed.error.message}"\r\n`);
  });

  it('quotes fields as RFC 4180 sets', () => {
    const cell = base.cells.find((candidate) => candidate.id === FULL_TLS) as MeasuredCell;
    const names = ['say "hi"', 'two\nlines', 'a, b', 'plain'];
    const cells = names.map((workload): MeasuredCell => ({ ...cell, id: workload, scenario: { ...cell.scenario, workload } }));
    const text = renderCsv({ ...base, cells });

    expect(text).toContain(',"say ""hi""",');
    expect(text).toContain(',"two\nlines",');
    expect(text).toContain(',"a, b",');
    expect(text).toContain(',plain,');
    const records = parseCsv(text);
    for (const workload of names) {
      expect(records.filter((record) => record.workload === workload), workload).toHaveLength(expectedRows(cell, 0));
    }
  });

  it('ends every record with CRLF', () => {
    const text = renderCsv(head);

    expect(text.endsWith('\r\n')).toBe(true);
    expect(text.replaceAll('\r\n', '')).not.toMatch(/[\r\n]/);
  });

  it('is pure', () => {
    const before = JSON.stringify(base);

    expect(renderCsv(base)).toBe(renderCsv(base));
    expect(JSON.stringify(base)).toBe(before);
  });
});
