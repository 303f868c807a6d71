import { afterAll, describe, expect, it } from 'vitest';

import { MtlsBenchError } from '../../src/errors.ts';
import { selectCells } from '../../src/runner/run.ts';
import { INLINE_SUITE_FILE, resolveSuite } from '../../src/scenario/load.ts';
import { parseRatePerSec, rateRoundProblem } from '../../src/scenario/rate.ts';
import type { HandshakeWorkload, RequestsWorkload } from '../../src/scenario/types.ts';
import { messagesFor, removeSuiteFiles } from './suite-files.ts';

afterAll(removeSuiteFiles);

describe('parseRatePerSec', () => {
  it('reads a whole number with or without its unit', () => {
    expect(parseRatePerSec(500)).toBe(500);
    expect(parseRatePerSec('500/s')).toBe(500);
    expect(parseRatePerSec('500')).toBe(500);
  });

  it('rejects other spellings', () => {
    for (const value of ['500/m', '500 /s', '1.5/s', '1e12/s', 'fast', '']) {
      expect(parseRatePerSec(value), value).toBeNull();
    }
    expect(parseRatePerSec(1.5)).toBeNull();
  });
});

describe('rate in suite files', () => {
  it('starts an open-loop handshake workload with up to 100 connections in flight', () => {
    const suite = resolveSuite({ name: 'x', workloads: [{ kind: 'handshake', rate: '300/s' }] }, { file: INLINE_SUITE_FILE });
    const workload = suite.workloads[0] as HandshakeWorkload;
    expect(workload.ratePerSec).toBe(300);
    expect(workload.concurrency).toBe(100);
  });

  it('keeps a concurrency given beside the rate', () => {
    const suite = resolveSuite({ name: 'x', workloads: [{ kind: 'handshake', rate: 300, concurrency: 8 }] }, { file: INLINE_SUITE_FILE });
    expect(suite.workloads[0]).toMatchObject({ ratePerSec: 300, concurrency: 8 });
  });

  it('leaves a handshake workload without a rate closed-loop', () => {
    const suite = resolveSuite({ name: 'x', workloads: [{ kind: 'handshake' }] }, { file: INLINE_SUITE_FILE });
    expect(suite.workloads[0]).toMatchObject({ ratePerSec: null, concurrency: 1 });
  });

  it('gives a requests workload with a rate one second per round by default', () => {
    const suite = resolveSuite({ name: 'x', rounds: 4, workloads: [{ kind: 'requests', rate: '2000/s' }] }, { file: INLINE_SUITE_FILE });
    const workload = suite.workloads[0] as RequestsWorkload;
    expect(workload.rateRps).toBe(2000);
    expect(workload.durationMs).toBe(4000);
  });

  it('rejects a rate without its unit or with another unit', async () => {
    const { file, messages } = await messagesFor(['name: x', 'workloads:', '  - kind: handshake', '    rate: 500/m']);
    expect(messages).toEqual([
      `${file}:4: workloads[0].rate: got "500/m"; expected new connections per second as a whole number, for example 500 or "500/s"`,
    ]);
  });

  it('rejects a fractional rate', async () => {
    const { file, messages } = await messagesFor(['name: x', 'workloads:', '  - kind: requests', '    rate: 2.5']);
    expect(messages).toEqual([
      `${file}:4: workloads[0].rate: got 2.5; expected requests per second as a whole number, for example 500 or "500/s"`,
    ]);
  });

  it('rejects requests rounds that are not whole seconds', async () => {
    const { file, messages } = await messagesFor([
      'name: x',
      'workloads:',
      '  - kind: requests',
      '    rate: 100/s',
      '    duration: 3s',
    ]);
    expect(messages).toEqual([
      `${file}:5: workloads[0].duration: a requests workload with a rate needs rounds of whole seconds, because autocannon ` +
        "sends each second's share of the rate at the start of that second; 3000 ms over 5 rounds gives 600 ms rounds; " +
        'set the duration to 5s, 10s or another multiple of 5s',
    ]);
  });
});

describe('requests rate against connections', () => {
  it('rejects a rate below two requests per connection', async () => {
    const { file, messages } = await messagesFor(['name: x', 'workloads:', '  - kind: requests', '    rate: 3/s', '    connections: 10']);
    expect(messages).toEqual([
      `${file}:4: workloads[0].rate: got 3/s; expected at least 20/s with 10 connections and pipelining 1, because each ` +
        "connection's first response of a round waits for its handshake and stays out of the latency; lower the connections or raise the rate",
    ]);
  });
});

describe('rate and rounds at run time', () => {
  const suite = resolveSuite({ name: 'x', workloads: [{ kind: 'requests', rate: 100, duration: '10s' }] }, { file: INLINE_SUITE_FILE });

  it('accepts --rounds that split the duration into whole seconds', () => {
    expect(selectCells(suite, { rounds: 2 })).toHaveLength(2);
    expect(rateRoundProblem({ rateRps: 100, durationMs: 10_000 }, 10)).toBeNull();
    expect(rateRoundProblem({ rateRps: null, durationMs: 300 }, 5)).toBeNull();
  });

  it('rejects --rounds that do not, before anything runs', () => {
    expect(() => selectCells(suite, { rounds: 3 })).toThrow(MtlsBenchError);
    expect(() => selectCells(suite, { rounds: 3 })).toThrow(/^--rounds 3: suite: workloads\[0\]\.duration \(workload "requests"\): .*3333 ms rounds/);
  });

  it('keeps one second per round under --quick', () => {
    const cells = selectCells(suite, { quick: true, rounds: 5 });
    expect(cells[0]?.workload).toMatchObject({ durationMs: 5000 });
  });
});

describe('workers in suite files', () => {
  it('defaults to one worker thread', () => {
    const suite = resolveSuite({ name: 'x' }, { file: INLINE_SUITE_FILE });
    expect(suite.workloads.map((workload) => workload.workers)).toEqual([1, 1]);
  });

  it('needs a connection and a share of the rate for each worker', async () => {
    const { file, messages } = await messagesFor([
      'name: x',
      'workloads:',
      '  - kind: handshake',
      '    concurrency: 2',
      '    rate: 3/s',
      '    workers: 4',
      '  - kind: requests',
      '    connections: 8',
      '    workers: 4',
    ]);
    expect(messages).toEqual([
      `${file}:6: workloads[0].workers: got 4; expected at most concurrency (2), because each worker needs a connection of its own`,
      `${file}:6: workloads[0].workers: got 4; expected at most the rate (3/s), because each worker gets a share of it`,
    ]);
  });
});
