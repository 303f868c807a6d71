/**
 * Errors the harness throws on purpose. Each has a stable `code`; the CLI maps them to exit
 * codes in one place and prints `message` alone, without a stack trace.
 */

/** Stable error codes, one per kind of failure. */
export type MtlsBenchErrorCode =
  | 'INVALID_SUITE'
  | 'INVALID_ARGUMENT'
  | 'INVALID_RESULTS'
  | 'SERVER_FAILED'
  | 'PKI_FAILED'
  | 'RUN_FAILED'
  | 'PROBE_FAILED'
  /** A step of a cell did not end within the cell's hard time bound. */
  | 'CELL_TIMEOUT'
  /** The load generator ran out of ports or file descriptors: a limit of the client, not of the server. */
  | 'CLIENT_RESOURCES';

export class MtlsBenchError extends Error {
  readonly code: MtlsBenchErrorCode;

  constructor(code: MtlsBenchErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MtlsBenchError';
    this.code = code;
  }
}

/** One problem found in a suite file, located as precisely as the parser allows. */
export interface SuiteIssue {
  /** File the suite came from, as the user named it, or `<inline>` for a suite built in code. */
  file: string;
  /** 1-based line of the offending node, when the YAML parser knows it. */
  line: number | null;
  /** Dotted field path with list indexes in brackets, for example `matrix.tlsVersion[1]`. */
  path: string;
  /** Full sentence after the location, for example `got "1.3"; expected "tls1.2" or "tls1.3"`. */
  message: string;
}

/** Formats an issue as `file:line: path: message`, leaving out what is unknown. */
export function formatSuiteIssue(issue: SuiteIssue): string {
  const location = issue.line === null ? issue.file : `${issue.file}:${issue.line}`;
  return issue.path === '' ? `${location}: ${issue.message}` : `${location}: ${issue.path}: ${issue.message}`;
}

/** Thrown by the suite loader with every problem it found, so one run shows them all. */
export class InvalidSuiteError extends MtlsBenchError {
  readonly issues: SuiteIssue[];

  constructor(issues: SuiteIssue[]) {
    super('INVALID_SUITE', issues.map(formatSuiteIssue).join('\n'));
    this.name = 'InvalidSuiteError';
    this.issues = issues;
  }
}
