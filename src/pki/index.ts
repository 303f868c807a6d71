export { createPkiFactory } from './factory.ts';
export type { PkiFactory, PkiFactoryOptions } from './factory.ts';
export { CLIENT_DNS_NAME, CLIENT_SUBJECT, SERVER_SUBJECT, generateCertificateSet } from './generate.ts';
export type { GenerateCertificateSetOptions } from './generate.ts';
export { generateKeyPair, keyAlgorithmFor, keyTypeOfPublicKey } from './keys.ts';
export type { KeyAlgorithm } from './keys.ts';
export type { CertificateSet, PemPair } from './types.ts';
export { createPrivateDir } from './private-dir.ts';
export type { PrivateDir } from './private-dir.ts';
export { certificateSetFiles, writeCertificateSetFiles } from './write-set.ts';
export type { CertificateSetFile } from './write-set.ts';
export { generateProbeCertificates, generateProbeCertificatesFor } from './probe-certs.ts';
export type {
  GenerateProbeCertificatesOptions,
  ProbeCertificate,
  ProbeCertificates,
  ProbeClientCertificate,
  SkippedProbeCertificate,
} from './probe-certs.ts';
