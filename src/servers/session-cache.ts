import type { Server } from 'node:tls';

/**
 * Sessions kept per server. A benchmark creates one session per full handshake, so the cache
 * is bounded. At an estimated 1-2 KB per session (more with a client certificate inside), this
 * caps it at a few tens of MB.
 */
export const DEFAULT_MAX_SESSIONS = 20_000;

/**
 * Adds an in-memory session cache to a server, for session-ID resumption. OpenSSL consults
 * these handlers only when tickets are off (`SSL_OP_NO_TICKET`). When the cache is full, the
 * oldest session is evicted first, since a `Map` iterates in insertion order.
 */
export function installSessionIdCache(server: Server, maxSessions: number = DEFAULT_MAX_SESSIONS): void {
  const sessions = new Map<string, Buffer>();

  server.on('newSession', (sessionId: Buffer, sessionData: Buffer, done: () => void) => {
    if (sessions.size >= maxSessions) {
      const oldest = sessions.keys().next();
      if (oldest.done !== true) {
        sessions.delete(oldest.value);
      }
    }
    sessions.set(sessionId.toString('hex'), sessionData);
    done();
  });

  server.on('resumeSession', (sessionId: Buffer, done: (err: Error | null, sessionData: Buffer | null) => void) => {
    done(null, sessions.get(sessionId.toString('hex')) ?? null);
  });
}
