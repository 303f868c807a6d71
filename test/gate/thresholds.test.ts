import { describe, expect, it } from 'vitest';
import { compareResults } from '../../src/gate/compare.ts';
import { formatThreshold, parseThresholdOptions, resolveThreshold } from '../../src/gate/thresholds.ts';
import { MtlsBenchError } from '../../src/errors.ts';
import type { GateSettings } from '../../src/scenario/types.ts';
import { FULL_P50_US, measuredCell, resultsFile, scaled } from './results-fixture.ts';

const SUITE_GATE: GateSettings = { threshold: 0.2, metrics: { 'handshake.full.p99': 0.15, 'requests.p99': null } };

describe('resolveThreshold precedence', () => {
  it('takes a command-line metric threshold first', () => {
    const overrides = parseThresholdOptions(['5%', 'handshake.full.p99=3%']);
    expect(resolveThreshold('handshake.full.p99', overrides, SUITE_GATE)).toEqual({ threshold: 0.03, source: 'option-metric' });
  });

  it('takes a command-line global threshold over the suite', () => {
    const overrides = parseThresholdOptions(['5%']);
    expect(resolveThreshold('handshake.full.p99', overrides, SUITE_GATE)).toEqual({ threshold: 0.05, source: 'option-global' });
    expect(resolveThreshold('requests.p99', overrides, SUITE_GATE)).toEqual({ threshold: 0.05, source: 'option-global' });
  });

  it('takes the suite metric threshold over its global one', () => {
    const overrides = parseThresholdOptions([]);
    expect(resolveThreshold('handshake.full.p99', overrides, SUITE_GATE)).toEqual({ threshold: 0.15, source: 'suite-metric' });
    expect(resolveThreshold('requests.p99', overrides, SUITE_GATE)).toEqual({ threshold: null, source: 'suite-metric' });
  });

  it('falls back to the suite global threshold', () => {
    expect(resolveThreshold('throughput', parseThresholdOptions([]), SUITE_GATE)).toEqual({ threshold: 0.2, source: 'suite-global' });
  });

  it('turns every metric off with off', () => {
    const overrides = parseThresholdOptions(['off', 'throughput=10%']);
    expect(resolveThreshold('handshake.full.p99', overrides, SUITE_GATE).threshold).toBeNull();
    expect(resolveThreshold('throughput', overrides, SUITE_GATE).threshold).toBe(0.1);
  });

  it('uses the base file gate, not the head file gate', () => {
    // The head loosened its own gate to 50%; the base gate of 10% still applies.
    const base = resultsFile([measuredCell({ auth: 'tls' }, { 'handshake.full.p50': FULL_P50_US })], { gate: { threshold: 0.1, metrics: {} } });
    const head = resultsFile([measuredCell({ auth: 'tls' }, { 'handshake.full.p50': scaled(FULL_P50_US, 1.3) })], {
      gate: { threshold: 0.5, metrics: {} },
    });
    const comparison = compareResults(base, head, { mode: 'auto', thresholds: { metrics: {} } });
    expect(comparison.metrics[0]?.threshold).toBe(0.1);
    expect(comparison.metrics[0]?.thresholdSource).toBe('suite-global');
    expect(comparison.passed).toBe(false);
  });
});

describe('parseThresholdOptions', () => {
  it('parses global, per-metric and off thresholds', () => {
    expect(parseThresholdOptions(['12.5%', 'handshake.full.p99=10%', 'requests.p99=off'])).toEqual({
      global: 0.125,
      metrics: { 'handshake.full.p99': 0.1, 'requests.p99': null },
    });
  });

  it.each([
    ['10', '--threshold "10": a threshold needs a percent sign, such as "10%"'],
    ['ten%', '--threshold "ten%": expected a percentage such as "10%" or "off", for every metric or as METRIC=10%'],
    ['2000%', '--threshold "2000%": 2000% is above the maximum of 1000%'],
    ['throughput=fast', '--threshold "throughput=fast": got "fast"; expected a percentage such as "10%" or "off", for every metric or as METRIC=10%'],
    ['throughput=', '--threshold "throughput=": got ""; expected a percentage such as "10%" or "off", for every metric or as METRIC=10%'],
  ])('rejects the value %s', (text, message) => {
    expect(() => parseThresholdOptions([text])).toThrow(message);
  });

  it('suggests the nearest metric name', () => {
    expect(() => parseThresholdOptions(['handshake.ful.p99=10%'])).toThrow(
      '--threshold "handshake.ful.p99=10%": unknown metric "handshake.ful.p99"; did you mean "handshake.full.p99"? Metrics: ' +
        'handshake.full.p50, handshake.full.p99, handshake.resumed.p50, handshake.resumed.p99, requests.p50, requests.p99, ' +
        'throughput, cpu.server, cpu.client',
    );
  });

  it('lists the metrics for a name without a near match', () => {
    expect(() => parseThresholdOptions(['latency=10%'])).toThrow(/unknown metric "latency"; Metrics: handshake\.full\.p50, /);
  });

  it('rejects a metric given twice', () => {
    expect(() => parseThresholdOptions(['throughput=5%', 'throughput=10%'])).toThrow(
      '--threshold "throughput=10%": throughput already has a threshold ("throughput=5%"); give each metric once',
    );
  });

  it('rejects two global thresholds', () => {
    expect(() => parseThresholdOptions(['5%', '10%'])).toThrow(
      '--threshold "10%": the threshold of every metric is already given as "5%"; give it once',
    );
  });

  it('throws INVALID_ARGUMENT', () => {
    let caught: unknown;
    try {
      parseThresholdOptions(['x']);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(MtlsBenchError);
    expect((caught as MtlsBenchError).code).toBe('INVALID_ARGUMENT');
  });
});

describe('formatThreshold', () => {
  it('formats fractions as percentages', () => {
    expect(formatThreshold(0.1)).toBe('10%');
    expect(formatThreshold(0.125)).toBe('12.5%');
    expect(formatThreshold(0.07)).toBe('7%');
    expect(formatThreshold(null)).toBe('off');
  });
});
