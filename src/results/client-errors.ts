/**
 * Connection errors that come from the load generator's own limits, not from the server: no
 * ephemeral port left, or no file descriptor. Such a failure shows nothing about the TLS
 * settings under test, so cells keep these errors apart from the others and print a hint to avoid them.
 */

/** Error codes of client resource errors, each with the hint a report prints beside it. */
export const CLIENT_RESOURCE_HINTS: Readonly<Record<string, string>> = {
  EADDRNOTAVAIL:
    'no ephemeral port was free for a new connection, usually because closed connections wait in TIME_WAIT; ' +
    'lower the rate or concurrency, or widen net.ipv4.ip_local_port_range (docs/performance.md)',
  EMFILE: 'the load generator ran out of file descriptors; raise its limit (ulimit -n) or lower the concurrency or connections',
  ENFILE: 'the system ran out of file descriptors; raise fs.file-max or lower the concurrency or connections',
};

/** Error counts split into the client's resource errors and the rest. */
export interface SplitErrors {
  /** Counts by code of the codes in {@link CLIENT_RESOURCE_HINTS}. */
  clientResource: Record<string, number>;
  /** Counts by code of every other error. */
  other: Record<string, number>;
}

export function isClientResourceError(code: string): boolean {
  return Object.hasOwn(CLIENT_RESOURCE_HINTS, code);
}

/** Splits error counts by code into client resource errors and the rest. */
export function splitClientResourceErrors(errorsByCode: Readonly<Record<string, number>>): SplitErrors {
  const split: SplitErrors = { clientResource: {}, other: {} };
  for (const [code, count] of Object.entries(errorsByCode)) {
    (isClientResourceError(code) ? split.clientResource : split.other)[code] = count;
  }
  return split;
}

export function countErrors(errorsByCode: Readonly<Record<string, number>>): number {
  return Object.values(errorsByCode).reduce((sum, count) => sum + count, 0);
}

/**
 * Describes client resource errors for a note or a failure message, for example
 * `EMFILE x12: the load generator ran out of file descriptors; ...`. Empty when there are none.
 */
export function describeClientResourceErrors(clientResource: Readonly<Record<string, number>>): string {
  return Object.entries(clientResource)
    .map(([code, count]) => `${code} x${count}: ${CLIENT_RESOURCE_HINTS[code] ?? 'a client resource ran out'}`)
    .join('; ');
}
