import { HandshakeCellMeasurement } from './handshake-cell.ts';
import type { CellContext, CellMeasurement } from './measure-cell.ts';
import { RequestsCellMeasurement } from './requests-cell.ts';

/** Creates the measurement of a cell's workload: new-connection handshakes or keep-alive requests. */
export function createCellMeasurement(context: CellContext): CellMeasurement {
  const { workload } = context.cell;
  return workload.kind === 'handshake'
    ? new HandshakeCellMeasurement(context, workload)
    : new RequestsCellMeasurement(context, workload);
}

/** Measures one cell on its own: warm-up, then every round, then the checks. */
export async function measureCell(context: CellContext): Promise<import('../results/types.ts').CellResult> {
  const measurement = createCellMeasurement(context);
  const failed = await measurement.warmUp();
  if (failed !== null) return failed;
  for (let round = 0; round < context.rounds; round++) await measurement.measureRound();
  return measurement.finish();
}
