import { constants as cryptoConstants } from 'node:crypto';
import net from 'node:net';
import { checkServerIdentity } from 'node:tls';
import type { ConnectionOptions, SecureVersion, TlsOptions } from 'node:tls';
import type { CertificateSet } from '../pki/types.ts';
import type { Group, KeyType, TlsScenario, TlsVersion } from '../scenario/types.ts';

/** Address every echo server binds and every client connects to. */
export const LOOPBACK_HOST = '127.0.0.1';

const PROTOCOL_VERSIONS: Record<TlsVersion, SecureVersion> = {
  'tls1.2': 'TLSv1.2',
  'tls1.3': 'TLSv1.3',
};

/** OpenSSL group names, as `ecdhCurve` takes them. */
const GROUP_CURVE_NAMES: Record<Group, string> = {
  x25519: 'X25519',
  'p-256': 'P-256',
  'p-384': 'P-384',
};

/** Curves of the ECDSA key types. Other key types put no constraint on the groups list. */
const ECDSA_CURVE_NAMES: Partial<Record<KeyType, string>> = {
  'ecdsa-p256': 'P-256',
  'ecdsa-p384': 'P-384',
};

/**
 * Returns the `ecdhCurve` list of one side, the requested group first.
 *
 * In TLS 1.2, OpenSSL 3.0 also uses the supported-groups list to check the curve of an ECDSA
 * leaf. A server does not select an ECDSA certificate whose curve the client did not list, and
 * it rejects a client's ECDSA leaf whose curve is missing from its own list ("wrong curve").
 * Both were checked on Node 20.20 with OpenSSL 3.0.19. So in TLS 1.2 the client also lists the
 * curves of both leaves, which keeps its ClientHello the same for `tls` and `mtls`, and the
 * server adds the client leaf's curve only for `mtls`. The key exchange still uses the
 * requested group, because it comes first on both lists. TLS 1.3 ties ECDSA curves to
 * signature schemes instead, so there both lists contain only the requested group.
 */
export function groupListOf(tls: TlsScenario, side: 'server' | 'client'): string {
  const curves = [GROUP_CURVE_NAMES[tls.group]];
  if (tls.tlsVersion === 'tls1.2') {
    const leafKeyTypes: KeyType[] = side === 'client' ? [tls.serverKeyType, tls.clientKeyType] : [];
    if (side === 'server' && tls.auth === 'mtls') {
      leafKeyTypes.push(tls.clientKeyType);
    }
    for (const keyType of leafKeyTypes) {
      const curve = ECDSA_CURVE_NAMES[keyType];
      if (curve !== undefined && !curves.includes(curve)) {
        curves.push(curve);
      }
    }
  }
  return curves.join(':');
}

/**
 * Returns the settings both sides share: protocol version pinned, cipher suite and groups.
 *
 * Node splits `ciphers` by name: entries starting with `TLS_` go to OpenSSL's TLS 1.3
 * ciphersuites and the rest to the TLS 1.2 cipher list. A list of TLS 1.3 names alone is
 * accepted (checked on Node 20.20), so a TLS 1.3 suite needs no TLS 1.2 list beside it.
 */
function commonOptions(tls: TlsScenario, side: 'server' | 'client'): Pick<TlsOptions, 'minVersion' | 'maxVersion' | 'ciphers' | 'ecdhCurve'> {
  const version = PROTOCOL_VERSIONS[tls.tlsVersion];
  return {
    minVersion: version,
    maxVersion: version,
    ...(tls.cipherSuite === null ? {} : { ciphers: tls.cipherSuite }),
    ecdhCurve: groupListOf(tls, side),
  };
}

/**
 * Builds the options of an echo server for one scenario.
 *
 * Resumption: `tickets` keeps Node's default (stateless tickets). `none` and `session-ids`
 * set `SSL_OP_NO_TICKET`. Node runs OpenSSL's server session cache without its internal
 * store, so session IDs resume only through `newSession`/`resumeSession` handlers, which
 * `installSessionIdCache` adds for `session-ids`. Without them nothing can resume.
 */
export function serverTlsOptions(tls: TlsScenario, certs: CertificateSet): TlsOptions {
  const options: TlsOptions = {
    cert: certs.serverChainPem,
    key: certs.server.keyPem,
    ...commonOptions(tls, 'server'),
    requestCert: tls.auth === 'mtls',
    rejectUnauthorized: tls.auth === 'mtls',
  };
  if (tls.auth === 'mtls') {
    options.ca = certs.caPem;
  }
  // NOTE: in TLS 1.3, SSL_OP_NO_TICKET makes OpenSSL send stateful tickets (a session ID in a
  // NewSessionTicket message), and Node 20 has no option to send zero tickets. So `none`
  // servers still build and send tickets that nothing can redeem, which costs server CPU.
  if (tls.resumption !== 'tickets') {
    options.secureOptions = cryptoConstants.SSL_OP_NO_TICKET;
  }
  return options;
}

/** PEM material of a client: the CA that verifies the server, and the client's own chain and key. */
export interface ClientTlsMaterial {
  /** CA certificates that verify the server. */
  caPem: string;
  /** Client leaf, then the intermediates it sends. Presented only in `mtls` scenarios. */
  certChainPem: string;
  keyPem: string;
}

/** Address and server name of a client connection, for servers other than the echo server on 127.0.0.1. */
export interface ClientEndpoint {
  host: string;
  /** SNI name and the name the server certificate is checked against. Default: `host`. */
  servername?: string;
}

/** Takes a generated certificate set's client side, or material read from a target's files, alike. */
export function clientMaterialOf(source: CertificateSet | ClientTlsMaterial): ClientTlsMaterial {
  if ('clientChainPem' in source) {
    return { caPem: source.caPem, certChainPem: source.clientChainPem, keyPem: source.client.keyPem };
  }
  return source;
}

/**
 * Returns the options that make a client send the endpoint's name as SNI and check the server
 * certificate against it. `tls.connect` sends no SNI unless given `servername`, also for a host
 * name (checked on Node 20.20). It warns when `servername` is an IP address (DEP0123), so an IP
 * goes only to the certificate check, which otherwise compares the certificate with `host`.
 */
export function servernameOptionsOf(endpoint: ClientEndpoint): Pick<ConnectionOptions, 'servername' | 'checkServerIdentity'> {
  const servername = endpoint.servername ?? endpoint.host;
  if (net.isIP(servername) === 0) return { servername };
  if (servername === endpoint.host) return {};
  return { checkServerIdentity: (_host, certificate) => checkServerIdentity(servername, certificate) };
}

/**
 * Builds client options for one scenario. Verification is always on: the server leaf must
 * chain to the CA and match the endpoint's name. An echo server's leaf carries `IP:127.0.0.1`,
 * which Node's hostname check compares with `host`, and Node sends no SNI for an IP address.
 * The client certificate is presented only in `mtls` scenarios.
 */
export function clientTlsOptions(
  tls: TlsScenario,
  certs: CertificateSet | ClientTlsMaterial,
  endpoint: ClientEndpoint = { host: LOOPBACK_HOST },
): ConnectionOptions {
  const material = clientMaterialOf(certs);
  const options: ConnectionOptions = {
    host: endpoint.host,
    ...servernameOptionsOf(endpoint),
    ca: material.caPem,
    rejectUnauthorized: true,
    ...commonOptions(tls, 'client'),
  };
  if (tls.auth === 'mtls') {
    options.cert = material.certChainPem;
    options.key = material.keyPem;
  }
  return options;
}
