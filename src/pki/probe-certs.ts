/**
 * Client certificates that a correct mTLS server must reject, for the enforcement probes in
 * `src/probes/`. Each one differs from a valid client certificate in one property only.
 */
import { X509Certificate as NodeX509Certificate, createPrivateKey, webcrypto } from 'node:crypto';
import { MtlsBenchError } from '../errors.ts';
import type { KeyType } from '../scenario/types.ts';
import { caExtensions, clientLeafExtensions, issueCertificate, toPemPair } from './generate.ts';
import type { IssuedCertificate, Validity } from './generate.ts';
import { generateKeyPair, keyAlgorithmFor, keyTypeOfPublicKey } from './keys.ts';
import type { CertificateSet, PemPair } from './types.ts';
import { x509 } from './x509.ts';

/** A client certificate a probe presents. */
export interface ProbeClientCertificate {
  state: 'ready';
  /** Leaf first, then the intermediates the client sends (none for some probes). */
  certChainPem: string;
  /** Private key of the leaf, PKCS#8 PEM. */
  keyPem: string;
  /** Certificate of the CA that signed the leaf, so that a caller can check what it was given. */
  issuerCertPem: string;
}

/** A probe certificate that could not be issued, with the reason. */
export interface SkippedProbeCertificate {
  state: 'skipped';
  reason: string;
}

export type ProbeCertificate = ProbeClientCertificate | SkippedProbeCertificate;

/** Wrong client certificates for one trust anchor. */
export interface ProbeCertificates {
  /** Root certificate of the other CA. No probed server may trust it. */
  otherCaPem: string;
  /** Valid client leaf issued by the other CA. */
  otherCa: ProbeClientCertificate;
  /** Client leaf in the right chain whose notAfter is a day in the past. */
  expired: ProbeCertificate;
  /** Client leaf in the right chain whose extendedKeyUsage is serverAuth only. */
  serverAuthOnly: ProbeCertificate;
  /** Client leaf whose issuing intermediate the client does not send. */
  unsentIntermediate: ProbeCertificate;
}

/** Options of `generateProbeCertificates`. */
export interface GenerateProbeCertificatesOptions {
  /** Root CA certificate (PEM) that the probed server trusts. */
  caCertPem: string;
  /**
   * Private key (PEM) of that root, or null when it is not available. Without it and without
   * `intermediates`, the probes that need a certificate in the right chain are skipped.
   */
  caKeyPem: string | null;
  /**
   * Intermediate CAs with their keys, from the one just below the root down to the issuer of
   * the valid client leaf. Default: none.
   */
  intermediates?: PemPair[];
  /** Key type of the probe leaves. Default: the root's key type, or ecdsa-p256 if mtls-bench does not generate that type. */
  leafKeyType?: KeyType;
}

/**
 * Seven days, like the sets `generateCertificateSet` makes by default, because probe
 * certificates are generated once and reused for a whole run.
 */
const VALID_DAYS = 7;
/** notBefore an hour back, for the same reason as the certificate sets: clocks that run behind. */
const BACKDATE_MS = 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;
/** Key type of the CAs made up for the probes when the real root's key type is unknown. */
const FALLBACK_KEY_TYPE: KeyType = 'ecdsa-p256';

const OTHER_CA_SUBJECT = 'CN=mtls-bench probe other CA, O=mtls-bench';
const UNSENT_INTERMEDIATE_SUBJECT = 'CN=mtls-bench probe unsent intermediate CA, O=mtls-bench';

/** A CA that can sign probe leaves, with the intermediates a client sends after such a leaf. */
interface ProbeSigner {
  issuer: IssuedCertificate;
  issuerCertPem: string;
  /** Certificates below the root down to `issuer`, nearest first, as a client sends them. */
  sentChainPem: string;
}

/**
 * Generates the wrong client certificates for a server that trusts `caCertPem`: a leaf from
 * another CA, and in the right chain an expired leaf, a serverAuth-only leaf and a leaf under
 * an intermediate the client leaves out.
 *
 * The right-chain leaves are signed by the last of `intermediates` when there is one, and
 * otherwise by the root with `caKeyPem`. The unsent intermediate is that last intermediate,
 * or with chain depth 0 an extra intermediate made under the root. When neither key is there,
 * or the CA's key type is one mtls-bench cannot sign with, those probes are `skipped` with the
 * reason. Throws `MtlsBenchError` with code `INVALID_ARGUMENT` for a certificate or key that
 * does not parse or a key that does not match its certificate, and `PKI_FAILED` when key
 * generation or signing fails.
 */
export async function generateProbeCertificates(options: GenerateProbeCertificatesOptions): Promise<ProbeCertificates> {
  const rootKeyType = keyTypeOfPublicKey(parseCertificate(options.caCertPem, 'root CA certificate').publicKey);
  const caKeyType = rootKeyType ?? FALLBACK_KEY_TYPE;
  const leafKeyType = options.leafKeyType ?? caKeyType;
  const intermediates = options.intermediates ?? [];
  const lastIntermediate = intermediates.at(-1);

  // Parsing and key checks come first, so that bad input is reported as such.
  const rootIssuer = options.caKeyPem === null ? null : await loadIssuer(options.caCertPem, options.caKeyPem, 'root CA');
  const intermediateIssuer =
    lastIntermediate === undefined ? null : await loadIssuer(lastIntermediate.certPem, lastIntermediate.keyPem, 'last intermediate CA');

  try {
    const now = Date.now();
    const current: Validity = { notBefore: new Date(now - BACKDATE_MS), notAfter: new Date(now + VALID_DAYS * DAY_MS) };
    // A day past notAfter, so that a server whose clock runs up to a day behind still finds it expired.
    const expired: Validity = { notBefore: new Date(now - 2 * DAY_MS), notAfter: new Date(now - DAY_MS) };

    // One key pair serves every probe leaf: the probes test the certificates, not the keys.
    // WebCrypto generates keys on the libuv thread pool, so the pairs are started together.
    const [leafKeys, otherCaKeys, unsentSigner] = await Promise.all([
      generateKeyPair(leafKeyType),
      generateKeyPair(caKeyType),
      unsentIntermediateSigner(intermediateIssuer, rootIssuer, lastIntermediate, current),
    ]);
    const leaf = { keys: leafKeys, keyType: leafKeyType };

    const otherCa = await issueCertificate({
      subject: OTHER_CA_SUBJECT,
      keys: otherCaKeys,
      keyType: caKeyType,
      issuer: null,
      validity: current,
      extensions: caExtensions(0),
    });
    const otherCaPem = toPemPair(otherCa).certPem;
    const otherCaSigner: ProbeSigner = { issuer: otherCa, issuerCertPem: otherCaPem, sentChainPem: '' };

    // The right-chain leaves mirror the valid client: same issuer, same intermediates sent.
    const chainSigner = signerInChain(intermediateIssuer, rootIssuer, intermediates, options.caCertPem);

    return {
      otherCaPem,
      otherCa: await issueProbeLeaf(otherCaSigner, leaf, 'other CA', current, clientLeafExtensions()),
      expired: await issueOrSkip(chainSigner, leaf, 'expired', expired, clientLeafExtensions()),
      serverAuthOnly: await issueOrSkip(chainSigner, leaf, 'server-auth-only', current, serverAuthOnlyExtensions()),
      unsentIntermediate: await issueOrSkip(unsentSigner, leaf, 'unsent intermediate', current, clientLeafExtensions(), {
        sendChain: false,
      }),
    };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new MtlsBenchError('PKI_FAILED', `generating probe certificates failed: ${reason}`, { cause: error });
  }
}

/**
 * Generates the probe certificates for a generated set: its root and intermediates as the
 * right chain, and leaves of the set's client key type.
 */
export function generateProbeCertificatesFor(set: CertificateSet): Promise<ProbeCertificates> {
  return generateProbeCertificates({
    caCertPem: set.caPem,
    caKeyPem: set.rootKeyPem ?? null,
    intermediates: set.intermediates,
    leafKeyType: set.clientKeyType,
  });
}

type LoadedIssuer = IssuedCertificate | { unsupported: string };

function signerInChain(
  intermediateIssuer: LoadedIssuer | null,
  rootIssuer: LoadedIssuer | null,
  intermediates: PemPair[],
  caCertPem: string,
): ProbeSigner | string {
  const sentChainPem = intermediates
    .map((pair) => pair.certPem)
    .reverse()
    .join('');
  const lastIntermediate = intermediates.at(-1);
  if (intermediateIssuer !== null && lastIntermediate !== undefined) {
    if ('unsupported' in intermediateIssuer) return intermediateIssuer.unsupported;
    return { issuer: intermediateIssuer, issuerCertPem: lastIntermediate.certPem, sentChainPem };
  }
  if (rootIssuer !== null) {
    if ('unsupported' in rootIssuer) return rootIssuer.unsupported;
    return { issuer: rootIssuer, issuerCertPem: caCertPem, sentChainPem: '' };
  }
  return 'no CA private key was given, and a certificate in the right chain needs one (from `mtls-bench certs`: ca-key.pem)';
}

/** Returns the intermediate that signs the unsent-intermediate leaf, making one under the root for chain depth 0. */
async function unsentIntermediateSigner(
  intermediateIssuer: LoadedIssuer | null,
  rootIssuer: LoadedIssuer | null,
  lastIntermediate: PemPair | undefined,
  validity: Validity,
): Promise<ProbeSigner | string> {
  if (intermediateIssuer !== null && lastIntermediate !== undefined) {
    if ('unsupported' in intermediateIssuer) return intermediateIssuer.unsupported;
    return { issuer: intermediateIssuer, issuerCertPem: lastIntermediate.certPem, sentChainPem: '' };
  }
  if (rootIssuer === null) {
    return 'no CA private key was given, and making an intermediate under the root needs the root key (from `mtls-bench certs`: ca-key.pem)';
  }
  if ('unsupported' in rootIssuer) return rootIssuer.unsupported;

  const extra = await issueCertificate({
    subject: UNSENT_INTERMEDIATE_SUBJECT,
    keys: await generateKeyPair(rootIssuer.keyType),
    keyType: rootIssuer.keyType,
    issuer: rootIssuer,
    validity,
    extensions: caExtensions(0),
  });
  return { issuer: extra, issuerCertPem: toPemPair(extra).certPem, sentChainPem: '' };
}

interface ProbeLeafKeys {
  keys: webcrypto.CryptoKeyPair;
  keyType: KeyType;
}

async function issueOrSkip(
  signer: ProbeSigner | string,
  leaf: ProbeLeafKeys,
  label: string,
  validity: Validity,
  extensions: x509.Extension[],
  options: { sendChain: boolean } = { sendChain: true },
): Promise<ProbeCertificate> {
  if (typeof signer === 'string') return { state: 'skipped', reason: signer };
  return issueProbeLeaf(signer, leaf, label, validity, extensions, options);
}

async function issueProbeLeaf(
  signer: ProbeSigner,
  leaf: ProbeLeafKeys,
  label: string,
  validity: Validity,
  extensions: x509.Extension[],
  options: { sendChain: boolean } = { sendChain: true },
): Promise<ProbeClientCertificate> {
  const issued = await issueCertificate({
    subject: `CN=mtls-bench probe ${label}, O=mtls-bench`,
    keys: leaf.keys,
    keyType: leaf.keyType,
    issuer: signer.issuer,
    validity,
    extensions,
  });
  const pair = toPemPair(issued);
  return {
    state: 'ready',
    certChainPem: options.sendChain ? pair.certPem + signer.sentChainPem : pair.certPem,
    keyPem: pair.keyPem,
    issuerCertPem: signer.issuerCertPem,
  };
}

/** Builds the valid client leaf's extensions with extendedKeyUsage serverAuth in place of clientAuth. */
function serverAuthOnlyExtensions(): x509.Extension[] {
  return clientLeafExtensions().map((extension) =>
    extension instanceof x509.ExtendedKeyUsageExtension
      ? new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth])
      : extension,
  );
}

function parseCertificate(pem: string, label: string): NodeX509Certificate {
  try {
    return new NodeX509Certificate(pem);
  } catch (error) {
    throw new MtlsBenchError('INVALID_ARGUMENT', `${label}: not a PEM certificate: ${errorMessage(error)}`, { cause: error });
  }
}

/**
 * Imports a CA certificate and its private key for signing. Returns the reason instead when
 * the key type is not one WebCrypto signs with here (see `keyTypeOfPublicKey`).
 */
async function loadIssuer(certPem: string, keyPem: string, label: string): Promise<LoadedIssuer> {
  const nodeCert = parseCertificate(certPem, `${label} certificate`);
  let privateKey;
  try {
    privateKey = createPrivateKey(keyPem);
  } catch (error) {
    throw new MtlsBenchError('INVALID_ARGUMENT', `${label} key: not an unencrypted PEM private key: ${errorMessage(error)}`, {
      cause: error,
    });
  }
  if (!nodeCert.checkPrivateKey(privateKey)) {
    throw new MtlsBenchError('INVALID_ARGUMENT', `${label} key: does not match the ${label} certificate (${nodeCert.subject})`);
  }

  const keyType = keyTypeOfPublicKey(nodeCert.publicKey);
  if (keyType === null) {
    return {
      unsupported: `the ${label} key is not one mtls-bench can sign with (RSA 2048, 3072 or 4096 with exponent 65537, ECDSA P-256 or P-384, Ed25519)`,
    };
  }

  // WebCrypto ignores the generation-only members (modulusLength, publicExponent) on import.
  const algorithm = keyAlgorithmFor(keyType).generate;
  const [signingKey, publicKey] = await Promise.all([
    webcrypto.subtle.importKey('pkcs8', privateKey.export({ type: 'pkcs8', format: 'der' }), algorithm, false, ['sign']),
    webcrypto.subtle.importKey('spki', nodeCert.publicKey.export({ type: 'spki', format: 'der' }), algorithm, true, ['verify']),
  ]);
  const cert = new x509.X509Certificate(certPem);
  // A CA without a subject key identifier gets one computed the usual way (SHA-1 of the key),
  // which no verifier compares with anything, because the CA itself carries none.
  const keyId =
    cert.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId ??
    (await x509.SubjectKeyIdentifierExtension.create(publicKey as CryptoKey)).keyId;
  return { cert, keys: { privateKey: signingKey, publicKey }, keyType, keyId };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
