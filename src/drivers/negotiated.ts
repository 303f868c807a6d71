import type { TLSSocket } from 'node:tls';
import { peerKeyTypeOf, peerX509CertificateOf } from '../checks/tally.ts';
import type { NegotiationTally } from '../checks/tally.ts';
import { GROUPS, KEY_TYPES } from '../scenario/types.ts';
import type { Group, KeyType } from '../scenario/types.ts';
import type { Negotiated } from '../servers/types.ts';

/**
 * Group names as `getEphemeralKeyInfo().name` reports them. Node 20.20 (OpenSSL 3.0) returns
 * `X25519`, `prime256v1` and `secp384r1` in TLS 1.2 and TLS 1.3 alike. The NIST names are
 * accepted too in case another OpenSSL build reports those.
 */
const GROUPS_BY_CURVE_NAME: ReadonlyMap<string, Group> = new Map([
  ['X25519', 'x25519'],
  ['prime256v1', 'p-256'],
  ['P-256', 'p-256'],
  ['secp384r1', 'p-384'],
  ['P-384', 'p-384'],
]);

/** Maps an OpenSSL curve name to this project's group name, or null for other curves. */
export function groupOfCurveName(name: string | undefined): Group | null {
  return name === undefined ? null : (GROUPS_BY_CURVE_NAME.get(name) ?? null);
}

/**
 * Names a client socket's key exchange as `NegotiationCount.group` spells it. A resumed TLS 1.2
 * handshake reports `{}` and a finite-field DHE one has a `type` without a `name`.
 */
function keyExchangeGroupOf(socket: TLSSocket): string {
  const keyInfo = socket.getEphemeralKeyInfo();
  if (keyInfo === null || !('type' in keyInfo)) return 'none';
  if (keyInfo.name === undefined) return keyInfo.type;
  return groupOfCurveName(keyInfo.name) ?? keyInfo.name;
}

function isGroup(name: string): name is Group {
  return (GROUPS as readonly string[]).includes(name);
}

function isKeyType(name: string): name is KeyType {
  return (KEY_TYPES as readonly string[]).includes(name);
}

/**
 * Counts a completed client connection in `tally` and, when `describe` is set, returns what it
 * negotiated (otherwise null). Call it once per socket, while the socket is open: a closed socket
 * reports null for everything.
 *
 * The peer certificate is read only when the tally's sample is due or `describe` is set, because
 * reading it costs a tenth of a full handshake (see `PEER_CERT_SAMPLE_INTERVAL`). The group is
 * read on full handshakes, and on resumed ones only to describe them: a resumed TLS 1.3 handshake
 * still runs ECDHE, a resumed TLS 1.2 one exchanges no key.
 */
export function recordClientNegotiation(socket: TLSSocket, tally: NegotiationTally, describe: boolean): Negotiated | null {
  const resumed = socket.isSessionReused();
  const protocol = socket.getProtocol();
  const cipherSuite = socket.getCipher()?.name ?? null;
  const group = resumed && !describe ? null : keyExchangeGroupOf(socket);
  const readsPeerCert = describe || (!resumed && tally.peerCertDue());
  const peerKeyType = readsPeerCert ? peerKeyTypeOf(peerX509CertificateOf(socket)) : null;

  tally.add({
    protocol,
    cipherSuite,
    resumed,
    group: resumed ? null : group,
    peerKeyType: resumed ? null : peerKeyType,
    clientCertVerified: null,
  });
  if (!describe) return null;

  // `Negotiated` keeps the results format: project names or null. After a resumed handshake
  // Node 20's client returns no peer certificate, so its key type is null.
  return {
    protocol,
    cipherSuite,
    group: group !== null && isGroup(group) ? group : null,
    peerKeyType: peerKeyType !== null && isKeyType(peerKeyType) ? peerKeyType : null,
  };
}
