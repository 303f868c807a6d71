/**
 * Rules for a suite with a `target`: the host must be loopback unless the author allows
 * otherwise, and the matrix may only vary what a client can choose, because the target's own
 * configuration and certificate files decide the rest.
 */
import path from 'node:path';

import { isLoopbackHost } from '../targets/address.ts';
import type { MatrixEntry } from './matrix.ts';
import { quote } from './messages.ts';
import type { PathIssue, PathSegment } from './messages.ts';
import { HOST_PATTERN } from './schema.ts';
import type { TargetInput } from './schema.ts';
import type { ResolvedTarget } from './types.ts';

const TARGET_PATH = ['target'] as const;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Rejects `simulate` next to a target: the slowdown is burnt inside the echo servers that
 * mtls-bench starts, and a target's server is not one of them.
 */
export function checkSimulateForTarget(rawSimulate: unknown): PathIssue[] {
  if (rawSimulate === undefined) return [];
  return [
    {
      path: ['simulate'],
      message:
        "the target's server is not started by mtls-bench, so it cannot simulate a slowdown; remove simulate or target",
    },
  ];
}

/**
 * Checks the fields of `target` against each other, on the raw values, so that these problems
 * are reported together with any schema problem of the same object.
 */
export function checkTargetFields(rawTarget: unknown): PathIssue[] {
  if (!isPlainObject(rawTarget)) return [];
  const issues: PathIssue[] = [];
  const { host, port, baselinePort, allowRemote } = rawTarget;

  // A host the schema rejects gets that message alone.
  if (typeof host === 'string' && HOST_PATTERN.test(host) && allowRemote !== true && !isLoopbackHost(host)) {
    issues.push({
      path: [...TARGET_PATH, 'host'],
      message: `got ${quote(host)}; expected a loopback address (127.0.0.0/8, ::1 or localhost), or set target.allowRemote: true`,
    });
  }
  if (typeof port === 'number' && baselinePort === port) {
    issues.push({
      path: [...TARGET_PATH, 'baselinePort'],
      message:
        `got ${port}, the same port as target.port; expected the port of a listener that does server-only TLS, ` +
        'so that auth: tls cells measure without a client certificate',
    });
  }
  return issues;
}

/**
 * Checks one matrix entry of a suite with a target. `rawEntry` is the entry as written, to tell
 * an axis the author set from one left at its default.
 */
export function checkMatrixEntryForTarget(entry: MatrixEntry, rawEntry: unknown, rawTarget: unknown): PathIssue[] {
  const written = isPlainObject(rawEntry) ? rawEntry : {};
  const issues: PathIssue[] = [];
  const entryPath: PathSegment[] = entry.path;

  for (const field of ['serverKeyType', 'clientKeyType'] as const) {
    if (Object.hasOwn(written, field)) {
      issues.push({
        path: [...entryPath, field],
        message:
          "with a target, the target's certificates decide the key types: keyType is the key type the target's " +
          'server certificate must have, and the client key type comes from target.cert; ' +
          `use keyType instead of ${field}`,
      });
    }
  }
  if (Object.hasOwn(written, 'chainDepth')) {
    issues.push({
      path: [...entryPath, 'chainDepth'],
      message: "with a target, the target's certificates decide the chain depth; remove chainDepth",
    });
  }
  if (entry.serverKeyField === 'keyType' && entry.serverKeyType !== null && entry.serverKeyType.length > 1) {
    issues.push({
      path: [...entryPath, 'keyType'],
      message:
        "got a list; with a target, keyType takes one value: the key type the target's server certificate must have",
    });
  }

  const hasBaselinePort = isPlainObject(rawTarget) && rawTarget.baselinePort !== undefined;
  const tlsAuth = entry.auth?.find((value) => value.value === 'tls');
  if (!hasBaselinePort && tlsAuth !== undefined) {
    issues.push({
      path: tlsAuth.path,
      message: tlsAuth.isDefault
        ? 'auth defaults to [tls, mtls], and auth "tls" needs target.baselinePort, a port of the target that does ' +
          'server-only TLS; set target.baselinePort, or set auth: mtls'
        : 'auth "tls" needs target.baselinePort, a port of the target that does server-only TLS; ' +
          'set target.baselinePort, or remove "tls" from auth',
    });
  }
  return issues;
}

/** Checks that every workload can run against the target's protocol. */
export function checkWorkloadsForTarget(rawWorkloads: unknown, rawTarget: unknown): PathIssue[] {
  if (!isPlainObject(rawTarget) || rawTarget.protocol !== 'tls' || !Array.isArray(rawWorkloads)) return [];
  const issues: PathIssue[] = [];
  rawWorkloads.forEach((workload: unknown, index) => {
    if (isPlainObject(workload) && workload.kind === 'requests') {
      issues.push({
        path: ['workloads', index, 'kind'],
        message:
          'a requests workload sends HTTPS requests, but target.protocol is "tls" (a raw TLS echo server); ' +
          'use a handshake workload, or target.protocol "https"',
      });
    }
  });
  return issues;
}

/** The file fields of a target with absolute paths. */
export type TargetFiles = Pick<ResolvedTarget, 'ca' | 'cert' | 'key' | 'caKey'>;

/**
 * Makes the target's file paths absolute: relative to the suite file's directory, or to the
 * working directory for a suite built in code.
 */
export function resolveTargetFiles(
  input: Pick<TargetInput, 'ca' | 'cert' | 'key' | 'caKey'>,
  suiteFile: string | null,
): TargetFiles {
  const baseDirectory = suiteFile === null ? process.cwd() : path.dirname(path.resolve(suiteFile));
  const absolute = (file: string): string => path.resolve(baseDirectory, file);
  return {
    ca: absolute(input.ca),
    cert: absolute(input.cert),
    key: absolute(input.key),
    caKey: input.caKey === undefined ? null : absolute(input.caKey),
  };
}

/** Fills in the target's defaults and makes its file paths absolute (see `resolveTargetFiles`). */
export function resolveTarget(input: TargetInput, suiteFile: string | null): ResolvedTarget {
  return {
    host: input.host,
    port: input.port,
    baselinePort: input.baselinePort ?? null,
    servername: input.servername ?? input.host,
    protocol: input.protocol ?? 'https',
    ...resolveTargetFiles(input, suiteFile),
    allowRemote: input.allowRemote ?? false,
  };
}
