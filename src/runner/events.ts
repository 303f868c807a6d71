import type { Cell } from '../scenario/types.ts';
import type { CellResult } from '../results/types.ts';

/**
 * Progress of a run. The runner never prints; it emits these, and the CLI turns them into a
 * progress line on stderr.
 */
export type RunEvent =
  | { type: 'run-start'; cellCount: number }
  | { type: 'phase'; message: string }
  | { type: 'cell-start'; index: number; cellCount: number; cell: Cell; elapsedMs: number; estimatedRemainingMs: number | null }
  | { type: 'cell-end'; index: number; cellCount: number; result: CellResult; elapsedMs: number }
  | { type: 'run-end'; elapsedMs: number };

export type RunEventListener = (event: RunEvent) => void;
