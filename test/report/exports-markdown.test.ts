import { readFileSync } from 'node:fs';
import { marked } from 'marked';
import type { Token, Tokens } from 'marked';
import { describe, expect, it } from 'vitest';
import { renderMarkdownReport } from '../../src/report/markdown.ts';
import { buildWorkloadReports, renderTables } from '../../src/report/table.ts';
import type { TableModel } from '../../src/report/table.ts';
import type { FailedCell, MeasuredCell, RunResults } from '../../src/results/types.ts';

function loadFixture(name: 'base' | 'head'): RunResults {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), 'utf8')) as RunResults;
}

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>' };

/**
 * Returns the text a reader sees in inline tokens, with `<br>` as a line break. Throws on any
 * other formatting (emphasis, links, code, HTML), which escaped text must never produce.
 */
function plainText(tokens: readonly Token[]): string {
  return tokens
    .map((token) => {
      if (token.type === 'escape') return token.text;
      if (token.type === 'text') return token.text.replace(/&(amp|lt|gt);/g, (entity: string) => ENTITIES[entity]!);
      if (token.type === 'html' && token.raw === '<br>') return '\n';
      throw new Error(`unexpected Markdown ${token.type}: ${JSON.stringify(token.raw)}`);
    })
    .join('');
}

/** Reads back the tables of a Markdown document with a GFM parser (marked), each as its cell texts. */
function tablesOf(markdown: string): TableModel[] {
  return marked
    .lexer(markdown)
    .filter((token): token is Tokens.Table => token.type === 'table')
    .map((table) => ({
      head: table.header.map((cell) => plainText(cell.tokens)),
      rows: table.rows.map((row) => row.map((cell) => plainText(cell.tokens))),
    }));
}

/** Returns the tables of the terminal report's model, in the order the Markdown shows them. */
function modelTables(results: RunResults): TableModel[] {
  return buildWorkloadReports(results).flatMap((report) =>
    report.overhead !== null && 'table' in report.overhead ? [report.figures, report.overhead.table] : [report.figures],
  );
}

const base = loadFixture('base');
const head = loadFixture('head');
const FULL_TLS = 'handshake/ecdsa-p256/tls1.3/default/x25519/none/d0/tls';

describe('Markdown export', () => {
  it('shows the tables of the terminal report', () => {
    for (const results of [base, head]) {
      const tables = tablesOf(renderMarkdownReport(results));

      expect(tables).toEqual(modelTables(results));
      expect(tables).toHaveLength(4);
    }
  });

  it('gives every row as many cells as the header', () => {
    const markdown = renderMarkdownReport(base);
    const lines = markdown.split('\n').filter((line) => line.startsWith('|'));

    expect(lines.length).toBeGreaterThan(20);
    for (const table of tablesOf(markdown)) {
      for (const row of table.rows) expect(row).toHaveLength(table.head.length);
    }
    // Every unescaped pipe separates cells, so a line has one more of them than the table has columns.
    const columnCounts = new Set(tablesOf(markdown).map((table) => table.head.length));
    for (const line of lines) {
      const pipes = line.replaceAll('\\|', '').split('|').length - 1;
      expect(columnCounts.has(pipes - 1), line).toBe(true);
    }
  });

  it('matches the terminal table values', () => {
    const terminal = renderTables(base, { color: false }).split('\n');
    const figures = tablesOf(renderMarkdownReport(base))[0]!;

    // Rows whose cells are all one line appear as one terminal line each.
    const singleLineRows = figures.rows.filter((row) => row.every((cell) => !cell.includes('\n')));
    expect(singleLineRows.length).toBeGreaterThan(5);
    for (const row of singleLineRows) {
      const line = terminal.find(
        (candidate) => candidate.startsWith('│') && candidate.split('│').slice(1, -1).map((cell) => cell.trim()).join('\t') === row.join('\t'),
      );
      expect(line, row.join(' | ')).toBeDefined();
    }
  });

  it('writes the heading, run and environment', () => {
    const lines = renderMarkdownReport(base).split('\n');

    expect(lines[0]).toBe('## mtls-bench: suite "report-fixture"');
    expect(lines[2]).toBe('Run from 2026-12-05T03:34:31Z to 2026-12-05T03:34:57Z: 16 cells (1 failed), 5 rounds per cell.');
    expect(lines[4]).toBe(
      'Environment: mtls-bench 0.1.0, Node.js 20.20.2, OpenSSL 3.0.19, 2 × AMD EPYC, linux 6.18.44-fc-v1272 x64, 23.5 GiB memory, ' +
        'machine id 88919f81c70469bc.',
    );
    expect(lines).toContain('### handshake workload "handshake"');
    expect(lines).toContain('### requests workload "requests"');
  });

  it('marks a partial run in the heading', () => {
    const partial: RunResults = { ...base, partial: { stoppedBy: 'SIGINT', cellsPlanned: 24 } };

    const [heading] = renderMarkdownReport(partial).split('\n');

    expect(heading).toBe('## mtls-bench: suite "report-fixture" (partial run: stopped by SIGINT after 16 of 24 cells)');
  });

  it('lists the failed cell under its table', () => {
    const tokens = marked.lexer(renderMarkdownReport(base));
    const list = tokens.find((token): token is Tokens.List => token.type === 'list');
    const failed = base.cells.find((cell): cell is FailedCell => cell.state === 'failed')!;

    expect(list?.items).toHaveLength(1);
    const item = list!.items[0]!.tokens[0] as Tokens.Text;
    expect(plainText(item.tokens!)).toBe(`[1] ${failed.id}: FAILED SERVER_FAILED: ${failed.error.message}`);
  });

  it('escapes Markdown in values and notes', () => {
    const cell = base.cells.find((candidate) => candidate.id === FULL_TLS) as MeasuredCell;
    const cipherSuite = 'A|B *x* _y_ `z` <b>&amp; [l](u) ~s~ \\';
    const failedCell: FailedCell = {
      ...cell,
      id: 'handshake/# heading',
      state: 'failed',
      error: { code: 'RUN_FAILED', message: '| pipe\n- not a list\n<script>' },
    };
    const results: RunResults = { ...base, cells: [cell, { ...failedCell, scenario: { ...cell.scenario, cipherSuite } }] };
    const markdown = renderMarkdownReport(results);

    const [figures] = tablesOf(markdown);
    expect(figures?.head).toContain('cipher suite');
    expect(figures?.rows[1]).toContain(cipherSuite);
    expect(figures?.rows.every((row) => row.length === figures.head.length)).toBe(true);
    const list = marked.lexer(markdown).find((token): token is Tokens.List => token.type === 'list');
    const item = list!.items[0]!.tokens[0] as Tokens.Text;
    expect(plainText(item.tokens!)).toBe('[1] handshake/# heading: FAILED RUN_FAILED: | pipe\n- not a list\n<script>');
    expect(markdown).not.toContain('<script>');
  });

  it('escapes notes that would start a block', () => {
    const cell = base.cells.find((candidate) => candidate.id === FULL_TLS) as MeasuredCell;
    const ids = ['# heading', '1. ordered', '+ bullet', '- dash', '= setext'];
    const cells = ids.map((id): MeasuredCell => ({ ...cell, id, handshake: { ...cell.handshake!, clientResourceErrors: { EMFILE: 3 } } }));

    const list = marked.lexer(renderMarkdownReport({ ...base, cells })).find((token): token is Tokens.List => token.type === 'list');

    expect(list?.items).toHaveLength(ids.length);
    list!.items.forEach((item, index) => {
      expect(item.tokens.map((token) => token.type)).toEqual(['text']);
      expect(plainText((item.tokens[0] as Tokens.Text).tokens!).startsWith(`${ids[index]}: client resource errors`)).toBe(true);
    });
  });

  it('is pure', () => {
    const before = JSON.stringify(base);

    expect(renderMarkdownReport(base)).toBe(renderMarkdownReport(base));
    expect(JSON.stringify(base)).toBe(before);
  });
});
