import net from 'node:net';

/**
 * Loopback addresses as literals. `BlockList` also matches the IPv4-mapped form of an IPv4
 * rule (`::ffff:127.0.0.1`), checked on Node 20.20.
 */
const LOOPBACK_ADDRESSES = new net.BlockList();
LOOPBACK_ADDRESSES.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK_ADDRESSES.addAddress('::1', 'ipv6');

/**
 * Returns whether `host` is a loopback address: an IP literal in 127.0.0.0/8 or ::1, or the
 * name `localhost`. No name is resolved, so any other name counts as remote, even one that a
 * resolver would map to 127.0.0.1.
 */
export function isLoopbackHost(host: string): boolean {
  if (host.toLowerCase() === 'localhost') return true;
  const family = net.isIP(host);
  if (family === 0) return false;
  return LOOPBACK_ADDRESSES.check(host, family === 6 ? 'ipv6' : 'ipv4');
}

/** Writes `host:port`, with an IPv6 address in brackets as URLs and Host headers need it. */
export function formatHostPort(host: string, port: number): string {
  return net.isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
}
