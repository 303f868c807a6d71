/**
 * Text of the soak table and verdict. Rows are printed one at a time as the samples come, so
 * the columns have fixed widths instead of a table that sizes itself to all rows.
 */
import type { SoakSample } from './samples.ts';
import type { SoakVerdict } from './verdict.ts';

const COLUMNS = [
  { title: 'iteration', width: 9 },
  { title: 'elapsed s', width: 9 },
  { title: 'RSS MiB', width: 8 },
  { title: 'heap MiB', width: 8 },
  { title: 'fds', width: 5 },
  { title: 'threads', width: 7 },
  { title: 'children', width: 8 },
  { title: 'temp dirs', width: 9 },
  { title: 'failed cells', width: 12 },
] as const;

function joinCells(cells: readonly string[]): string {
  return cells.map((cell, index) => (index === 0 ? cell.padEnd(COLUMNS[0].width) : cell.padStart(COLUMNS[index]?.width ?? 0))).join('  ');
}

/** Returns the table heading, with a second line that explains what the counted columns count. */
export function renderSampleHeading(): string {
  return `${joinCells(COLUMNS.map((column) => column.title))}\n(memory after a full GC; children and temp dirs count only those new since the start sample)`;
}

/** Returns one table row for a sample. */
export function renderSampleRow(sample: SoakSample): string {
  return joinCells([
    String(sample.label),
    sample.elapsedS.toFixed(1),
    sample.rssMiB.toFixed(1),
    sample.heapUsedMiB.toFixed(1),
    String(sample.openFds),
    String(sample.threads),
    String(sample.newChildren.length),
    String(sample.newTempDirs.length),
    sample.failedCells === null ? '-' : `${sample.failedCells} of ${sample.cellCount ?? '?'}`,
  ]);
}

/** Returns the verdict: one line per check, then the overall result. */
export function renderVerdict(verdict: SoakVerdict): string {
  const width = Math.max(...verdict.checks.map((check) => check.name.length));
  const lines = verdict.checks.map((check) => `  ${check.passed ? 'pass' : 'FAIL'}  ${check.name.padEnd(width)}  ${check.detail}`);
  const failed = verdict.checks.filter((check) => !check.passed).length;
  const summary = verdict.passed ? 'verdict: pass, nothing leaked' : `verdict: FAIL, ${failed} of ${verdict.checks.length} checks failed`;
  return `${lines.join('\n')}\n${summary}`;
}
