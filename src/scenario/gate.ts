import { parseThreshold } from '../gate/threshold.ts';
import type { MetricName } from '../results/metrics.ts';
import { DEFAULT_GATE_THRESHOLD } from './schema.ts';
import type { GateInput } from './schema.ts';
import type { GateSettings } from './types.ts';

/** Converts a threshold the schema has already accepted. */
function toFraction(text: string): number | null {
  const fraction = parseThreshold(text);
  if (fraction === undefined) throw new Error(`threshold "${text}" passed the schema but does not parse`);
  return fraction;
}

/** Resolves the `gate` field, filling in the default threshold of 10% for every metric. */
export function resolveGate(input: GateInput | undefined): GateSettings {
  const metrics: Partial<Record<MetricName, number | null>> = {};
  for (const [name, text] of Object.entries(input?.metrics ?? {})) {
    if (text !== undefined) metrics[name as MetricName] = toFraction(text);
  }
  const threshold = input?.threshold === undefined ? DEFAULT_GATE_THRESHOLD : toFraction(input.threshold);
  return { threshold, metrics };
}
