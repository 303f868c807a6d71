import type { Cell } from '../scenario/types.ts';
import type { CellResult } from '../results/types.ts';

/**
 * Progress of a run. The runner never prints; it emits these, and the CLI turns them into a
 * progress line on stderr.
 */
export type RunEvent =
  | { type: 'run-start'; cellCount: number }
  | { type: 'phase'; message: string }
  /** A baseline and its mTLS cells, or a cell alone, start: `index` is the first one's. */
  | { type: 'cell-start'; index: number; cellCount: number; cells: Cell[]; elapsedMs: number; estimatedRemainingMs: number | null }
  /** A measured round of the cells last started begins; `round` counts from 0. */
  | { type: 'round-start'; round: number; rounds: number; elapsedMs: number }
  | { type: 'cell-end'; index: number; cellCount: number; result: CellResult; elapsedMs: number }
  | { type: 'run-end'; elapsedMs: number };

export type RunEventListener = (event: RunEvent) => void;
