import type { ChainDepth, KeyType } from '../scenario/types.ts';

/** One certificate with its private key, both PEM. */
export interface PemPair {
  certPem: string;
  keyPem: string;
}

/**
 * Certificates for one (server key type, client key type, chain depth) combination, all
 * issued under one root. Intermediates are ordered from the one just below the root down to
 * the issuer of the leaves.
 */
export interface CertificateSet {
  serverKeyType: KeyType;
  clientKeyType: KeyType;
  chainDepth: ChainDepth;
  /** Root CA certificate PEM: the only trust anchor clients and servers need. */
  caPem: string;
  /**
   * Root CA private key, PKCS#8 PEM, so that enforcement probes can issue extra certificates
   * under the root. Absent for a set built from files without the root key. It stays in memory
   * and never goes into results, but `writeCertificateSetFiles` writes it to `ca-key.pem` (0600).
   */
  rootKeyPem?: string;
  intermediates: PemPair[];
  /** Server leaf: SAN DNS:localhost and IP:127.0.0.1, extendedKeyUsage serverAuth. */
  server: PemPair;
  /** Client leaf: extendedKeyUsage clientAuth. */
  client: PemPair;
  /** Leaf followed by its intermediates, nearest issuer first: what a server or client sends. */
  serverChainPem: string;
  clientChainPem: string;
}
