/**
 * Loads suite files (YAML, or TypeScript with a default export) into resolved suites. Every
 * problem in a file is collected and thrown together as one InvalidSuiteError, each located by
 * file, line and field path, so one run of `mtls-bench validate` shows them all.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';

import { tsImport } from 'tsx/esm/api';
import { LineCounter, isCollection, isScalar, isSeq, parseDocument, visit } from 'yaml';
import type { Document, Node, YAMLError } from 'yaml';

import { InvalidSuiteError } from '../errors.ts';
import type { SuiteIssue } from '../errors.ts';
import { formatHostPort } from '../targets/address.ts';
import { readTargetFiles } from '../targets/files.ts';
import { expandCells } from './expand.ts';
import type { ResolvedMatrixEntry } from './expand.ts';
import { createLineLocator, NO_LINES } from './locate.ts';
import type { LineLocator } from './locate.ts';
import { readMatrix, resolveMatrixEntry, summarizeMatrix } from './matrix.ts';
import type { MatrixEntry } from './matrix.ts';
import { describeInputFileProblem, readInputFile } from './input-file.ts';
import { formatPath } from './messages.ts';
import type { PathIssue } from './messages.ts';
import { resolveGate } from './gate.ts';
import { DEFAULT_ROUNDS, SuiteSchema, TargetFilesSchema, TargetSchema } from './schema.ts';
import type { SimulateInput } from './schema.ts';
import {
  checkMatrixEntryForTarget,
  checkSimulateForTarget,
  checkTargetFields,
  checkWorkloadsForTarget,
  resolveTarget,
  resolveTargetFiles,
} from './target.ts';
import { AUTH_MODES } from './types.ts';
import type { KeyType, ResolvedSuite, ResolvedTarget, SimulatedSlowdown } from './types.ts';
import { checkMatrixEntry } from './validate.ts';
import { readWorkloads } from './workloads.ts';
import { convertZodIssues, suiteErrorMap, valueAtPath } from './zod-issues.ts';

/** File name that issues carry for a suite built in code rather than read from a file. */
export const INLINE_SUITE_FILE = '<inline>';

const YAML_EXTENSIONS = ['.yaml', '.yml', '.json'];
const TYPESCRIPT_EXTENSIONS = ['.ts', '.mts'];

/** Origin of a suite, for messages and line numbers. */
export interface SuiteSource {
  /** Path as the user gave it, which messages repeat unchanged, or {@link INLINE_SUITE_FILE}. */
  file: string;
  /** Parsed YAML document, to give each issue a line. It needs `lineCounter` from the same parse. */
  document?: Document;
  lineCounter?: LineCounter;
}

/**
 * Loads and resolves a suite file: `.yaml`, `.yml` or `.json` parsed as YAML, `.ts` or `.mts`
 * imported through tsx for its default export. Throws InvalidSuiteError for a missing file,
 * malformed YAML and every problem in the suite itself.
 */
export async function loadSuite(file: string): Promise<ResolvedSuite> {
  const extension = path.extname(file).toLowerCase();
  if (TYPESCRIPT_EXTENSIONS.includes(extension)) {
    await readSuiteText(file);
    return resolveSuite(await importSuiteModule(file), { file });
  }
  if (YAML_EXTENSIONS.includes(extension)) {
    const { input, document, lineCounter } = parseSuiteYaml(await readSuiteText(file), file);
    return resolveSuite(input, { file, document, lineCounter });
  }
  const supported = [...YAML_EXTENSIONS, ...TYPESCRIPT_EXTENSIONS].join(', ');
  throw fileError(file, `unsupported file type ${JSON.stringify(extension)}; expected ${supported}`);
}

/** Maximum YAML syntax errors listed, because past the first few the parser mostly reports echoes of them. */
const MAX_LISTED_YAML_ERRORS = 5;

/**
 * Parses suite YAML, keeping node positions for line numbers. Throws InvalidSuiteError for
 * syntax errors (the first few), a key that is a list or a map, an alias without its anchor,
 * and aliases that expand too far.
 */
export function parseSuiteYaml(
  text: string,
  file: string,
): { input: unknown; document: Document; lineCounter: LineCounter } {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false });
  if (document.errors.length > 0) {
    throw new InvalidSuiteError(yamlErrorIssues(document.errors, file, lineCounter));
  }
  const structureIssues = findStructureIssues(document, file, lineCounter);
  if (structureIssues.length > 0) {
    throw new InvalidSuiteError(structureIssues);
  }
  try {
    return { input: document.toJS(), document, lineCounter };
  } catch (error) {
    // toJS throws for an alias count that looks like a "billion laughs" document, and a
    // RangeError for nesting deeper than the stack.
    throw fileError(file, `invalid YAML: ${describeYamlError(error instanceof Error ? error.message : String(error))}`);
  }
}

/** Converts syntax errors to issues, dropping repeats and keeping at most {@link MAX_LISTED_YAML_ERRORS}. */
function yamlErrorIssues(errors: readonly YAMLError[], file: string, lineCounter: LineCounter): SuiteIssue[] {
  const issues: SuiteIssue[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    const line = lineCounter.linePos(error.pos[0]).line;
    const message = `invalid YAML: ${describeYamlError(error.message)}`;
    const key = `${line}\n${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push({ file, line, path: '', message });
  }
  if (issues.length <= MAX_LISTED_YAML_ERRORS) return issues;
  const more = issues.length - MAX_LISTED_YAML_ERRORS;
  return [
    ...issues.slice(0, MAX_LISTED_YAML_ERRORS),
    { file, line: null, path: '', message: `and ${more} more YAML error${more === 1 ? '' : 's'}; fix the first one, and the rest may go with it` },
  ];
}

/** Rewords the yaml package's errors whose text, from V8 or the alias guard, names no cause a suite author would recognise. */
function describeYamlError(message: string): string {
  if (message.includes('Maximum call stack size exceeded')) {
    return 'the document is nested too deeply to parse; a suite needs a few levels only';
  }
  if (message.includes('Excessive alias count')) {
    return 'its aliases expand to too many nodes, as in a "billion laughs" document; write the values out instead';
  }
  return message;
}

/**
 * Finds what parses as YAML but cannot be a suite. A key that is a list or a map would otherwise
 * become a string such as "[ a, b ]", with a warning on stderr. An alias whose anchor is not
 * defined before it makes toJS throw.
 */
function findStructureIssues(document: Document, file: string, lineCounter: LineCounter): SuiteIssue[] {
  const issues: SuiteIssue[] = [];
  const lineOf = (node: Node): number | null =>
    node.range === undefined || node.range === null ? null : lineCounter.linePos(node.range[0]).line;
  visit(document, {
    Pair(_key, pair) {
      if (isCollection(pair.key)) {
        const kind = isSeq(pair.key) ? 'a list' : 'a map';
        issues.push({ file, line: lineOf(pair.key), path: '', message: `invalid key: got ${kind}; expected a name such as "matrix"` });
      } else if (isScalar(pair.key) && pair.key.value instanceof Uint8Array) {
        // A `!!binary` key would otherwise become raw bytes in the key's name.
        issues.push({ file, line: lineOf(pair.key), path: '', message: 'invalid key: got binary data (!!binary); expected a name such as "matrix"' });
      }
    },
    Alias(_key, alias) {
      if (alias.resolve(document) === undefined) {
        issues.push({
          file,
          line: lineOf(alias),
          path: '',
          message: `invalid YAML: alias *${alias.source} has no anchor &${alias.source} before it`,
        });
      }
    },
  });
  return issues;
}

/**
 * Validates a suite as written (parsed YAML, or the object a `.ts` suite exports) and returns
 * it with every default filled in and its cells expanded. Throws InvalidSuiteError listing
 * every problem, sorted by line when lines are known.
 */
export function resolveSuite(input: unknown, source: SuiteSource): ResolvedSuite {
  const locate =
    source.document !== undefined && source.lineCounter !== undefined
      ? createLineLocator(source.document, source.lineCounter)
      : NO_LINES;

  if (input === null || input === undefined) {
    throw fileError(source.file, 'the suite is empty; it needs at least a name, for example "name: default"');
  }

  const issues: PathIssue[] = [];
  const parsed = SuiteSchema.safeParse(input, { error: suiteErrorMap });
  if (!parsed.success) {
    issues.push(...convertZodIssues(parsed.error.issues, input));
  }

  const fields: Record<string, unknown> = isPlainObject(input) ? input : {};
  const matrix = readMatrix(fields.matrix);
  issues.push(...matrix.issues);
  for (const entry of matrix.entries) {
    issues.push(...checkMatrixEntry(entry));
  }
  // An invalid `rounds` is reported by the schema; the workloads are checked against the default then.
  const rounds = typeof fields.rounds === 'number' && Number.isInteger(fields.rounds) && fields.rounds >= 1 ? fields.rounds : DEFAULT_ROUNDS;
  const { workloads, issues: workloadIssues } = readWorkloads(fields.workloads, rounds);
  issues.push(...workloadIssues);

  const sourceFile = source.file === INLINE_SUITE_FILE ? null : path.resolve(source.file);
  const target = readTarget(input, matrix.entries, sourceFile, issues);

  if (!parsed.success || issues.length > 0) {
    throw new InvalidSuiteError(locateIssues(issues, source.file, locate));
  }

  let entries = matrix.entries.map(resolveMatrixEntry);
  if (target !== null) {
    entries = entries.map((entry) => withTargetCertificates(entry, target.clientKeyType));
  }
  return {
    name: parsed.data.name,
    description: parsed.data.description ?? null,
    sourceFile,
    matrix: summarizeMatrix(entries),
    workloads,
    target: target?.resolved ?? null,
    simulate: resolveSimulate(parsed.data.simulate),
    rounds: parsed.data.rounds ?? DEFAULT_ROUNDS,
    gate: resolveGate(parsed.data.gate),
    cells: expandCells(entries, workloads, target === null ? null : formatHostPort(target.resolved.host, target.resolved.port)),
  };
}

/** Resolves the `simulate` field: null without one, otherwise every server unless `auth` names some. */
function resolveSimulate(input: SimulateInput | undefined): SimulatedSlowdown | null {
  if (input === undefined) return null;
  const auth = input.auth === undefined ? [...AUTH_MODES] : [input.auth].flat();
  return { handshakeCpuUs: input.handshakeCpuUs, auth: AUTH_MODES.filter((mode) => auth.includes(mode)) };
}

/**
 * Checks the `target` field, the matrix and workloads against it, and its certificate files,
 * adding every problem to `issues`. Returns the resolved target with its client key type, or
 * null for a suite without a target or one whose target has a problem.
 */
function readTarget(
  input: unknown,
  entries: readonly MatrixEntry[],
  sourceFile: string | null,
  issues: PathIssue[],
): { resolved: ResolvedTarget; clientKeyType: KeyType } | null {
  const fields: Record<string, unknown> = isPlainObject(input) ? input : {};
  const rawTarget = fields.target;
  if (rawTarget === undefined) return null;

  issues.push(...checkTargetFields(rawTarget));
  for (const entry of entries) {
    issues.push(...checkMatrixEntryForTarget(entry, valueAtPath(input, entry.path), rawTarget));
  }
  issues.push(...checkWorkloadsForTarget(fields.workloads, rawTarget));
  issues.push(...checkSimulateForTarget(fields.simulate));

  // The files are checked whenever their paths are valid, so that their problems show up in the
  // same run as a problem elsewhere in the target.
  const filesParsed = TargetFilesSchema.safeParse(rawTarget);
  if (!filesParsed.success) return null;
  const files = readTargetFiles(resolveTargetFiles(filesParsed.data, sourceFile));
  issues.push(...files.issues);

  const parsed = TargetSchema.safeParse(rawTarget);
  if (!parsed.success || files.material === null) return null;
  return { resolved: resolveTarget(parsed.data, sourceFile), clientKeyType: files.material.clientKeyType };
}

/** Sets what the target's certificates decide: the client key type, and the chain depth, recorded as 0. */
function withTargetCertificates(entry: ResolvedMatrixEntry, clientKeyType: KeyType): ResolvedMatrixEntry {
  return {
    ...entry,
    keyTypes: entry.keyTypes.map(({ server }) => ({ server, client: clientKeyType })),
    chainDepth: [0],
  };
}

/**
 * Largest suite file read. Suites are a few kilobytes; the cap keeps a wrong path, such as a
 * log file or a device, from being parsed as YAML.
 */
export const MAX_SUITE_FILE_BYTES = 1024 * 1024;

async function readSuiteText(file: string): Promise<string> {
  const outcome = readInputFile(file, { maxBytes: MAX_SUITE_FILE_BYTES });
  if ('text' in outcome) return outcome.text;
  throw fileError(file, describeInputFileProblem(outcome.problem, 'a suite file such as scenarios/default.yaml'));
}

async function importSuiteModule(file: string): Promise<unknown> {
  let exported: { default?: unknown };
  try {
    exported = (await tsImport(pathToFileURL(path.resolve(file)).href, import.meta.url)) as { default?: unknown };
  } catch (error) {
    throw importError(file, error);
  }
  const suite = unwrapCommonJsDefault(exported.default);
  if (suite === undefined || isEmptyCommonJsExports(suite)) {
    throw fileError(file, 'has no default export; end it with `export default defineSuite({ ... })`');
  }
  return suite;
}

/**
 * Returns the real default export of a `.ts` file that tsx compiled as CommonJS, which it does
 * outside a `"type": "module"` package. Node then exposes `module.exports` as the default,
 * so the suite sits one level down, under `default` of an object marked `__esModule`.
 */
function unwrapCommonJsDefault(value: unknown): unknown {
  if (value !== null && typeof value === 'object' && (value as { __esModule?: unknown }).__esModule === true) {
    return (value as { default?: unknown }).default;
  }
  return value;
}

/**
 * Turns a failed import into a located issue. esbuild, which tsx compiles with, reports a
 * syntax error as `Transform failed with 1 error:` followed by `FILE:LINE:COLUMN: ERROR: TEXT`,
 * so the line and text come from that second part when it is there.
 */
function importError(file: string, error: unknown): InvalidSuiteError {
  const message = error instanceof Error ? error.message : String(error);
  const located = /:(\d+):(\d+): ERROR: (.+)$/m.exec(message);
  if (located !== null) {
    const [, line, column, text] = located;
    return new InvalidSuiteError([
      { file, line: Number(line), path: '', message: `could not be compiled: ${text} (column ${Number(column) + 1})` },
    ]);
  }
  return fileError(file, `could not be imported: ${message.split('\n')[0]}`);
}

/** A `.ts` file without exports, compiled as CommonJS, has an empty `module.exports` as default. */
function isEmptyCommonJsExports(value: unknown): boolean {
  return isPlainObject(value) && Object.keys(value).length === 0;
}

function fileError(file: string, message: string): InvalidSuiteError {
  return new InvalidSuiteError([{ file, line: null, path: '', message }]);
}

function locateIssues(issues: readonly PathIssue[], file: string, locate: LineLocator): SuiteIssue[] {
  const located = issues.map((issue) => ({
    file,
    line: locate(issue.path),
    path: formatPath(issue.path),
    message: issue.message,
  }));
  // Stable sort: issues on one line, and all issues of a suite without lines, keep their order.
  return located.sort((a, b) => (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
