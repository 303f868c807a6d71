import { describe, expect, it } from 'vitest';
import { HarnessOptionError, parseHarnessOptions } from '../../scripts/harness/options.ts';

describe('parseHarnessOptions', () => {
  it('fills in the defaults', () => {
    expect(parseHarnessOptions([])).toEqual({
      repeat: 3,
      durationMs: 2000,
      concurrency: 'auto',
      tlsVersion: 'tls1.3',
      connections: 8,
      payloadBytes: 64,
      wrkThreads: 1,
      driverWorkers: 1,
      phases: ['full', 'https', 'resumed', 'resumed-https', 'requests'],
      out: null,
      help: false,
    });
  });

  it('reads every option', () => {
    const options = parseHarnessOptions([
      '--repeat', '5', '--duration', '3s', '--concurrency', '8', '--tls-version', 'tls1.2', '--connections', '16',
      '--payload-bytes', '0', '--wrk-threads', '2', '--driver-workers', '2', '--phases', 'requests,full', '--out', 'x.json',
    ]);
    expect(options.repeat).toBe(5);
    expect(options.durationMs).toBe(3000);
    expect(options.concurrency).toBe(8);
    expect(options.tlsVersion).toBe('tls1.2');
    expect(options.connections).toBe(16);
    expect(options.payloadBytes).toBe(0);
    expect(options.wrkThreads).toBe(2);
    expect(options.driverWorkers).toBe(2);
    expect(options.phases).toEqual(['full', 'requests']);
    expect(options.out).toBe('x.json');
  });

  it('runs phases in the documented order', () => {
    expect(parseHarnessOptions(['--phases', 'requests,https,full']).phases).toEqual(['full', 'https', 'requests']);
    expect(parseHarnessOptions(['--phases', 'https']).phases).toEqual(['https']);
  });

  it.each([
    [['--repeat', '0'], '--repeat: got "0"; expected a whole number from 1 to 50'],
    [['--repeat', '2.5'], '--repeat: got "2.5"; expected a whole number from 1 to 50'],
    [['--duration', '2500ms'], '--duration: got "2500ms"; expected whole seconds from 1s to 60s'],
    [['--duration', '2'], '--duration: got "2"; expected whole seconds'],
    [['--duration', '2m'], '--duration: got "2m"; expected whole seconds from 1s to 60s'],
    [['--concurrency', '1'], '--concurrency: got "1"; expected "auto" or a whole number from 2 to 64'],
    [['--tls-version', '1.3'], '--tls-version: got "1.3"; expected "tls1.2" or "tls1.3"'],
    [['--wrk-threads', '9'], '--wrk-threads: got "9"; expected at most --connections (8)'],
    [['--driver-workers', '0'], '--driver-workers: got "0"; expected a whole number from 1 to 16'],
    [['--phases', 'full,all'], '--phases: got "full,all"; expected a comma-separated list of full, https, resumed, resumed-https, requests'],
    [['--verbose'], 'unknown option --verbose; accepted options: --repeat,'],
    [['results.json'], 'unexpected argument "results.json"'],
    [['--repeat'], "option '--repeat <value>' argument missing"],
  ])('rejects %j', (argv, message) => {
    expect(() => parseHarnessOptions(argv)).toThrow(HarnessOptionError);
    expect(() => parseHarnessOptions(argv)).toThrow(message);
  });
});
