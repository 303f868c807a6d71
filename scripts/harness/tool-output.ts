/**
 * Parsers for the text that `openssl s_time` (OpenSSL 3.0) and `wrk` (4.1) print. Both tools
 * print a human-readable report and nothing machine-readable, so these functions read the
 * summary lines and throw `ToolOutputError` when a line they need is missing.
 */

/** Output of a tool that does not contain the summary it should. */
export class ToolOutputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ToolOutputError';
  }
}

/** Figures of one `openssl s_time` timing block (`-new` or `-reuse`). */
export interface STimeReport {
  /** `reuse` when the block follows "Now timing with session id reuse.", else `new`. */
  mode: 'new' | 'reuse';
  /** Connections completed in the timed loop. In `-reuse` mode the first, untimed connection is not counted. */
  connections: number;
  /** CPU time of the s_time process in user mode, in seconds: s_time's "connections/user sec" divides by it. */
  userSeconds: number;
  /** Bytes the timed connections read after their handshakes: 0 without `-www`, the responses with it. */
  bytesRead: number;
  /**
   * Wall time as s_time reports it: whole seconds of `time(NULL)`, so a `-time 1` run reports 1 or 2.
   * Too coarse for a rate; measure the wall time of the process instead.
   */
  realSeconds: number;
  /** Progress marks: `*` for a connection that did a full handshake, `r` for one that resumed. */
  fullMarks: number;
  resumedMarks: number;
}

const STIME_USER_LINE = /^(\d+) connections in ([\d.]+)s; [\d.]+ connections\/user sec, bytes read (\d+)$/;
const STIME_REAL_LINE = /^(\d+) connections in (\d+) real seconds, \d+ bytes read per connection$/;
const STIME_PROGRESS_LINE = /^[*r]+$/;
const STIME_REUSE_HEADING = 'Now timing with session id reuse.';

function firstLineOf(text: string): string {
  const line = text.split('\n').find((candidate) => candidate.trim() !== '');
  return line === undefined ? '(no output)' : JSON.stringify(line.trim().slice(0, 200));
}

/**
 * Parses the standard output of one `openssl s_time -new` or `-reuse` run, with or without `-www`. Throws
 * `ToolOutputError` when the output has no summary line, as when s_time stopped at an error,
 * or more than one timing block, as when neither `-new` nor `-reuse` was given.
 */
export function parseSTimeOutput(stdout: string): STimeReport {
  const lines = stdout.split('\n').map((line) => line.trim());
  const userLines = lines.map((line) => STIME_USER_LINE.exec(line)).filter((match) => match !== null);
  const realLines = lines.map((line) => STIME_REAL_LINE.exec(line)).filter((match) => match !== null);
  if (userLines.length === 0 || realLines.length === 0) {
    throw new ToolOutputError(`openssl s_time printed no "N connections in ..." summary; its output starts with ${firstLineOf(stdout)}`);
  }
  if (userLines.length > 1 || realLines.length > 1) {
    throw new ToolOutputError(`openssl s_time printed ${userLines.length} timing blocks; expected one (run it with -new or -reuse)`);
  }
  const [, connectionsText = '', userSecondsText = '', bytesReadText = ''] = userLines[0] ?? [];
  const [, realConnectionsText = '', realSecondsText = ''] = realLines[0] ?? [];
  const connections = Number(connectionsText);
  if (Number(realConnectionsText) !== connections) {
    throw new ToolOutputError(`openssl s_time reported ${connections} and ${realConnectionsText} connections for one run`);
  }

  let fullMarks = 0;
  let resumedMarks = 0;
  for (const line of lines) {
    if (!STIME_PROGRESS_LINE.test(line)) continue;
    for (const mark of line) {
      if (mark === 'r') resumedMarks++;
      else fullMarks++;
    }
  }

  return {
    mode: lines.includes(STIME_REUSE_HEADING) ? 'reuse' : 'new',
    connections,
    userSeconds: Number(userSecondsText),
    bytesRead: Number(bytesReadText),
    realSeconds: Number(realSecondsText),
    fullMarks,
    resumedMarks,
  };
}

/** Figures of one `wrk` run. */
export interface WrkReport {
  /** Responses wrk counted, whatever their status. */
  requests: number;
  /** Run time as wrk prints it, converted to microseconds: three significant digits at most. */
  durationUs: number;
  /** wrk's "Requests/sec": `requests` divided by its exact run time. */
  requestsPerSec: number;
  /** wrk's socket error counters; all 0 when wrk printed no "Socket errors" line. */
  socketErrors: { connect: number; read: number; write: number; timeout: number };
  /** Responses with a status of 400 or above ("Non-2xx or 3xx responses"); 0 when wrk printed none. */
  non2xx3xx: number;
  /** Median latency in microseconds from the `--latency` distribution, or null without `--latency`. */
  latencyP50Us: number | null;
}

const WRK_TOTAL_LINE = /^(\d+) requests in ([\d.]+)(us|ms|s|m|h), [\d.]+[KMGTP]?B read$/;
const WRK_RATE_LINE = /^Requests\/sec:\s+([\d.]+)$/;
const WRK_SOCKET_ERRORS_LINE = /^Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)$/;
const WRK_STATUS_ERRORS_LINE = /^Non-2xx or 3xx responses: (\d+)$/;
const WRK_P50_LINE = /^50%\s+([\d.]+)(us|ms|s|m|h)$/;

/** Microseconds per unit of wrk's time format (`format_time_us` in wrk 4.1). */
const WRK_TIME_UNITS_US: Record<string, number> = { us: 1, ms: 1_000, s: 1_000_000, m: 60_000_000, h: 3_600_000_000 };

function wrkTimeUs(value: string, unit: string): number {
  return Number(value) * (WRK_TIME_UNITS_US[unit] ?? Number.NaN);
}

/**
 * Parses the standard output of one `wrk` run, with or without `--latency`. Throws
 * `ToolOutputError` when the "N requests in ..." or "Requests/sec:" line is missing, as when
 * wrk could not resolve or connect to the URL and printed only an error.
 */
export function parseWrkOutput(stdout: string): WrkReport {
  const lines = stdout.split('\n').map((line) => line.trim());
  const matchOf = (pattern: RegExp): RegExpExecArray | null => {
    for (const line of lines) {
      const match = pattern.exec(line);
      if (match !== null) return match;
    }
    return null;
  };

  const total = matchOf(WRK_TOTAL_LINE);
  const rate = matchOf(WRK_RATE_LINE);
  if (total === null || rate === null) {
    throw new ToolOutputError(`wrk printed no "N requests in ..." and "Requests/sec:" summary; its output starts with ${firstLineOf(stdout)}`);
  }
  const [, requestsText = '', durationText = '', durationUnit = ''] = total;
  const socketErrors = matchOf(WRK_SOCKET_ERRORS_LINE);
  const statusErrors = matchOf(WRK_STATUS_ERRORS_LINE);
  const p50 = matchOf(WRK_P50_LINE);

  return {
    requests: Number(requestsText),
    durationUs: Math.round(wrkTimeUs(durationText, durationUnit)),
    requestsPerSec: Number(rate[1]),
    socketErrors: {
      connect: Number(socketErrors?.[1] ?? 0),
      read: Number(socketErrors?.[2] ?? 0),
      write: Number(socketErrors?.[3] ?? 0),
      timeout: Number(socketErrors?.[4] ?? 0),
    },
    non2xx3xx: Number(statusErrors?.[1] ?? 0),
    latencyP50Us: p50 === null ? null : Math.round(wrkTimeUs(p50[1] ?? '', p50[2] ?? '')),
  };
}
