import type { RunEvent } from '../runner/events.ts';

function formatClock(ms: number): string {
  const totalSeconds = Math.round(ms / 1000);
  const minutes = Math.floor(totalSeconds / 60);
  const seconds = String(totalSeconds % 60).padStart(2, '0');
  return `${minutes}:${seconds}`;
}

/** Returns the progress line for an event, or null when the event changes nothing on screen. */
export function progressLine(event: RunEvent): string | null {
  switch (event.type) {
    case 'phase':
      return event.message;
    case 'cell-start': {
      const remaining = event.estimatedRemainingMs === null ? '' : `, ~${formatClock(event.estimatedRemainingMs)} left`;
      return `cell ${event.index + 1}/${event.cellCount} ${event.cell.id} (${formatClock(event.elapsedMs)} elapsed${remaining})`;
    }
    default:
      return null;
  }
}

/**
 * Creates a listener that keeps one live progress line on a TTY stream, rewriting it in place,
 * and clears it when the run ends. `done()` clears it too, for runs that end by an error.
 */
export function createProgressRenderer(stream: NodeJS.WriteStream): { onEvent: (event: RunEvent) => void; done: () => void } {
  let shown = false;
  const clear = (): void => {
    if (!shown) return;
    stream.write('\r\x1b[2K');
    shown = false;
  };
  return {
    onEvent(event) {
      if (event.type === 'run-end') {
        clear();
        return;
      }
      const line = progressLine(event);
      if (line === null) return;
      const width = stream.columns > 1 ? stream.columns - 1 : 120;
      stream.write(`\r\x1b[2K${line.length > width ? `${line.slice(0, width - 1)}…` : line}`);
      shown = true;
    },
    done: clear,
  };
}
