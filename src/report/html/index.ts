import type { RunResults } from '../../results/types.ts';
import { renderSuiteHeading } from '../heading.ts';
import { buildWorkloadReports } from '../table.ts';
import type { WorkloadReport } from '../table.ts';
import { loadPageAssets } from './assets.ts';
import { cpuChartOf, overheadChartOf, percentileChartsOf } from './charts.ts';
import type { ChartRun, ChartSpec } from './charts.ts';
import { comparisonOf, renderComparison } from './comparison.ts';
import { renderEnvironment } from './environment.ts';
import { escapeHtml, escapeHtmlLines, jsonForScript } from './escape.ts';
import { problemsOf, renderProblems } from './problems.ts';
import { renderSortableTable } from './table-html.ts';

/** Options of the HTML report. */
export interface HtmlReportOptions {
  /** An earlier run of the same suite, shown as the base that `results` is compared with. Default null. */
  base?: RunResults | null;
}

/** Id of the element that carries the chart specifications as JSON for the page script. */
export const REPORT_DATA_ELEMENT_ID = 'mtls-report-data';

/** The JSON embedded in the page: every chart, in page order. */
export interface ReportData {
  charts: ChartSpec[];
}

/**
 * Blocks every load from anywhere, the page's own inline scripts and styles aside, so the
 * report cannot reach the network even if a library tried.
 */
const CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:";

function renderChart(chart: ChartSpec): string {
  const notes = chart.notes.length === 0 ? '' : `<ul class="notes">${chart.notes.map((note) => `<li>${escapeHtml(note)}</li>`).join('')}</ul>`;
  const failed = chart.notes.some((note) => note.includes('FAILED')) ? ' has-failure' : '';
  return (
    `<figure class="chart${failed}" data-chart-id="${escapeHtml(chart.id)}">` +
    `<figcaption>${escapeHtml(chart.title)}</figcaption>` +
    `<div class="chart-area" id="chart-${escapeHtml(chart.id)}"></div>${notes}</figure>`
  );
}

function renderNotes(notes: readonly string[]): string {
  if (notes.length === 0) return '';
  return `<ul class="notes">${notes.map((note) => `<li${note.includes('FAILED') ? ' class="failed"' : ''}>${escapeHtmlLines(note)}</li>`).join('')}</ul>`;
}

/** Renders a workload's figures table, each row titled with its cell id and failed rows marked. */
function renderCellsTable(report: WorkloadReport, results: RunResults, id: string): string {
  const cells = results.cells.filter((cell) => cell.scenario.workload === report.workload);
  // buildWorkloadReports makes one row per cell, in the cells' order.
  const rowClasses = cells.map((cell) => (cell.state === 'failed' ? 'failed' : null));
  const rowTitles = cells.map((cell) => cell.id);
  return `${renderSortableTable(report.figures, { id, rowClasses, rowTitles })}\n${renderNotes(report.notes)}`;
}

interface WorkloadSection {
  html: string;
  charts: ChartSpec[];
}

function renderWorkload(report: WorkloadReport, index: number, runs: readonly ChartRun[], head: RunResults, base: RunResults | null): WorkloadSection {
  const percentileCharts = percentileChartsOf(report.workload, index, runs);
  const overheadChart = overheadChartOf(report.workload, index, head);
  const cpuChart = cpuChartOf(report.workload, index, head);
  const parts: string[] = [`<section class="workload" id="workload-${index}">`, `<h2>${escapeHtml(report.title)}</h2>`];
  if (report.shared !== '') parts.push(`<p class="shared">${escapeHtml(report.shared)}</p>`);

  const latencyName = report.kind === 'handshake' ? 'Handshake latency' : 'Request latency';
  const overlay = base === null ? '' : ' The base run’s curves are the lighter ones under the head run’s.';
  const phases = report.kind === 'handshake' ? ' Resumed handshakes are dashed, full ones solid.' : '';
  parts.push(
    `<h3>${latencyName} by percentile</h3>`,
    `<p class="explain">Each chart is one mTLS cell (red) with its TLS baseline (blue), from the stored HDR histograms. ` +
      `The x axis is 1/(1−p) on a log scale, so 90%, 99% and 99.9% are equally far apart.${phases}${overlay}</p>`,
    `<div class="chart-grid">${percentileCharts.map(renderChart).join('\n')}</div>`,
  );

  parts.push('<h3>mTLS overhead</h3>');
  if (overheadChart !== null) parts.push(`<div class="chart-wide">${renderChart(overheadChart)}</div>`);
  const overhead = report.overhead;
  if (overhead === null) parts.push('<p>No mTLS cell of this workload has a measured TLS baseline.</p>');
  else if ('message' in overhead) parts.push(`<p>${escapeHtml(overhead.message)}</p>`);
  else parts.push(`<p>${escapeHtml(overhead.heading)}</p>`, renderSortableTable(overhead.table, { id: `overhead-table-${index}` }));

  if (cpuChart !== null) parts.push('<h3>CPU per handshake</h3>', `<div class="chart-wide">${renderChart(cpuChart)}</div>`);

  parts.push(`<h3>All cells${base === null ? '' : ' (head run)'}</h3>`, '<p class="explain">Click a column header to sort by it; click again to reverse.</p>');
  parts.push(renderCellsTable(report, head, `cells-table-${index}`));
  if (base !== null) {
    const baseReport = buildWorkloadReports(base).find((candidate) => candidate.workload === report.workload);
    if (baseReport !== undefined) {
      parts.push(`<details><summary>All cells of the base run</summary>\n${renderCellsTable(baseReport, base, `base-cells-table-${index}`)}\n</details>`);
    }
  }
  parts.push('</section>');

  const charts: ChartSpec[] = [...percentileCharts];
  if (overheadChart !== null) charts.push(overheadChart);
  if (cpuChart !== null) charts.push(cpuChart);
  return { html: parts.join('\n'), charts };
}

function renderHeader(results: RunResults, base: RunResults | null, reports: readonly WorkloadReport[]): string {
  const heading = renderSuiteHeading(results.suite, { quick: results.quick, partial: results.partial ?? null, cellsFinished: results.cells.length });
  const runs =
    base === null
      ? `run of ${results.startedAt}`
      : `base: run of ${base.startedAt}; head: run of ${results.startedAt}`;
  const links = [
    '<a href="#problems">Problems</a>',
    '<a href="#environment">Environment</a>',
    ...(base === null ? [] : ['<a href="#comparison">Base against head</a>']),
    ...reports.map((report, index) => `<a href="#workload-${index}">${escapeHtml(report.title)}</a>`),
  ];
  return (
    `<header>\n<h1>mtls-bench report${base === null ? '' : ': base against head'}</h1>\n` +
    `<p class="subtitle">${escapeHtml(heading)}, ${escapeHtml(runs)}</p>\n<nav>${links.join(' · ')}</nav>\n</header>`
  );
}

/**
 * Renders a self-contained HTML report of a run, or of a base run against a head run. The page
 * inlines uPlot, its own script and styles, and the chart data, and loads nothing: it opens
 * offline. Reads uPlot from node_modules on the first call; otherwise a pure function of its input.
 */
export function renderHtmlReport(results: RunResults, options: HtmlReportOptions = {}): string {
  const base = options.base ?? null;
  const assets = loadPageAssets();
  const runs: ChartRun[] = base === null ? [{ name: null, results }] : [{ name: 'base', results: base }, { name: 'head', results }];
  const reports = buildWorkloadReports(results);
  const workloads = reports.map((report, index) => renderWorkload(report, index, runs, results, base));
  const problems = base === null ? problemsOf(results, null) : [...problemsOf(base, 'base'), ...problemsOf(results, 'head')];
  const data: ReportData = { charts: workloads.flatMap((workload) => workload.charts) };

  const body = [
    renderHeader(results, base, reports),
    `<section id="problems"><h2>Failed cells, checks and probes</h2>\n${renderProblems(problems)}\n</section>`,
    `<section id="environment"><h2>Environment</h2>\n${renderEnvironment(results, base)}\n</section>`,
    ...(base === null ? [] : [`<section id="comparison"><h2>Base against head</h2>\n${renderComparison(comparisonOf(base, results))}\n</section>`]),
    ...workloads.map((workload) => workload.html),
    `<footer>Written by ${escapeHtml(results.environment.tool.name)} ${escapeHtml(results.environment.tool.version)}; ` +
      `charts drawn with uPlot ${escapeHtml(assets.chartLibraryVersion)}, inlined in this file.</footer>`,
  ];

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>mtls-bench: suite ${escapeHtml(results.suite.name)}${base === null ? '' : ', base against head'}</title>
<style>
${assets.chartLibraryCss}
${assets.pageCss}
</style>
</head>
<body>
${body.join('\n')}
<script type="application/json" id="${REPORT_DATA_ELEMENT_ID}">${jsonForScript(data)}</script>
<script>
${assets.chartLibraryJs}
</script>
<script>
${assets.pageJs}
</script>
</body>
</html>
`;
}
