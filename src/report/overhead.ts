import type { CellResult, MeasuredCell, RunResults } from '../results/types.ts';

/**
 * Cost of mTLS in one cell against its baseline, as ratios mtls/tls (1.25 is 25% more).
 * A ratio is null where either side has no value to divide, for example resumed latency in a
 * cell without resumption.
 */
export interface Overhead {
  cellId: string;
  baselineId: string;
  latencyP50Ratio: number | null;
  latencyP99Ratio: number | null;
  /** Handshakes or requests per second; below 1 means mTLS is slower. */
  throughputRatio: number | null;
  serverCpuRatio: number | null;
  clientCpuRatio: number | null;
}

function ratio(value: number | null | undefined, baseline: number | null | undefined): number | null {
  if (value === undefined || value === null || baseline === undefined || baseline === null || baseline === 0 || value === 0) return null;
  return value / baseline;
}

/**
 * Latency of the operation a cell is about: full handshakes for handshake cells (resumed ones
 * when the cell resumes nearly everything, since then full handshakes are a handful), requests
 * for request cells.
 */
function headlineLatency(cell: MeasuredCell): { p50: number; p99: number } | undefined {
  if (cell.requests !== undefined) return cell.requests.latencyUs;
  if (cell.handshake === undefined) return undefined;
  const { full, resumed } = cell.handshake.latencyUs;
  return resumed.count > full.count ? resumed : full;
}

function throughput(cell: MeasuredCell): number | undefined {
  return cell.requests?.throughputRps ?? cell.handshake?.handshakesPerSec;
}

/** Computes the overhead of a measured mTLS cell against its measured baseline. */
export function overheadOf(cell: MeasuredCell, baseline: MeasuredCell): Overhead {
  const latency = headlineLatency(cell);
  const baselineLatency = headlineLatency(baseline);
  return {
    cellId: cell.id,
    baselineId: baseline.id,
    latencyP50Ratio: ratio(latency?.p50, baselineLatency?.p50),
    latencyP99Ratio: ratio(latency?.p99, baselineLatency?.p99),
    throughputRatio: ratio(throughput(cell), throughput(baseline)),
    serverCpuRatio: ratio(cell.cpu.serverUsPerOp, baseline.cpu.serverUsPerOp),
    clientCpuRatio: ratio(cell.cpu.clientUsPerOp, baseline.cpu.clientUsPerOp),
  };
}

/** Overheads of every measured mTLS cell whose baseline was measured too, by cell id. */
export function overheadsOf(results: RunResults): Map<string, Overhead> {
  const byId = new Map<string, CellResult>(results.cells.map((cell) => [cell.id, cell]));
  const overheads = new Map<string, Overhead>();
  for (const cell of results.cells) {
    if (cell.state !== 'measured' || cell.baselineId === null) continue;
    const baseline = byId.get(cell.baselineId);
    if (baseline?.state !== 'measured') continue;
    overheads.set(cell.id, overheadOf(cell, baseline));
  }
  return overheads;
}

/** Formats a ratio as a signed percentage change: 1.25 → `+25%`, 0.8 → `-20%`. */
export function formatRatioChange(value: number | null): string {
  if (value === null) return 'n/a';
  const percent = Math.round((value - 1) * 100);
  return `${percent >= 0 ? '+' : ''}${percent}%`;
}
