import { z } from 'zod';
import { MtlsBenchError } from '../errors.ts';
import { describeInputFileProblem, readInputFile } from '../scenario/input-file.ts';
import { formatPath } from '../scenario/messages.ts';
import { convertZodIssues, suiteErrorMap } from '../scenario/zod-issues.ts';
import { METRIC_NAMES } from './metrics.ts';
import { RESULTS_SCHEMA_VERSION } from './types.ts';
import type { RunResults } from './types.ts';

/**
 * Reads results files for `mtls-bench compare` and `run --baseline`. Only the fields a comparison
 * reads are checked (environment, suite name and gate, cell ids, states and rounds); the rest is
 * passed through as written.
 */

/** Maximum field problems listed in one message: a file with more is rarely worth reading further. */
const MAX_LISTED_ISSUES = 5;

const metricValueSchema = z.number().nonnegative().nullable().optional();

const metricValuesSchema = z.looseObject(Object.fromEntries(METRIC_NAMES.map((name) => [name, metricValueSchema])));

const thresholdSchema = z.number().nonnegative().nullable();

const cellBaseShape = {
  id: z.string().min(1),
  baselineId: z.string().nullable(),
  scenario: z.looseObject({ workload: z.string(), workloadKind: z.enum(['handshake', 'requests']) }),
};

const cellSchema = z.discriminatedUnion('state', [
  z.looseObject({
    ...cellBaseShape,
    state: z.literal('measured'),
    rounds: z.array(z.looseObject({ values: metricValuesSchema })),
  }),
  z.looseObject({
    ...cellBaseShape,
    state: z.literal('failed'),
    error: z.looseObject({ code: z.string(), message: z.string() }),
  }),
]);

const resultsSchema = z.looseObject({
  environment: z.looseObject({
    machineId: z.string().min(1),
    cpu: z.looseObject({ model: z.string(), count: z.number().int().nonnegative() }),
  }),
  startedAt: z.string(),
  // The comparison checks that both files have enough rounds to show a difference.
  rounds: z.int().min(1),
  suite: z.looseObject({
    name: z.string().min(1),
    gate: z.looseObject({
      threshold: thresholdSchema,
      metrics: z.looseObject(Object.fromEntries(METRIC_NAMES.map((name) => [name, thresholdSchema.optional()]))),
    }),
  }),
  cells: z.array(cellSchema),
});

function invalid(file: string, reason: string, cause?: unknown): MtlsBenchError {
  return new MtlsBenchError('INVALID_RESULTS', `${file}: ${reason}`, { cause });
}

/**
 * Maximum size of a results file. Results take a few kilobytes per cell, so this is far above any
 * real suite, and below V8's maximum string length (reading /dev/zero whole failed with
 * "Invalid string length" on Node 20).
 */
export const MAX_RESULTS_FILE_BYTES = 256 * 1024 * 1024;

function readText(file: string): string {
  // A pipe is accepted, for `compare <(command)` in bash.
  const outcome = readInputFile(file, { maxBytes: MAX_RESULTS_FILE_BYTES, allowPipe: true });
  if ('text' in outcome) return outcome.text;
  const { problem } = outcome;
  if (problem.kind === 'not-found') throw invalid(file, 'results file not found');
  if (problem.kind === 'unreadable') throw invalid(file, `could not read the results file: ${problem.reason}`);
  throw invalid(file, describeInputFileProblem(problem, 'a results JSON file'));
}

/**
 * Tells a cut-off file from other invalid JSON by where V8's parser stopped: "Unexpected end of
 * JSON input", or an error at the last character, such as "Unterminated string in JSON at
 * position N" for a file cut inside a string.
 */
function endsMidValue(text: string, message: string): boolean {
  if (message.includes('end of JSON input')) return true;
  // "Unexpected non-whitespace character after JSON" means a complete value with more after it.
  if (message.includes('after JSON')) return false;
  const position = /at position (\d+)/.exec(message)?.[1];
  return position !== undefined && Number(position) >= text.trimEnd().length - 1;
}

function parseJson(file: string, text: string): unknown {
  if (text.trim() === '') throw invalid(file, 'is empty; expected the results JSON that `mtls-bench run` writes');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const message = (error as Error).message;
    if (endsMidValue(text, message)) {
      throw invalid(file, 'is not valid JSON: it ends in the middle of a value, so it was probably truncated; run the suite again', error);
    }
    throw invalid(file, `is not valid JSON (${describeJsonSyntaxError(text, message)}); expected the results JSON that \`mtls-bench run\` writes`, error);
  }
}

/**
 * Rewords V8's JSON.parse message with a line and column instead of an offset, and without the
 * excerpt of the file that V8 quotes for an unexpected token, which may hold control characters.
 */
function describeJsonSyntaxError(text: string, message: string): string {
  const positioned = /^(.*?) in JSON at position (\d+)/.exec(message);
  if (positioned !== null) {
    const [, reason = '', offset = '0'] = positioned;
    return `${reason} at ${lineAndColumn(text, Number(offset))}`;
  }
  const unexpected = /^Unexpected token '([^]*?)', /.exec(message);
  if (unexpected !== null) {
    const offset = firstUnparsableOffset(text);
    const token = JSON.stringify(unexpected[1] ?? '');
    return offset === null ? `unexpected character ${token}` : `unexpected character ${token} at ${lineAndColumn(text, offset)}`;
  }
  return message;
}

/**
 * Finds where JSON.parse first fails when its message gives no position, by bisecting on
 * prefixes. A prefix that ends before the error fails only at its own end: "Unexpected end of
 * JSON input", or an error at a position past its last character. Returns null when the whole
 * text does not fail that way either.
 */
function firstUnparsableOffset(text: string): number | null {
  const parsesSoFar = (length: number): boolean => {
    try {
      JSON.parse(text.slice(0, length));
      return true;
    } catch (error) {
      const message = (error as Error).message;
      const position = /at position (\d+)/.exec(message)?.[1];
      return message.includes('end of JSON input') || (position !== undefined && Number(position) >= length);
    }
  };
  if (parsesSoFar(text.length)) return null;
  let low = 0;
  let high = text.length;
  // Invariant: the prefix of `low` characters parses so far and the prefix of `high` does not.
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (parsesSoFar(middle)) low = middle;
    else high = middle;
  }
  return high - 1;
}

function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - (before.lastIndexOf('\n') + 1) + 1;
  return `line ${line}, column ${column}`;
}

function checkSchemaVersion(file: string, document: unknown): void {
  if (Array.isArray(document)) {
    throw invalid(
      file,
      'contains a list; expected the results of one suite (`run --json` with several suites prints a list, but each suite also has its own file in results/)',
    );
  }
  if (document === null || typeof document !== 'object' || !('schemaVersion' in document)) {
    throw invalid(file, 'is not an mtls-bench results file: it has no "schemaVersion" field');
  }
  const version = document.schemaVersion;
  if (version === RESULTS_SCHEMA_VERSION) return;
  if (version === 1) {
    throw invalid(file, 'has schema version 1, written by an older mtls-bench without rounds; run the suite again');
  }
  if (typeof version === 'number' && Number.isInteger(version) && version > RESULTS_SCHEMA_VERSION) {
    throw invalid(
      file,
      `has schema version ${version}, written by a newer mtls-bench; this one reads version ${RESULTS_SCHEMA_VERSION}, so upgrade mtls-bench`,
    );
  }
  throw invalid(file, `schemaVersion: got ${JSON.stringify(version)}; expected ${RESULTS_SCHEMA_VERSION}`);
}

function checkFields(file: string, document: unknown): void {
  const parsed = resultsSchema.safeParse(document, { error: suiteErrorMap });
  if (parsed.success) return;
  const issues = convertZodIssues(parsed.error.issues, document);
  const lines = issues.slice(0, MAX_LISTED_ISSUES).map((issue) => `  ${formatPath(issue.path)}: ${issue.message}`);
  if (issues.length > MAX_LISTED_ISSUES) lines.push(`  and ${issues.length - MAX_LISTED_ISSUES} more`);
  throw invalid(file, `is not a usable results file:\n${lines.join('\n')}`);
}

/** Rejects two cells with one id, which would make matching cells between files ambiguous. */
function checkUniqueIds(file: string, results: RunResults): void {
  const seen = new Set<string>();
  results.cells.forEach((cell, index) => {
    if (seen.has(cell.id)) throw invalid(file, `cells[${index}].id: ${JSON.stringify(cell.id)} appears more than once`);
    seen.add(cell.id);
  });
}

/**
 * Reads and checks a results file. Throws `INVALID_RESULTS` naming the file and the problem: not
 * found or unreadable, not JSON, not a results file, another schema version, or a field a
 * comparison needs that is missing or of the wrong type.
 */
export async function readResultsFile(file: string): Promise<RunResults> {
  const document = parseJson(file, readText(file));
  checkSchemaVersion(file, document);
  checkFields(file, document);
  const results = document as RunResults;
  checkUniqueIds(file, results);
  return results;
}
