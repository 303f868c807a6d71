import { readFileSync } from 'node:fs';
import * as hdr from 'hdr-histogram-js';
import { describe, expect, it } from 'vitest';

import { renderHtmlReport, REPORT_DATA_ELEMENT_ID } from '../../src/report/html/index.ts';
import type { ReportData } from '../../src/report/html/index.ts';
import type { BarChartSpec, PercentileChartSpec } from '../../src/report/html/charts.ts';
import { alignCurves, percentileCurve } from '../../src/report/html/percentiles.ts';
import { sortValueOf } from '../../src/report/html/table-html.ts';
import type { MeasuredCell, RunResults } from '../../src/results/types.ts';
import type { LatencySummary } from '../../src/stats/histogram.ts';

function readFixture(name: 'base' | 'head'): RunResults {
  return JSON.parse(readFileSync(new URL(`fixtures/${name}.json`, import.meta.url), 'utf8')) as RunResults;
}

const base = readFixture('base');
const head = readFixture('head');
const FAILED_ID = 'handshake/ecdsa-p256/tls1.3/default/x25519/none/d0/mtls';

function reportData(html: string): ReportData {
  const match = new RegExp(`<script type="application/json" id="${REPORT_DATA_ELEMENT_ID}">(.*?)</script>`, 's').exec(html);
  expect(match, 'embedded report data').not.toBeNull();
  return JSON.parse(match![1]!) as ReportData;
}

function percentileCharts(data: ReportData): PercentileChartSpec[] {
  return data.charts.filter((chart): chart is PercentileChartSpec => chart.kind === 'percentiles');
}

function barChart(data: ReportData, id: string): BarChartSpec {
  const chart = data.charts.find((candidate) => candidate.id === id);
  expect(chart?.kind, `chart ${id}`).toBe('bars');
  return chart as BarChartSpec;
}

/** Latency summaries with samples of a measured cell: full and resumed handshakes, or requests. */
function nonEmptySummaries(cell: MeasuredCell): LatencySummary[] {
  const summaries = cell.handshake === undefined ? [cell.requests!.latencyUs] : [cell.handshake.latencyUs.full, cell.handshake.latencyUs.resumed];
  return summaries.filter((summary) => summary.count > 0);
}

/** Series each mTLS cell's percentile chart must have: one per non-empty summary of the cell and its measured baseline. */
function expectedPercentileSeries(results: RunResults): number[] {
  const byId = new Map(results.cells.map((cell) => [cell.id, cell]));
  const workloads = [...new Set(results.cells.map((cell) => cell.scenario.workload))];
  return workloads.flatMap((workload) =>
    results.cells
      .filter((cell) => cell.scenario.workload === workload && cell.scenario.auth === 'mtls')
      .map((cell) =>
        [byId.get(cell.baselineId!), cell].reduce(
          (sum, member) => sum + (member?.state === 'measured' ? nonEmptySummaries(member).length : 0),
          0,
        ),
      ),
  );
}

describe('renderHtmlReport of one run', () => {
  const html = renderHtmlReport(base);
  const data = reportData(html);

  it('references nothing outside the file', () => {
    expect(html).not.toMatch(/\b(?:src|href|action|poster|srcset)\s*=\s*["']?\s*(?:https?:)?\/\//i);
    expect(html).not.toMatch(/<link\b/i);
    expect(html).not.toMatch(/<img\b/i);
    expect(html).not.toMatch(/<iframe\b/i);
    expect(html).not.toMatch(/url\(\s*["']?(?:https?:)?\/\//i);
    expect(html).not.toMatch(/@import/i);
    expect(html).toContain("default-src 'none'");
  });

  it('inlines uPlot and the page script', () => {
    expect(html).toContain('var uPlot=');
    expect(html).toContain('window.mtlsReport');
  });

  it('has one percentile chart per mTLS cell', () => {
    const charts = percentileCharts(data);
    expect(charts.map((chart) => chart.series.length)).toEqual(expectedPercentileSeries(base));
    expect(charts).toHaveLength(8);
  });

  it('draws percentile curves from the HDR histograms', () => {
    const cell = base.cells.find((candidate) => candidate.id === 'handshake/ed25519/tls1.3/default/x25519/none/d0/mtls') as MeasuredCell;
    const summary = cell.handshake!.latencyUs.full;
    const curve = percentileCurve(summary);
    const histogram = hdr.decodeFromCompressedBase64(summary.hdr, 64, false);

    expect(curve[0]).toEqual({ inverseTail: 1, valueUs: Math.min(histogram.getValueAtPercentile(0), summary.max) });
    // 1/(1-p) = 2 is the median.
    expect(curve.find((point) => point.inverseTail === 2)?.valueUs).toBe(summary.p50);
    expect(curve.at(-1)).toEqual({ inverseTail: summary.count, valueUs: summary.max });
    for (let index = 1; index < curve.length; index++) {
      expect(curve[index]!.inverseTail).toBeGreaterThan(curve[index - 1]!.inverseTail);
      expect(curve[index]!.valueUs).toBeGreaterThanOrEqual(curve[index - 1]!.valueUs);
    }
  });

  it('embeds the curves it computed', () => {
    const chart = percentileCharts(data).find((candidate) => candidate.title === 'ed25519 · no resumption')!;
    const mtlsCell = base.cells.find((candidate) => candidate.id === 'handshake/ed25519/tls1.3/default/x25519/none/d0/mtls') as MeasuredCell;
    const curve = percentileCurve(mtlsCell.handshake!.latencyUs.full);
    const mtlsSeries = chart.series.find((series) => series.label === 'mTLS full')!;
    const points = chart.inverseTails.flatMap((inverseTail, index) => {
      const valueUs = mtlsSeries.valuesUs[index];
      return valueUs === null || valueUs === undefined ? [] : [{ inverseTail, valueUs }];
    });
    expect(points).toEqual(curve);
    expect(chart.series.map((series) => series.label)).toEqual(['TLS full', 'mTLS full']);
  });

  it('marks resumed handshakes dashed', () => {
    const chart = percentileCharts(data).find((candidate) => candidate.title === 'ed25519 · tickets')!;
    expect(chart.series.map((series) => [series.label, series.dash])).toEqual([
      ['TLS resumed', true],
      ['mTLS resumed', true],
    ]);
  });

  it('gives the failed cell a note instead of a curve', () => {
    const chart = percentileCharts(data).find((candidate) => candidate.title === 'ecdsa-p256 · no resumption')!;
    expect(chart.series.map((series) => series.label)).toEqual(['TLS full']);
    expect(chart.notes.join('\n')).toContain('mTLS cell FAILED: SERVER_FAILED');
  });

  it('has overhead bars with intervals', () => {
    const chart = barChart(data, 'w0-overhead');
    // The failed mTLS cell has no overhead, so three of the four remain.
    expect(chart.categories).toEqual(['ecdsa-p256\ntickets', 'ed25519\nno resumption', 'ed25519\ntickets']);
    expect(chart.origin).toBe(1);
    const fullP50 = chart.series.find((series) => series.label === 'full p50')!;
    expect(fullP50.values[0]).toBeNull();
    expect(fullP50.values[1]).toBeGreaterThan(0);
    expect(fullP50.low[1]).toBeLessThanOrEqual(fullP50.values[1]!);
    expect(fullP50.high[1]).toBeGreaterThanOrEqual(fullP50.values[1]!);
    expect(barChart(data, 'w1-overhead').series.map((series) => series.label)).toEqual(['p50', 'p99', 'rate', 'server CPU', 'client CPU']);
  });

  it('has CPU bars beside the crypto floor', () => {
    const chart = barChart(data, 'w0-cpu');
    const measured = base.cells.filter((cell): cell is MeasuredCell => cell.state === 'measured' && cell.scenario.workload === 'handshake');
    expect(chart.series.map((series) => series.label)).toEqual(['server CPU', 'server crypto floor (full handshake)', 'client CPU', 'client crypto floor (full handshake)']);
    expect(chart.categories).toHaveLength(measured.length);
    expect([...chart.series[0]!.values].sort()).toEqual(measured.map((cell) => cell.cpu.serverUsPerOp).sort());
    expect(chart.series[1]!.values.every((value) => value !== null && value > 0)).toBe(true);
    expect(data.charts.some((candidate) => candidate.id === 'w1-cpu')).toBe(false);
  });

  it('marks the failed cell plainly', () => {
    expect(html).toMatch(/<p class="problem-summary" id="problems-summary">1 cell failed, 0 checks failed, 0 probes failed<\/p>/);
    expect(html).toContain(`<tr class="failed"><td><span class="mark failed">FAILED</span> cell failed</td><td><code>${FAILED_ID}</code></td>`);
    expect(html).toContain(`<tr class="failed" title="${FAILED_ID}">`);
    expect(html).toContain('SERVER_FAILED: echo server (pid 31217) has exited with code 7');
  });

  it('shows the environment', () => {
    const environment = /<table class="environment" id="environment-table">(.*?)<\/table>/s.exec(html)?.[1] ?? '';
    expect(environment).toContain('<th scope="row">Node.js</th><td>20.20.2</td>');
    expect(environment).toContain('<th scope="row">OpenSSL</th><td>3.0.19</td>');
    expect(environment).toContain('<th scope="row">CPU</th><td>AMD EPYC × 2</td>');
    expect(environment).toContain('<th scope="row">tool</th><td>mtls-bench 0.1.0</td>');
    expect(environment).toContain('<th scope="row">OS</th><td>linux 6.18.44-fc-v1272 x64</td>');
  });

  it('has sortable cell tables with numeric sort keys', () => {
    expect(html).toContain('<table class="sortable" id="cells-table-0">');
    expect(html).toContain('<table class="sortable" id="cells-table-1">');
    expect(html).toMatch(/<td data-sort="\d+">\d+ \/ \d+ \/ \d+<\/td>/);
  });

  it('stays a reasonable size', () => {
    expect(html.length).toBeLessThan(250_000);
  });
});

describe('renderHtmlReport of base against head', () => {
  const html = renderHtmlReport(head, { base });
  const data = reportData(html);

  it('names both runs', () => {
    expect(html).toContain(`base: run of ${base.startedAt}; head: run of ${head.startedAt}`);
    expect(html).toContain('<th scope="col">base</th><th scope="col">head</th>');
  });

  it('overlays base and head curves', () => {
    const chart = percentileCharts(data).find((candidate) => candidate.title === 'ed25519 · no resumption')!;
    expect(chart.series.map((series) => series.label)).toEqual(['base TLS full', 'base mTLS full', 'head TLS full', 'head mTLS full']);
    const failedPair = percentileCharts(data).find((candidate) => candidate.title === 'ecdsa-p256 · no resumption')!;
    expect(failedPair.series.map((series) => series.label)).toEqual(['base TLS full', 'head TLS full', 'head mTLS full']);
    expect(failedPair.notes.join('\n')).toContain('base mTLS cell FAILED');
  });

  it('has the comparison table', () => {
    expect(html).toContain('<table class="sortable" id="comparison-table">');
    expect(html).toContain('absolute mode: same machine');
    expect(html).toContain(`not compared: ${FAILED_ID}: failed in base: SERVER_FAILED`);
  });

  it('lists problems by run', () => {
    expect(html).toContain(`<tr class="failed"><td>base</td><td><span class="mark failed">FAILED</span> cell failed</td>`);
  });

  it('says why runs of different suites are not compared', () => {
    const other: RunResults = { ...head, suite: { ...head.suite, name: 'other' } };
    expect(renderHtmlReport(other, { base })).toContain('The runs cannot be compared: base and head are results of different suites');
  });
});

describe('renderHtmlReport problems', () => {
  it('marks failed probes and checks', () => {
    const results = structuredClone(head);
    const cell = results.cells.find((candidate) => candidate.id === 'handshake/ed25519/tls1.3/default/x25519/none/d0/mtls')!;
    cell.probes[1] = { ...cell.probes[1]!, actual: 'accepted', passed: false, code: null };
    cell.checks[0] = { ...cell.checks[0]!, actual: 'negotiated TLSv1.2 on 20 of 20 handshakes', passed: false };
    const html = renderHtmlReport(results);
    expect(html).toContain('0 cells failed, 1 check failed, 1 probe failed');
    expect(html).toContain(`${cell.probes[1].name}: expected rejected, got accepted`);
    expect(html).toContain('in the warm-up: protocol: expected TLSv1.3, negotiated TLSv1.2 on 20 of 20 handshakes');
  });

  it('says when everything passed', () => {
    expect(renderHtmlReport(head)).toContain('No failed cells, checks or probes');
  });

  it('escapes text from the results', () => {
    const results = structuredClone(base);
    const failed = results.cells.find((candidate) => candidate.state === 'failed')!;
    if (failed.state === 'failed') failed.error.message = '</script><script>alert(1)</script><b>bold</b>';
    const html = renderHtmlReport(results);
    expect(html).not.toContain('<script>alert(1)');
    expect(html).not.toContain('<b>bold</b>');
    expect(html).toContain('&lt;/script&gt;&lt;script&gt;alert(1)');
    expect(reportData(html).charts.length).toBe(11);
  });
});

describe('percentile helpers', () => {
  it('curve of an empty summary is empty', () => {
    expect(percentileCurve({ p50: 0, p90: 0, p99: 0, p999: 0, max: 0, mean: 0, count: 0, hdr: '' })).toEqual([]);
  });

  it('alignCurves fills gaps with null', () => {
    const aligned = alignCurves([
      [{ inverseTail: 1, valueUs: 5 }, { inverseTail: 3, valueUs: 9 }],
      [{ inverseTail: 1, valueUs: 6 }, { inverseTail: 2, valueUs: 7 }],
    ]);
    expect(aligned).toEqual({ inverseTails: [1, 2, 3], valuesUs: [[5, null, 9], [6, 7, null]] });
  });
});

describe('sortValueOf', () => {
  it.each([
    ['2829 / 5323 / 9783', 2829],
    ['+87%\n[+80%, +109%]', 87],
    ['-40%', -40],
    ['547*', 547],
    ['1.64×', 1.64],
    ['~\n[-7%, +193%]', null],
    ['-', null],
    ['FAILED [1]', null],
    ['tls1.3', null],
  ])('reads %j as %j', (text, expected) => {
    expect(sortValueOf(text)).toBe(expected);
  });
});
