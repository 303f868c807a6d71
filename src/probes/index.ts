export { createProbeCertificateCache, probeEchoServer } from './echo-server.ts';
export type { ProbeCertificateCache } from './echo-server.ts';
export { CLOSED_BEFORE_RESPONSE } from './probe-connection.ts';
export { mtlsConfigurationsOf, probeConfigurations } from './probe-suite.ts';
export type { ProbeConfiguration } from './probe-suite.ts';
export { DEFAULT_PROBE_TIMEOUT_MS, failedProbes, runProbes } from './run-probes.ts';
export { PROBE_NAMES } from './types.ts';
export type {
  ConfigurationProbes,
  ProbeClient,
  ProbeName,
  ProbeOutcome,
  ProbeProtocol,
  ProbeResult,
  ProbeTarget,
} from './types.ts';
