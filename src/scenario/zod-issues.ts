/**
 * Turns zod issues into `got X; expected Y` messages at exact paths. Zod's own messages name
 * neither the value nor the accepted keys, and a union reports a failure for every branch, so
 * this module picks the branch that matches the shape of what the author wrote.
 */
import { z } from 'zod';

import { describeReceived, formatChoices, unknownKeyMessage } from './messages.ts';
import type { PathIssue, PathSegment } from './messages.ts';

/**
 * Message that the error map gives every issue whose schema sets no message of its own, so the
 * converter knows to write one from the issue's fields.
 */
const UNWORDED = '\u0000unworded';

/**
 * Prefix of the message the error map gives unknown-key issues. Zod drops the object schema
 * from the issues it returns, so the map, which still receives it, stores the accepted keys here.
 */
const ACCEPTED_KEYS_PREFIX = '\u0000accepted-keys:';

/** Error map to pass to `safeParse`, so that {@link convertZodIssues} can word every issue. */
export const suiteErrorMap: z.core.$ZodErrorMap = (issue) => {
  if (issue.code === 'unrecognized_keys' && issue.inst instanceof z.ZodObject) {
    return ACCEPTED_KEYS_PREFIX + JSON.stringify(Object.keys(issue.inst.shape));
  }
  // A record keyed by an enum, such as `gate.metrics`, accepts the enum's values as keys.
  if (issue.code === 'unrecognized_keys' && issue.inst instanceof z.ZodRecord && issue.inst.keyType instanceof z.ZodEnum) {
    return ACCEPTED_KEYS_PREFIX + JSON.stringify(issue.inst.keyType.options);
  }
  return UNWORDED;
};

/** Converts issues from a parse of `input` that used {@link suiteErrorMap}. */
export function convertZodIssues(issues: readonly z.core.$ZodIssue[], input: unknown): PathIssue[] {
  const converted: PathIssue[] = [];
  for (const issue of keepOneBoundPerPath(issues)) {
    convertIssue(issue, [], input, converted);
  }
  return converted;
}

/**
 * Drops issues that restate a problem of the same value in weaker terms. A value of the wrong
 * type keeps its type issue alone, because zod still runs length checks on it (`[]` given for a
 * non-empty string fails both). Of several bounds on one side, only the tightest is kept:
 * `z.int()` carries the safe-integer range, so `1e300` breaks it and the schema's own maximum.
 */
function keepOneBoundPerPath(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue[] {
  const byPath = new Map<string, z.core.$ZodIssue[]>();
  for (const issue of issues) {
    const key = JSON.stringify(issue.path.map(toPathSegment));
    byPath.set(key, [...(byPath.get(key) ?? []), issue]);
  }
  return issues.filter((issue) => {
    const samePath = byPath.get(JSON.stringify(issue.path.map(toPathSegment))) ?? [];
    if (issue.code !== 'invalid_type' && samePath.some((other) => other.code === 'invalid_type')) {
      return false;
    }
    if (issue.code === 'too_big') {
      return !samePath.some((other) => other.code === 'too_big' && Number(other.maximum) < Number(issue.maximum));
    }
    if (issue.code === 'too_small') {
      return !samePath.some((other) => other.code === 'too_small' && Number(other.minimum) > Number(issue.minimum));
    }
    return true;
  });
}

function convertIssue(
  issue: z.core.$ZodIssue,
  basePath: readonly PathSegment[],
  input: unknown,
  converted: PathIssue[],
): void {
  const path = [...basePath, ...issue.path.map(toPathSegment)];
  const value = valueAtPath(input, path);

  if (issue.code === 'invalid_union') {
    if (issue.errors.length === 0) {
      // A discriminated union found no branch for the discriminator value (`kind`).
      const options = 'options' in issue && Array.isArray(issue.options) ? issue.options : [];
      converted.push({ path, message: `${describeReceived(value)}; expected ${formatChoices(options)}` });
      return;
    }
    const branch = pickUnionBranch(issue.errors, value);
    if (branch === null) {
      converted.push({ path, message: `${describeReceived(value)}; expected ${describeBranches(issue.errors)}` });
      return;
    }
    for (const inner of keepOneBoundPerPath(branch)) {
      convertIssue(inner, path, input, converted);
    }
    return;
  }

  if (issue.code === 'unrecognized_keys') {
    const acceptedKeys = issue.message.startsWith(ACCEPTED_KEYS_PREFIX)
      ? (JSON.parse(issue.message.slice(ACCEPTED_KEYS_PREFIX.length)) as string[])
      : [];
    for (const key of issue.keys) {
      converted.push({ path: [...path, key], message: unknownKeyMessage(key, acceptedKeys) });
    }
    return;
  }

  const message = issue.message === UNWORDED ? wordIssue(issue, value) : issue.message;
  converted.push({ path, message });
}

/**
 * Picks the union branch written for a value of this shape: one that did not fail on the type
 * of the value itself. A list never fits a single-value branch, even though zod reports that
 * mismatch as `invalid_value` for enums. Returns null when no branch fits.
 */
function pickUnionBranch(branches: readonly z.core.$ZodIssue[][], value: unknown): z.core.$ZodIssue[] | null {
  const valueIsContainer = value !== null && typeof value === 'object';
  const fitting = branches.find(
    (branch) =>
      !branch.some(
        (issue) =>
          issue.path.length === 0 &&
          (issue.code === 'invalid_type' || (issue.code === 'invalid_value' && valueIsContainer)),
      ),
  );
  return fitting ?? null;
}

/** Describes what the branches of a union accept, for a value that fits none of them. */
function describeBranches(branches: readonly z.core.$ZodIssue[][]): string {
  const expectations: string[] = [];
  for (const branch of branches) {
    const rootIssue = branch.find((issue) => issue.path.length === 0);
    if (rootIssue?.code === 'invalid_type') {
      expectations.push(describeExpectedType(rootIssue.expected));
    } else if (rootIssue?.code === 'invalid_value') {
      expectations.push(formatChoices(rootIssue.values));
    }
  }
  return expectations.join(', or ');
}

function wordIssue(issue: z.core.$ZodIssue, value: unknown): string {
  const received = describeReceived(value);
  switch (issue.code) {
    case 'invalid_type':
      return `${received}; expected ${describeExpectedType(issue.expected)}`;
    case 'invalid_value':
      return `${received}; expected ${formatChoices(issue.values)}`;
    case 'too_small': {
      if (issue.origin === 'array') {
        const count = Number(issue.minimum) === 1 ? 'one value' : `${issue.minimum} values`;
        return `${received}; expected at least ${count}`;
      }
      if (issue.origin === 'string') {
        return `${received}; expected a non-empty string`;
      }
      return `${received}; expected at least ${issue.minimum}`;
    }
    case 'too_big':
      return `${received}; expected at most ${issue.maximum}`;
    default:
      return `${received}; invalid value`;
  }
}

const EXPECTED_TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'an object',
  record: 'an object',
  null: 'null',
};

function describeExpectedType(expected: string): string {
  return EXPECTED_TYPE_WORDS[expected] ?? `a value of type ${expected}`;
}

function toPathSegment(key: PropertyKey): PathSegment {
  return typeof key === 'number' ? key : String(key);
}

/** Reads the value at a path, or undefined where the path leaves the input. */
export function valueAtPath(input: unknown, path: readonly PathSegment[]): unknown {
  let current = input;
  for (const segment of path) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, segment)) {
      return undefined;
    }
    current = (current as Record<PathSegment, unknown>)[segment];
  }
  return current;
}
