import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** A process as /proc shows it. */
export interface ProcessInfo {
  pid: number;
  ppid: number;
  /** One-letter state; `Z` is a zombie, which has exited and waits to be reaped. */
  state: string;
  command: string;
}

/** Reads /proc/PID/stat, or returns null when the process is gone. */
export function processInfo(pid: number): ProcessInfo | null {
  let stat: string;
  let command: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
  } catch {
    return null;
  }
  // The command name in parentheses may contain spaces, so the fields after it are read from its end.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { pid, ppid: Number(fields[1]), state: fields[0] ?? '?', command };
}

/** Lists every live process below `root`: children, their children and so on. */
export function descendantsOf(root: number): ProcessInfo[] {
  const all = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((name) => processInfo(Number(name)))
    .filter((info): info is ProcessInfo => info !== null);
  const found: ProcessInfo[] = [];
  const parents = new Set([root]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const info of all) {
      if (parents.has(info.ppid) && !parents.has(info.pid)) {
        parents.add(info.pid);
        found.push(info);
        grew = true;
      }
    }
  }
  return found;
}

/** True while the process exists and has not exited; a zombie counts as exited. */
export function isRunning(pid: number): boolean {
  const info = processInfo(pid);
  return info !== null && info.state !== 'Z';
}

/** Returns the socket inodes a process has open, from the `socket:[INODE]` links in /proc/PID/fd. */
function socketInodesOf(pid: number): Set<string> {
  const inodes = new Set<string>();
  let entries: string[];
  try {
    entries = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return inodes;
  }
  for (const entry of entries) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${entry}`));
      if (match !== null) inodes.add(match[1]!);
    } catch {
      // The descriptor closed while it was being read.
    }
  }
  return inodes;
}

/** Converts a /proc/net address such as `0100007F:1F90` to `127.0.0.1:8080`; IPv6 ones stay in hex. */
function decodeAddress(hex: string): string {
  const [address = '', port = '0'] = hex.split(':');
  const portNumber = Number.parseInt(port, 16);
  if (address.length !== 8) return `[${address}]:${portNumber}`;
  const bytes = address.match(/../g)!.map((byte) => Number.parseInt(byte, 16)).reverse();
  return `${bytes.join('.')}:${portNumber}`;
}

/** Addresses the process listens on over TCP, IPv4 and IPv6, as `address:port`. */
export function listeningAddressesOf(pid: number): string[] {
  const inodes = socketInodesOf(pid);
  const addresses: string[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      // Field 3 is the state, 0A is LISTEN; field 9 is the inode.
      if (fields[3] === '0A' && inodes.has(fields[9] ?? '')) addresses.push(decodeAddress(fields[1] ?? ''));
    }
  }
  return addresses;
}
