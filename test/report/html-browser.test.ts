/**
 * Opens the HTML report of the fixtures in headless Chromium, driven by playwright-core, and
 * checks what the page shows: every chart drawn with its series, no console error, no request
 * beyond the report file itself, and table sorting. Chromium comes from Debian's packages
 * through scripts/install-chromium.sh; Playwright's own browser download needs hosts that CI
 * cannot reach. Screenshots go to test-output/.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { renderHtmlReport } from '../../src/report/html/index.ts';
import type { RunResults } from '../../src/results/types.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const outputDir = path.join(root, 'test-output');
const CHROMIUM = '/usr/bin/chromium';

/**
 * Flags for Chromium on a machine without network. The background-networking, component-update
 * and sync flags stop Chromium's own connections, which the closed network would refuse. The
 * sandbox is off because it needs kernel features that a container may lack.
 */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Time for the page's script to draw every chart; it took well under a second on 2 cores. */
const READY_TIMEOUT_MS = 15_000;

/** Minimum pixels of a series' colour that count as its line or bars drawn. */
const MIN_SERIES_PIXELS = 20;

const installed = existsSync(CHROMIUM);
if (!installed) {
  console.warn(`HTML report browser tests skipped: ${CHROMIUM} is missing; run "bash scripts/install-chromium.sh" as root`);
}
const describeWithChromium = installed ? describe : describe.skip;

function readFixture(name: 'base' | 'head'): RunResults {
  return JSON.parse(readFileSync(new URL(`fixtures/${name}.json`, import.meta.url), 'utf8')) as RunResults;
}

interface RegisteredChart {
  id: string;
  kind: 'percentiles' | 'bars';
  expectedSeries: number;
  renderedSeries: number;
  colors: string[];
}

interface Registry {
  ready: boolean;
  charts: RegisteredChart[];
  errors: { id: string; message: string }[];
}

/** What the page showed while it loaded: console errors, uncaught exceptions and every request. */
interface PageLog {
  consoleErrors: string[];
  pageErrors: string[];
  requests: string[];
}

async function openReport(context: BrowserContext, file: string): Promise<{ page: Page; log: PageLog; registry: Registry }> {
  const page = await context.newPage();
  const log: PageLog = { consoleErrors: [], pageErrors: [], requests: [] };
  page.on('console', (message) => {
    if (message.type() === 'error') log.consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => log.pageErrors.push(error.message));
  page.on('request', (request) => log.requests.push(request.url()));
  await page.goto(pathToFileURL(file).href);
  await page.waitForFunction(() => (window as unknown as { mtlsReport?: Registry }).mtlsReport?.ready === true, null, {
    timeout: READY_TIMEOUT_MS,
  });
  const registry = await page.evaluate(() => (window as unknown as { mtlsReport: Registry }).mtlsReport);
  return { page, log, registry };
}

/** Counts, per colour, the pixels of a chart's canvas within a small distance of that colour. */
async function countColorPixels(page: Page, chartId: string, colors: string[]): Promise<{ canvases: number; counts: number[] }> {
  return page.evaluate(
    ({ chartId, colors }) => {
      const canvases = [...document.querySelectorAll<HTMLCanvasElement>(`#chart-${CSS.escape(chartId)} canvas`)];
      const targets = colors.map((color) => [1, 3, 5].map((offset) => parseInt(color.slice(offset, offset + 2), 16)));
      const counts = colors.map(() => 0);
      for (const canvas of canvases) {
        const context = canvas.getContext('2d');
        if (context === null || canvas.width === 0 || canvas.height === 0) continue;
        const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
        for (let offset = 0; offset < pixels.length; offset += 4) {
          if (pixels[offset + 3]! < 200) continue;
          targets.forEach((target, index) => {
            const distance =
              Math.abs(pixels[offset]! - target[0]!) + Math.abs(pixels[offset + 1]! - target[1]!) + Math.abs(pixels[offset + 2]! - target[2]!);
            if (distance <= 24) counts[index]!++;
          });
        }
      }
      return { canvases: canvases.length, counts };
    },
    { chartId, colors },
  );
}

/** Reads the sort keys of one column of a table, top to bottom, as numbers or null. */
async function columnSortValues(page: Page, tableId: string, columnIndex: number): Promise<(number | null)[]> {
  return page.evaluate(
    ({ tableId, columnIndex }) =>
      [...document.querySelectorAll<HTMLTableRowElement>(`#${tableId} tbody tr`)].map((row) => {
        const value = row.cells[columnIndex]?.dataset.sort;
        return value === undefined ? null : Number(value);
      }),
    { tableId, columnIndex },
  );
}

function expectNoNetwork(log: PageLog, file: string): void {
  expect(log.requests).toEqual([pathToFileURL(file).href]);
  expect(log.consoleErrors).toEqual([]);
  expect(log.pageErrors).toEqual([]);
}

async function expectChartsDrawn(page: Page, registry: Registry): Promise<void> {
  expect(registry.errors).toEqual([]);
  const specIds = await page.evaluate(() => {
    const element = document.getElementById('mtls-report-data');
    return (JSON.parse(element?.textContent ?? '{"charts":[]}') as { charts: { id: string }[] }).charts.map((chart) => chart.id);
  });
  expect(registry.charts.map((chart) => chart.id)).toEqual(specIds);
  for (const chart of registry.charts) {
    expect(chart.renderedSeries, `${chart.id} series`).toBe(chart.expectedSeries);
    expect(chart.expectedSeries, `${chart.id} series`).toBeGreaterThan(0);
    const { canvases, counts } = await countColorPixels(page, chart.id, chart.colors);
    expect(canvases, `${chart.id} canvases`).toBeGreaterThan(0);
    counts.forEach((count, index) => {
      expect(count, `${chart.id} pixels of series ${index} (${chart.colors[index]})`).toBeGreaterThanOrEqual(MIN_SERIES_PIXELS);
    });
  }
}

describeWithChromium(`HTML report in Chromium${installed ? '' : ' (skipped: chromium is not installed, see scripts/install-chromium.sh)'}`, () => {
  let workDir = '';
  let context: BrowserContext;
  const base = readFixture('base');
  const head = readFixture('head');

  beforeAll(async () => {
    workDir = mkdtempSync(path.join(os.tmpdir(), 'mtls-bench-html-'));
    mkdirSync(outputDir, { recursive: true });
    context = await chromium.launchPersistentContext(path.join(workDir, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 900 },
    });
  });

  afterAll(async () => {
    await context?.close();
    if (workDir !== '') rmSync(workDir, { recursive: true, force: true });
  });

  it('draws every chart of one run offline', async () => {
    const file = path.join(workDir, 'report.html');
    writeFileSync(file, renderHtmlReport(base));
    const { page, log, registry } = await openReport(context, file);

    await expectChartsDrawn(page, registry);
    expect(registry.charts.filter((chart) => chart.kind === 'percentiles')).toHaveLength(8);
    expect(registry.charts.filter((chart) => chart.kind === 'bars')).toHaveLength(3);
    expectNoNetwork(log, file);
    await page.screenshot({ path: path.join(outputDir, 'report.png'), fullPage: true });
    await page.close();
  });

  it('sorts a table by a clicked numeric column', async () => {
    const file = path.join(workDir, 'report-sort.html');
    writeFileSync(file, renderHtmlReport(head));
    const { page, log } = await openReport(context, file);
    const tableId = 'cells-table-0';
    const headers = await page.locator(`#${tableId} thead th`).allTextContents();
    const rateColumn = headers.indexOf('hs/s');
    expect(rateColumn).toBeGreaterThan(0);
    const before = await columnSortValues(page, tableId, rateColumn);
    const numbers = before.filter((value): value is number => value !== null);
    expect(numbers).toHaveLength(before.length);
    const ascending = [...numbers].sort((a, b) => a - b);
    // The fixture's rows are in suite order, not in rate order, so a sort must move them.
    expect(before).not.toEqual(ascending);

    // A click on the middle of the header cell, which is empty space under a one-line label in a
    // two-line header row, sorts as a click on the label does.
    const header = page.locator(`#${tableId} thead th`).nth(rateColumn);
    await header.click();
    expect(await columnSortValues(page, tableId, rateColumn)).toEqual(ascending);
    expect(await page.locator(`#${tableId} thead th`).nth(rateColumn).getAttribute('aria-sort')).toBe('ascending');

    await header.locator('button').click();
    expect(await columnSortValues(page, tableId, rateColumn)).toEqual([...ascending].reverse());
    expect(await page.locator(`#${tableId} thead th`).nth(rateColumn).getAttribute('aria-sort')).toBe('descending');
    expectNoNetwork(log, file);
    await page.close();
  });

  it('sorts failed rows last in both directions', async () => {
    const file = path.join(workDir, 'report-failed.html');
    writeFileSync(file, renderHtmlReport(base));
    const { page } = await openReport(context, file);
    const tableId = 'cells-table-0';
    const headers = await page.locator(`#${tableId} thead th`).allTextContents();
    // A numeric column and a text one.
    for (const column of ['hs/s', 'key type']) {
      const header = page.locator(`#${tableId} thead th`).nth(headers.indexOf(column));
      for (const direction of ['ascending', 'descending']) {
        await header.click();
        const lastRowClass = await page.locator(`#${tableId} tbody tr`).last().getAttribute('class');
        expect(lastRowClass, `${column} ${direction}`).toBe('failed');
      }
    }
    await page.close();
  });

  it('draws base and head overlaid', async () => {
    const file = path.join(workDir, 'report-compare.html');
    writeFileSync(file, renderHtmlReport(head, { base }));
    const { page, log, registry } = await openReport(context, file);

    await expectChartsDrawn(page, registry);
    const overlaid = registry.charts.find((chart) => chart.id === 'w0-percentiles-2');
    expect(overlaid?.renderedSeries).toBe(4);
    expect(await page.locator('#comparison-table tbody tr').count()).toBeGreaterThan(0);
    expectNoNetwork(log, file);
    await page.screenshot({ path: path.join(outputDir, 'report-compare.png'), fullPage: true });
    await page.close();
  });
});
