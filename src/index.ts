/**
 * Library entry point of mtls-bench. The CLI is built on these same exports: load a suite,
 * run it, render or store its results.
 */
export { defineSuite } from './scenario/define.ts';
export { loadSuite, resolveSuite } from './scenario/load.ts';
export { runSuite, selectCells } from './runner/run.ts';
export type { RunOptions } from './runner/run.ts';
export type { RunEvent, RunEventListener } from './runner/events.ts';
export { buildWorkloadReports, renderTables } from './report/table.ts';
export type { OverheadSection, TableModel, TableOptions, WorkloadReport } from './report/table.ts';
export { renderHtmlReport } from './report/html/index.ts';
export type { HtmlReportOptions } from './report/html/index.ts';
export { renderMarkdownReport } from './report/markdown.ts';
export { CSV_COLUMNS, renderCsv } from './report/csv.ts';
export { renderPrometheus } from './report/prometheus.ts';
export { formatEstimate, overheadOf, overheadsOf } from './report/overhead.ts';
export type { MetricOverhead, Overhead } from './report/overhead.ts';
export { estimateRatio } from './stats/ratio.ts';
export type { RatioEstimate } from './stats/ratio.ts';
export { METRIC_NAMES, METRICS, WORKLOAD_METRICS, roundValues } from './results/metrics.ts';
export type { MetricName, MetricValues } from './results/metrics.ts';
export { writeResultsFile, writeFileAtomically, defaultResultsPath, serializeResults } from './results/write.ts';
export { RESULTS_SCHEMA_VERSION } from './results/types.ts';
export { readResultsFile } from './results/read.ts';
export { compareResults } from './gate/compare.ts';
export type { CompareOptions } from './gate/compare.ts';
export { formatThreshold, parseThresholdOptions, resolveThreshold } from './gate/thresholds.ts';
export type { ResolvedThreshold, ThresholdOverrides, ThresholdSource } from './gate/thresholds.ts';
export { COMPARISON_FORMAT_VERSION } from './gate/types.ts';
export type {
  ComparedFile,
  CompareMode,
  CompareModeOption,
  Comparison,
  ComparisonCounts,
  ComparisonKind,
  MetricComparison,
  SkippedCell,
  SkipReason,
  Verdict,
} from './gate/types.ts';
export { renderComparisonTables } from './report/compare-table.ts';
export type { CompareTableOptions } from './report/compare-table.ts';
export { renderComparisonMarkdown } from './gate/markdown.ts';
export { renderComparisonJunit } from './gate/junit.ts';
export { serializeComparison } from './gate/json.ts';
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
  RoundResult,
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
  GateSettings,
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
