import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { getMetricsFromIterator } from 'prom2javascript';
import type { PromData, PromMetrics, PromSummaryData } from 'prom2javascript';
import { describe, expect, it } from 'vitest';
import { renderPrometheus } from '../../src/report/prometheus.ts';
import { overheadsOf } from '../../src/report/overhead.ts';
import type { CellResult, MeasuredCell, RunResults } from '../../src/results/types.ts';

/** What parse-prometheus-text-format returns per family; the package ships no types. */
interface ParsedFamily {
  name: string;
  help: string;
  type: string;
  metrics: { value?: string; labels?: Record<string, string>; timestamp_ms?: string }[];
}
const parsePrometheusTextFormat = createRequire(import.meta.url)('parse-prometheus-text-format') as (text: string) => ParsedFamily[];

function loadFixture(name: 'base' | 'head'): RunResults {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), 'utf8')) as RunResults;
}

function parse(text: string): Promise<PromMetrics> {
  return getMetricsFromIterator(text.split('\n')[Symbol.iterator]());
}

const CELL_LABELS = [
  'suite',
  'workload',
  'key_type',
  'client_key_type',
  'tls_version',
  'cipher_suite',
  'group',
  'resumption',
  'chain_depth',
  'auth',
];

function labelsOf(results: RunResults, cell: CellResult): Record<string, string> {
  const scenario = cell.scenario;
  return {
    suite: results.suite.name,
    workload: scenario.workload,
    key_type: scenario.serverKeyType,
    client_key_type: scenario.clientKeyType,
    tls_version: scenario.tlsVersion,
    cipher_suite: scenario.cipherSuite,
    group: scenario.group,
    resumption: scenario.resumption,
    chain_depth: String(scenario.chainDepth),
    auth: scenario.auth,
  };
}

function familyOf(metrics: PromMetrics, name: string) {
  const family = metrics[name];
  if (family === undefined) throw new Error(`family ${name} is missing; families: ${Object.keys(metrics).join(', ')}`);
  return family;
}

/** Returns the samples of a gauge or counter family whose labels include `labels`. */
function samplesWith(metrics: PromMetrics, name: string, labels: Record<string, string>): PromData[] {
  const data = familyOf(metrics, name).data as PromData[];
  return data.filter((sample) => Object.entries(labels).every(([key, value]) => sample.labels[key] === value));
}

/** Returns the value of the one sample of a gauge or counter family with exactly `labels`. */
function valueOf(metrics: PromMetrics, name: string, labels: Record<string, string>): number {
  const matches = (familyOf(metrics, name).data as PromData[]).filter(
    (sample) => JSON.stringify(Object.entries(sample.labels).sort()) === JSON.stringify(Object.entries(labels).sort()),
  );
  expect(matches, `${name} ${JSON.stringify(labels)}`).toHaveLength(1);
  return matches[0]!.value;
}

function summaryOf(metrics: PromMetrics, name: string, labels: Record<string, string>): PromSummaryData {
  const matches = (familyOf(metrics, name).data as PromSummaryData[]).filter(
    (series) => JSON.stringify(Object.entries(series.labels).sort()) === JSON.stringify(Object.entries(labels).sort()),
  );
  expect(matches, `${name} ${JSON.stringify(labels)}`).toHaveLength(1);
  return matches[0]!;
}

function findCell(results: RunResults, id: string): MeasuredCell {
  const cell = results.cells.find((candidate) => candidate.id === id);
  if (cell?.state !== 'measured') throw new Error(`fixture cell ${id} is missing or failed`);
  return cell;
}

const base = loadFixture('base');
const head = loadFixture('head');
const FULL_TLS = 'handshake/ecdsa-p256/tls1.3/default/x25519/none/d0/tls';
const FULL_MTLS = 'handshake/ed25519/tls1.3/default/x25519/none/d0/mtls';
const REQUESTS_MTLS = 'requests/ed25519/tls1.3/default/x25519/tickets/d0/mtls';
const FAILED = 'handshake/ecdsa-p256/tls1.3/default/x25519/none/d0/mtls';

describe('Prometheus export', () => {
  it('parses with two independent parsers', async () => {
    for (const results of [base, head]) {
      const text = renderPrometheus(results);
      const metrics = await parse(text);
      const families = parsePrometheusTextFormat(text);

      expect(families.map((family) => family.name).sort()).toEqual(Object.keys(metrics).sort());
      for (const family of families) {
        expect(family.type.toLowerCase(), family.name).toBe(familyOf(metrics, family.name).type);
        expect(family.help, family.name).toBe(familyOf(metrics, family.name).help);
        // parse-prometheus-text-format merges labelled summaries into one, so only counters and
        // gauges are compared sample by sample.
        if (family.type === 'SUMMARY') continue;
        const theirs = family.metrics.map((sample) => ({ labels: sample.labels ?? {}, value: Number(sample.value) }));
        expect(theirs, family.name).toEqual(familyOf(metrics, family.name).data);
      }
    }
  });

  it('writes each family once, in one block', () => {
    const names = parsePrometheusTextFormat(renderPrometheus(base)).map((family) => family.name);

    expect(new Set(names).size).toBe(names.length);
  });

  it('follows the naming rules', async () => {
    const metrics = await parse(renderPrometheus(base));

    for (const [name, family] of Object.entries(metrics)) {
      expect(name).toMatch(/^mtls_bench_[a-z0-9_]+$/);
      expect(['counter', 'gauge', 'summary'], name).toContain(family.type);
      expect(family.help.length, name).toBeGreaterThan(10);
      expect(name.endsWith('_total'), name).toBe(family.type === 'counter');
      // promlint also reports a type name or an abbreviated unit as a word of the name.
      const words = name.split('_');
      for (const word of ['counter', 'gauge', 'summary', 'histogram', 's', 'ms', 'us', 'ns', 'sec', 'b', 'kb', 'mb', 'm', 'h', 'd']) {
        expect(words, name).not.toContain(word);
      }
      for (const series of family.data) {
        for (const label of Object.keys(series.labels)) {
          expect(label, name).toMatch(/^[a-zA-Z_][a-zA-Z0-9_]*$/);
          expect(label.startsWith('__'), name).toBe(false);
        }
        // promtool check metrics (promlint) reports a quantile label outside a summary.
        if (family.type !== 'summary') expect(series.labels, name).not.toHaveProperty('quantile');
      }
    }
  });

  it('writes no timestamps', async () => {
    const text = renderPrometheus(base);
    const metrics = await parse(text);

    for (const family of Object.values(metrics)) {
      for (const series of family.data) expect(series).not.toHaveProperty('timestamp');
    }
    for (const family of parsePrometheusTextFormat(text)) {
      for (const sample of family.metrics) expect(sample.timestamp_ms, family.name).toBeUndefined();
    }
    // Summaries lose their timestamps in both parsers, so their lines are read here: a value
    // follows the labels, and nothing follows the value.
    for (const line of text.split('\n').filter((candidate) => candidate.startsWith('mtls_bench_handshake_latency_seconds'))) {
      expect(line.slice(line.lastIndexOf('}') + 1).trim().split(' '), line).toHaveLength(1);
    }
    expect(text.endsWith('\n')).toBe(true);
  });

  it('keeps every series unique', async () => {
    const metrics = await parse(renderPrometheus(base));

    for (const [name, family] of Object.entries(metrics)) {
      const keys = family.data.map((series) => JSON.stringify(Object.entries(series.labels).sort()));
      expect(new Set(keys).size, name).toBe(keys.length);
    }
  });

  it('labels every cell series by scenario', async () => {
    const metrics = await parse(renderPrometheus(base));

    for (const [name, family] of Object.entries(metrics)) {
      if (name.startsWith('mtls_bench_run_')) continue;
      for (const series of family.data) {
        expect(Object.keys(series.labels).slice(0, CELL_LABELS.length), name).toEqual(CELL_LABELS);
      }
    }
  });

  it('exports handshake latency in seconds', async () => {
    const metrics = await parse(renderPrometheus(base));
    const cell = findCell(base, FULL_TLS);
    const full = cell.handshake!.latencyUs.full;

    const summary = summaryOf(metrics, 'mtls_bench_handshake_latency_seconds', { ...labelsOf(base, cell), handshake: 'full' });

    expect(summary.quantiles).toEqual({ '0.5': full.p50 / 1e6, '0.9': full.p90 / 1e6, '0.99': full.p99 / 1e6, '0.999': full.p999 / 1e6 });
    expect(summary.quantiles['0.99']).toBe(0.009783);
    expect(summary.count).toBe(full.count);
    expect(summary.sum).toBeCloseTo((full.mean * full.count) / 1e6, 9);
  });

  it('exports an empty summary without quantiles', async () => {
    const metrics = await parse(renderPrometheus(base));
    const cell = findCell(base, FULL_TLS);

    const resumed = summaryOf(metrics, 'mtls_bench_handshake_latency_seconds', { ...labelsOf(base, cell), handshake: 'resumed' });

    expect(resumed).toEqual({ labels: { ...labelsOf(base, cell), handshake: 'resumed' }, quantiles: {}, sum: 0, count: 0 });
  });

  it('exports request latency, counts and rate', async () => {
    const metrics = await parse(renderPrometheus(head));
    const cell = findCell(head, REQUESTS_MTLS);
    const requests = cell.requests!;
    const labels = labelsOf(head, cell);

    const latency = summaryOf(metrics, 'mtls_bench_request_latency_seconds', labels);

    expect(latency.quantiles['0.5']).toBe(requests.latencyUs.p50 / 1e6);
    expect(latency.quantiles['0.99']).toBe(requests.latencyUs.p99 / 1e6);
    expect(latency.count).toBe(requests.latencyUs.count);
    expect(valueOf(metrics, 'mtls_bench_requests_total', labels)).toBe(requests.count);
    expect(valueOf(metrics, 'mtls_bench_requests_non_2xx_total', labels)).toBe(requests.non2xx);
    expect(valueOf(metrics, 'mtls_bench_requests_per_second', labels)).toBe(requests.throughputRps);
    expect(valueOf(metrics, 'mtls_bench_request_connections_total', { ...labels, verified: 'true' })).toBe(requests.connectionsVerified);
    expect(valueOf(metrics, 'mtls_bench_errors_total', labels)).toBe(requests.errors);
  });

  it('exports CPU per operation in seconds', async () => {
    const metrics = await parse(renderPrometheus(base));
    const cell = findCell(base, FULL_MTLS);
    const labels = labelsOf(base, cell);

    expect(valueOf(metrics, 'mtls_bench_handshake_cpu_seconds_per_op', { ...labels, side: 'server' })).toBe(cell.cpu.serverUsPerOp! / 1e6);
    expect(valueOf(metrics, 'mtls_bench_handshake_cpu_seconds_per_op', { ...labels, side: 'client' })).toBe(cell.cpu.clientUsPerOp / 1e6);
    expect(valueOf(metrics, 'mtls_bench_handshake_crypto_floor_seconds_per_op', { ...labels, side: 'server' })).toBe(
      cell.cryptoFloorUs!.serverUs / 1e6,
    );
  });

  it('exports handshake counts and shares', async () => {
    const metrics = await parse(renderPrometheus(base));
    const cell = findCell(base, FULL_MTLS);
    const handshake = cell.handshake!;
    const labels = labelsOf(base, cell);

    expect(valueOf(metrics, 'mtls_bench_handshakes_total', { ...labels, handshake: 'full' })).toBe(handshake.count - handshake.resumed);
    expect(valueOf(metrics, 'mtls_bench_handshakes_total', { ...labels, handshake: 'resumed' })).toBe(handshake.resumed);
    expect(valueOf(metrics, 'mtls_bench_handshakes_per_second', labels)).toBe(handshake.handshakesPerSec);
    expect(valueOf(metrics, 'mtls_bench_handshake_resumed_ratio', labels)).toBe(handshake.resumedShare);
    expect(valueOf(metrics, 'mtls_bench_errors_total', labels)).toBe(handshake.errors);
    expect(valueOf(metrics, 'mtls_bench_client_cpu_ratio', labels)).toBe(cell.client.cpuShare);
    expect(valueOf(metrics, 'mtls_bench_measurement_duration_seconds', labels)).toBe(cell.durationMs / 1000);
  });

  it('exports a failed cell as cell_failed', async () => {
    const metrics = await parse(renderPrometheus(base));
    const failed = base.cells.find((cell) => cell.id === FAILED)!;
    const labels = labelsOf(base, failed);

    expect(valueOf(metrics, 'mtls_bench_cell_failed', { ...labels, code: 'SERVER_FAILED' })).toBe(1);
    expect(familyOf(metrics, 'mtls_bench_cell_failed').data).toHaveLength(1);
    expect(samplesWith(metrics, 'mtls_bench_errors_total', labels)).toEqual([]);
    expect(valueOf(metrics, 'mtls_bench_run_cells', { suite: base.suite.name, state: 'failed' })).toBe(1);
    expect(valueOf(metrics, 'mtls_bench_run_cells', { suite: base.suite.name, state: 'measured' })).toBe(base.cells.length - 1);
  });

  it('exports the overhead of mTLS cells', async () => {
    const metrics = await parse(renderPrometheus(base));
    const overheads = overheadsOf(base);
    const cell = findCell(base, FULL_MTLS);
    const estimate = overheads.get(FULL_MTLS)!.metrics.find((entry) => entry.metric === 'handshake.full.p50')!.estimate!;
    const labels = { ...labelsOf(base, cell), metric: 'handshake.full.p50' };

    expect(valueOf(metrics, 'mtls_bench_mtls_overhead_ratio', labels)).toBe(estimate.ratio);
    expect(valueOf(metrics, 'mtls_bench_mtls_overhead_lower_bound_ratio', labels)).toBe(estimate.low);
    expect(valueOf(metrics, 'mtls_bench_mtls_overhead_upper_bound_ratio', labels)).toBe(estimate.high);
    expect(valueOf(metrics, 'mtls_bench_mtls_overhead_confidence_ratio', labels)).toBe(estimate.confidence);
    expect(valueOf(metrics, 'mtls_bench_mtls_overhead_differs', labels)).toBe(estimate.differs ? 1 : 0);

    const expectedCount = [...overheads.values()].flatMap((overhead) => overhead.metrics.filter((entry) => entry.estimate !== null)).length;
    expect(familyOf(metrics, 'mtls_bench_mtls_overhead_ratio').data).toHaveLength(expectedCount);
    expect(samplesWith(metrics, 'mtls_bench_mtls_overhead_ratio', { auth: 'tls' })).toEqual([]);
  });

  it('exports the run with its versions', async () => {
    const metrics = await parse(renderPrometheus(base));
    const [info] = familyOf(metrics, 'mtls_bench_run_info').data as PromData[];

    expect(info?.value).toBe(1);
    expect(info?.labels).toMatchObject({
      suite: 'report-fixture',
      tool_version: base.environment.tool.version,
      node_version: base.environment.node,
      openssl_version: base.environment.openssl,
      machine_id: base.environment.machineId,
    });
    expect(valueOf(metrics, 'mtls_bench_run_rounds', { suite: 'report-fixture' })).toBe(5);
    expect(valueOf(metrics, 'mtls_bench_run_start_time_seconds', { suite: 'report-fixture' })).toBe(Date.parse(base.startedAt) / 1000);
    expect(valueOf(metrics, 'mtls_bench_run_partial', { suite: 'report-fixture' })).toBe(0);
  });

  it('marks a partial run', async () => {
    const partial: RunResults = { ...base, partial: { stoppedBy: 'SIGINT', cellsPlanned: 24 } };
    const metrics = await parse(renderPrometheus(partial));

    expect(valueOf(metrics, 'mtls_bench_run_partial', { suite: 'report-fixture' })).toBe(1);
    expect(valueOf(metrics, 'mtls_bench_run_cells', { suite: 'report-fixture', state: 'planned' })).toBe(24);
  });

  it('escapes label values', async () => {
    const suite = 'lab "A" \\ B\nC';
    const results: RunResults = { ...base, suite: { ...base.suite, name: suite } };
    const text = renderPrometheus(results);

    expect(text).toContain('suite="lab \\"A\\" \\\\ B\\nC"');
    const metrics = await parse(text);
    expect(valueOf(metrics, 'mtls_bench_run_rounds', { suite })).toBe(5);
    const rounds = parsePrometheusTextFormat(text).find((family) => family.name === 'mtls_bench_run_rounds');
    expect(rounds?.metrics[0]?.labels).toEqual({ suite });
  });

  it('exports the rates of open-loop cells', async () => {
    const cell = findCell(base, FULL_TLS);
    const startDelayUs = cell.handshake!.connectUs;
    const arrivals = { ratePerSec: 500, achievedPerSec: 431.5, reached: false, started: 2100, missed: 57, late: 9, startDelayUs };
    const withRate: MeasuredCell = { ...cell, handshake: { ...cell.handshake!, arrivals } };
    const results: RunResults = { ...base, cells: base.cells.map((candidate) => (candidate.id === FULL_TLS ? withRate : candidate)) };
    const metrics = await parse(renderPrometheus(results));
    const labels = labelsOf(results, withRate);

    expect(valueOf(metrics, 'mtls_bench_rate_requested_per_second', labels)).toBe(500);
    expect(valueOf(metrics, 'mtls_bench_rate_achieved_per_second', labels)).toBe(431.5);
    expect(valueOf(metrics, 'mtls_bench_rate_reached', labels)).toBe(0);
    expect(valueOf(metrics, 'mtls_bench_arrivals_missed_total', labels)).toBe(57);
    expect(valueOf(metrics, 'mtls_bench_arrivals_late_total', labels)).toBe(9);
  });

  it('leaves out server CPU of a target', async () => {
    const cell = findCell(base, FULL_TLS);
    const target: MeasuredCell = { ...cell, cpu: { serverUsPerOp: null, clientUsPerOp: 900 }, server: null };
    const results: RunResults = { ...base, cells: base.cells.map((candidate) => (candidate.id === FULL_TLS ? target : candidate)) };
    const metrics = await parse(renderPrometheus(results));
    const labels = labelsOf(results, target);

    expect(samplesWith(metrics, 'mtls_bench_handshake_cpu_seconds_per_op', labels).map((sample) => sample.labels.side)).toEqual(['client']);
  });

  it('is pure', () => {
    const before = JSON.stringify(base);

    expect(renderPrometheus(base)).toBe(renderPrometheus(base));
    expect(JSON.stringify(base)).toBe(before);
  });
});
