export { defineSuite } from './define.ts';
export { INLINE_SUITE_FILE, loadSuite, parseSuiteYaml, resolveSuite } from './load.ts';
export type { SuiteSource } from './load.ts';
export { buildCellId, expandCells } from './expand.ts';
export type { KeyTypePair, ResolvedMatrixEntry } from './expand.ts';
export { isDefaultCipherSuite, lookUpCipherSuite, serverKeyFitsSuite, serverKeyKind } from './ciphers.ts';
export type { CipherSuiteInfo, CipherSuiteLookup, ServerKeyRequirement } from './ciphers.ts';
export { DEFAULT_CIPHER_SUITE, HANDSHAKE_DEFAULTS, MATRIX_DEFAULTS, REQUESTS_DEFAULTS } from './defaults.ts';
export { DURATION_PATTERN, parseDurationMs } from './duration.ts';
export { buildSuiteJsonSchema, renderSuiteJsonSchema, SUITE_SCHEMA_ID } from './json-schema.ts';
export { MatrixSchema, SuiteSchema, TargetSchema, WorkloadSchema } from './schema.ts';
export type { MatrixInput, SuiteInput, TargetInput, WorkloadInput } from './schema.ts';
export {
  AUTH_MODES,
  CHAIN_DEPTHS,
  GROUPS,
  KEY_TYPES,
  RESUMPTION_MODES,
  TARGET_PROTOCOLS,
  TLS_VERSIONS,
  WORKLOAD_KINDS,
} from './types.ts';
export type {
  Auth,
  Cell,
  ChainDepth,
  Group,
  HandshakeWorkload,
  KeyType,
  RequestsWorkload,
  ResolvedSuite,
  ResolvedTarget,
  Resumption,
  TargetProtocol,
  TlsScenario,
  TlsVersion,
  Workload,
  WorkloadKind,
} from './types.ts';
