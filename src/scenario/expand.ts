/**
 * Crosses matrix entries with workloads into cells, in run order: workloads in file order,
 * then matrix order, with every `mtls` cell right after its `tls` baseline.
 */
import type {
  Auth,
  Cell,
  ChainDepth,
  Group,
  KeyType,
  Resumption,
  TlsScenario,
  TlsVersion,
  Workload,
} from './types.ts';

/** Server and client key type of one cell. */
export interface KeyTypePair {
  server: KeyType;
  client: KeyType;
}

/** One matrix object with every axis valid and resolved. Cipher suites are OpenSSL names or null. */
export interface ResolvedMatrixEntry {
  /** `keyType: [a, b]` gives a+a and b+b, while `serverKeyType` and `clientKeyType` give their cross product. */
  keyTypes: KeyTypePair[];
  tlsVersion: TlsVersion[];
  cipherSuite: (string | null)[];
  group: Group[];
  resumption: Resumption[];
  auth: Auth[];
  chainDepth: ChainDepth[];
}

/**
 * Builds a cell id such as `handshake/ecdsa-p256/tls1.3/default/x25519/none/d0/mtls`. Split key
 * types read `server+client`, and a cipher suite reads as its OpenSSL name, or `default`.
 * With a target, `targetLabel` (its `host:port`) follows the workload and the chain depth is left
 * out, because the target's certificates decide it:
 * `handshake/127.0.0.1:18443/ecdsa-p256/tls1.3/default/x25519/none/mtls`.
 */
export function buildCellId(workloadName: string, tls: TlsScenario, targetLabel: string | null = null): string {
  const keyTypeLabel =
    tls.serverKeyType === tls.clientKeyType ? tls.serverKeyType : `${tls.serverKeyType}+${tls.clientKeyType}`;
  return [
    workloadName,
    ...(targetLabel === null ? [] : [targetLabel]),
    keyTypeLabel,
    tls.tlsVersion,
    tls.cipherSuite ?? 'default',
    tls.group,
    tls.resumption,
    ...(targetLabel === null ? [`d${tls.chainDepth}`] : []),
    tls.auth,
  ].join('/');
}

/**
 * Expands every workload with every entry's cross product. When entries overlap, a cell keeps
 * its first position and later copies are dropped. `targetLabel` is the target's `host:port`
 * for a suite with a target (see `buildCellId`), otherwise null.
 */
export function expandCells(
  entries: readonly ResolvedMatrixEntry[],
  workloads: readonly Workload[],
  targetLabel: string | null = null,
): Cell[] {
  const idOf = (workloadName: string, tls: TlsScenario): string => buildCellId(workloadName, tls, targetLabel);
  const cellsById = new Map<string, Cell>();
  for (const workload of workloads) {
    for (const entry of entries) {
      for (const tls of crossEntry(entry)) {
        const id = idOf(workload.name, tls);
        if (!cellsById.has(id)) {
          cellsById.set(id, { id, baselineId: null, tls, workload });
        }
      }
    }
  }

  for (const cell of cellsById.values()) {
    if (cell.tls.auth === 'mtls') {
      const baselineId = idOf(cell.workload.name, { ...cell.tls, auth: 'tls' });
      cell.baselineId = cellsById.has(baselineId) ? baselineId : null;
    }
  }
  return orderPairs(cellsById, idOf);
}

function* crossEntry(entry: ResolvedMatrixEntry): Generator<TlsScenario> {
  for (const { server: serverKeyType, client: clientKeyType } of entry.keyTypes) {
    for (const tlsVersion of entry.tlsVersion) {
      for (const cipherSuite of entry.cipherSuite) {
        for (const group of entry.group) {
          for (const resumption of entry.resumption) {
            for (const chainDepth of entry.chainDepth) {
              for (const auth of entry.auth) {
                yield { serverKeyType, clientKeyType, tlsVersion, cipherSuite, group, resumption, auth, chainDepth };
              }
            }
          }
        }
      }
    }
  }
}

/**
 * Moves each pair together, `tls` first, at the position of whichever half came first. That
 * covers `auth: [mtls, tls]`, and a list of matrix objects that gives `tls` and `mtls` for the
 * same settings in different objects.
 */
function orderPairs(cellsById: Map<string, Cell>, idOf: (workloadName: string, tls: TlsScenario) => string): Cell[] {
  const ordered: Cell[] = [];
  const placed = new Set<string>();
  const place = (cell: Cell | undefined) => {
    if (cell !== undefined && !placed.has(cell.id)) {
      ordered.push(cell);
      placed.add(cell.id);
    }
  };

  for (const cell of cellsById.values()) {
    if (cell.tls.auth === 'tls') {
      place(cell);
      place(cellsById.get(idOf(cell.workload.name, { ...cell.tls, auth: 'mtls' })));
    } else {
      place(cell.baselineId === null ? undefined : cellsById.get(cell.baselineId));
      place(cell);
    }
  }
  return ordered;
}
