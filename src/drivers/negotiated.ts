import type { TLSSocket } from 'node:tls';
import { keyTypeOfPublicKey } from '../pki/keys.ts';
import type { Group } from '../scenario/types.ts';
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
 * Reads what a client socket negotiated. Call it while the socket is open: a closed socket
 * reports null for everything.
 *
 * `group` is null when there was no ephemeral key exchange, as in a resumed TLS 1.2 handshake
 * or a TLS 1.2 suite without ECDHE, and on server sockets, where Node 20 has no
 * `getEphemeralKeyInfo()`. `peerKeyType` is null after a resumed handshake, because Node 20's
 * client then returns no peer certificate.
 */
export function negotiatedOf(socket: TLSSocket): Negotiated {
  const keyInfo = socket.getEphemeralKeyInfo();
  const peerCert = socket.getPeerX509Certificate();
  return {
    protocol: socket.getProtocol(),
    cipherSuite: socket.getCipher()?.name ?? null,
    group: keyInfo !== null && 'name' in keyInfo ? groupOfCurveName(keyInfo.name) : null,
    peerKeyType: peerCert === undefined ? null : keyTypeOfPublicKey(peerCert.publicKey),
  };
}
