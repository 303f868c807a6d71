import { describeCheck } from '../../checks/cell-checks.ts';
import { PHASE_NAMES } from '../../checks/cell-checks.ts';
import type { RunResults } from '../../results/types.ts';
import { escapeHtml, escapeHtmlLines } from './escape.ts';

/** Kind of problem: a cell that was not measured, a failed check of its connections, or a failed or skipped probe of its server. */
export type ProblemKind = 'cell failed' | 'check failed' | 'probe failed' | 'probe skipped';

export interface Problem {
  /** `base` or `head` when the report compares two runs, else null. */
  run: 'base' | 'head' | null;
  cellId: string;
  kind: ProblemKind;
  detail: string;
}

/**
 * Lists the problems of a run: failed cells with their error, failed checks and probes, and
 * skipped probes, which did not test the server. A probe that timed out or hit an error gave no
 * verdict on the server, and counts as failed here because it did not pass.
 */
export function problemsOf(results: RunResults, run: Problem['run']): Problem[] {
  const problems: Problem[] = [];
  for (const cell of results.cells) {
    if (cell.state === 'failed') {
      problems.push({ run, cellId: cell.id, kind: 'cell failed', detail: `${cell.error.code}: ${cell.error.message}` });
    }
    for (const check of cell.checks) {
      if (check.passed) continue;
      problems.push({ run, cellId: cell.id, kind: 'check failed', detail: `in ${PHASE_NAMES[check.phase]}: ${describeCheck(check)}` });
    }
    for (const probe of cell.probes) {
      if (probe.passed) continue;
      const skipped = probe.actual === 'skipped';
      const code = probe.code === null ? '' : ` (${probe.code})`;
      const detail = probe.detail === undefined ? '' : `: ${probe.detail}`;
      problems.push({
        run,
        cellId: cell.id,
        kind: skipped ? 'probe skipped' : 'probe failed',
        detail: skipped ? `${probe.name}${detail}` : `${probe.name}: expected ${probe.expected}, got ${probe.actual}${code}${detail}`,
      });
    }
  }
  return problems;
}

function countOf(problems: readonly Problem[], kind: ProblemKind): number {
  return problems.filter((problem) => problem.kind === kind).length;
}

/** Summarises the problems in one sentence, such as `1 cell failed, 0 checks failed, 0 probes failed`. */
export function describeProblemCounts(problems: readonly Problem[]): string {
  const plural = (count: number, noun: string): string => `${count} ${noun}${count === 1 ? '' : 's'}`;
  const parts = [
    `${plural(countOf(problems, 'cell failed'), 'cell')} failed`,
    `${plural(countOf(problems, 'check failed'), 'check')} failed`,
    `${plural(countOf(problems, 'probe failed'), 'probe')} failed`,
  ];
  const skipped = countOf(problems, 'probe skipped');
  if (skipped > 0) parts.push(`${plural(skipped, 'probe')} skipped`);
  return parts.join(', ');
}

/**
 * Renders the problems block: a line stating that all passed, or the counts and a table with
 * one row per problem, each marked FAILED or SKIPPED.
 */
export function renderProblems(problems: readonly Problem[]): string {
  if (problems.length === 0) {
    return '<p class="all-passed" id="problems-summary">No failed cells, checks or probes: every cell was measured and every check and probe passed.</p>';
  }
  const withRun = problems.some((problem) => problem.run !== null);
  const rows = problems.map((problem) => {
    const mark = problem.kind === 'probe skipped' ? '<span class="mark skipped">SKIPPED</span>' : '<span class="mark failed">FAILED</span>';
    const runCell = withRun ? `<td>${escapeHtml(problem.run ?? '')}</td>` : '';
    const rowClass = problem.kind === 'probe skipped' ? 'skipped' : 'failed';
    return `<tr class="${rowClass}">${runCell}<td>${mark} ${escapeHtml(problem.kind)}</td><td><code>${escapeHtml(problem.cellId)}</code></td><td>${escapeHtmlLines(problem.detail)}</td></tr>`;
  });
  const head = `<tr>${withRun ? '<th scope="col">run</th>' : ''}<th scope="col">problem</th><th scope="col">cell</th><th scope="col">detail</th></tr>`;
  return (
    `<p class="problem-summary" id="problems-summary">${escapeHtml(describeProblemCounts(problems))}</p>\n` +
    `<table class="problems" id="problems-table">\n<thead>${head}</thead>\n<tbody>\n${rows.join('\n')}\n</tbody>\n</table>`
  );
}
