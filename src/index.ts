/**
 * Library entry point of mtls-bench. The CLI is built on these same exports: load a suite,
 * run it, render or store its results.
 */
export { defineSuite } from './scenario/define.ts';
export { loadSuite, resolveSuite } from './scenario/load.ts';
export { runSuite, selectCells } from './runner/run.ts';
export type { RunOptions } from './runner/run.ts';
export type { RunEvent, RunEventListener } from './runner/events.ts';
export { renderTables } from './report/table.ts';
export type { TableOptions } from './report/table.ts';
export { overheadOf, overheadsOf } from './report/overhead.ts';
export type { Overhead } from './report/overhead.ts';
export { writeResultsFile, defaultResultsPath, serializeResults } from './results/write.ts';
export { RESULTS_SCHEMA_VERSION } from './results/types.ts';
export type {
  CellCheck,
  CellResult,
  CheckName,
  CheckPhase,
  CellScenario,
  CpuPerOp,
  Environment,
  FailedCell,
  HandshakeResults,
  MeasuredCell,
  RequestsResults,
  RunResults,
  ServerCounts,
} from './results/types.ts';
export type { LatencySummary } from './stats/histogram.ts';
export type { Negotiated, NegotiationCount } from './servers/types.ts';
export { runProbes, failedProbes, PROBE_NAMES } from './probes/index.ts';
export type { ProbeName, ProbeOutcome, ProbeResult, ProbeTarget } from './probes/types.ts';
export { generateProbeCertificates } from './pki/probe-certs.ts';
export { generateCertificateSet } from './pki/index.ts';
export type { CertificateSet, PemPair } from './pki/index.ts';
export { MtlsBenchError, InvalidSuiteError } from './errors.ts';
export type { MtlsBenchErrorCode, SuiteIssue } from './errors.ts';
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
  SimulatedSlowdown,
  TargetProtocol,
  TlsScenario,
  TlsVersion,
  Workload,
} from './scenario/types.ts';
export type { SuiteInput } from './scenario/schema.ts';
