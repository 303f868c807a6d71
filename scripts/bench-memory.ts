/**
 * Shows whether the load generator's memory stays flat over a long run at the scale the drivers
 * claim: 200 handshakes in flight and 1000 keep-alive connections. It starts one mTLS echo server
 * (ECDSA P-256, TLS 1.3) and alternates handshake and requests segments against it, as many
 * whole segments as fit in `--minutes`, sampling this process's memory and the server's
 * resident set size as it goes.
 *
 *   npm run bench:memory -- [--minutes 10] [--segment 60] [--sample 5] [--workloads both] [--trim] [--out FILE]
 *
 * `--workloads handshake` or `requests` runs one kind of segment only.
 *
 * After each segment it runs a full garbage collection and records the resident set size, the
 * V8 heap and the memory outside it that V8 tracks (`external`). With `--trim` it then has gdb
 * call glibc's `malloc_trim(0)` in this process and records the resident set size again. glibc
 * keeps pages that the 1000 connections freed, and the trim hands them back, so what remains is
 * what the process holds. It trims the echo server too and prints its figures, which the
 * verdict leaves out. It prints one line per segment and compares the last segment of each
 * kind with a reference one, the second of its kind after the warm-up cycle (see
 * `growthByKind`). A figure is flat within 10%. The verdict takes the heap used, `external`, and
 * the resident set size after the trim with `--trim`, after GC otherwise. It writes every
 * sample to results/memory-<time>.json and exits 1 when a figure grew more, or when there were
 * too few segments to tell.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import v8 from 'node:v8';
import vm from 'node:vm';

import { HandshakeDriver } from '../src/drivers/handshake.ts';
import { runRequests } from '../src/drivers/requests.ts';
import { generateCertificateSet } from '../src/pki/generate.ts';
import type { TlsScenario } from '../src/scenario/types.ts';
import { startEchoServer } from '../src/servers/spawn.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const HANDSHAKE_CONCURRENCY = 200;
const CONNECTIONS = 1000;
/** Largest growth from the reference segment of a kind to the last one that still counts as flat. */
const FLAT_GROWTH = 0.1;
/** Growth in MiB that counts as flat whatever its share (see `growthByKind`). */
const FLAT_GROWTH_MIB = 1;

interface Sample {
  elapsedS: number;
  segment: 'handshake' | 'requests';
  rssMiB: number;
  heapUsedMiB: number;
  externalMiB: number;
  serverRssMiB: number | null;
}

interface SegmentFigures {
  kind: 'handshake' | 'requests';
  startS: number;
  count: number;
  perSec: number;
  errors: Record<string, number>;
  /** This process's memory right after the segment, once a full garbage collection has run. */
  afterGc: {
    rssMiB: number;
    /** Resident set size once glibc has returned its free pages (`--trim`); null without `--trim`. */
    rssTrimmedMiB: number | null;
    heapUsedMiB: number;
    heapTotalMiB: number;
    externalMiB: number;
  };
  /**
   * The echo server's resident set size after the segment, and after a trim of its heaps with
   * `--trim` (null without). Not judged: the server is not the load generator, and no GC runs in it first.
   */
  server: { rssMiB: number | null; rssTrimmedMiB: number | null };
}

// A full collection after each segment leaves only what is still referenced, so a leak shows as
// growth of the heap used from one segment to the next. Samples taken during a segment swing
// with the collector's timing by tens of MiB.
v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc') as () => void;

function fail(message: string): never {
  process.stderr.write(`bench-memory: ${message}\n`);
  process.exit(2);
}

function positiveOption(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!(Number.isFinite(value) && value > 0)) fail(`--${name}: got "${text}"; expected a number above 0`);
  return value;
}

const USAGE =
  'usage: npm run bench:memory -- [--minutes 10] [--segment 60] [--sample 5] [--workloads both|handshake|requests] [--trim] [--out FILE]';

function parseOptions() {
  try {
    return parseArgs({
      options: {
        minutes: { type: 'string' },
        segment: { type: 'string' },
        sample: { type: 'string' },
        workloads: { type: 'string' },
        trim: { type: 'boolean' },
        out: { type: 'string' },
        help: { type: 'boolean' },
      },
      strict: true,
    });
  } catch (error) {
    fail(`${(error as Error).message}\n${USAGE}`);
  }
}

const { values } = parseOptions();
if (values.help === true) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const minutes = positiveOption('minutes', values.minutes, 10);
const segmentS = positiveOption('segment', values.segment, 60);
const sampleS = positiveOption('sample', values.sample, 5);
if (segmentS < 1) fail(`--segment: got "${values.segment}"; expected at least 1 (seconds)`);
// Whole segments only, so that the last one, which the verdict compares, is as long as the rest.
// The readings after each segment make the run last a little longer than --minutes.
const segmentCount = Math.floor((minutes * 60) / segmentS);
if (segmentCount === 0) fail(`--minutes ${minutes} is shorter than one segment of ${segmentS} s; expected at least ${segmentS / 60} min or a shorter --segment`);
const trim = values.trim === true;
if (trim) {
  const problem = trimMalloc();
  if (problem !== null) fail(`--trim needs gdb and the right to attach it to this process (apt-get install gdb): ${problem}`);
}
const WORKLOAD_CHOICES = ['both', 'handshake', 'requests'] as const;
const workloads = (values.workloads ?? 'both') as (typeof WORKLOAD_CHOICES)[number];
if (!WORKLOAD_CHOICES.includes(workloads)) {
  fail(`--workloads: got "${values.workloads}"; expected one of ${WORKLOAD_CHOICES.map((choice) => `"${choice}"`).join(', ')}`);
}

const MIB = 1024 * 1024;

/**
 * Time a segment's sockets get to close before memory is read. autocannon calls back right after
 * it destroys its clients, while the 1000 TLS sockets still hold their native state. In one
 * measurement they were all collected within about 1.1 s, and read at once they added about
 * 50 MiB to the resident set.
 */
const SETTLE_MS = 1500;

/**
 * Has gdb call `malloc_trim(0)` in a process, this one by default, which returns every free page
 * of glibc's heaps to the system. Node has no binding for it. Returns gdb's complaint, or null
 * when it ran.
 */
function trimMalloc(pid = process.pid): string | null {
  const gdb = spawnSync('gdb', ['-p', String(pid), '-batch', '-ex', 'call (int) malloc_trim(0)'], { encoding: 'utf8', timeout: 30_000 });
  if (gdb.error !== undefined) return gdb.error.message;
  // gdb prints the call's value as `$1 = 0` or `$1 = 1`, and nothing of the kind when it could not attach.
  if (gdb.status === 0 && /\$1 = [01]\b/.test(gdb.stdout)) return null;
  const lastLines = (gdb.stderr || gdb.stdout).trim().split('\n').slice(-2);
  return `gdb exited ${gdb.status}: ${lastLines.join(' ')}`;
}

async function memoryAfterGc(): Promise<SegmentFigures['afterGc']> {
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  collectGarbage();
  const memory = process.memoryUsage();
  let rssTrimmedMiB: number | null = null;
  if (trim) {
    const problem = trimMalloc();
    if (problem !== null) fail(`--trim: malloc_trim through gdb failed: ${problem}`);
    rssTrimmedMiB = process.memoryUsage().rss / MIB;
  }
  return {
    rssMiB: memory.rss / MIB,
    rssTrimmedMiB,
    heapUsedMiB: memory.heapUsed / MIB,
    heapTotalMiB: memory.heapTotal / MIB,
    externalMiB: memory.external / MIB,
  };
}

/** Reads the echo server's resident set size, and again after a trim with `--trim`. */
function serverMemory(pid: number): SegmentFigures['server'] {
  const rssMiB = processRssMiB(pid);
  if (!trim) return { rssMiB, rssTrimmedMiB: null };
  const problem = trimMalloc(pid);
  if (problem !== null) fail(`--trim: malloc_trim in the echo server (pid ${pid}) through gdb failed: ${problem}`);
  return { rssMiB, rssTrimmedMiB: processRssMiB(pid) };
}

/** Reads the resident set size of a process from /proc; null where /proc is not readable. */
function processRssMiB(pid: number): number | null {
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match === null ? null : Number(match[1]) / 1024;
  } catch {
    return null;
  }
}

const tls: TlsScenario = {
  serverKeyType: 'ecdsa-p256',
  clientKeyType: 'ecdsa-p256',
  tlsVersion: 'tls1.3',
  cipherSuite: null,
  group: 'x25519',
  resumption: 'none',
  auth: 'mtls',
  chainDepth: 0,
};

const certs = await generateCertificateSet({ serverKeyType: 'ecdsa-p256', clientKeyType: 'ecdsa-p256', chainDepth: 0 });
const server = await startEchoServer({ tls, certs, payloadBytes: 64 });
const handshakes = new HandshakeDriver({ port: server.ports.tls, tls, certs, concurrency: HANDSHAKE_CONCURRENCY, payloadBytes: 1 });

const samples: Sample[] = [];
const segments: SegmentFigures[] = [];
const startMs = performance.now();
const elapsedS = (): number => (performance.now() - startMs) / 1000;
let current: Sample['segment'] = workloads === 'requests' ? 'requests' : 'handshake';

const takeSample = (): void => {
  const memory = process.memoryUsage();
  samples.push({
    elapsedS: Math.round(elapsedS()),
    segment: current,
    rssMiB: memory.rss / MIB,
    heapUsedMiB: memory.heapUsed / MIB,
    externalMiB: memory.external / MIB,
    serverRssMiB: processRssMiB(server.pid),
  });
};
takeSample();
const sampler = setInterval(takeSample, sampleS * 1000);

const workloadText = {
  both: `${HANDSHAKE_CONCURRENCY} handshakes in flight, then ${CONNECTIONS} keep-alive connections, in turn`,
  handshake: `${HANDSHAKE_CONCURRENCY} handshakes in flight`,
  requests: `${CONNECTIONS} keep-alive connections`,
}[workloads];
const durationMs = Math.round(segmentS * 1000);
process.stdout.write(
  `bench-memory: ${segmentCount} segments of ${segmentS} s (${((segmentCount * segmentS) / 60).toFixed(1)} min) against one mTLS echo server: ${workloadText}\n`,
);
try {
  for (let segment = 0; segment < segmentCount; segment++) {
    const segmentStartS = Math.round(elapsedS());
    if (current === 'handshake') {
      const run = await handshakes.run({ maxCount: null, durationMs });
      segments.push({ kind: 'handshake', startS: segmentStartS, count: run.count, perSec: run.handshakesPerSec, errors: run.errors, afterGc: await memoryAfterGc(), server: serverMemory(server.pid) });
    } else {
      const run = await runRequests({
        port: server.ports.https,
        tls,
        certs,
        connections: CONNECTIONS,
        pipelining: 1,
        durationMs,
        maxCount: null,
        rateRps: null,
        payloadBytes: 64,
      });
      segments.push({ kind: 'requests', startS: segmentStartS, count: run.count, perSec: run.throughputRps, errors: run.errors, afterGc: await memoryAfterGc(), server: serverMemory(server.pid) });
    }
    const last = segments[segments.length - 1];
    if (last !== undefined) {
      process.stdout.write(
        `  ${String(last.startS).padStart(4)} s ${last.kind.padEnd(9)} ${String(last.count).padStart(8)} ops, ` +
          `${Math.round(last.perSec)}/s, errors ${JSON.stringify(last.errors)}; after GC: rss ${last.afterGc.rssMiB.toFixed(1)} MiB` +
          `${last.afterGc.rssTrimmedMiB === null ? '' : ` (${last.afterGc.rssTrimmedMiB.toFixed(1)} after trim)`}, ` +
          `heap used ${last.afterGc.heapUsedMiB.toFixed(1)} of ${last.afterGc.heapTotalMiB.toFixed(1)} MiB, external ${last.afterGc.externalMiB.toFixed(1)} MiB; ` +
          `server rss ${last.server.rssMiB?.toFixed(1) ?? '-'} MiB${last.server.rssTrimmedMiB === null ? '' : ` (${last.server.rssTrimmedMiB.toFixed(1)} after trim)`}\n`,
      );
    }
    if (workloads === 'both') current = current === 'handshake' ? 'requests' : 'handshake';
  }
} finally {
  clearInterval(sampler);
  takeSample();
  await server.stop();
}

type Figure = 'rssMiB' | 'rssTrimmedMiB' | 'heapUsedMiB' | 'externalMiB';

/** Growth of one figure after GC from a reference segment to the last segment of one kind. */
interface Growth {
  figure: Figure;
  kind: Sample['segment'];
  first: number;
  last: number;
  growth: number;
  flat: boolean;
}

/**
 * Growth of a figure after GC from a reference segment to the last segment of each kind.
 * Segments of one kind are compared with each other, because 1000 keep-alive connections hold
 * more memory than 200 handshakes in flight. The first cycle is warm-up: the process's resident
 * set rises to what the first 1000 connections needed and the allocator keeps it, so with three
 * or more segments of a kind the reference is the second one. A figure is flat when it grew by
 * at most 10%, or by at most 1 MiB, which keeps the few MiB of `external` from failing on noise.
 */
function growthByKind(figure: Figure): Growth[] {
  return (['handshake', 'requests'] as const).flatMap((kind) => {
    const ofKind = segments.filter((segment) => segment.kind === kind);
    const first = ofKind[ofKind.length >= 3 ? 1 : 0]?.afterGc[figure];
    const last = ofKind[ofKind.length - 1]?.afterGc[figure];
    if (first === undefined || first === null || last === undefined || last === null || ofKind.length < 2) return [];
    const growth = first === 0 ? 0 : last / first - 1;
    return [{ figure, kind, first, last, growth, flat: growth <= FLAT_GROWTH || last - first <= FLAT_GROWTH_MIB }];
  });
}

const FIGURE_LABELS: Record<Figure, string> = {
  heapUsedMiB: 'heap used after GC',
  externalMiB: 'external after GC',
  rssMiB: 'rss after GC',
  rssTrimmedMiB: 'rss after GC and malloc_trim',
};
const verdictFigures: Figure[] = ['heapUsedMiB', 'externalMiB', trim ? 'rssTrimmedMiB' : 'rssMiB'];
const growths = (trim ? [...verdictFigures, 'rssMiB' as const] : verdictFigures).map((figure) => ({ figure, entries: growthByKind(figure) }));
process.stdout.write('\nreference to last segment of each kind:\n');
for (const { figure, entries } of growths) {
  const judged = verdictFigures.includes(figure);
  const described = entries
    .map((entry) => `${entry.kind} ${entry.first.toFixed(1)} -> ${entry.last.toFixed(1)} MiB (${entry.growth >= 0 ? '+' : ''}${(entry.growth * 100).toFixed(1)}%)`)
    .join(', ');
  const verdict = entries.length === 0 ? 'too few segments to tell' : entries.every((entry) => entry.flat) ? 'flat' : `grew more than ${FLAT_GROWTH * 100}%`;
  const figures = described === '' ? '' : `${described}: `;
  process.stdout.write(`  ${FIGURE_LABELS[figure]}: ${figures}${verdict}${judged ? '' : ' (not judged: glibc keeps freed pages, see --trim)'}\n`);
}
const judgedEntries = growths.filter(({ figure }) => verdictFigures.includes(figure)).flatMap(({ entries }) => entries);
const flat = judgedEntries.length > 0 && judgedEntries.every((entry) => entry.flat);
const peakRss = Math.max(...samples.map((sample) => sample.rssMiB), ...segments.map((segment) => segment.afterGc.rssMiB));
let verdict = flat ? 'flat' : 'not flat';
if (judgedEntries.length === 0) verdict = 'too few segments to tell';
process.stdout.write(`peak rss of all readings ${peakRss.toFixed(1)} MiB; verdict: ${verdict}\n`);
const serverRss = samples.map((sample) => sample.serverRssMiB).filter((value): value is number => value !== null);
if (serverRss.length > 0) {
  process.stdout.write(`server rss: first ${serverRss[0]?.toFixed(1)} MiB, last ${serverRss[serverRss.length - 1]?.toFixed(1)} MiB\n`);
}
if (trim) {
  const trimmed = segments.map((segment) => segment.server.rssTrimmedMiB?.toFixed(1) ?? '-');
  process.stdout.write(`server rss after each segment and malloc_trim (not judged): ${trimmed.join(', ')} MiB\n`);
}

const outFile =
  values.out ?? path.join(ROOT, 'results', `memory-${new Date(startMs + performance.timeOrigin).toISOString().replace(/[:.]/g, '-')}.json`);
mkdirSync(path.dirname(outFile), { recursive: true });
writeFileSync(
  outFile,
  `${JSON.stringify({ minutes, segmentS, sampleS, trim, handshakeConcurrency: HANDSHAKE_CONCURRENCY, connections: CONNECTIONS, growth: growths.flatMap(({ entries }) => entries), flat, segments, samples }, null, 2)}\n`,
);
process.stdout.write(`samples written to ${path.relative(process.cwd(), outFile)}\n`);
process.exitCode = flat ? 0 : 1;
