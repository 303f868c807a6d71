import type { MetricName } from '../results/metrics.ts';
import type { RatioEstimate } from '../stats/ratio.ts';
import type { ThresholdSource } from './thresholds.ts';

/**
 * The result of comparing two results files: plain data, serialised as it is by
 * `mtls-bench compare --json` and documented in docs/ci.md.
 */

/** Version of the comparison JSON; bumped on any change that breaks a reader. */
export const COMPARISON_FORMAT_VERSION = 1;

/**
 * `absolute` compares each cell's own values between the files, which is only meaningful on one
 * machine. `normalized` compares each mTLS cell's overhead over its TLS baseline, measured in the
 * same run, which cancels the speed of the machine.
 */
export type CompareMode = 'absolute' | 'normalized';

/** The mode as requested: `auto` picks `absolute` for two files from one machine, otherwise `normalized`. */
export type CompareModeOption = 'auto' | CompareMode;

export const COMPARE_MODE_OPTIONS = ['auto', 'absolute', 'normalized'] as const satisfies readonly CompareModeOption[];

/**
 * Values a metric comparison works on: a cell's own round values (`absolute`), or the per-round
 * ratio of an mTLS cell's value to its TLS baseline's (`overhead`).
 */
export type ComparisonKind = 'absolute' | 'overhead';

/**
 * `worse` or `better` when the change is significant (its confidence interval excludes no
 * change), `~` when it is not or there are too few rounds to tell.
 */
export type Verdict = 'worse' | 'better' | '~';

/** One metric of one cell, base against head. */
export interface MetricComparison {
  cellId: string;
  /** Workload name of the cell, for grouping. */
  workload: string;
  kind: ComparisonKind;
  /** For `overhead`: the TLS cell the mTLS values were divided by. Null for `absolute`. */
  baselineId: string | null;
  metric: MetricName;
  /**
   * The values compared, in round order: round values in the metric's unit for `absolute`, or
   * mTLS/TLS ratios of rounds with the same index for `overhead`. Null values and pairs with a null
   * or zero side are left out.
   */
  baseValues: number[];
  headValues: number[];
  /** Medians of `baseValues` and `headValues`. */
  base: number;
  head: number;
  /** Ratio head/base with its confidence interval, or null with fewer than 2 values on a side. */
  estimate: RatioEstimate | null;
  verdict: Verdict;
  /** Largest accepted worsening as a fraction, or null when the metric is not gated. */
  threshold: number | null;
  thresholdSource: ThresholdSource;
  /** True when the verdict is `worse` and the estimated change is beyond the threshold. */
  failed: boolean;
}

/** Reason a cell of either file was not compared. */
export type SkipReason = 'only-in-base' | 'only-in-head' | 'failed' | 'no-baseline' | 'baseline-not-measured';

export interface SkippedCell {
  cellId: string;
  reason: SkipReason;
  /** A sentence for people, for example `failed in head: PROBE_FAILED: …`. */
  detail: string;
}

/** Description of each compared file: when its run started, and on which machine and CPU. */
export interface ComparedFile {
  /** ISO 8601 start time of the run. */
  startedAt: string;
  machineId: string;
  cpu: { model: string; count: number };
}

export interface ComparisonCounts {
  /** Metric comparisons made. */
  compared: number;
  /** Significantly worse, whether beyond the threshold or not. */
  worse: number;
  better: number;
  /** Verdict `~`. */
  unchanged: number;
  /** Worse beyond the threshold: these fail the gate. */
  failed: number;
}

export interface Comparison {
  formatVersion: typeof COMPARISON_FORMAT_VERSION;
  /** Suite name, the same in both files. */
  suite: string;
  base: ComparedFile;
  head: ComparedFile;
  mode: CompareMode;
  /** Reason for the mode, for example `different machines (machine ids a1b2c3d4… vs c3d4e5f6…)`. */
  modeReason: string;
  /**
   * Normalized mode only: whether absolute CPU per operation was compared as well, which needs the
   * same CPU model and count in both files, and why. Null in absolute mode, which compares it anyway.
   */
  absoluteCpu: { compared: boolean; reason: string } | null;
  /** Every metric comparison, cells in the head file's order, metrics in `METRIC_NAMES` order. */
  metrics: MetricComparison[];
  /** Cells of either file that were not compared. */
  skipped: SkippedCell[];
  /**
   * Sentences about the inputs that weaken the comparison without making it unusable: `--quick`
   * runs, different round counts, or the same run on both sides.
   */
  warnings: string[];
  counts: ComparisonCounts;
  /** False when some metric failed; the CLI then exits with 1. */
  passed: boolean;
}
