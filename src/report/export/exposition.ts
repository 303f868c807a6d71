/**
 * Writer of the Prometheus text exposition format (version 0.0.4), the format that
 * node_exporter's textfile collector reads and that a Pushgateway accepts in a push.
 *
 * Samples carry no timestamps, because the textfile collector rejects files that have them and
 * the Pushgateway rejects pushes that have them. Each family is written once, with its `# HELP`
 * and `# TYPE` lines and then all its samples, since parsers reject a family that appears twice.
 */

/** Family types this writer produces. A summary's samples are its quantiles, `_sum` and `_count`. */
export type FamilyType = 'counter' | 'gauge' | 'summary';

/** Label names and values of one sample, in the order they are written. */
export type Labels = readonly (readonly [name: string, value: string])[];

interface Sample {
  /** Appended to the family name: `_sum` or `_count` of a summary, otherwise empty. */
  suffix: '' | '_sum' | '_count';
  labels: Labels;
  value: number;
}

/** One metric family: its name, type, help text and samples. */
export class MetricFamily {
  readonly samples: Sample[] = [];

  constructor(
    readonly name: string,
    readonly type: FamilyType,
    readonly help: string,
  ) {}

  /** Adds a counter's or gauge's sample. */
  add(labels: Labels, value: number): void {
    this.samples.push({ suffix: '', labels, value });
  }

  /**
   * Adds one series of a summary: a sample per quantile (`quantile` is the last label), then
   * `_sum` and `_count`. A summary of no observations has only `_sum` and `_count`, both 0.
   */
  addSummary(labels: Labels, quantiles: readonly (readonly [quantile: number, value: number])[], sum: number, count: number): void {
    for (const [quantile, value] of quantiles) {
      this.samples.push({ suffix: '', labels: [...labels, ['quantile', String(quantile)]], value });
    }
    this.samples.push({ suffix: '_sum', labels, value: sum }, { suffix: '_count', labels, value: count });
  }
}

/** Escapes a label value: backslash, double quote and line feed are the characters the format escapes. */
export function escapeLabelValue(value: string): string {
  return value.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n');
}

/** Escapes help text, in which only backslash and line feed are escaped. */
function escapeHelp(help: string): string {
  return help.replaceAll('\\', '\\\\').replaceAll('\n', '\\n');
}

/** Formats a sample value: a number's shortest round-trip form, or `NaN`, `+Inf` and `-Inf` as the format spells them. */
export function formatSampleValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function formatLabels(labels: Labels): string {
  if (labels.length === 0) return '';
  const pairs = labels.map(([name, value]) => {
    // Names come from this module's callers, never from results, so a bad one is a bug here.
    if (!LABEL_NAME.test(name) || name.startsWith('__')) throw new Error(`invalid Prometheus label name ${JSON.stringify(name)}`);
    return `${name}="${escapeLabelValue(value)}"`;
  });
  return `{${pairs.join(',')}}`;
}

/**
 * Renders the families in the given order, leaving out those without samples, as text that
 * ends with a line feed. Throws on an invalid metric or label name, or on a family name used twice.
 */
export function renderExposition(families: readonly MetricFamily[]): string {
  const seen = new Set<string>();
  const lines: string[] = [];
  for (const family of families) {
    if (!METRIC_NAME.test(family.name)) throw new Error(`invalid Prometheus metric name ${JSON.stringify(family.name)}`);
    if (seen.has(family.name)) throw new Error(`Prometheus metric family ${family.name} is defined twice`);
    seen.add(family.name);
    if (family.samples.length === 0) continue;

    lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} ${family.type}`);
    for (const sample of family.samples) {
      lines.push(`${family.name}${sample.suffix}${formatLabels(sample.labels)} ${formatSampleValue(sample.value)}`);
    }
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}
