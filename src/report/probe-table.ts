import Table from 'cli-table3';
import type { ConfigurationProbes, ProbeOutcome } from '../probes/types.ts';

export interface ProbeTableOptions {
  /** Colour the headers and borders. The CLI turns it off for NO_COLOR and non-TTY output. */
  color: boolean;
}

const HEADERS = ['configuration', 'probe', 'expected', 'actual', 'code', 'result'];

function resultOf(outcome: ProbeOutcome): string {
  if (outcome.actual === 'skipped') return 'skipped';
  return outcome.passed ? 'pass' : 'FAIL';
}

/**
 * Renders one row per probe, the configuration named on its first row only, followed by a
 * line with the detail of every failed or skipped probe. Returns the text; the caller
 * decides where it goes.
 */
export function renderProbeTable(configurations: readonly ConfigurationProbes[], options: ProbeTableOptions): string {
  const table = new Table({
    head: HEADERS,
    // No rule between body rows, like the results tables. A configuration's rows read as one block.
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
    style: { head: options.color ? ['cyan'] : [], border: options.color ? ['grey'] : [] },
  });
  const notes: string[] = [];

  for (const { configuration, outcomes } of configurations) {
    for (const [index, outcome] of outcomes.entries()) {
      table.push([
        index === 0 ? configuration : '',
        outcome.name,
        outcome.expected,
        outcome.actual,
        outcome.code ?? '-',
        resultOf(outcome),
      ]);
      if (!outcome.passed && outcome.detail !== undefined) {
        notes.push(`${configuration} ${outcome.name}: ${resultOf(outcome)}: ${outcome.detail}`);
      }
    }
  }

  return notes.length === 0 ? table.toString() : `${table.toString()}\n${notes.join('\n')}`;
}

/** Summarises probe outcomes in one line, for example `72 of 72 probes passed in 12 configurations`. */
export function summarizeProbes(configurations: readonly ConfigurationProbes[]): string {
  const outcomes = configurations.flatMap((configuration) => configuration.outcomes);
  const skipped = outcomes.filter((outcome) => outcome.actual === 'skipped').length;
  const passed = outcomes.filter((outcome) => outcome.passed).length;
  const ran = outcomes.length - skipped;
  const plural = configurations.length === 1 ? 'configuration' : 'configurations';
  const skippedNote = skipped === 0 ? '' : `, ${skipped} skipped`;
  return `${passed} of ${ran} probes passed in ${configurations.length} ${plural}${skippedNote}`;
}
