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
      const last = event.index + event.cells.length;
      const numbers = event.cells.length === 1 ? `cell ${last}` : `cells ${event.index + 1}-${last}`;
      const id = event.cells.at(-1)?.id ?? '';
      return `${numbers}/${event.cellCount} ${id} (${formatClock(event.elapsedMs)} elapsed${remaining})`;
    }
    default:
      return null;
  }
}

/** Returns the progress line with the round appended, for `round-start` events. */
function withRound(line: string, round: number, rounds: number): string {
  const base = line.replace(/ round \d+\/\d+$/, '');
  return `${base} round ${round + 1}/${rounds}`;
}

/**
 * Creates a listener that keeps one live progress line on a TTY stream, rewriting it in place,
 * and clears it when the run ends. `done()` clears it too, for runs that end by an error.
 */
export function createProgressRenderer(stream: NodeJS.WriteStream): { onEvent: (event: RunEvent) => void; done: () => void } {
  let shown = false;
  let last: string | null = null;
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
      let line: string | null;
      if (event.type === 'round-start') {
        line = last === null ? null : withRound(last, event.round, event.rounds);
      } else {
        line = progressLine(event);
      }
      if (line === null) return;
      last = line;
      const width = stream.columns > 1 ? stream.columns - 1 : 120;
      stream.write(`\r\x1b[2K${line.length > width ? `${line.slice(0, width - 1)}…` : line}`);
      shown = true;
    },
    done: clear,
  };
}
