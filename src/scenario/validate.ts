/**
 * Rules that span axes of one matrix entry. Every rule is about a pair of values, so checking
 * each pair once covers every cell of the entry's cross product, and each problem is reported
 * once at the value to change, however many cells it would spoil.
 */
import { serverKeyKind } from './ciphers.ts';
import type { CipherSuiteInfo } from './ciphers.ts';
import type { AxisValue, CipherChoice, MatrixEntry } from './matrix.ts';
import { quote } from './messages.ts';
import type { PathIssue } from './messages.ts';
import type { KeyType, Resumption, TlsVersion } from './types.ts';

/** Checks one matrix entry, skipping axes that failed to parse. */
export function checkMatrixEntry(entry: MatrixEntry): PathIssue[] {
  const issues: PathIssue[] = [];
  const { tlsVersion, cipherSuite, resumption, serverKeyType } = entry;

  if (tlsVersion !== null && cipherSuite !== null) {
    issues.push(...checkCipherVersions(entry, cipherSuite, tlsVersion));
  }
  if (tlsVersion !== null && resumption !== null) {
    issues.push(...checkResumptionVersions(entry, resumption, tlsVersion));
  }
  if (serverKeyType !== null && cipherSuite !== null) {
    issues.push(...checkCipherServerKeys(entry, cipherSuite, serverKeyType));
  }
  return dropRepeats(issues);
}

function checkCipherVersions(
  entry: MatrixEntry,
  cipherSuites: AxisValue<CipherChoice>[],
  tlsVersions: AxisValue<TlsVersion>[],
): PathIssue[] {
  const issues: PathIssue[] = [];
  for (const cipherSuite of cipherSuites) {
    const suite = cipherSuite.value.suite;
    if (suite === null) {
      continue;
    }
    const crossed = tlsVersions.some((version) => version.value === suite.tlsVersion);
    for (const version of tlsVersions) {
      if (version.value === suite.tlsVersion) {
        continue;
      }
      const suiteLabel = `${quote(cipherSuite.value.written)} is a ${versionName(suite.tlsVersion)} cipher suite`;
      const versionLabel = axisValueLabel('tlsVersion', version);
      const message = crossed
        ? `${suiteLabel}, but ${matrixName(entry)} crosses it with ${versionLabel}; ` +
          splitAdvice(entry, 'one per TLS version')
        : `${suiteLabel}, so it cannot run under ${versionLabel}; ` +
          `use a ${versionName(version.value)} suite, or tlsVersion ${quote(suite.tlsVersion)}`;
      issues.push({ path: cipherSuite.path, message });
    }
  }
  return issues;
}

function checkResumptionVersions(
  entry: MatrixEntry,
  resumptions: AxisValue<Resumption>[],
  tlsVersions: AxisValue<TlsVersion>[],
): PathIssue[] {
  const issues: PathIssue[] = [];
  const crossed = tlsVersions.some((version) => version.value === 'tls1.2');
  for (const resumption of resumptions) {
    if (resumption.value !== 'session-ids') {
      continue;
    }
    for (const version of tlsVersions) {
      if (version.value !== 'tls1.3') {
        continue;
      }
      const message = crossed
        ? `session IDs exist only in TLS 1.2, but ${matrixName(entry)} crosses "session-ids" with ` +
          `${axisValueLabel('tlsVersion', version)}; ${splitAdvice(entry, 'one per TLS version')}`
        : `session IDs exist only in TLS 1.2; use tickets, or tlsVersion tls1.2`;
      issues.push({ path: resumption.path, message });
    }
  }
  return issues;
}

function checkCipherServerKeys(
  entry: MatrixEntry,
  cipherSuites: AxisValue<CipherChoice>[],
  serverKeyTypes: AxisValue<KeyType>[],
): PathIssue[] {
  const issues: PathIssue[] = [];
  for (const cipherSuite of cipherSuites) {
    const suite = cipherSuite.value.suite;
    if (suite === null || suite.serverKey === 'any') {
      continue;
    }
    const crossed = serverKeyTypes.some((keyType) => serverKeyKind(keyType.value) === suite.serverKey);
    for (const keyType of serverKeyTypes) {
      if (serverKeyKind(keyType.value) === suite.serverKey) {
        continue;
      }
      const suiteLabel = `${quote(cipherSuite.value.written)} needs ${serverKeyName(suite)}`;
      const keyLabel = axisValueLabel(entry.serverKeyField, keyType);
      const message = crossed
        ? `${suiteLabel}, but ${matrixName(entry)} crosses it with ${keyLabel}; ` +
          splitAdvice(entry, 'so that RSA suites go with RSA keys and ECDSA suites with ECDSA or Ed25519 keys')
        : `${suiteLabel}, but ${axisValueLabel(entry.serverKeyField, keyType, ' is ')}; ${keyRemedy(suite)}`;
      issues.push({ path: cipherSuite.path, message });
    }
  }
  return issues;
}

function versionName(version: TlsVersion): string {
  return version === 'tls1.2' ? 'TLS 1.2' : 'TLS 1.3';
}

function serverKeyName(suite: CipherSuiteInfo): string {
  return suite.serverKey === 'rsa' ? 'an RSA server key' : 'an ECDSA or Ed25519 server key';
}

function keyRemedy(suite: CipherSuiteInfo): string {
  return suite.serverKey === 'rsa'
    ? 'use an ECDHE-ECDSA-* suite, or an RSA key type'
    : 'use an ECDHE-RSA-* suite, or an ECDSA or Ed25519 key type';
}

/** `tlsVersion "tls1.2"`, marked when the value is a default the author may not have noticed. */
function axisValueLabel(axis: string, value: AxisValue<string>, separator = ' '): string {
  return `${axis}${separator}${quote(value.value)}${value.isDefault ? ' (the default)' : ''}`;
}

function matrixName(entry: MatrixEntry): string {
  return entry.inList ? 'this matrix entry' : 'the matrix';
}

function splitAdvice(entry: MatrixEntry, grouping: string): string {
  return entry.inList
    ? `split this entry into several, ${grouping}`
    : `split the matrix into a list of objects, ${grouping}`;
}

/** Drops exact repeats, which come from a value listed twice in one axis. */
function dropRepeats(issues: PathIssue[]): PathIssue[] {
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = `${issue.path.join('/')}\n${issue.message}`;
    if (seen.has(key)) {
      return false;
    }
    seen.add(key);
    return true;
  });
}
