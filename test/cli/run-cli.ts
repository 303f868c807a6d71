import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root, the working directory the commands run in. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = path.join(ROOT, 'bin/mtls-bench.js');

export interface CliOutcome {
  /** Exit status, or -1 when the process was killed, by the timeout for one. */
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `mtls-bench ARGS` as a child process from the repository root, with colour off and
 * `extraEnv` added to the environment. GITHUB_STEP_SUMMARY is removed unless `extraEnv` sets it,
 * so that tests run in GitHub Actions do not write into the job's summary.
 */
export function runCli(args: string[], timeoutMs = 60_000, extraEnv: Record<string, string> = {}): Promise<CliOutcome> {
  return new Promise((resolve) => {
    const { GITHUB_STEP_SUMMARY: _stepSummary, ...inherited } = process.env;
    const options = { cwd: ROOT, timeout: timeoutMs, env: { ...inherited, NO_COLOR: '1', ...extraEnv } };
    execFile(process.execPath, [BIN, ...args], options, (error, stdout, stderr) => {
      let code = 0;
      if (error !== null) code = typeof error.code === 'number' ? error.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}
