import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseSTimeOutput, parseWrkOutput, ToolOutputError } from '../../scripts/harness/tool-output.ts';

/**
 * Fixtures are the unedited standard output of OpenSSL 3.0.19 `s_time` and Debian's wrk
 * 4.1.0-3, run against mtls-bench echo servers on 127.0.0.1 (ECDSA P-256 keys).
 */
function fixture(name: string): string {
  return readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
}

describe('parseSTimeOutput', () => {
  it('reads a TLS 1.2 -new run', () => {
    const report = parseSTimeOutput(fixture('s_time-tls1.2-new.stdout'));
    expect(report.mode).toBe('new');
    expect(report.connections).toBe(527);
    expect(report.userSeconds).toBe(0.45);
    expect(report.bytesRead).toBe(0);
    expect(report.realSeconds).toBe(2);
    expect(report.fullMarks).toBe(527);
    expect(report.resumedMarks).toBe(0);
  });

  it('reads a TLS 1.3 -new run', () => {
    const report = parseSTimeOutput(fixture('s_time-tls1.3-new.stdout'));
    expect(report.mode).toBe('new');
    expect(report.connections).toBe(607);
    expect(report.userSeconds).toBe(0.52);
  });

  it('reads the response bytes of a -www run', () => {
    // s_time -new -www / against the echo server's HTTPS listener, TLS 1.3 mTLS.
    const report = parseSTimeOutput(fixture('s_time-tls1.3-www.stdout'));
    expect(report.mode).toBe('new');
    expect(report.connections).toBe(452);
    expect(report.userSeconds).toBe(0.37);
    expect(report.realSeconds).toBe(2);
    expect(report.bytesRead).toBe(89_948);
    expect(report.fullMarks).toBe(452);
  });

  it('counts resumed marks of a TLS 1.2 -reuse run', () => {
    const report = parseSTimeOutput(fixture('s_time-tls1.2-reuse.stdout'));
    expect(report.mode).toBe('reuse');
    expect(report.connections).toBe(3078);
    expect(report.userSeconds).toBe(0.23);
    expect(report.resumedMarks).toBe(3078);
    expect(report.fullMarks).toBe(0);
  });

  it('reads a -reuse run without resumption', () => {
    // The TLS 1.3 server had resumption off, so every connection was a full handshake.
    const report = parseSTimeOutput(fixture('s_time-tls1.3-reuse.stdout'));
    expect(report.mode).toBe('reuse');
    expect(report.connections).toBe(586);
    expect(report.resumedMarks).toBe(0);
    expect(report.fullMarks).toBe(586);
  });

  it('rejects output without a summary', () => {
    // A TLS 1.2 mTLS server rejected s_time without a client certificate: s_time stopped at once.
    const stdout = fixture('s_time-tls1.2-no-client-cert.stdout');
    expect(() => parseSTimeOutput(stdout)).toThrow(ToolOutputError);
    expect(() => parseSTimeOutput(stdout)).toThrow(/no "N connections in \.\.\." summary; its output starts with "Collecting connection statistics for 1 seconds"/);
  });

  it('rejects empty output', () => {
    expect(() => parseSTimeOutput('')).toThrow(/starts with \(no output\)/);
  });

  it('rejects two timing blocks', () => {
    const twoBlocks = fixture('s_time-tls1.2-new.stdout') + fixture('s_time-tls1.2-reuse.stdout');
    expect(() => parseSTimeOutput(twoBlocks)).toThrow(/2 timing blocks/);
  });
});

describe('parseWrkOutput', () => {
  it('reads a run with --latency', () => {
    const report = parseWrkOutput(fixture('wrk-get-latency.stdout'));
    expect(report.requests).toBe(11031);
    expect(report.durationUs).toBe(1_100_000);
    expect(report.requestsPerSec).toBe(10033.24);
    expect(report.latencyP50Us).toBe(436);
    expect(report.socketErrors).toEqual({ connect: 0, read: 0, write: 0, timeout: 0 });
    expect(report.non2xx3xx).toBe(0);
  });

  it('reads a run without --latency', () => {
    const report = parseWrkOutput(fixture('wrk-post.stdout'));
    expect(report.requests).toBe(17360);
    expect(report.requestsPerSec).toBe(15804.06);
    expect(report.latencyP50Us).toBeNull();
  });

  it('reads socket errors against an mTLS listener', () => {
    // wrk presents no client certificate, so the server ends every handshake with an alert.
    const report = parseWrkOutput(fixture('wrk-mtls-listener.stdout'));
    expect(report.requests).toBe(0);
    expect(report.requestsPerSec).toBe(0);
    expect(report.durationUs).toBe(1_030_000);
    expect(report.socketErrors).toEqual({ connect: 0, read: 484, write: 0, timeout: 0 });
  });

  it('reads error statuses', () => {
    const report = parseWrkOutput(fixture('wrk-not-found.stdout'));
    expect(report.requests).toBe(37062);
    expect(report.non2xx3xx).toBe(37062);
  });

  it('rejects an error message', () => {
    // What wrk 4.1 prints, on stderr, for a port with no listener; stdout stays empty.
    expect(() => parseWrkOutput('unable to connect to 127.0.0.1:1 Connection refused\n')).toThrow(
      /its output starts with "unable to connect to 127\.0\.0\.1:1 Connection refused"/,
    );
  });
});
