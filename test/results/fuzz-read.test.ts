/**
 * Property-based tests of the results reader that `compare` and `run --baseline` use: random
 * text, random JSON, cut-off files, other schema versions and damaged fields either read as
 * results or raise INVALID_RESULTS (exit code 2) naming the file. A file the reader accepts must
 * also get through the comparison without an error of another kind.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { EXIT_CODES, exitCodeFor } from '../../src/cli/exit-codes.ts';
import { MtlsBenchError } from '../../src/errors.ts';
import { compareResults } from '../../src/gate/compare.ts';
import { readResultsFile } from '../../src/results/read.ts';
import type { RunResults } from '../../src/results/types.ts';
import { FULL_P50_US, failedCell, measuredCell, resultsFile, scaled } from '../gate/results-fixture.ts';
import { anyJsonValue, applyMutations, damageText, mutationArbitrary, textDamageArbitrary } from '../scenario/mutations.ts';

/** Maximum time of a single case, because reading a few kilobytes and comparing three cells takes milliseconds. */
const CASE_TIME_LIMIT_MS = 2_000;

/** Bounds each property's whole run, so the file stays near 15 s however slow the machine. */
const PROPERTY_TIME_LIMIT_MS = 3_000;

const options = { timeout: CASE_TIME_LIMIT_MS, interruptAfterTimeLimit: PROPERTY_TIME_LIMIT_MS };

/** A small results file as `mtls-bench run` writes it: a pair of measured cells and a failed one. */
const REAL_RESULTS: RunResults = resultsFile([
  measuredCell({ auth: 'tls' }, { 'handshake.full.p50': FULL_P50_US, 'cpu.server': FULL_P50_US }),
  measuredCell({ auth: 'mtls' }, { 'handshake.full.p50': scaled(FULL_P50_US, 2), 'cpu.server': scaled(FULL_P50_US, 1.5) }),
  failedCell({ auth: 'mtls', keyType: 'rsa-2048' }),
]);
const REAL_TEXT = `${JSON.stringify(REAL_RESULTS, null, 2)}\n`;

let directory: string;
let fileCount = 0;

beforeAll(async () => {
  directory = await mkdtemp(path.join(tmpdir(), 'mtls-bench-fuzz-results-'));
});

afterAll(() => rm(directory, { recursive: true, force: true }));

function expectInputError(error: unknown, file: string | null): void {
  if (!(error instanceof MtlsBenchError)) throw error;
  expect(error.code).toBe('INVALID_RESULTS');
  expect(exitCodeFor(error)).toBe(EXIT_CODES.invalidInput);
  if (file !== null) expect(error.message.startsWith(`${file}: `)).toBe(true);
  expect(error.message).not.toMatch(/\n\s+at /);
  // A value the message meant to show but could not find, as in `got undefined`.
  expect(error.message).not.toMatch(/(?<!["\w])undefined(?!["\w])/);
}

/** Compares accepted results with the real ones both ways; only an input error may stop it. */
function expectComparable(results: RunResults): void {
  for (const [base, head] of [
    [REAL_RESULTS, results],
    [results, REAL_RESULTS],
  ] as const) {
    try {
      compareResults(base, head, { mode: 'auto', thresholds: { metrics: {} } });
    } catch (error) {
      expectInputError(error, null);
    }
  }
}

/**
 * Writes `text` to a file and reads it. The outcome must be results that compare, or an
 * INVALID_RESULTS error naming the file; anything else is rethrown and fails the property.
 */
async function checkText(text: string): Promise<void> {
  fileCount += 1;
  const file = path.join(directory, `case-${fileCount}.json`);
  await writeFile(file, text);
  const startedMs = performance.now();
  let results: RunResults | null = null;
  try {
    results = await readResultsFile(file);
  } catch (error) {
    expectInputError(error, file);
  }
  if (results !== null) expectComparable(results);
  expect(performance.now() - startedMs).toBeLessThan(CASE_TIME_LIMIT_MS);
}

const checkValue = (value: unknown) => checkText(JSON.stringify(value) ?? 'undefined');

describe('results reader under random input', () => {
  it('survives random text', async () => {
    await fc.assert(fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 300 }), checkText), { ...options, numRuns: 300 });
  });

  it('survives random JSON', async () => {
    await fc.assert(fc.asyncProperty(fc.jsonValue({ maxDepth: 5 }), checkValue), { ...options, numRuns: 300 });
  });

  it('survives random values beside the current schema version', async () => {
    const shaped = fc.dictionary(
      fc.constantFrom('schemaVersion', 'environment', 'startedAt', 'suite', 'cells', 'rounds', 'extra'),
      anyJsonValue,
    );
    await fc.assert(fc.asyncProperty(shaped, (value) => checkValue({ ...value, schemaVersion: 2 })), { ...options, numRuns: 300 });
  });
});

describe('results reader under a damaged results file', () => {
  it('survives cut text and repeated lines', async () => {
    await fc.assert(fc.asyncProperty(textDamageArbitrary, (damage) => checkText(damageText(REAL_TEXT, damage))), {
      ...options,
      numRuns: 300,
    });
  });

  it('survives any schema version', async () => {
    await fc.assert(fc.asyncProperty(anyJsonValue, (version) => checkValue({ ...REAL_RESULTS, schemaVersion: version })), {
      ...options,
      numRuns: 200,
    });
  });

  it('survives changed keys and values', async () => {
    const mutations = fc.array(mutationArbitrary, { minLength: 1, maxLength: 3 });
    await fc.assert(fc.asyncProperty(mutations, (list) => checkValue(applyMutations(REAL_RESULTS, list))), {
      ...options,
      numRuns: 1000,
    });
  });

  it('reads the undamaged file', async () => {
    fileCount += 1;
    const file = path.join(directory, `case-${fileCount}.json`);
    await writeFile(file, REAL_TEXT);

    expect((await readResultsFile(file)).cells).toHaveLength(3);
  });
});

describe('outcome check', () => {
  it('fails on an error that is not an input error', () => {
    expect(() => expectInputError(new TypeError("Cannot read properties of undefined (reading 'id')"), 'x.json')).toThrow(TypeError);
  });

  it('fails on an input error naming another file', () => {
    expect(() => expectInputError(new MtlsBenchError('INVALID_RESULTS', 'other.json: results file not found'), 'x.json')).toThrow();
  });
});
