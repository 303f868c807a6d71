import type { ChainDepth, KeyType } from '../scenario/types.ts';
import { generateCertificateSet } from './generate.ts';
import type { CertificateSet } from './types.ts';

/** Validity settings shared by every set a factory generates. */
export interface PkiFactoryOptions {
  /** notBefore of every certificate. Default: one hour before each set is generated. */
  validFrom?: Date;
  /** Days from notBefore to notAfter. Default 7. */
  validDays?: number;
}

/** Certificate sets of one run, generated on first request and reused after that. */
export interface PkiFactory {
  /**
   * Returns the set for this combination, generating it on the first call. Concurrent calls for
   * the same combination share one generation. A failed generation is not cached, so a later
   * call tries again.
   */
  get(serverKeyType: KeyType, clientKeyType: KeyType, chainDepth: ChainDepth): Promise<CertificateSet>;
}

/**
 * Creates a factory that generates each distinct (server key type, client key type, chain
 * depth) combination once. Nothing is shared between factories, so each run gets fresh keys.
 */
export function createPkiFactory(options: PkiFactoryOptions = {}): PkiFactory {
  const sets = new Map<string, Promise<CertificateSet>>();

  return {
    get(serverKeyType, clientKeyType, chainDepth) {
      const cacheKey = `${serverKeyType}+${clientKeyType}/d${chainDepth}`;
      const cached = sets.get(cacheKey);
      if (cached !== undefined) {
        return cached;
      }

      const generated = generateCertificateSet({ serverKeyType, clientKeyType, chainDepth, ...options });
      sets.set(cacheKey, generated);
      generated.catch(() => {
        sets.delete(cacheKey);
      });
      return generated;
    },
  };
}
