import { MtlsBenchError } from '../errors.ts';
import { isMetricName, METRIC_NAMES } from '../results/metrics.ts';
import type { MetricName } from '../results/metrics.ts';
import { findNearestName } from '../scenario/messages.ts';
import type { GateSettings } from '../scenario/types.ts';
import { MAX_THRESHOLD_PERCENT, parseThreshold } from './threshold.ts';

/**
 * Thresholds given on the command line, as fractions (0.1 is 10%) or null for `off`. They take
 * precedence over the suite's `gate` section.
 */
export interface ThresholdOverrides {
  /** `--threshold 10%`: every metric without a threshold of its own on the command line. Undefined when not given. */
  global?: number | null;
  /** `--threshold METRIC=10%`. */
  metrics: Partial<Record<MetricName, number | null>>;
}

/**
 * Origin of a metric's threshold, from the highest precedence down: `--threshold METRIC=T`,
 * `--threshold T`, the base file's `gate.metrics`, the base file's `gate.threshold`.
 */
export type ThresholdSource = 'option-metric' | 'option-global' | 'suite-metric' | 'suite-global';

export interface ResolvedThreshold {
  /** Fraction, or null when the metric is not gated. */
  threshold: number | null;
  source: ThresholdSource;
}

/**
 * Resolves a metric's threshold. The gate comes from the base file's suite, never from the head's,
 * so a pull request that loosens its suite's `gate` section does not loosen its own check. The
 * loader fills in the default of 10% when a suite has no `gate`, so `gate.threshold` is always the
 * last word.
 */
export function resolveThreshold(metric: MetricName, overrides: ThresholdOverrides, baseGate: GateSettings): ResolvedThreshold {
  const optionMetric = overrides.metrics[metric];
  if (optionMetric !== undefined) return { threshold: optionMetric, source: 'option-metric' };
  if (overrides.global !== undefined) return { threshold: overrides.global, source: 'option-global' };
  const suiteMetric = baseGate.metrics[metric];
  if (suiteMetric !== undefined) return { threshold: suiteMetric, source: 'suite-metric' };
  return { threshold: baseGate.threshold, source: 'suite-global' };
}

const ACCEPTED = 'expected a percentage such as "10%" or "off", for every metric or as METRIC=10%';

function invalidThreshold(flag: string, text: string, reason: string): MtlsBenchError {
  return new MtlsBenchError('INVALID_ARGUMENT', `${flag} ${JSON.stringify(text)}: ${reason}`);
}

function parseValue(flag: string, text: string, value: string): number | null {
  const fraction = parseThreshold(value);
  if (fraction !== undefined) return fraction;
  const trimmed = value.trim();
  if (/^\d+(?:\.\d+)?%$/.test(trimmed)) {
    throw invalidThreshold(flag, text, `${trimmed} is above the maximum of ${MAX_THRESHOLD_PERCENT}%`);
  }
  if (/^\d+(?:\.\d+)?$/.test(trimmed)) {
    throw invalidThreshold(flag, text, `a threshold needs a percent sign, such as "${trimmed}%"`);
  }
  const got = value === text ? '' : `got ${JSON.stringify(value)}; `;
  throw invalidThreshold(flag, text, `${got}${ACCEPTED}`);
}

function parseMetric(flag: string, text: string, name: string): MetricName {
  if (isMetricName(name)) return name;
  const nearest = findNearestName(name, METRIC_NAMES);
  const hint = nearest === null ? '' : ` did you mean ${JSON.stringify(nearest)}?`;
  throw invalidThreshold(flag, text, `unknown metric ${JSON.stringify(name)};${hint} Metrics: ${METRIC_NAMES.join(', ')}`);
}

/**
 * Parses every `--threshold` given: `10%` for every metric, `METRIC=10%` for one, `off` to gate
 * nothing. Each metric and the global value may be given once. `flag` names the option in messages.
 */
export function parseThresholdOptions(texts: readonly string[], flag = '--threshold'): ThresholdOverrides {
  const overrides: ThresholdOverrides = { metrics: {} };
  const globalTexts: string[] = [];
  const metricTexts = new Map<MetricName, string>();

  for (const text of texts) {
    const separator = text.indexOf('=');
    if (separator === -1) {
      const threshold = parseValue(flag, text, text);
      if (globalTexts.length > 0) {
        throw invalidThreshold(flag, text, `the threshold of every metric is already given as ${JSON.stringify(globalTexts[0])}; give it once`);
      }
      globalTexts.push(text);
      overrides.global = threshold;
      continue;
    }

    const metric = parseMetric(flag, text, text.slice(0, separator).trim());
    const threshold = parseValue(flag, text, text.slice(separator + 1));
    const earlier = metricTexts.get(metric);
    if (earlier !== undefined) {
      throw invalidThreshold(flag, text, `${metric} already has a threshold (${JSON.stringify(earlier)}); give each metric once`);
    }
    metricTexts.set(metric, text);
    overrides.metrics[metric] = threshold;
  }
  return overrides;
}

/** Formats a threshold for tables and messages: 0.1 → `10%`, null → `off`. */
export function formatThreshold(threshold: number | null): string {
  if (threshold === null) return 'off';
  return `${Number((threshold * 100).toFixed(2))}%`;
}
