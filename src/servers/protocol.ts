/**
 * IPC messages between `startEchoServer` (the parent) and the echo server child. The channel
 * uses `serialization: 'advanced'`, so messages are structured clones. Each parent message
 * gets exactly one reply: `start` gets `ready` or `error`, `begin-window` gets
 * `window-begun`, `end-window` gets `window`, and `stop` gets none because the child exits.
 */
import type { EchoServerConfig, ServerWindowStats } from './types.ts';

/** Ports the child listens on, both on 127.0.0.1. */
export interface EchoServerPorts {
  /** Raw TLS listener that echoes every byte back. */
  tls: number;
  /** HTTPS (HTTP/1.1, keep-alive) listener that echoes request bodies. */
  https: number;
}

export type ParentMessage =
  | { type: 'start'; config: EchoServerConfig }
  | { type: 'begin-window' }
  | { type: 'end-window' }
  | { type: 'stop' };

export type ChildMessage =
  | { type: 'ready'; ports: EchoServerPorts }
  /** Startup or request failure; `code` is the Node or OpenSSL error code when there is one. */
  | { type: 'error'; message: string; code: string }
  | { type: 'window-begun' }
  | { type: 'window'; stats: ServerWindowStats };
