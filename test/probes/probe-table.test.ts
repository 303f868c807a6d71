import { describe, expect, it } from 'vitest';
import type { ConfigurationProbes, ProbeOutcome } from '../../src/probes/types.ts';
import { renderProbeTable, summarizeProbes } from '../../src/report/probe-table.ts';
import { scenarioOf } from '../servers/scenario-fixture.ts';

function outcome(overrides: Partial<ProbeOutcome> & Pick<ProbeOutcome, 'name'>): ProbeOutcome {
  return { expected: 'rejected', actual: 'rejected', passed: true, code: 'ECONNRESET', ...overrides };
}

const CONFIGURATION: ConfigurationProbes = {
  configuration: 'ecdsa-p256/tls1.3/default/x25519/none/d1/mtls',
  tls: scenarioOf(),
  outcomes: [
    outcome({ name: 'no-certificate', code: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED' }),
    outcome({ name: 'other-ca', actual: 'accepted', passed: false, code: null, detail: 'the server sent data back after the handshake' }),
    outcome({ name: 'expired', actual: 'skipped', passed: false, code: null, detail: 'no CA private key was given' }),
    outcome({ name: 'right-certificate', expected: 'accepted', actual: 'accepted', code: null }),
  ],
};

/** Splits the table into rows of trimmed cells, leaving out the border lines. */
function rowsOf(text: string): string[][] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('│'))
    .map((line) => line.split('│').slice(1, -1).map((cell) => cell.trim()));
}

describe('renderProbeTable', () => {
  it('renders one row per probe', () => {
    const rows = rowsOf(renderProbeTable([CONFIGURATION], { color: false }));

    expect(rows).toEqual([
      ['configuration', 'probe', 'expected', 'actual', 'code', 'result'],
      ['ecdsa-p256/tls1.3/default/x25519/none/d1/mtls', 'no-certificate', 'rejected', 'rejected', 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', 'pass'],
      ['', 'other-ca', 'rejected', 'accepted', '-', 'FAIL'],
      ['', 'expired', 'rejected', 'skipped', '-', 'skipped'],
      ['', 'right-certificate', 'accepted', 'accepted', '-', 'pass'],
    ]);
  });

  it('lists the detail of failed and skipped probes', () => {
    const lines = renderProbeTable([CONFIGURATION], { color: false }).split('\n');

    expect(lines.slice(-2)).toEqual([
      'ecdsa-p256/tls1.3/default/x25519/none/d1/mtls other-ca: FAIL: the server sent data back after the handshake',
      'ecdsa-p256/tls1.3/default/x25519/none/d1/mtls expired: skipped: no CA private key was given',
    ]);
  });

  it('ends with the table when every probe passed', () => {
    const passing = { ...CONFIGURATION, outcomes: [CONFIGURATION.outcomes[0] as ProbeOutcome] };

    const text = renderProbeTable([passing], { color: false });

    expect(text.split('\n').at(-1)?.startsWith('└')).toBe(true);
  });
});

describe('summarizeProbes', () => {
  it('counts passes without skipped probes', () => {
    // Four outcomes: two passed, one failed, one skipped.
    expect(summarizeProbes([CONFIGURATION])).toBe('2 of 3 probes passed in 1 configuration, 1 skipped');
  });
});
