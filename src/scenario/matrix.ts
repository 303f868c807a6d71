/**
 * Reads the `matrix` field into entries of typed axis values, each remembering the path it came
 * from so that later checks can point at it. Axes are parsed one by one: an invalid axis is left
 * out (the schema parse reports it) and the other axes of the entry are still checked.
 */
import type { z } from 'zod';

import { isDefaultCipherSuite, lookUpCipherSuite } from './ciphers.ts';
import type { CipherSuiteInfo } from './ciphers.ts';
import { MATRIX_DEFAULTS } from './defaults.ts';
import type { ResolvedMatrixEntry } from './expand.ts';
import { formatPath } from './messages.ts';
import type { PathIssue, PathSegment } from './messages.ts';
import { MATRIX_AXIS_SCHEMAS } from './schema.ts';
import type { Auth, ChainDepth, Group, KeyType, ResolvedSuite, Resumption, TlsVersion } from './types.ts';

/** One value of one axis, with where it was written. */
export interface AxisValue<T> {
  value: T;
  /** Path of the value, or of the missing axis when the value is a default. */
  path: PathSegment[];
  /** True when the axis was left out and the value is its default. */
  isDefault: boolean;
}

/** A cipher suite as written, with what it resolved to. `suite` is null for `default`. */
export interface CipherChoice {
  written: string;
  suite: CipherSuiteInfo | null;
}

/** One matrix object. An axis is null when its value is invalid. */
export interface MatrixEntry {
  /** `['matrix']` for a single object, `['matrix', index]` for an entry of a list. */
  path: PathSegment[];
  inList: boolean;
  /** Field that set the server key types, for messages: `keyType` or `serverKeyType`. */
  serverKeyField: 'keyType' | 'serverKeyType';
  /** True when `keyType` gave both lists, so cells pair them by position instead of crossing them. */
  keyTypesPaired: boolean;
  serverKeyType: AxisValue<KeyType>[] | null;
  clientKeyType: AxisValue<KeyType>[] | null;
  tlsVersion: AxisValue<TlsVersion>[] | null;
  cipherSuite: AxisValue<CipherChoice>[] | null;
  group: AxisValue<Group>[] | null;
  resumption: AxisValue<Resumption>[] | null;
  auth: AxisValue<Auth>[] | null;
  chainDepth: AxisValue<ChainDepth>[] | null;
}

/**
 * Reads every matrix object in `rawMatrix` (the `matrix` field as written, or undefined when
 * left out). Returns the entries and the problems only this step finds: unknown cipher suites
 * and `keyType` written together with `serverKeyType` or `clientKeyType`.
 */
export function readMatrix(rawMatrix: unknown): { entries: MatrixEntry[]; issues: PathIssue[] } {
  const entries: MatrixEntry[] = [];
  const issues: PathIssue[] = [];

  if (rawMatrix === undefined) {
    entries.push(readMatrixEntry({}, ['matrix'], false, issues));
  } else if (Array.isArray(rawMatrix)) {
    rawMatrix.forEach((rawEntry: unknown, index) => {
      if (isPlainObject(rawEntry)) {
        entries.push(readMatrixEntry(rawEntry, ['matrix', index], true, issues));
      }
    });
  } else if (isPlainObject(rawMatrix)) {
    entries.push(readMatrixEntry(rawMatrix, ['matrix'], false, issues));
  }
  return { entries, issues };
}

function readMatrixEntry(
  rawEntry: Record<string, unknown>,
  path: PathSegment[],
  inList: boolean,
  issues: PathIssue[],
): MatrixEntry {
  const read = <T>(axis: keyof typeof MATRIX_AXIS_SCHEMAS, schema: z.ZodType, defaults: readonly T[]) =>
    readAxis<T>(rawEntry, path, axis, schema, defaults);

  // keyType names the default too, so messages name keyType unless the entry splits the key types.
  const serverKeyField: MatrixEntry['serverKeyField'] = Object.hasOwn(rawEntry, 'serverKeyType')
    ? 'serverKeyType'
    : 'keyType';
  let serverKeyType: AxisValue<KeyType>[] | null;
  let clientKeyType: AxisValue<KeyType>[] | null;
  if (Object.hasOwn(rawEntry, 'keyType')) {
    const splitField = ['serverKeyType', 'clientKeyType'].find((field) => Object.hasOwn(rawEntry, field));
    if (splitField !== undefined) {
      issues.push({
        path: [...path, splitField],
        message:
          'keyType already sets both the server and the client key type; ' +
          'use keyType alone, or serverKeyType and clientKeyType without it',
      });
      serverKeyType = null;
      clientKeyType = null;
    } else {
      serverKeyType = read('keyType', MATRIX_AXIS_SCHEMAS.keyType, MATRIX_DEFAULTS.keyType);
      clientKeyType = serverKeyType;
    }
  } else {
    serverKeyType = read('serverKeyType', MATRIX_AXIS_SCHEMAS.serverKeyType, MATRIX_DEFAULTS.keyType);
    clientKeyType = read('clientKeyType', MATRIX_AXIS_SCHEMAS.clientKeyType, MATRIX_DEFAULTS.keyType);
  }

  const cipherNames = read<string>('cipherSuite', MATRIX_AXIS_SCHEMAS.cipherSuite, MATRIX_DEFAULTS.cipherSuite);

  return {
    path,
    inList,
    serverKeyField,
    keyTypesPaired: serverKeyField === 'keyType' && Object.hasOwn(rawEntry, 'keyType'),
    serverKeyType,
    clientKeyType,
    tlsVersion: read('tlsVersion', MATRIX_AXIS_SCHEMAS.tlsVersion, MATRIX_DEFAULTS.tlsVersion),
    cipherSuite: cipherNames === null ? null : resolveCipherChoices(cipherNames, issues),
    group: read('group', MATRIX_AXIS_SCHEMAS.group, MATRIX_DEFAULTS.group),
    resumption: read('resumption', MATRIX_AXIS_SCHEMAS.resumption, MATRIX_DEFAULTS.resumption),
    auth: read('auth', MATRIX_AXIS_SCHEMAS.auth, MATRIX_DEFAULTS.auth),
    chainDepth: read('chainDepth', MATRIX_AXIS_SCHEMAS.chainDepth, MATRIX_DEFAULTS.chainDepth),
  };
}

/** Converts an entry whose axes all parsed into plain values, pairing or crossing the key types. */
export function resolveMatrixEntry(entry: MatrixEntry): ResolvedMatrixEntry {
  const values = <T>(axis: AxisValue<T>[] | null): T[] => {
    if (axis === null) {
      throw new Error(`matrix entry ${formatPath(entry.path)} has an invalid axis but produced no issue`);
    }
    return axis.map(({ value }) => value);
  };
  const serverKeyTypes = values(entry.serverKeyType);
  const clientKeyTypes = values(entry.clientKeyType);
  const keyTypes = entry.keyTypesPaired
    ? serverKeyTypes.map((keyType) => ({ server: keyType, client: keyType }))
    : serverKeyTypes.flatMap((server) => clientKeyTypes.map((client) => ({ server, client })));
  return {
    keyTypes,
    tlsVersion: values(entry.tlsVersion),
    cipherSuite: values(entry.cipherSuite).map((choice) => choice.suite?.openSslName ?? null),
    group: values(entry.group),
    resumption: values(entry.resumption),
    auth: values(entry.auth),
    chainDepth: values(entry.chainDepth),
  };
}

/** Collects every axis's values over all entries, in first-seen order. */
export function summarizeMatrix(entries: readonly ResolvedMatrixEntry[]): ResolvedSuite['matrix'] {
  return {
    serverKeyType: uniqueInOrder(entries.flatMap((entry) => entry.keyTypes.map(({ server }) => server))),
    clientKeyType: uniqueInOrder(entries.flatMap((entry) => entry.keyTypes.map(({ client }) => client))),
    tlsVersion: unionOfAxis(entries, 'tlsVersion'),
    cipherSuite: unionOfAxis(entries, 'cipherSuite'),
    group: unionOfAxis(entries, 'group'),
    resumption: unionOfAxis(entries, 'resumption'),
    auth: unionOfAxis(entries, 'auth'),
    chainDepth: unionOfAxis(entries, 'chainDepth'),
  };
}

type PlainAxis = Exclude<keyof ResolvedMatrixEntry, 'keyTypes'>;

function unionOfAxis<K extends PlainAxis>(entries: readonly ResolvedMatrixEntry[], axis: K): ResolvedMatrixEntry[K] {
  const values = entries.flatMap((entry): ResolvedMatrixEntry[K][number][] => entry[axis]);
  return uniqueInOrder(values) as ResolvedMatrixEntry[K];
}

function uniqueInOrder<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}

/** Reads one axis as a list of values, or returns null when the schema rejects it. */
function readAxis<T>(
  rawEntry: Record<string, unknown>,
  entryPath: PathSegment[],
  axis: string,
  schema: z.ZodType,
  defaults: readonly T[],
): AxisValue<T>[] | null {
  const axisPath = [...entryPath, axis];
  if (!Object.hasOwn(rawEntry, axis)) {
    return defaults.map((value) => ({ value, path: axisPath, isDefault: true }));
  }

  const parsed = schema.safeParse(rawEntry[axis]);
  if (!parsed.success) {
    return null;
  }
  const data = parsed.data as T | T[];
  if (Array.isArray(data)) {
    return data.map((value: T, index) => ({ value, path: [...axisPath, index], isDefault: false }));
  }
  return [{ value: data, path: axisPath, isDefault: false }];
}

/** Resolves cipher suite names, leaving out (and reporting) the ones that do not resolve. */
function resolveCipherChoices(names: AxisValue<string>[], issues: PathIssue[]): AxisValue<CipherChoice>[] {
  const choices: AxisValue<CipherChoice>[] = [];
  for (const name of names) {
    if (isDefaultCipherSuite(name.value)) {
      choices.push({ ...name, value: { written: name.value, suite: null } });
      continue;
    }
    const lookup = lookUpCipherSuite(name.value);
    if (lookup.ok) {
      choices.push({ ...name, value: { written: name.value, suite: lookup.suite } });
    } else {
      issues.push({ path: name.path, message: lookup.message });
    }
  }
  return choices;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
