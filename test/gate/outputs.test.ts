import { describe, expect, it } from 'vitest';
import { compareResults } from '../../src/gate/compare.ts';
import { serializeComparison } from '../../src/gate/json.ts';
import { escapeXml, renderComparisonJunit } from '../../src/gate/junit.ts';
import { renderComparisonMarkdown } from '../../src/gate/markdown.ts';
import type { Comparison } from '../../src/gate/types.ts';
import { abbreviateIds, formatMetricThreshold, formatPercentChange } from '../../src/report/compare-format.ts';
import { renderComparisonTables } from '../../src/report/compare-table.ts';
import { cellId, failedCell, FULL_P50_US, FULL_P50_US_OVERLAPPING, measuredCell, resultsFile, scaled } from './results-fixture.ts';

const TLS = { auth: 'tls' } as const;
const MTLS = { auth: 'mtls' } as const;
const RSA_TLS = { auth: 'tls', keyType: 'rsa-2048' } as const;
const ODD_ID = 'handshake/a<b&c"d\'e>\u0001/mtls';

/**
 * Base and head on one machine: the TLS cell unchanged, the mTLS cell 30% slower (fails), the RSA
 * cell 5% slower (worse within the threshold), the cell with an odd id 40% faster, and requests.p99
 * ungated by the suite.
 */
function sampleComparison(): Comparison {
  const gate = { threshold: 0.1, metrics: { 'requests.p99': null } };
  const odd = (values: number[]) => ({ ...measuredCell(TLS, { 'handshake.full.p50': values }), id: ODD_ID });
  const base = resultsFile(
    [
      measuredCell(TLS, { 'handshake.full.p50': FULL_P50_US, 'requests.p99': FULL_P50_US }),
      measuredCell(MTLS, { 'handshake.full.p50': scaled(FULL_P50_US, 2) }),
      measuredCell(RSA_TLS, { 'handshake.full.p50': FULL_P50_US }),
      odd(FULL_P50_US),
      measuredCell({ auth: 'mtls', keyType: 'rsa-2048' }, { 'handshake.full.p50': FULL_P50_US }),
    ],
    { gate },
  );
  const head = resultsFile(
    [
      measuredCell(TLS, { 'handshake.full.p50': FULL_P50_US_OVERLAPPING, 'requests.p99': scaled(FULL_P50_US, 3) }),
      measuredCell(MTLS, { 'handshake.full.p50': scaled(FULL_P50_US, 2.6) }),
      measuredCell(RSA_TLS, { 'handshake.full.p50': scaled(FULL_P50_US, 1.05) }),
      odd(scaled(FULL_P50_US, 0.6)),
      failedCell({ auth: 'mtls', keyType: 'rsa-2048' }, 'accepted a client with <no> certificate | at all'),
    ],
    { gate },
  );
  return compareResults(base, head, { mode: 'auto', thresholds: { metrics: {} } });
}

function unescapeXml(text: string): string {
  return text
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&quot;', '"')
    .replaceAll('&apos;', "'")
    .replaceAll('&amp;', '&');
}

describe('formatMetricThreshold', () => {
  it('shows the rate drop a threshold allows', () => {
    expect(formatMetricThreshold({ metric: 'throughput', threshold: 0.1 })).toBe('10% (rate -9.1%)');
    expect(formatMetricThreshold({ metric: 'handshake.full.p50', threshold: 0.1 })).toBe('10%');
    expect(formatMetricThreshold({ metric: 'throughput', threshold: null })).toBe('off');
  });
});

describe('comparison fixture', () => {
  it('has the verdicts the outputs show', () => {
    const comparison = sampleComparison();
    expect(comparison.counts).toEqual({ compared: 5, worse: 3, better: 1, unchanged: 1, failed: 1 });
  });
});

describe('renderComparisonTables', () => {
  it('shows each change with its interval and verdict', () => {
    const text = renderComparisonTables(sampleComparison(), { color: false });
    expect(text).toContain('handshake.full.p50, absolute, µs');
    expect(text).toMatch(/│ handshake\/ecdsa-p256\/tls1\.3\/default\/x25519\/none\/d0\/mtls │ 2000 │ 2600 │ \+30\.0% \[\+\d+\.\d, \+\d+\.\d\] │ FAIL +│ 10% +│/);
    expect(text).toMatch(/│ \(-?\+?\d\.\d% \[-\d\.\d, \+\d\.\d\]\)\s+│ ~ /);
    expect(text).toMatch(/requests\.p99, absolute, µs\n[^]*│ worse +│ off +│/);
  });

  it('ends with mode, counts and each failed metric', () => {
    const lines = renderComparisonTables(sampleComparison(), { color: false }).split('\n');
    expect(lines.slice(-5)).toEqual([
      'suite "gate-test", absolute mode: same machine (machine id a1b2c3d4…)',
      '5 metrics compared: 3 worse, 1 better, 1 ~',
      `not compared: ${cellId({ auth: 'mtls', keyType: 'rsa-2048' })}: failed in head: PROBE_FAILED: accepted a client with <no> certificate | at all`,
      'gate FAILED: 1 metric is worse beyond its threshold',
      expect.stringMatching(new RegExp(`^  ${cellId(MTLS)} absolute handshake\\.full\\.p50: \\+30\\.0% \\[.*\\], threshold 10%$`)),
    ]);
  });

  it('replaces control characters in ids', () => {
    const text = renderComparisonTables(sampleComparison(), { color: false });
    expect(text).toContain('│ handshake/a<b&c"d\'e>\ufffd/mtls ');
    expect(text).not.toContain('\u0001');
  });

  it('colours only when asked', () => {
    expect(renderComparisonTables(sampleComparison(), { color: false })).not.toContain('\u001b[');
    expect(renderComparisonTables(sampleComparison(), { color: true })).toContain('\u001b[31mFAIL\u001b[39m');
  });
});

describe('abbreviateIds', () => {
  it('keeps the segments that differ', () => {
    expect(abbreviateIds(['h/rsa/tls1.3/none/tls', 'h/rsa/tls1.3/none/mtls', 'h/ed/tls1.3/none/mtls'])).toEqual({
      pattern: 'h/*/tls1.3/none/*',
      short: ['rsa/tls', 'rsa/mtls', 'ed/mtls'],
    });
  });

  it('keeps ids of different shapes whole', () => {
    expect(abbreviateIds(['a/b', 'a/b/c'])).toEqual({ pattern: null, short: ['a/b', 'a/b/c'] });
  });
});

describe('formatPercentChange', () => {
  it('signs the change', () => {
    expect(formatPercentChange(1.123)).toBe('+12.3%');
    expect(formatPercentChange(0.9)).toBe('-10.0%');
    expect(formatPercentChange(0.99999)).toBe('+0.0%');
  });
});

describe('renderComparisonMarkdown', () => {
  it('starts with the outcome and counts', () => {
    const [first] = renderComparisonMarkdown(sampleComparison()).split('\n');
    expect(first).toBe(
      '**mtls-bench gate failed** for suite "gate-test": 1 of 5 metrics worse beyond their threshold. 5 metrics compared: 3 worse, 1 better, 1 ~.',
    );
  });

  it('lists failed metrics before the details', () => {
    const markdown = renderComparisonMarkdown(sampleComparison());
    const failedRow = `| \`${cellId(MTLS)}\` | absolute | handshake.full.p50 | 2000 | 2600 |`;
    expect(markdown).toContain(failedRow);
    expect(markdown.indexOf(failedRow)).toBeLessThan(markdown.indexOf('<details><summary>All 5 comparisons</summary>'));
    expect(markdown.trimEnd().endsWith('</details>')).toBe(true);
  });

  it('escapes pipes and HTML in cells', () => {
    const markdown = renderComparisonMarkdown(sampleComparison());
    expect(markdown).toContain('accepted a client with &lt;no&gt; certificate \\| at all');
    expect(markdown).not.toContain('<no>');
  });

  it('says passed when nothing failed', () => {
    const base = resultsFile([measuredCell(TLS, { 'handshake.full.p50': FULL_P50_US })]);
    const comparison = compareResults(base, base, { mode: 'auto', thresholds: { metrics: {} } });
    expect(renderComparisonMarkdown(comparison)).toMatch(/^\*\*mtls-bench gate passed\*\* for suite "gate-test": no metric is worse/);
  });
});

describe('renderComparisonJunit', () => {
  const xml = renderComparisonJunit(sampleComparison());

  it('has one test case per gated metric', () => {
    // requests.p99 is off in the suite gate, so 4 of the 5 comparisons are test cases.
    expect(xml.match(/<testcase /g)).toHaveLength(4);
    expect(xml).toContain('<testsuites name="mtls-bench compare" tests="4" failures="1" errors="0">');
    expect(xml).not.toContain('requests.p99');
  });

  it('reports the failed metric', () => {
    expect(xml.match(/<failure /g)).toHaveLength(1);
    const failure = xml.match(/<testcase classname="([^"]*)" name="([^"]*)" time="0">\n\s*<failure type="regression" message="([^"]*)">([^<]*)<\/failure>/);
    expect(failure?.[1]).toBe(cellId(MTLS));
    expect(failure?.[2]).toBe('absolute/handshake.full.p50');
    expect(failure?.[3]).toMatch(/^handshake\.full\.p50 worse by \+30\.0% \[.*\], beyond its threshold of 10%$/);
    expect(failure?.[4]).toMatch(/^base 2000, head 2600, change \+30\.0% \[.*\], threshold 10%$/);
  });

  it('escapes ids in attributes', () => {
    const classnames = [...xml.matchAll(/classname="([^"]*)"/g)].map((match) => unescapeXml(match[1] ?? ''));
    expect(classnames).toContain('handshake/a<b&c"d\'e>\ufffd/mtls');
    expect(xml).toContain('classname="handshake/a&lt;b&amp;c&quot;d&apos;e&gt;\ufffd/mtls"');
    expect(xml).not.toContain('\u0001');
  });

  it('escapes every markup character', () => {
    expect(escapeXml('<a href="x">&\'</a>')).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;');
  });
});

describe('serializeComparison', () => {
  it('round-trips through JSON', () => {
    const comparison = sampleComparison();
    const parsed = JSON.parse(serializeComparison(comparison)) as Comparison;
    expect(parsed).toEqual(comparison);
    expect(parsed.formatVersion).toBe(1);
  });
});
