/**
 * Runs one tool against the echo server and measures a server window inside its run, so that
 * every tool is timed the same way: start-up and wind-down of the tool fall outside the window.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { EchoServerHandle } from '../../src/servers/spawn.ts';
import type { ServerWindowStats } from '../../src/servers/types.ts';
import { processCpuUs } from './processes.ts';

/** Figures a tool reports about its own run. */
export interface ToolReport {
  toolRate: number | null;
  latencyP50Us: number | null;
  /** Failed operations by the tool's error code. */
  errors: Record<string, number>;
  /** Reason the tool did not run or its figures could not be read, or null. */
  failure: string | null;
}

/** A tool run that has started. */
export interface StartedRun {
  /** Child processes that do the work, whose CPU time is read from /proc; empty for a run in this process. */
  pids: number[];
  /** Settles when the tool has stopped. Never rejects: failures are in `failure`. */
  report: Promise<ToolReport>;
}

/** Starts a tool that keeps its load up for at least `runMs` milliseconds and then stops by itself. */
export type ToolStarter = (runMs: number) => StartedRun;

/** Position of the window in a tool's run, in milliseconds. */
export interface WindowPlan {
  /** Time from the tool's start to the window: process start-up, connection set-up, JIT warm-up. */
  leadMs: number;
  windowMs: number;
  /** Time the tool keeps running after the window, so that a late window end still measures full load. */
  tailMs: number;
}

export interface WindowedRun {
  report: ToolReport;
  stats: ServerWindowStats;
  /** CPU time of the load generator over the window, or null when a process could not be read. */
  clientCpuUs: number | null;
  /** Wall time of the window as this process saw it, in microseconds. */
  clientWindowUs: number;
}

function clientCpuNowUs(pids: readonly number[]): number | null {
  if (pids.length === 0) {
    const usage = process.cpuUsage();
    return usage.user + usage.system;
  }
  let total = 0;
  for (const pid of pids) {
    const cpuUs = processCpuUs(pid);
    if (cpuUs === null) return null;
    total += cpuUs;
  }
  return total;
}

/** Starts the tool, opens the server window after `leadMs`, closes it `windowMs` later, then waits for the tool to stop. */
export async function runInWindow(server: EchoServerHandle, start: ToolStarter, plan: WindowPlan): Promise<WindowedRun> {
  const started = start(plan.leadMs + plan.windowMs + plan.tailMs);
  await sleep(plan.leadMs);

  const cpuStartUs = clientCpuNowUs(started.pids);
  const windowStartNs = process.hrtime.bigint();
  await server.beginWindow();
  await sleep(plan.windowMs);
  const stats = await server.endWindow();
  const clientWindowUs = Number((process.hrtime.bigint() - windowStartNs) / 1000n);
  const cpuEndUs = clientCpuNowUs(started.pids);

  const report = await started.report;
  const clientCpuUs = cpuStartUs === null || cpuEndUs === null ? null : cpuEndUs - cpuStartUs;
  return { report, stats, clientCpuUs, clientWindowUs };
}
