/**
 * Shows whether the load generator's memory stays flat over a long run at the scale the drivers
 * claim: 200 handshakes in flight and 1000 keep-alive connections. It starts one mTLS echo server
 * (ECDSA P-256, TLS 1.3) and alternates handshake and requests segments against it until the
 * time is up, sampling this process's memory and the server's resident set size as it goes.
 *
 *   npm run bench:memory -- [--minutes 10] [--segment 60] [--sample 5] [--out FILE]
 *
 * It prints one line per segment, then the median resident set size and V8 heap used of each
 * segment, and writes every sample to results/memory-<time>.json. Segments of one kind are
 * compared with each other: a figure is flat when its median in the last segment of a kind is
 * within 10% of its median in the first. It exits 1 when either figure grew more.
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

import { HandshakeDriver } from '../src/drivers/handshake.ts';
import { runRequests } from '../src/drivers/requests.ts';
import { generateCertificateSet } from '../src/pki/generate.ts';
import type { TlsScenario } from '../src/scenario/types.ts';
import { startEchoServer } from '../src/servers/spawn.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const HANDSHAKE_CONCURRENCY = 200;
const CONNECTIONS = 1000;
/** Largest growth from the first minute's median to the last one's that still counts as flat. */
const FLAT_GROWTH = 0.1;

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
}

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

const { values } = parseArgs({
  options: {
    minutes: { type: 'string' },
    segment: { type: 'string' },
    sample: { type: 'string' },
    out: { type: 'string' },
  },
  strict: true,
});
const minutes = positiveOption('minutes', values.minutes, 10);
const segmentS = positiveOption('segment', values.segment, 60);
const sampleS = positiveOption('sample', values.sample, 5);

const MIB = 1024 * 1024;

/** Reads the resident set size of a process from /proc; null where /proc is not readable. */
function processRssMiB(pid: number): number | null {
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match === null ? null : Number(match[1]) / 1024;
  } catch {
    return null;
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
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
let current: Sample['segment'] = 'handshake';

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

process.stdout.write(
  `bench-memory: ${minutes} min against one mTLS echo server, ${segmentS} s segments: ` +
    `${HANDSHAKE_CONCURRENCY} handshakes in flight, then ${CONNECTIONS} keep-alive connections\n`,
);
try {
  const endS = minutes * 60;
  while (elapsedS() < endS) {
    const durationMs = Math.round(Math.min(segmentS, endS - elapsedS()) * 1000);
    if (durationMs < 1000) break;
    const segmentStartS = Math.round(elapsedS());
    if (current === 'handshake') {
      const run = await handshakes.run({ maxCount: null, durationMs });
      segments.push({ kind: 'handshake', startS: segmentStartS, count: run.count, perSec: run.handshakesPerSec, errors: run.errors });
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
      segments.push({ kind: 'requests', startS: segmentStartS, count: run.count, perSec: run.throughputRps, errors: run.errors });
    }
    const last = segments[segments.length - 1];
    if (last !== undefined) {
      process.stdout.write(
        `  ${String(last.startS).padStart(4)} s ${last.kind.padEnd(9)} ${String(last.count).padStart(8)} ops, ` +
          `${Math.round(last.perSec)}/s, errors ${JSON.stringify(last.errors)}, rss ${Math.round(process.memoryUsage().rss / MIB)} MiB\n`,
      );
    }
    current = current === 'handshake' ? 'requests' : 'handshake';
  }
} finally {
  clearInterval(sampler);
  takeSample();
  await server.stop();
}

/** Median of one field over the samples of each segment, in the order the segments ran. */
function segmentMedians(field: 'rssMiB' | 'heapUsedMiB'): { kind: Sample['segment']; startS: number; median: number }[] {
  return segments.map((segment, index) => {
    const endS = segments[index + 1]?.startS ?? Number.POSITIVE_INFINITY;
    const values = samples.filter((sample) => sample.elapsedS >= segment.startS && sample.elapsedS < endS).map((sample) => sample[field]);
    return { kind: segment.kind, startS: segment.startS, median: median(values) };
  });
}

/**
 * Growth of a field from the first to the last segment of each kind. Segments of one kind are
 * compared with each other, because 1000 keep-alive connections hold more memory than 200
 * handshakes in flight.
 */
function growthByKind(field: 'rssMiB' | 'heapUsedMiB'): { kind: Sample['segment']; first: number; last: number; growth: number }[] {
  const medians = segmentMedians(field);
  return (['handshake', 'requests'] as const).flatMap((kind) => {
    const ofKind = medians.filter((entry) => entry.kind === kind);
    const first = ofKind[0];
    const last = ofKind[ofKind.length - 1];
    if (first === undefined || last === undefined || ofKind.length < 2) return [];
    return [{ kind, first: first.median, last: last.median, growth: first.median === 0 ? 0 : last.median / first.median - 1 }];
  });
}

process.stdout.write('\nmedian per segment (MiB):\n');
const rssMedians = segmentMedians('rssMiB');
const heapMedians = segmentMedians('heapUsedMiB');
rssMedians.forEach((entry, index) => {
  process.stdout.write(
    `  ${String(entry.startS).padStart(4)} s ${entry.kind.padEnd(9)} rss ${entry.median.toFixed(1).padStart(6)}  ` +
      `heap used ${(heapMedians[index]?.median ?? 0).toFixed(1).padStart(6)}\n`,
  );
});
const heapGrowth = growthByKind('heapUsedMiB');
const rssGrowth = growthByKind('rssMiB');
const describeGrowth = (entries: typeof heapGrowth): string =>
  entries
    .map((entry) => `${entry.kind} ${entry.first.toFixed(1)} -> ${entry.last.toFixed(1)} (${entry.growth >= 0 ? '+' : ''}${(entry.growth * 100).toFixed(1)}%)`)
    .join(', ');
const flat = heapGrowth.length > 0 && heapGrowth.every((entry) => entry.growth <= FLAT_GROWTH);
const rssFlat = rssGrowth.every((entry) => entry.growth <= FLAT_GROWTH);
process.stdout.write(
  `heap used, first to last segment of each kind: ${describeGrowth(heapGrowth)}: ` +
    `${heapGrowth.length === 0 ? 'too few segments to tell' : flat ? 'flat' : `grew more than ${FLAT_GROWTH * 100}%`}\n` +
    `rss, first to last segment of each kind: ${describeGrowth(rssGrowth)}: ${rssFlat ? 'flat' : `grew more than ${FLAT_GROWTH * 100}%`}\n`,
);
const serverRss = samples.map((sample) => sample.serverRssMiB).filter((value): value is number => value !== null);
if (serverRss.length > 0) {
  process.stdout.write(`server rss: first ${serverRss[0]?.toFixed(1)} MiB, last ${serverRss[serverRss.length - 1]?.toFixed(1)} MiB\n`);
}

const outFile =
  values.out ?? path.join(ROOT, 'results', `memory-${new Date(startMs + performance.timeOrigin).toISOString().replace(/[:.]/g, '-')}.json`);
mkdirSync(path.dirname(outFile), { recursive: true });
writeFileSync(
  outFile,
  `${JSON.stringify({ minutes, segmentS, sampleS, handshakeConcurrency: HANDSHAKE_CONCURRENCY, connections: CONNECTIONS, heapGrowth, rssGrowth, flat, rssFlat, segments, samples }, null, 2)}\n`,
);
process.stdout.write(`samples written to ${path.relative(process.cwd(), outFile)}\n`);
process.exitCode = flat && rssFlat ? 0 : 1;
