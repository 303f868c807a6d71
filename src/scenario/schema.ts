/**
 * Zod schemas for suite files as authors write them. They check shapes, types, accepted values
 * and numeric bounds. Rules that span fields (cipher suite against TLS version, duplicate
 * workload names) live in `matrix.ts`, `validate.ts` and `workloads.ts`. The same schemas
 * generate `schema/suite.schema.json` for editor completion.
 */
import { z } from 'zod';

import { DEFAULT_CIPHER_SUITE, HANDSHAKE_DEFAULTS, MATRIX_DEFAULTS, REQUESTS_DEFAULTS } from './defaults.ts';
import { DURATION_PATTERN, describeDurationProblem } from './duration.ts';
import { parseRatePerSec } from './rate.ts';
import { describeReceived } from './messages.ts';
import { METRIC_NAMES } from '../results/metrics.ts';
import { THRESHOLD_PATTERN } from '../gate/threshold.ts';
import { AUTH_MODES, CHAIN_DEPTHS, GROUPS, KEY_TYPES, RESUMPTION_MODES, TARGET_PROTOCOLS, TLS_VERSIONS } from './types.ts';

/** The fields of a zod issue that the error functions below read. */
type IssueForMessage = { readonly code?: string; readonly input?: unknown };

const NAME_PATTERN = /^[a-z0-9][a-z0-9-]*$/;

/** Suite and workload names end up in cell ids and file names, so they stay plain. */
function nameSchema(missingMessage?: string) {
  return z
    .string({ error: (issue: IssueForMessage) => (issue.input === undefined ? missingMessage : undefined) })
    .regex(NAME_PATTERN, {
      error: (issue: IssueForMessage) =>
        `${describeReceived(issue.input)}; expected lower-case letters, digits and hyphens, for example "default"`,
    });
}

/**
 * Builds the schema for a duration string. `allowZero` is for warm-up, where `0s` turns warm-up
 * off. The pattern stays in the schema for the JSON Schema that editors read. Every message
 * comes from `describeDurationProblem`, which separates a missing unit from an unknown one.
 */
function durationSchema(options: { allowZero: boolean }) {
  const bounds = { allowZero: options.allowZero, maxMs: WORKLOAD_LIMITS.durationMs };
  const message = (issue: IssueForMessage) => describeDurationProblem(issue.input, bounds) ?? undefined;
  return z
    .string({ error: message })
    .regex(DURATION_PATTERN, { error: message, abort: true })
    .refine((text) => describeDurationProblem(text, bounds) === null, { error: message, abort: true });
}

/**
 * Upper bounds on workload numbers. They reject values that cannot run on one machine (a
 * billion concurrent connections exhausts memory long before it exhausts sockets), so such a
 * suite fails validation instead of crashing mid-run.
 */
export const WORKLOAD_LIMITS = {
  /** Each connection in flight uses a socket and a file descriptor. */
  handshakeConcurrency: 1_000,
  /** Keep-alive connections, each with its socket, parser and buffers. */
  connections: 5_000,
  pipelining: 256,
  /** Bodies are built in memory, one per request in flight. */
  payloadBytes: 16 * 1024 * 1024,
  count: 100_000_000,
  warmupHandshakes: 100_000,
  rateRps: 1_000_000,
  /** Worker threads of one driver; each has its own event loop and memory. */
  workers: 64,
  /** One hour: a longer cell is better split into rounds. */
  durationMs: 60 * 60 * 1000,
} as const;

// Zod words a string given for an integer as "expected number", but counts read better as whole numbers.
const positiveIntSchema = (max: number) =>
  z
    .int({
      error: (issue: IssueForMessage) =>
        issue.code === 'invalid_type' ? `${describeReceived(issue.input)}; expected a whole number` : undefined,
    })
    .min(1)
    .max(max);

/** Builds the schema for an arrival rate: `500` or `"500/s"`, from 1 to `max` per second. */
function rateSchema(operations: string, max: number) {
  const expected = `expected ${operations} per second as a whole number, for example 500 or "500/s"`;
  return z
    .union([z.number(), z.string()], { error: (issue: IssueForMessage) => `${describeReceived(issue.input)}; ${expected}` })
    .refine((value) => parseRatePerSec(value) !== null, {
      error: (issue: IssueForMessage) => `${describeReceived(issue.input)}; ${expected}`,
      abort: true,
    })
    .refine(
      (value) => {
        const rate = parseRatePerSec(value) ?? 0;
        return rate >= 1 && rate <= max;
      },
      { error: (issue: IssueForMessage) => `${describeReceived(issue.input)}; expected from 1/s to ${max}/s` },
    );
}

/** Accepts a single value or a non-empty list of values for one matrix axis. */
function oneOrMany<T extends z.ZodType>(item: T) {
  return z.union([item, z.array(item).min(1)]);
}

/** JSON Schema annotations for an axis. Editors offer `default` as a completion. */
function axisMeta(text: string, defaults: readonly unknown[]) {
  return {
    description: `${text} A single value or a list. Default: ${defaults.join(', ')}.`,
    default: [...defaults],
  };
}

export const KeyTypeSchema = z.enum(KEY_TYPES);
export const TlsVersionSchema = z.enum(TLS_VERSIONS);
export const GroupSchema = z.enum(GROUPS);
export const ResumptionSchema = z.enum(RESUMPTION_MODES);
export const AuthSchema = z.enum(AUTH_MODES);
export const ChainDepthSchema = z.literal(CHAIN_DEPTHS);
export const CipherSuiteSchema = z.string().min(1).meta({
  examples: [DEFAULT_CIPHER_SUITE, 'TLS_AES_128_GCM_SHA256', 'ECDHE-ECDSA-AES128-GCM-SHA256'],
});

/** One schema per matrix axis, so the loader can read the valid axes of an entry that has invalid ones. */
export const MATRIX_AXIS_SCHEMAS = {
  keyType: oneOrMany(KeyTypeSchema).meta(
    axisMeta(
      'Key type of both the server and the client certificates. ' +
        'Use serverKeyType and clientKeyType instead to set them apart.',
      MATRIX_DEFAULTS.keyType,
    ),
  ),
  serverKeyType: oneOrMany(KeyTypeSchema).meta(
    axisMeta('Key type of the server certificate; not together with keyType.', MATRIX_DEFAULTS.keyType),
  ),
  clientKeyType: oneOrMany(KeyTypeSchema).meta(
    axisMeta('Key type of the client certificate; not together with keyType.', MATRIX_DEFAULTS.keyType),
  ),
  tlsVersion: oneOrMany(TlsVersionSchema).meta(
    axisMeta('TLS protocol version, pinned as both minimum and maximum.', MATRIX_DEFAULTS.tlsVersion),
  ),
  cipherSuite: oneOrMany(CipherSuiteSchema).meta(
    axisMeta(
      'Single cipher suite to offer, as an OpenSSL or IANA name, or "default" for OpenSSL\'s default list. ' +
        'TLS 1.2 suites must use ECDHE key exchange.',
      MATRIX_DEFAULTS.cipherSuite,
    ),
  ),
  group: oneOrMany(GroupSchema).meta(
    axisMeta('Key-exchange group (elliptic curve) for ECDHE.', MATRIX_DEFAULTS.group),
  ),
  resumption: oneOrMany(ResumptionSchema).meta(
    axisMeta('Session resumption: none, session tickets, or session IDs (TLS 1.2 only).', MATRIX_DEFAULTS.resumption),
  ),
  auth: oneOrMany(AuthSchema).meta(
    axisMeta(
      'tls: only the server presents a certificate (the baseline); mtls: the client presents one too.',
      MATRIX_DEFAULTS.auth,
    ),
  ),
  chainDepth: oneOrMany(ChainDepthSchema).meta(
    axisMeta('Intermediate CA certificates between the root and each leaf certificate.', MATRIX_DEFAULTS.chainDepth),
  ),
};

export const MatrixSchema = z
  .strictObject({
    keyType: MATRIX_AXIS_SCHEMAS.keyType.optional(),
    serverKeyType: MATRIX_AXIS_SCHEMAS.serverKeyType.optional(),
    clientKeyType: MATRIX_AXIS_SCHEMAS.clientKeyType.optional(),
    tlsVersion: MATRIX_AXIS_SCHEMAS.tlsVersion.optional(),
    cipherSuite: MATRIX_AXIS_SCHEMAS.cipherSuite.optional(),
    group: MATRIX_AXIS_SCHEMAS.group.optional(),
    resumption: MATRIX_AXIS_SCHEMAS.resumption.optional(),
    auth: MATRIX_AXIS_SCHEMAS.auth.optional(),
    chainDepth: MATRIX_AXIS_SCHEMAS.chainDepth.optional(),
  })
  .meta({ description: 'Axes to cross. Every combination of the listed values becomes a cell.' });

const workloadNameSchema = () =>
  nameSchema().meta({ description: 'Name used in cell ids. Default: the kind. Unique within the suite.' });

/** Description text plus the `default` annotation that editors offer as a completion. */
function fieldMeta(description: string, defaultValue: unknown) {
  return { description: `${description} Default: ${String(defaultValue)}.`, default: defaultValue };
}

export const HandshakeWorkloadSchema = z
  .strictObject({
    kind: z.literal('handshake'),
    name: workloadNameSchema().optional(),
    concurrency: positiveIntSchema(WORKLOAD_LIMITS.handshakeConcurrency)
      .meta({
        description:
          'Connections in flight at once; with a rate, the most in flight, and due connections wait for a free one. ' +
          `Default: ${HANDSHAKE_DEFAULTS.concurrency}, or ${HANDSHAKE_DEFAULTS.openLoopConcurrency} with a rate.`,
        default: HANDSHAKE_DEFAULTS.concurrency,
      })
      .optional(),
    rate: rateSchema('new connections', WORKLOAD_LIMITS.rateRps)
      .nullable()
      .meta({
        description:
          'Open-loop arrivals, for example "500/s": new connections start on a fixed schedule however slowly earlier ' +
          "ones finish, and latency counts from each connection's intended start. Default: none; each of " +
          '`concurrency` connections starts the next when it ends.',
      })
      .optional(),
    workers: positiveIntSchema(WORKLOAD_LIMITS.workers)
      .meta(
        fieldMeta(
          'Worker threads of the load generator, each with a share of the concurrency and rate, for loads one thread cannot drive.',
          HANDSHAKE_DEFAULTS.workers,
        ),
      )
      .optional(),
    duration: durationSchema({ allowZero: false })
      .nullable()
      .meta({
        description:
          'Measurement time, for example "3s"; null means no time bound. ' +
          `Default: ${HANDSHAKE_DEFAULTS.duration}, or no time bound when count is set.`,
        default: HANDSHAKE_DEFAULTS.duration,
      })
      .optional(),
    count: positiveIntSchema(WORKLOAD_LIMITS.count)
      .nullable()
      .meta({
        description:
          'Stop after this many measured handshakes. With a duration too, the first bound reached ends the run. ' +
          'Default: no count bound.',
      })
      .optional(),
    warmup: z
      .int({
        error: (issue: IssueForMessage) => `${describeReceived(issue.input)}; expected a whole number of handshakes`,
      })
      .min(0)
      .max(WORKLOAD_LIMITS.warmupHandshakes)
      .meta(fieldMeta('Handshakes run and discarded before measuring.', HANDSHAKE_DEFAULTS.warmup))
      .optional(),
    payloadBytes: positiveIntSchema(WORKLOAD_LIMITS.payloadBytes)
      .meta(fieldMeta('Bytes echoed once per connection after the handshake.', HANDSHAKE_DEFAULTS.payloadBytes))
      .optional(),
  })
  .meta({ description: 'New connection per operation: TCP connect, TLS handshake, one echo round trip, close.' });

export const RequestsWorkloadSchema = z
  .strictObject({
    kind: z.literal('requests'),
    name: workloadNameSchema().optional(),
    connections: positiveIntSchema(WORKLOAD_LIMITS.connections)
      .meta(fieldMeta('Keep-alive connections.', REQUESTS_DEFAULTS.connections))
      .optional(),
    workers: positiveIntSchema(WORKLOAD_LIMITS.workers)
      .meta(
        fieldMeta(
          'Worker threads of the load generator, each running autocannon with a share of the connections and rate.',
          REQUESTS_DEFAULTS.workers,
        ),
      )
      .optional(),
    pipelining: positiveIntSchema(WORKLOAD_LIMITS.pipelining)
      .meta(fieldMeta('Requests in flight per connection.', REQUESTS_DEFAULTS.pipelining))
      .optional(),
    duration: durationSchema({ allowZero: false })
      .meta({
        description:
          'Measurement time, for example "3s". With a rate it must split into rounds of whole seconds. ' +
          `Default: ${REQUESTS_DEFAULTS.duration}, or one second per round with a rate.`,
        default: REQUESTS_DEFAULTS.duration,
      })
      .optional(),
    count: positiveIntSchema(WORKLOAD_LIMITS.count)
      .nullable()
      .meta({
        description:
          'Stop after this many measured requests, or at the end of the duration if that comes first. ' +
          'Default: no count bound.',
      })
      .optional(),
    rate: rateSchema('requests', WORKLOAD_LIMITS.rateRps)
      .nullable()
      .meta({
        description:
          'Target requests per second over all connections, for example "2000/s"; latency is then corrected for ' +
          'coordinated omission. Default: as fast as possible.',
      })
      .optional(),
    warmup: durationSchema({ allowZero: true })
      .meta(
        fieldMeta('Warm-up time before measuring, for example "500ms"; "0s" turns it off.', REQUESTS_DEFAULTS.warmup),
      )
      .optional(),
    payloadBytes: positiveIntSchema(WORKLOAD_LIMITS.payloadBytes)
      .meta(fieldMeta('Request and response body size in bytes.', REQUESTS_DEFAULTS.payloadBytes))
      .optional(),
  })
  .meta({ description: 'Keep-alive HTTP/1.1 requests over already established connections.' });

export const WorkloadSchema = z.discriminatedUnion('kind', [HandshakeWorkloadSchema, RequestsWorkloadSchema]);

/**
 * A host name or IP address as `tls.connect` takes it: no scheme, port, path or brackets.
 * Only the characters are checked, because the loader never resolves a name.
 */
export const HOST_PATTERN = /^[A-Za-z0-9._:-]+$/;

const portSchema = () =>
  z
    .int({
      error: (issue: IssueForMessage) =>
        issue.code === 'invalid_type' ? `${describeReceived(issue.input)}; expected a port number from 1 to 65535` : undefined,
    })
    .min(1)
    .max(65_535);

const pemFileSchema = (description: string) =>
  z
    .string({
      error: (issue: IssueForMessage) =>
        issue.code === 'invalid_type' ? `${describeReceived(issue.input)}; expected the path of a PEM file, such as "pki/ca.pem"` : undefined,
    })
    .min(1)
    .meta({ description: `${description} Relative paths are relative to the suite file.` });

/** The file fields of `target` alone, so the loader can check the files of a target with other problems. */
export const TargetFilesSchema = z.object({
  ca: z.string().min(1),
  cert: z.string().min(1),
  key: z.string().min(1),
  caKey: z.string().min(1).optional(),
});

export const TargetSchema = z
  .strictObject({
    host: z
      .string()
      .min(1)
      .regex(HOST_PATTERN, {
        error: (issue: IssueForMessage) =>
          `${describeReceived(issue.input)}; expected a host name or IP address without scheme, port or brackets, ` +
          'for example "127.0.0.1" or "::1"',
      })
      .meta({
        description:
          'Host to connect to. It must be a loopback address (127.0.0.0/8, ::1 or localhost) unless allowRemote is true.',
      }),
    port: portSchema().meta({ description: 'Port that requests a client certificate, used by auth: mtls cells.' }),
    baselinePort: portSchema()
      .meta({
        description:
          'Port doing server-only TLS with the same server, used by auth: tls cells. Without it the matrix may not contain auth: tls.',
      })
      .optional(),
    servername: z
      .string()
      .min(1)
      .meta({ description: 'SNI name, and the name the server certificate is checked against. Default: host.' })
      .optional(),
    protocol: z
      .enum(TARGET_PROTOCOLS)
      .meta(fieldMeta('What the target speaks after the handshake: https, or tls for a raw TLS echo server.', 'https'))
      .optional(),
    ca: pemFileSchema('PEM file of the CA certificates that verify the server certificate.'),
    cert: pemFileSchema('PEM file of the client certificate chain, leaf first.'),
    key: pemFileSchema("PEM file of the client certificate's private key, unencrypted."),
    caKey: pemFileSchema(
      "PEM file of the CA's private key. It lets the expired, server-auth-only and unsent-intermediate probes be " +
        'issued; without it those probes are skipped.',
    ).optional(),
    allowRemote: z
      .boolean()
      .meta(fieldMeta('Allow a host that is not a loopback address.', false))
      .optional(),
  })
  .meta({
    description:
      'A server you run (nginx, HAProxy, Envoy, your own), measured in place of the echo servers mtls-bench starts. ' +
      'With a target, matrix.keyType is the key type its server certificate must have, and the certificate files ' +
      'decide the client key type and the chain depth.',
  });

/** Upper bound of `simulate.handshakeCpuUs`: a tenth of a second per handshake is far beyond any regression worth simulating. */
export const MAX_SIMULATED_HANDSHAKE_CPU_US = 100_000;

export const SimulateSchema = z
  .strictObject({
    handshakeCpuUs: positiveIntSchema(MAX_SIMULATED_HANDSHAKE_CPU_US).meta({
      description:
        'Microseconds of CPU that each echo server burns inside every handshake, full and resumed, ' +
        `from 1 to ${MAX_SIMULATED_HANDSHAKE_CPU_US}.`,
    }),
    auth: oneOrMany(AuthSchema)
      .meta({
        description:
          'Which servers burn it: tls, mtls, or both. mtls alone simulates a regression of client authentication, ' +
          'which the mTLS overhead ratio shows. Default: tls, mtls.',
        default: [...AUTH_MODES],
      })
      .optional(),
  })
  .meta({
    description:
      'Testing aid: inject a server slowdown of known size, to check that a comparison or CI gate catches it. ' +
      'Not allowed with a target. Default: none.',
  });

/**
 * Maximum rounds per cell. Each round has its own server window and client run, so past about 50
 * the fixed cost per round outweighs what more rounds add to a confidence interval.
 */
export const MAX_ROUNDS = 50;

/** Default rounds per cell: 5 is the fewest for which a 5 vs 5 rank test can reach p < 0.01. */
export const DEFAULT_ROUNDS = 5;

/** Default gate threshold for every metric, as a fraction. */
export const DEFAULT_GATE_THRESHOLD = 0.1;

const thresholdMessage = (issue: IssueForMessage) => `${describeReceived(issue.input)}; expected a percentage such as "10%", or "off"`;
const thresholdSchema = z.string({ error: thresholdMessage }).regex(THRESHOLD_PATTERN, { error: thresholdMessage });

export const GateSchema = z
  .strictObject({
    threshold: thresholdSchema
      .meta(fieldMeta('Largest accepted worsening of every metric without a threshold of its own, or "off".', '10%'))
      .optional(),
    metrics: z
      .partialRecord(z.enum(METRIC_NAMES), thresholdSchema)
      .meta({ description: 'Thresholds of single metrics, for example handshake.full.p99: 5%, or off to leave one ungated.' })
      .optional(),
  })
  .meta({
    description:
      'Thresholds of mtls-bench compare and run --baseline. A metric fails the gate only when it is worse, the ' +
      'change is significant, and it exceeds its threshold. --threshold on the command line takes precedence.',
  });

export const SuiteSchema = z.strictObject({
  name: nameSchema('missing; every suite needs a name, for example "default"').meta({
    description: 'Suite name, used in result file names: lower-case letters, digits and hyphens.',
  }),
  description: z.string().meta({ description: 'One line on what the suite measures.' }).optional(),
  target: TargetSchema.optional(),
  matrix: z
    .union([
      MatrixSchema,
      z.array(MatrixSchema).min(1, {
        error: 'got an empty list; expected at least one matrix object, or no matrix field for the defaults',
      }),
    ])
    .meta({
      description:
        'An object of axes, or a list of them: each object is crossed on its own and the union of the cells ' +
        'is run. Use a list to keep incompatible values (a TLS 1.3 cipher suite and tlsVersion tls1.2) apart.',
    })
    .optional(),
  workloads: z
    .array(WorkloadSchema)
    .min(1, { error: 'got an empty list; expected at least one workload, or no workloads field for the defaults' })
    .meta({
      description:
        'What to run in every cell. Default: one handshake and one requests workload, each with its defaults.',
    })
    .optional(),
  simulate: SimulateSchema.optional(),
  rounds: positiveIntSchema(MAX_ROUNDS)
    .meta(
      fieldMeta(
        'Measured rounds per cell, after a discarded warm-up. Each round gets an equal share of the workload bounds, ' +
          'and an mTLS cell alternates with its baseline round by round. --rounds takes precedence.',
        DEFAULT_ROUNDS,
      ),
    )
    .optional(),
  gate: GateSchema.optional(),
});

/** A suite as an author writes it: every default left out is allowed. */
export type SuiteInput = z.input<typeof SuiteSchema>;
export type MatrixInput = z.input<typeof MatrixSchema>;
export type WorkloadInput = z.input<typeof WorkloadSchema>;
export type TargetInput = z.input<typeof TargetSchema>;
export type SimulateInput = z.input<typeof SimulateSchema>;
export type GateInput = z.input<typeof GateSchema>;
