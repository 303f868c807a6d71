import { createHash } from 'node:crypto';
import os from 'node:os';
import { readFileSync } from 'node:fs';
import type { Environment } from './types.ts';

const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  name: string;
  version: string;
};

/** Name and version of this tool, from package.json. */
export const TOOL = { name: packageJson.name, version: packageJson.version } as const;

/** Describes the machine and runtime the numbers were taken on. */
export function describeEnvironment(): Environment {
  const cpus = os.cpus();
  const cpuModel = cpus[0]?.model.trim() ?? 'unknown';
  const machineId = createHash('sha256')
    .update(JSON.stringify([os.hostname(), cpuModel, cpus.length, os.totalmem()]))
    .digest('hex')
    .slice(0, 16);
  return {
    tool: { ...TOOL },
    node: process.versions.node,
    openssl: process.versions.openssl,
    cpu: { model: cpuModel, count: cpus.length },
    os: { platform: os.platform(), release: os.release(), arch: os.arch() },
    totalMemoryBytes: os.totalmem(),
    machineId,
  };
}
