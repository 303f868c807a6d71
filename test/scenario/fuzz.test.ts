/**
 * Property-based tests of the suite loader: random text, random values and damaged copies of the
 * shipped suites either load as a suite or raise an input error (exit code 2) that names the
 * file. Any other error, such as a TypeError, fails the property, and so does a case that takes
 * longer than {@link CASE_TIME_LIMIT_MS}.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';

import { EXIT_CODES, exitCodeFor } from '../../src/cli/exit-codes.ts';
import { InvalidSuiteError, MtlsBenchError } from '../../src/errors.ts';
import { loadSuite, resolveSuite } from '../../src/scenario/load.ts';
import type { ResolvedSuite } from '../../src/scenario/types.ts';
import { anyJsonValue, applyMutations, damageText, mutationArbitrary, textDamageArbitrary } from './mutations.ts';

/**
 * Maximum time of a single case. A case loads one small suite, in well under 100 ms on a 2-core
 * machine, so this catches a runaway (quadratic parsing, a retry loop) with a wide margin.
 */
const CASE_TIME_LIMIT_MS = 2_000;

/** Bounds each property's whole run, so the file stays near 20 s however slow the machine. */
const PROPERTY_TIME_LIMIT_MS = 4_000;

const SCENARIOS_DIR = new URL('../../scenarios/', import.meta.url);
const SHIPPED_SUITES = readdirSync(SCENARIOS_DIR)
  .filter((name) => name.endsWith('.yaml'))
  .map((name) => ({ name, text: readFileSync(new URL(name, SCENARIOS_DIR), 'utf8') }));

let directory: string;
let fileCount = 0;

beforeAll(async () => {
  directory = await mkdtemp(path.join(tmpdir(), 'mtls-bench-fuzz-'));
  await mkdir(path.join(directory, 'scenarios'));
});

afterAll(() => rm(directory, { recursive: true, force: true }));

async function writeCase(text: string): Promise<string> {
  fileCount += 1;
  const file = path.join(directory, 'scenarios', `case-${fileCount}.yaml`);
  await writeFile(file, text);
  return file;
}

/**
 * Runs one case and checks its outcome: a resolved suite with cells, or an InvalidSuiteError
 * whose every issue names `file`, mapped to exit code 2, and printed without a stack trace.
 * Anything else is rethrown, which fails the property with the input that caused it.
 */
async function expectSuiteOrInputError(file: string, load: () => Promise<ResolvedSuite> | ResolvedSuite): Promise<void> {
  const startedMs = performance.now();
  let suite: ResolvedSuite | null = null;
  try {
    suite = await load();
  } catch (error) {
    if (!(error instanceof InvalidSuiteError)) throw error;
    expect(exitCodeFor(error)).toBe(EXIT_CODES.invalidInput);
    expect(error.issues.length).toBeGreaterThan(0);
    for (const issue of error.issues) expect(issue.file).toBe(file);
    for (const line of error.message.split('\n')) expect(line.startsWith(file)).toBe(true);
    expect(error.message).not.toMatch(/\n\s+at /);
    // A value the message meant to show but could not find, as in `got undefined`.
    expect(error.message).not.toMatch(/(?<!["\w])undefined(?!["\w])/);
  }
  if (suite !== null) {
    expect(typeof suite.name).toBe('string');
    expect(suite.cells.length).toBeGreaterThan(0);
  }
  expect(performance.now() - startedMs).toBeLessThan(CASE_TIME_LIMIT_MS);
}

async function checkText(text: string): Promise<void> {
  const file = await writeCase(text);
  await expectSuiteOrInputError(file, () => loadSuite(file));
}

function checkValue(value: unknown): Promise<void> {
  const file = 'scenarios/fuzz-suite.ts';
  return expectSuiteOrInputError(file, () => resolveSuite(value, { file }));
}

const YAML_TOKENS = [
  'name', 'matrix', 'workloads', 'target', 'gate', 'rounds', 'simulate', 'kind', 'handshake', 'requests',
  'keyType', 'tlsVersion', 'cipherSuite', 'resumption', 'duration', 'count', 'rate', 'workers', 'warmup',
  'x', 'tls1.3', 'rsa-2048', '3s', '61m', '1e300', '-1', '0', 'null', '~', 'true', '.nan', '.inf',
  ':', ': ', ' ', '  ', '\n', '\n  ', '\n  - ', '- ', '[', ']', '{', '}', ',', '"', "'", '#', '?', '|', '>',
  '&a ', '*a', '*b', '!!str ', '!!set ', '!!binary ', '!!js/function ', '<<: ', '---\n', '...', '%YAML 1.2\n', '\t', '\\', '\u0000', '\ufeff',
];

// NOTE: fast-check's `timeout` fails a case whose promise does not settle, but a synchronous endless
// loop blocks the thread that would time it out, so such a hang stalls the file instead of failing it.
const options = { timeout: CASE_TIME_LIMIT_MS, interruptAfterTimeLimit: PROPERTY_TIME_LIMIT_MS };

describe('suite loader under random input', () => {
  it('survives random YAML-like text', async () => {
    const yamlLike = fc.array(fc.constantFrom(...YAML_TOKENS), { maxLength: 60 }).map((tokens) => tokens.join(''));
    await fc.assert(fc.asyncProperty(yamlLike, checkText), { ...options, numRuns: 1000 });
  });

  it('survives random characters', async () => {
    await fc.assert(fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 300 }), checkText), { ...options, numRuns: 500 });
  });

  it('survives random values as a suite', async () => {
    const suiteShaped = fc.dictionary(
      fc.constantFrom('name', 'description', 'matrix', 'workloads', 'target', 'gate', 'rounds', 'simulate', 'extra'),
      anyJsonValue,
    );
    await fc.assert(fc.asyncProperty(fc.oneof(fc.jsonValue({ maxDepth: 4 }), suiteShaped), checkValue), { ...options, numRuns: 1500 });
  });
});

describe('suite loader under damaged shipped suites', () => {
  const suiteArbitrary = fc.constantFrom(...SHIPPED_SUITES);

  it('survives changed keys and values', async () => {
    const property = fc.asyncProperty(suiteArbitrary, fc.array(mutationArbitrary, { minLength: 1, maxLength: 3 }), async (suite, mutations) => {
      const mutated = applyMutations(parse(suite.text), mutations);
      await checkText(stringify(mutated));
      await checkValue(mutated);
    });
    await fc.assert(property, { ...options, numRuns: 800 });
  });

  it('survives cut text and repeated lines', async () => {
    const property = fc.asyncProperty(suiteArbitrary, textDamageArbitrary, (suite, damage) => checkText(damageText(suite.text, damage)));
    await fc.assert(property, { ...options, numRuns: 600 });
  });

  it('loads every shipped suite unchanged', async () => {
    // Checks the starting point: the mutations above start from suites that load, or from one
    // whose target files are absent here, which is an input error too.
    for (const suite of SHIPPED_SUITES) {
      await checkText(suite.text);
    }
    expect(SHIPPED_SUITES.length).toBeGreaterThan(3);
  });
});

describe('outcome check', () => {
  it('fails on an error that is not an input error', async () => {
    const file = 'scenarios/broken.yaml';
    const crash = () => {
      throw new TypeError("Cannot read properties of undefined (reading 'kind')");
    };

    await expect(expectSuiteOrInputError(file, crash)).rejects.toThrow(TypeError);
  });

  it('fails on an input error naming another file', async () => {
    const wrongFile = () => {
      throw new InvalidSuiteError([{ file: 'other.yaml', line: 1, path: 'name', message: 'got 1; expected a string' }]);
    };

    await expect(expectSuiteOrInputError('scenarios/broken.yaml', wrongFile)).rejects.toThrow();
  });

  it('fails on an error code that does not exit with 2', async () => {
    const runFailure = () => {
      throw new MtlsBenchError('RUN_FAILED', 'scenarios/broken.yaml: the server exited');
    };

    await expect(expectSuiteOrInputError('scenarios/broken.yaml', runFailure)).rejects.toThrow();
  });
});
