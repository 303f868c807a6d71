import type { Cell, TlsScenario } from '../scenario/types.ts';

/**
 * Cells that share one TLS configuration apart from `auth`. They run together: one echo
 * server per auth mode serves every workload of the group, and each mTLS cell runs right
 * after its baseline, so that drift in the machine's speed hits both alike.
 */
export interface CellGroup {
  /** Server configurations the group needs, one per auth mode present. */
  servers: TlsScenario[];
  /** Cells in run order. */
  cells: Cell[];
}

function configurationKey(tls: TlsScenario, withAuth: boolean): string {
  const { auth, ...rest } = tls;
  return JSON.stringify(withAuth ? { ...rest, auth } : rest);
}

/**
 * Groups cells by TLS configuration, keeping the suite's order of first appearance for the
 * groups and, inside a group, the suite's order of the cells (workload by workload, each
 * `tls` cell before its `mtls` partner).
 */
export function planCellGroups(cells: Cell[]): CellGroup[] {
  const groups = new Map<string, CellGroup>();
  for (const cell of cells) {
    const key = configurationKey(cell.tls, false);
    let group = groups.get(key);
    if (group === undefined) {
      group = { servers: [], cells: [] };
      groups.set(key, group);
    }
    group.cells.push(cell);
    if (!group.servers.some((server) => configurationKey(server, true) === configurationKey(cell.tls, true))) {
      group.servers.push(cell.tls);
    }
  }
  return [...groups.values()];
}
