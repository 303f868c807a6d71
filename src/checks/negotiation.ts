import type { CellCheck, CheckName, CheckPhase } from '../results/types.ts';
import type { TlsVersion } from '../scenario/types.ts';
import type { NegotiationCount } from '../servers/types.ts';
import type { CheckInput } from './types.ts';

/** Protocol names as `getProtocol()` returns them. */
const PROTOCOL_NAMES: Record<TlsVersion, string> = {
  'tls1.2': 'TLSv1.2',
  'tls1.3': 'TLSv1.3',
};

/** One value compared across counted connections, and how the result reads. */
interface ValueCheck {
  name: CheckName;
  expected: string;
  /** Whether a counted entry is one this check applies to. */
  applies(entry: NegotiationCount): boolean;
  valueOf(entry: NegotiationCount): string;
  /** Word before the observed values, such as `negotiated`. Empty when the values read as verbs. */
  verb: string;
  /** The connections counted, in the plural: `handshakes`, `full handshakes`. */
  noun: string;
}

/**
 * Compares one value across counted connections. Passes when every connection it applies to had
 * the expected value. Returns null when it applies to none, because such a phase shows nothing
 * either way, as with the group of a measured run that resumed every handshake.
 */
function runValueCheck(check: ValueCheck, phase: CheckPhase, entries: NegotiationCount[]): CellCheck | null {
  const countsByValue = new Map<string, number>();
  let total = 0;
  for (const entry of entries) {
    if (!check.applies(entry)) continue;
    const value = check.valueOf(entry);
    countsByValue.set(value, (countsByValue.get(value) ?? 0) + entry.count);
    total += entry.count;
  }
  if (total === 0) return null;

  const observed = [...countsByValue]
    .sort(([valueA, countA], [valueB, countB]) => countB - countA || valueA.localeCompare(valueB))
    .map(([value, count]) => `${value} on ${count} of ${total} ${check.noun}`)
    .join(', ');
  return {
    name: check.name,
    phase,
    expected: check.expected,
    actual: check.verb === '' ? observed : `${check.verb} ${observed}`,
    passed: countsByValue.size === 1 && countsByValue.has(check.expected),
  };
}

const isFull = (entry: NegotiationCount): boolean => !entry.resumed;
const isSampledFull = (entry: NegotiationCount): boolean => !entry.resumed && entry.peerKeyType !== null;

/**
 * Client-side checks: protocol and cipher suite on every connection, group and server key type
 * on full handshakes, because a resumed handshake carries no certificate and a resumed TLS 1.2
 * one exchanges no key.
 */
function clientChecks(input: CheckInput): ValueCheck[] {
  const { tls } = input;
  const checks: ValueCheck[] = [
    {
      name: 'protocol',
      expected: PROTOCOL_NAMES[tls.tlsVersion],
      applies: () => true,
      valueOf: (entry) => entry.protocol ?? 'none',
      verb: 'negotiated',
      noun: 'handshakes',
    },
  ];
  if (tls.cipherSuite !== null) {
    checks.push({
      name: 'cipher suite',
      expected: tls.cipherSuite,
      applies: () => true,
      valueOf: (entry) => entry.cipherSuite ?? 'none',
      verb: 'negotiated',
      noun: 'handshakes',
    });
  }
  checks.push(
    {
      name: 'group',
      expected: tls.group,
      applies: (entry) => isFull(entry) && entry.group !== null,
      valueOf: (entry) => entry.group ?? 'none',
      verb: 'negotiated',
      noun: 'full handshakes',
    },
    {
      name: 'server key type',
      expected: tls.serverKeyType,
      applies: isSampledFull,
      valueOf: (entry) => entry.peerKeyType ?? 'none',
      verb: 'got',
      noun: 'sampled full handshakes',
    },
  );
  return checks;
}

/**
 * Server-side checks of `mtls` cells, on full handshakes: that the server verified a client
 * certificate, and its key type. Node sets `authorized` on a server socket only when the server
 * requested a certificate and the client's verified, so `verified` also means one was presented
 * (a missing one leaves it false even with `rejectUnauthorized` off, checked on Node 20.20).
 */
function serverChecks(input: CheckInput): ValueCheck[] {
  if (input.tls.auth !== 'mtls') return [];
  return [
    {
      name: 'client certificate',
      expected: 'verified',
      applies: isFull,
      valueOf: (entry) => (entry.clientCertVerified === true ? 'verified' : 'not verified'),
      verb: '',
      noun: 'full handshakes',
    },
    {
      name: 'client key type',
      expected: input.tls.clientKeyType,
      applies: isSampledFull,
      valueOf: (entry) => entry.peerKeyType ?? 'none',
      verb: 'got',
      noun: 'sampled full handshakes',
    },
  ];
}

/**
 * Compares what one phase's connections negotiated with what the cell requested: protocol,
 * cipher suite (when the scenario names one), group, server key type, and for `mtls` the
 * client certificate and its key type. The last two need server counts, which a target has
 * not. Key types come from sampled handshakes only.
 */
export function checkNegotiation(input: CheckInput): CellCheck[] {
  const checks: CellCheck[] = [];
  for (const check of clientChecks(input)) {
    const result = runValueCheck(check, input.phase, input.client.negotiations);
    if (result !== null) checks.push(result);
  }
  const server = input.server;
  if (server === null) return checks;
  for (const check of serverChecks(input)) {
    const result = runValueCheck(check, input.phase, server);
    if (result !== null) checks.push(result);
  }
  return checks;
}
