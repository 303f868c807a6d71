import type { CellCheck } from '../results/types.ts';
import type { NegotiationCount } from '../servers/types.ts';
import type { CheckInput } from './types.ts';

/**
 * Share of session offers that must resume in a `tickets` or `session-ids` cell. A healthy
 * echo server resumes every offer, so anything much lower means the cell measured mostly full
 * handshakes under a resumption label. The margin allows a few offers of a session the server
 * no longer holds.
 */
export const RESUMED_SHARE_FLOOR = 0.95;

function resumedOf(entries: NegotiationCount[]): { resumed: number; total: number } {
  let resumed = 0;
  let total = 0;
  for (const entry of entries) {
    total += entry.count;
    if (entry.resumed) resumed += entry.count;
  }
  return { resumed, total };
}

/** Formats a share as a percentage rounded down to a tenth, so that 94.96% never reads 95%. */
function formatPercent(share: number): string {
  const tenths = Math.floor(share * 1000);
  return `${tenths % 10 === 0 ? tenths / 10 : (tenths / 10).toFixed(1)}%`;
}

/**
 * `resumption: none`: no handshake may resume, on either side (the client side alone for a
 * target). Requests cells get this check too, although autocannon never offers a session.
 */
function checkNoResumption(input: CheckInput): CellCheck[] {
  const client = resumedOf(input.client.negotiations);
  // A target's side is not counted, so it is taken to agree with the client.
  const server = input.server === null ? client : resumedOf(input.server);
  if (client.total === 0 && server.total === 0) return [];
  const serverNote = server.resumed === client.resumed ? '' : `; the server counted ${server.resumed} of ${server.total} resumed`;
  return [
    {
      name: 'resumption',
      phase: input.phase,
      expected: 'no resumed handshake',
      actual: `measured ${client.resumed} of ${client.total} handshakes resumed${serverNote}`,
      passed: client.resumed === 0 && server.resumed === 0,
    },
  ];
}

/**
 * `tickets` and `session-ids`, handshake workloads only: the share of connections that offered
 * a session and resumed must reach the floor. A connection that started before the client held a
 * session (each lane's first, unless a warm-up left one) offered none, so it does not count.
 * Requests workloads are not checked, because autocannon never offers a session, so each of
 * their keep-alive connections starts with a full handshake.
 */
function checkResumedShare(input: CheckInput): CellCheck[] {
  const sessions = input.client.sessions;
  const client = resumedOf(input.client.negotiations);
  if (sessions === null || client.total === 0) return [];

  const floor = input.resumedShareFloor ?? RESUMED_SHARE_FLOOR;
  const check = { name: 'resumption', phase: input.phase, expected: `at least ${formatPercent(floor)} resumed` } as const;
  if (sessions.offered === 0) {
    // No connection held a session to offer yet, which shows nothing, unless the server
    // issued none at all.
    if (sessions.received > 0) return [];
    return [{ ...check, actual: `received no session from the server in ${client.total} handshakes`, passed: false }];
  }
  const share = client.resumed / sessions.offered;
  return [
    {
      ...check,
      actual: `measured ${formatPercent(share)} resumed (${client.resumed} of ${sessions.offered} handshakes that offered a session)`,
      passed: share >= floor,
    },
  ];
}

/**
 * TLS 1.2 `tickets` and `session-ids`: every resumed handshake must have used the requested
 * mechanism. A server with both a session cache and tickets would otherwise let a
 * `session-ids` cell measure ticket resumption, or a server with tickets off and a cache let
 * a `tickets` cell measure session IDs, under the wrong label.
 */
function checkResumptionMechanism(input: CheckInput): CellCheck[] {
  const withTicket = input.client.sessions?.resumedWithTicket ?? null;
  const { resumed } = resumedOf(input.client.negotiations);
  if (withTicket === null || resumed === 0) return [];

  const wantsTickets = input.tls.resumption === 'tickets';
  const matching = wantsTickets ? withTicket : resumed - withTicket;
  const other = wantsTickets ? 'session ID' : 'session ticket';
  return [
    {
      name: 'resumption mechanism',
      phase: input.phase,
      expected: wantsTickets ? 'resumed through session tickets' : 'resumed through session IDs',
      actual:
        matching === resumed
          ? `${resumed} of ${resumed} resumed handshakes as requested`
          : `${resumed - matching} of ${resumed} resumed handshakes used a ${other}`,
      passed: matching === resumed,
    },
  ];
}

/** Checks that a cell resumed as its `resumption` setting requests, and through the requested mechanism. */
export function checkResumption(input: CheckInput): CellCheck[] {
  if (input.tls.resumption === 'none') return checkNoResumption(input);
  return [...checkResumedShare(input), ...checkResumptionMechanism(input)];
}
