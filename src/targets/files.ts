/**
 * Reads and checks a target's certificate files before any socket opens, so that a wrong path,
 * a key of another certificate or an expired client certificate costs no run. Reads are
 * synchronous, because the suite loader that calls this is, and the files are a few kilobytes.
 */
import { KeyObject, X509Certificate, createPrivateKey } from 'node:crypto';

import { InvalidSuiteError } from '../errors.ts';
import { keyTypeOfPublicKey } from '../pki/keys.ts';
import { describeInputFileProblem, readInputFile } from '../scenario/input-file.ts';
import { formatPath } from '../scenario/messages.ts';
import type { PathIssue, PathSegment } from '../scenario/messages.ts';
import type { TargetFiles } from '../scenario/target.ts';
import type { KeyType } from '../scenario/types.ts';

/** The PEM material a target's clients and probes use, read from its files. */
export interface TargetMaterial {
  /** Every certificate of `target.ca`, as written. */
  caPem: string;
  /** Client leaf and the intermediates the client sends, as written in `target.cert`. */
  certChainPem: string;
  keyPem: string;
  /** The certificate of `target.ca` that `target.caKey` belongs to, with that key; null without `caKey`. */
  caSigner: { certPem: string; keyPem: string } | null;
  /** Key type of the client leaf. */
  clientKeyType: KeyType;
}

type FileField = 'ca' | 'cert' | 'key' | 'caKey';

const CERTIFICATE_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** A file's text, or the issue that kept it from being read. */
type ReadOutcome = { text: string } | { issue: PathIssue };

function fieldPath(field: FileField): PathSegment[] {
  return ['target', field];
}

/**
 * Maximum size of a PEM file. A CA bundle of about 150 certificates, as Mozilla's is, takes a
 * few hundred kilobytes, so the cap only stops a wrong path, such as a log file, being read whole.
 */
export const MAX_PEM_FILE_BYTES = 1024 * 1024;

function readPemFile(field: FileField, file: string): ReadOutcome {
  const outcome = readInputFile(file, { maxBytes: MAX_PEM_FILE_BYTES });
  if ('text' in outcome) return outcome;
  const problem = describeInputFileProblem(outcome.problem, 'a PEM file');
  const hint = outcome.problem.kind === 'not-found' ? " (a relative path is relative to the suite file's directory)" : '';
  return { issue: { path: fieldPath(field), message: `${file}: ${problem}${hint}` } };
}

function subjectOf(certificate: X509Certificate): string {
  return certificate.subject.split('\n').join(', ');
}

/** Parses every certificate of a PEM file, or returns the issue with the first that fails. */
function parseCertificates(field: FileField, file: string, text: string): { pems: string[]; certificates: X509Certificate[] } | PathIssue {
  const pems = text.match(CERTIFICATE_BLOCK) ?? [];
  if (pems.length === 0) {
    return { path: fieldPath(field), message: `${file}: ${describeMissingPem(text, 'CERTIFICATE')}` };
  }
  const certificates: X509Certificate[] = [];
  for (const [index, pem] of pems.entries()) {
    try {
      certificates.push(new X509Certificate(pem));
    } catch (error) {
      return {
        path: fieldPath(field),
        message: `${file}: certificate ${index + 1} of ${pems.length} is not a valid certificate: ${(error as Error).message}`,
      };
    }
  }
  return { pems, certificates };
}

function parsePrivateKey(field: FileField, file: string, text: string): KeyObject | PathIssue {
  if (/-----BEGIN [A-Z ]*ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(text)) {
    return { path: fieldPath(field), message: `${file}: the private key is encrypted; expected an unencrypted PEM private key` };
  }
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*-----END [A-Z ]*PRIVATE KEY-----/.test(text)) {
    return { path: fieldPath(field), message: `${file}: ${describeMissingPem(text, 'PRIVATE KEY')}` };
  }
  try {
    return createPrivateKey(text);
  } catch (error) {
    return {
      path: fieldPath(field),
      message: `${file}: not a valid PEM private key (OpenSSL: ${(error as Error).message}); the file may be corrupted`,
    };
  }
}

/**
 * Explains why a file has no complete PEM block of the expected label. It may be empty, cut off
 * after a BEGIN line, DER instead of PEM, or PEM of the other kind, as when cert and key are swapped.
 */
function describeMissingPem(text: string, label: 'CERTIFICATE' | 'PRIVATE KEY'): string {
  const pemKind = label === 'CERTIFICATE' ? 'PEM certificate' : 'PEM private key';
  const expected = `expected a "-----BEGIN ${label}-----" block`;
  if (text.trim() === '') {
    return `is empty; ${expected}`;
  }
  const begin = label === 'CERTIFICATE' ? /-----BEGIN CERTIFICATE-----/ : /-----BEGIN [A-Z ]*PRIVATE KEY-----/;
  if (begin.test(text)) {
    return `has a BEGIN line without its END line, so the file was probably truncated; ${expected}`;
  }
  const otherKind = label === 'CERTIFICATE' ? /-----BEGIN [A-Z ]*PRIVATE KEY-----/ : /-----BEGIN CERTIFICATE-----/;
  if (otherKind.test(text)) {
    const found = label === 'CERTIFICATE' ? 'a private key' : 'a certificate';
    return `contains ${found}, not a ${pemKind}; check that cert and key are not swapped`;
  }
  // DER starts with an ASN.1 SEQUENCE tag (0x30), which UTF-8 decoding keeps as "0", followed by bytes that are not text.
  if (text.startsWith('0') && /[\u0000-\u0008\ufffd]/.test(text)) {
    const command = label === 'CERTIFICATE' ? 'openssl x509 -inform DER' : 'openssl pkey -inform DER';
    return `is binary DER, not PEM; convert it with \`${command} -in FILE -out FILE.pem\``;
  }
  return `no ${pemKind} found; ${expected}`;
}

/** Checks that each certificate is valid at `now`, naming the first one that is not. */
function checkValidity(field: FileField, file: string, certificates: X509Certificate[], now: Date): PathIssue | null {
  for (const certificate of certificates) {
    const notBefore = new Date(certificate.validFrom);
    const notAfter = new Date(certificate.validTo);
    if (now > notAfter) {
      return {
        path: fieldPath(field),
        message: `${file}: the certificate "${subjectOf(certificate)}" expired on ${notAfter.toISOString()}; issue a new one`,
      };
    }
    if (now < notBefore) {
      return {
        path: fieldPath(field),
        message:
          `${file}: the certificate "${subjectOf(certificate)}" is not valid before ${notBefore.toISOString()}; ` +
          "check this machine's clock, or issue one valid now",
      };
    }
  }
  return null;
}

/**
 * Checks that `target.ca` has a certificate valid at `now`. A bundle may hold expired CAs next
 * to valid ones, as system bundles do, so only a bundle without a single valid certificate,
 * which can verify no server, is an error.
 */
function caValidityIssue(file: string, certificates: X509Certificate[], now: Date): PathIssue | null {
  const [first] = certificates;
  if (first === undefined || certificates.some((certificate) => checkValidity('ca', file, [certificate], now) === null)) return null;
  const from = new Date(first.validFrom).toISOString();
  const to = new Date(first.validTo).toISOString();
  const subject = certificates.length === 1 ? 'its certificate is not' : `none of its ${certificates.length} certificates is`;
  return {
    path: fieldPath('ca'),
    message:
      `${file}: ${subject} valid now ("${subjectOf(first)}" is valid from ${from} to ${to}), ` +
      'so it can verify no server certificate; use a CA certificate valid now',
  };
}

/**
 * Reads the target's files and checks them: each is a PEM file of the right kind, the key
 * belongs to the client certificate, and every certificate of the client chain is valid now.
 * `caKey` must belong to a certificate of `ca`. Returns the material, or every problem found,
 * each at its field path (`target.cert`).
 */
export function readTargetFiles(target: TargetFiles, now: Date = new Date()): { material: TargetMaterial | null; issues: PathIssue[] } {
  const issues: PathIssue[] = [];
  const read = (field: FileField, file: string): string | null => {
    const outcome = readPemFile(field, file);
    if ('issue' in outcome) {
      issues.push(outcome.issue);
      return null;
    }
    return outcome.text;
  };

  const caText = read('ca', target.ca);
  const certText = read('cert', target.cert);
  const keyText = read('key', target.key);
  const caKeyText = target.caKey === null ? null : read('caKey', target.caKey);

  const ca = caText === null ? null : parseCertificates('ca', target.ca, caText);
  if (ca !== null && !('pems' in ca)) issues.push(ca);
  if (ca !== null && 'pems' in ca) {
    const invalid = caValidityIssue(target.ca, ca.certificates, now);
    if (invalid !== null) issues.push(invalid);
  }
  const chain = certText === null ? null : parseCertificates('cert', target.cert, certText);
  if (chain !== null && !('pems' in chain)) issues.push(chain);
  const key = keyText === null ? null : parsePrivateKey('key', target.key, keyText);
  if (key !== null && !isKeyObject(key)) issues.push(key);
  const caKey = caKeyText === null || target.caKey === null ? null : parsePrivateKey('caKey', target.caKey, caKeyText);
  if (caKey !== null && !isKeyObject(caKey)) issues.push(caKey);

  let clientKeyType: KeyType | null = null;
  const leaf = chain !== null && 'pems' in chain ? chain.certificates[0] : undefined;
  if (chain !== null && 'pems' in chain && leaf !== undefined) {
    const expiry = checkValidity('cert', target.cert, chain.certificates, now);
    if (expiry !== null) issues.push(expiry);
    clientKeyType = keyTypeOfPublicKey(leaf.publicKey);
    if (clientKeyType === null) {
      issues.push({
        path: fieldPath('cert'),
        message:
          `${target.cert}: the client certificate's key (${describeKey(leaf.publicKey)}) is not a key type mtls-bench ` +
          'can name; expected RSA 2048, 3072 or 4096 with exponent 65537, ECDSA P-256 or P-384, or Ed25519',
      });
    }
    if (key !== null && isKeyObject(key) && !leaf.checkPrivateKey(key)) {
      issues.push({
        path: fieldPath('key'),
        message: `${target.key}: does not match the client certificate "${subjectOf(leaf)}" in target.cert (${target.cert})`,
      });
    }
  }

  let caSigner: TargetMaterial['caSigner'] = null;
  if (ca !== null && 'pems' in ca && caKey !== null && isKeyObject(caKey) && caKeyText !== null) {
    const index = ca.certificates.findIndex((certificate) => certificate.checkPrivateKey(caKey));
    const certPem = ca.pems[index];
    if (certPem === undefined) {
      issues.push({
        path: fieldPath('caKey'),
        message: `${target.caKey}: does not match any certificate in target.ca (${target.ca})`,
      });
    } else {
      caSigner = { certPem: `${certPem}\n`, keyPem: caKeyText };
    }
  }

  if (issues.length > 0 || caText === null || certText === null || keyText === null || clientKeyType === null) {
    return { material: null, issues };
  }
  return {
    material: { caPem: caText, certChainPem: certText, keyPem: keyText, caSigner, clientKeyType },
    issues,
  };
}

/**
 * Reads the target's files for a run, throwing InvalidSuiteError when they no longer pass the
 * checks the loader ran, for example when a file changed since the suite was loaded. `suiteFile`
 * is the file name the issues carry.
 */
export function loadTargetMaterial(target: TargetFiles, suiteFile: string): TargetMaterial {
  const { material, issues } = readTargetFiles(target);
  if (material === null) {
    const file = suiteFile;
    throw new InvalidSuiteError(issues.map((issue) => ({ file, line: null, path: formatPath(issue.path), message: issue.message })));
  }
  return material;
}

function isKeyObject(value: KeyObject | PathIssue): value is KeyObject {
  return value instanceof KeyObject;
}

function describeKey(key: KeyObject): string {
  const details = key.asymmetricKeyDetails ?? {};
  if (details.modulusLength !== undefined) return `${key.asymmetricKeyType} ${details.modulusLength} bits`;
  if (details.namedCurve !== undefined) return `${key.asymmetricKeyType} ${details.namedCurve}`;
  return String(key.asymmetricKeyType);
}
