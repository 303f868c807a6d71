import type { RunResults } from '../../results/types.ts';
import { escapeHtml } from './escape.ts';

const BYTES_PER_GIB = 1024 ** 3;

function formatCryptoFloor(results: RunResults): string {
  const floor = results.cryptoFloor;
  if (floor === null) return 'not measured';
  const round = (value: number | undefined): string => (value === undefined ? '-' : String(Math.round(value)));
  const keyTypes = Object.keys(floor.signUs) as (keyof typeof floor.signUs)[];
  const groups = Object.keys(floor.keyExchangeUs) as (keyof typeof floor.keyExchangeUs)[];
  const signatures = keyTypes.map((keyType) => `${keyType} sign ${round(floor.signUs[keyType])} µs, verify ${round(floor.verifyUs[keyType])} µs`);
  const exchanges = groups.map((group) => `${group} key exchange ${round(floor.keyExchangeUs[group])} µs`);
  return [...signatures, ...exchanges].join('; ');
}

/** Lists the environment block's rows, label first: where and how the run was taken. */
export function environmentRows(results: RunResults): [string, string][] {
  const { environment } = results;
  const rows: [string, string][] = [
    ['tool', `${environment.tool.name} ${environment.tool.version}`],
    ['Node.js', environment.node],
    ['OpenSSL', environment.openssl],
    ['CPU', `${environment.cpu.model} × ${environment.cpu.count}`],
    ['OS', `${environment.os.platform} ${environment.os.release} ${environment.os.arch}`],
    ['memory', `${(environment.totalMemoryBytes / BYTES_PER_GIB).toFixed(1)} GiB`],
    ['machine id', environment.machineId],
    ['suite', results.suite.name],
    ['started', results.startedAt],
    ['finished', results.finishedAt],
    ['rounds per cell', String(results.rounds)],
    ['bounds', results.quick ? '--quick (smoke-test bounds)' : 'the suite’s own'],
    ['filter', results.filter ?? 'none'],
    ['crypto floor', formatCryptoFloor(results)],
  ];
  if (results.partial != null) {
    rows.push(['partial run', `stopped by ${results.partial.stoppedBy} after ${results.cells.length} of ${results.partial.cellsPlanned} cells`]);
  }
  return rows;
}

/** Renders the environment block: one column for a run, or base and head side by side with differing rows marked. */
export function renderEnvironment(head: RunResults, base: RunResults | null): string {
  const headRows = environmentRows(head);
  if (base === null) {
    const rows = headRows.map(([label, value]) => `<tr><th scope="row">${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`);
    return `<table class="environment" id="environment-table">\n${rows.join('\n')}\n</table>`;
  }
  const baseValues = new Map(environmentRows(base));
  const labels = [...new Set([...headRows.map(([label]) => label), ...baseValues.keys()])];
  const headValues = new Map(headRows);
  const rows = labels.map((label) => {
    const baseValue = baseValues.get(label) ?? '-';
    const headValue = headValues.get(label) ?? '-';
    const differs = baseValue !== headValue ? ' class="differs"' : '';
    return `<tr${differs}><th scope="row">${escapeHtml(label)}</th><td>${escapeHtml(baseValue)}</td><td>${escapeHtml(headValue)}</td></tr>`;
  });
  return (
    '<table class="environment" id="environment-table">\n<thead><tr><th></th><th scope="col">base</th><th scope="col">head</th></tr></thead>\n' +
    `<tbody>\n${rows.join('\n')}\n</tbody>\n</table>`
  );
}
