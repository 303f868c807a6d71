import { describeMode, formatChange, formatComparedValue, formatMetricThreshold } from '../report/compare-format.ts';
import type { Comparison, MetricComparison } from './types.ts';

/**
 * Renders a comparison as JUnit XML, which CI systems show as test results: one `<testcase>` per
 * gated metric (threshold not `off`), with the cell id as `classname` and `kind/metric` as `name`.
 * A failed metric carries a `<failure>` with base, head, change, interval and threshold.
 */

/**
 * Characters XML 1.0 does not allow at all, even escaped: C0 controls other than tab, newline and
 * carriage return, lone surrogates, U+FFFE and U+FFFF.
 */
const INVALID_XML_CHARS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ud800-\udfff\ufffe\uffff]/g;

/** Escapes text for an attribute value or element content. */
export function escapeXml(text: string): string {
  return text
    .replace(INVALID_XML_CHARS, '\ufffd')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&apos;');
}

function failureText(entry: MetricComparison): string {
  const base = formatComparedValue(entry.kind, entry.metric, entry.base);
  const head = formatComparedValue(entry.kind, entry.metric, entry.head);
  return `base ${base}, head ${head}, change ${formatChange(entry)}, threshold ${formatMetricThreshold(entry)}`;
}

function testcase(entry: MetricComparison): string {
  const open = `    <testcase classname="${escapeXml(entry.cellId)}" name="${escapeXml(`${entry.kind}/${entry.metric}`)}" time="0"`;
  if (!entry.failed) return `${open}/>`;
  const message = `${entry.metric} worse by ${formatChange(entry)}, beyond its threshold of ${formatMetricThreshold(entry)}`;
  return [
    `${open}>`,
    `      <failure type="regression" message="${escapeXml(message)}">${escapeXml(failureText(entry))}</failure>`,
    '    </testcase>',
  ].join('\n');
}

/** Renders the JUnit XML document of a comparison, ending with a newline. */
export function renderComparisonJunit(comparison: Comparison): string {
  const gated = comparison.metrics.filter((entry) => entry.threshold !== null);
  const failures = gated.filter((entry) => entry.failed).length;
  const counts = `tests="${gated.length}" failures="${failures}" errors="0"`;
  const suiteName = escapeXml(`mtls-bench gate: ${comparison.suite}`);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="mtls-bench compare" ${counts}>`,
    `  <testsuite name="${suiteName}" ${counts} skipped="0">`,
    '    <properties>',
    `      <property name="mode" value="${escapeXml(describeMode(comparison))}"/>`,
    '    </properties>',
    ...gated.map(testcase),
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
