import type { CheckPhase } from '../results/types.ts';
import type { TlsScenario } from '../scenario/types.ts';
import type { NegotiationCount } from '../servers/types.ts';

/** Counts from the client side of one phase. */
export interface ClientObservations {
  /** Completed connections, counted per distinct negotiated values. */
  negotiations: NegotiationCount[];
  /**
   * Handshake workloads: completed connections that offered a session, and sessions the server
   * issued. Null for requests workloads, whose autocannon connections never offer a session.
   */
  sessions: { offered: number; received: number; resumedWithTicket: number | null } | null;
}

/** Everything the checks of one phase compare: the requested scenario and both sides' counts. */
export interface CheckInput {
  tls: TlsScenario;
  phase: CheckPhase;
  client: ClientObservations;
  /**
   * Handshakes the echo server completed in the same phase, or null for a target, whose side
   * mtls-bench cannot see. Then only the client-side checks run.
   */
  server: NegotiationCount[] | null;
  /** Share of session offers that must resume in `tickets` and `session-ids` cells, 0 to 1. Default 0.95. */
  resumedShareFloor?: number;
}
