import type { CellResult, CellScenario } from '../../results/types.ts';

/** Scenario fields that tell the cells of one workload apart, in the order labels show them. */
const LABEL_FIELDS: readonly (keyof CellScenario)[] = [
  'keyType',
  'serverKeyType',
  'clientKeyType',
  'tlsVersion',
  'cipherSuite',
  'group',
  'resumption',
  'chainDepth',
  'auth',
];

/**
 * Returns the label fields whose value differs between the cells, less `omit`. One key type
 * stands for both sides unless some cell splits them.
 */
export function varyingFields(cells: readonly CellResult[], omit: readonly (keyof CellScenario)[] = []): (keyof CellScenario)[] {
  const splitKeys = cells.some((cell) => cell.scenario.serverKeyType !== cell.scenario.clientKeyType);
  const hidden = new Set<keyof CellScenario>([...omit, ...(splitKeys ? ['keyType' as const] : ['serverKeyType' as const, 'clientKeyType' as const])]);
  return LABEL_FIELDS.filter((field) => !hidden.has(field) && new Set(cells.map((cell) => String(cell.scenario[field]))).size > 1);
}

/** Resumption values as labels show them, because `none` alone does not say what is absent. */
const RESUMPTION_LABELS: Record<string, string> = { none: 'no resumption', tickets: 'tickets', 'session-ids': 'session IDs' };

/** Labels a cell by the given fields, `ecdsa-p256 · tickets`, or by its workload when no field varies. */
export function scenarioLabel(cell: CellResult, fields: readonly (keyof CellScenario)[], separator = ' · '): string {
  if (fields.length === 0) return cell.scenario.workload;
  return fields
    .map((field) => {
      const value = String(cell.scenario[field]);
      if (field === 'chainDepth') return `chain ${value}`;
      return field === 'resumption' ? (RESUMPTION_LABELS[value] ?? value) : value;
    })
    .join(separator);
}
