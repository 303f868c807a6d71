import { describe, expect, it } from 'vitest';

import { renderSuiteHeading } from '../../src/report/heading.ts';

describe('suite heading', () => {
  it('names the suite alone', () => {
    expect(renderSuiteHeading({ name: 'default', simulate: null }, { quick: false })).toBe('suite "default"');
  });

  it('shows a simulated slowdown', () => {
    const heading = renderSuiteHeading({ name: 'gate-check', simulate: { handshakeCpuUs: 2000, auth: ['tls', 'mtls'] } }, { quick: false });

    expect(heading).toBe('suite "gate-check" (simulate: +2000 µs server CPU per handshake)');
  });

  it('names the servers of a slowdown on one auth mode', () => {
    const heading = renderSuiteHeading({ name: 'x', simulate: { handshakeCpuUs: 200, auth: ['mtls'] } }, { quick: false });

    expect(heading).toBe('suite "x" (simulate: +200 µs server CPU per handshake, mtls servers only)');
  });

  it('shows --quick and simulate together', () => {
    const heading = renderSuiteHeading({ name: 'x', simulate: { handshakeCpuUs: 5, auth: ['tls', 'mtls'] } }, { quick: true });

    expect(heading).toBe('suite "x" (--quick: smoke-test bounds) (simulate: +5 µs server CPU per handshake)');
  });
});
