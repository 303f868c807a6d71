import { KeyObject, X509Certificate as NodeX509Certificate, randomBytes, webcrypto } from 'node:crypto';
import { debuglog } from 'node:util';
import { MtlsBenchError } from '../errors.ts';
import { CHAIN_DEPTHS, KEY_TYPES } from '../scenario/types.ts';
import type { ChainDepth, KeyType } from '../scenario/types.ts';
import { generateKeyPair, isRsaKeyType, keyAlgorithmFor } from './keys.ts';
import type { CertificateSet, PemPair } from './types.ts';
import { x509 } from './x509.ts';

const debug = debuglog('mtls-bench');

/** Options of `generateCertificateSet`. */
export interface GenerateCertificateSetOptions {
  /** Key type of the server leaf, and of the root and intermediate CAs. */
  serverKeyType: KeyType;
  /** Key type of the client leaf. */
  clientKeyType: KeyType;
  /** Intermediate CAs between the root and the leaves: 0, 1 or 2. */
  chainDepth: ChainDepth;
  /** notBefore of every certificate. Default: one hour before the call. */
  validFrom?: Date;
  /** Days from notBefore to notAfter for every certificate. Default 7. */
  validDays?: number;
}

/**
 * Backdating notBefore by an hour keeps a certificate used right after issue from failing with
 * CERT_NOT_YET_VALID, also on a peer whose clock runs behind this one (files written by
 * `mtls-bench certs` can be used on another machine).
 */
const DEFAULT_BACKDATE_MS = 60 * 60 * 1000;
const DEFAULT_VALID_DAYS = 7;
const DAY_MS = 24 * 60 * 60 * 1000;

export const SERVER_SUBJECT = 'CN=localhost, O=mtls-bench';
export const CLIENT_SUBJECT = 'CN=mtls-bench-client, O=mtls-bench';
/** DNS name in the client leaf's SAN, for servers that check client identities. */
export const CLIENT_DNS_NAME = 'mtls-bench-client';

/** A certificate with the key pair that signs the next one down. */
export interface IssuedCertificate {
  cert: x509.X509Certificate;
  keys: webcrypto.CryptoKeyPair;
  keyType: KeyType;
  /** Hex subject key identifier, copied into the authority key identifier of what it signs. */
  keyId: string;
}

export interface Validity {
  notBefore: Date;
  notAfter: Date;
}

export interface IssueParams {
  subject: string;
  keys: webcrypto.CryptoKeyPair;
  keyType: KeyType;
  /** Null for the self-signed root. */
  issuer: IssuedCertificate | null;
  validity: Validity;
  extensions: x509.Extension[];
}

const CA_KEY_USAGES = x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign;

/**
 * Generates a root CA, `chainDepth` intermediate CAs, a server leaf and a client leaf, all in
 * process with WebCrypto.
 *
 * The root and the intermediates use the server's key type, so a scenario's server key type
 * also decides which signatures a peer verifies along both chains. Each leaf uses its own key
 * type. Throws `MtlsBenchError` with code `INVALID_ARGUMENT` for bad options and `PKI_FAILED`
 * when key generation or signing fails.
 */
export async function generateCertificateSet(options: GenerateCertificateSetOptions): Promise<CertificateSet> {
  const validity = resolveValidity(options);
  const { serverKeyType, clientKeyType, chainDepth } = options;
  const label = `server ${serverKeyType}, client ${clientKeyType}, chain depth ${chainDepth}`;
  const startedMs = performance.now();

  try {
    // Key generation dominates the cost (roughly a second per RSA-4096 pair on one core of a
    // 2-core test machine). WebCrypto runs it on the libuv thread pool, so starting every pair
    // at once uses all the cores.
    const caKeyPromises = Array.from({ length: chainDepth + 1 }, () => generateKeyPair(serverKeyType));
    const [caKeys, serverKeys, clientKeys] = await Promise.all([
      Promise.all(caKeyPromises),
      generateKeyPair(serverKeyType),
      generateKeyPair(clientKeyType),
    ]);

    const [rootKeys, ...intermediateKeys] = caKeys;
    if (rootKeys === undefined) {
      throw new Error('no key pair was generated for the root CA');
    }

    const root = await issueCertificate({
      subject: `CN=mtls-bench root CA ${serverKeyType}, O=mtls-bench`,
      keys: rootKeys,
      keyType: serverKeyType,
      issuer: null,
      validity,
      extensions: caExtensions(chainDepth),
    });

    const intermediates: IssuedCertificate[] = [];
    let issuer = root;
    for (const [index, keys] of intermediateKeys.entries()) {
      const intermediate = await issueCertificate({
        subject: `CN=mtls-bench intermediate CA ${index + 1} ${serverKeyType}, O=mtls-bench`,
        keys,
        keyType: serverKeyType,
        issuer,
        validity,
        // pathLen counts the CAs still allowed below this one, so the last intermediate gets 0.
        extensions: caExtensions(chainDepth - index - 1),
      });
      intermediates.push(intermediate);
      issuer = intermediate;
    }

    const server = await issueCertificate({
      subject: SERVER_SUBJECT,
      keys: serverKeys,
      keyType: serverKeyType,
      issuer,
      validity,
      extensions: serverLeafExtensions(serverKeyType),
    });
    const client = await issueCertificate({
      subject: CLIENT_SUBJECT,
      keys: clientKeys,
      keyType: clientKeyType,
      issuer,
      validity,
      extensions: clientLeafExtensions(),
    });

    const intermediatePairs = intermediates.map(toPemPair);
    const serverPair = toPemPair(server);
    const clientPair = toPemPair(client);
    // Chains go leaf first, then the nearest issuer up to the one just below the root.
    const issuerPems = intermediatePairs.map((pair) => pair.certPem).reverse();

    debug('pki: generated certificates for %s in %d ms', label, Math.round(performance.now() - startedMs));
    return {
      serverKeyType,
      clientKeyType,
      chainDepth,
      caPem: certificateToPem(root.cert),
      rootKeyPem: toPemPair(root).keyPem,
      intermediates: intermediatePairs,
      server: serverPair,
      client: clientPair,
      serverChainPem: [serverPair.certPem, ...issuerPems].join(''),
      clientChainPem: [clientPair.certPem, ...issuerPems].join(''),
    };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new MtlsBenchError('PKI_FAILED', `generating certificates for ${label} failed: ${reason}`, {
      cause: error,
    });
  }
}

function resolveValidity(options: GenerateCertificateSetOptions): Validity {
  if (!(KEY_TYPES as readonly string[]).includes(options.serverKeyType)) {
    throw invalidOption('serverKeyType', options.serverKeyType, `one of ${KEY_TYPES.join(', ')}`);
  }
  if (!(KEY_TYPES as readonly string[]).includes(options.clientKeyType)) {
    throw invalidOption('clientKeyType', options.clientKeyType, `one of ${KEY_TYPES.join(', ')}`);
  }
  if (!(CHAIN_DEPTHS as readonly number[]).includes(options.chainDepth)) {
    throw invalidOption('chainDepth', options.chainDepth, `one of ${CHAIN_DEPTHS.join(', ')}`);
  }

  const notBefore = options.validFrom ?? new Date(Date.now() - DEFAULT_BACKDATE_MS);
  if (Number.isNaN(notBefore.getTime())) {
    throw invalidOption('validFrom', options.validFrom, 'a valid Date');
  }

  const validDays = options.validDays ?? DEFAULT_VALID_DAYS;
  if (!Number.isFinite(validDays) || validDays <= 0) {
    throw invalidOption('validDays', validDays, 'a positive number of days');
  }

  return { notBefore, notAfter: new Date(notBefore.getTime() + validDays * DAY_MS) };
}

function invalidOption(name: string, value: unknown, expected: string): MtlsBenchError {
  return new MtlsBenchError('INVALID_ARGUMENT', `generateCertificateSet: ${name}: got ${String(value)}; expected ${expected}`);
}

export function caExtensions(pathLength: number): x509.Extension[] {
  return [
    new x509.BasicConstraintsExtension(true, pathLength, true),
    new x509.KeyUsagesExtension(CA_KEY_USAGES, true),
  ];
}

function serverLeafExtensions(keyType: KeyType): x509.Extension[] {
  // TLS 1.2 suites with RSA key transport (AES128-GCM-SHA256 and the like) encrypt the
  // premaster secret to the server's key, which is the use keyEncipherment permits.
  const usages = isRsaKeyType(keyType)
    ? x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment
    : x509.KeyUsageFlags.digitalSignature;
  return [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(usages, true),
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
    // The IP entry lets clients connect to 127.0.0.1 with hostname verification left on.
    new x509.SubjectAlternativeNameExtension([
      { type: 'dns', value: 'localhost' },
      { type: 'ip', value: '127.0.0.1' },
    ]),
  ];
}

export function clientLeafExtensions(): x509.Extension[] {
  return [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
    new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: CLIENT_DNS_NAME }]),
  ];
}

export async function issueCertificate(params: IssueParams): Promise<IssuedCertificate> {
  const subjectKeyId = await x509.SubjectKeyIdentifierExtension.create(params.keys.publicKey as CryptoKey);
  // The root signs itself, so its authority key identifier is its own subject key identifier.
  const issuer = params.issuer ?? { keys: params.keys, keyType: params.keyType, keyId: subjectKeyId.keyId };
  const issuerName = params.issuer === null ? params.subject : params.issuer.cert.subjectName;

  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerialNumberHex(),
    subject: params.subject,
    issuer: issuerName,
    notBefore: params.validity.notBefore,
    notAfter: params.validity.notAfter,
    publicKey: params.keys.publicKey as CryptoKey,
    signingKey: issuer.keys.privateKey as CryptoKey,
    // The issuer's key decides the signature algorithm, not the subject's.
    signingAlgorithm: keyAlgorithmFor(issuer.keyType).sign,
    extensions: [...params.extensions, subjectKeyId, new x509.AuthorityKeyIdentifierExtension(issuer.keyId)],
  });

  return { cert, keys: params.keys, keyType: params.keyType, keyId: subjectKeyId.keyId };
}

/**
 * Returns 16 random bytes as hex with the top bit clear and the next bit set, so the DER
 * INTEGER is positive and always 16 bytes long, within the 20 octets X.509 allows.
 */
function randomSerialNumberHex(): string {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x40;
  return bytes.toString('hex');
}

function certificateToPem(cert: x509.X509Certificate): string {
  // Node's encoder writes the standard 64-column PEM with a trailing newline, so chains
  // concatenate without separators.
  return new NodeX509Certificate(Buffer.from(cert.rawData)).toString();
}

export function toPemPair(issued: IssuedCertificate): PemPair {
  const privateKey = KeyObject.from(issued.keys.privateKey);
  // PKCS#8 is the one private key encoding Node's tls accepts for RSA, EC and Ed25519 alike.
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' });
  return { certPem: certificateToPem(issued.cert), keyPem: typeof keyPem === 'string' ? keyPem : keyPem.toString() };
}
