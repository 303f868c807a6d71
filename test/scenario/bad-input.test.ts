/**
 * Messages for suite input that parses badly or sits at the edge of a bound: each names the
 * file, the line, the field path, the value and what is accepted.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

import { InvalidSuiteError } from '../../src/errors.ts';
import { loadSuite } from '../../src/scenario/load.ts';
import { loadInvalidSuite, messagesFor, removeSuiteFiles, writeSuiteFile } from './suite-files.ts';

afterAll(removeSuiteFiles);

function workloadLines(kind: string, field: string, value: string): string[] {
  return ['name: x', 'workloads:', `  - kind: ${kind}`, `    ${field}: ${value}`];
}

describe('duration messages', () => {
  it('names the largest duration in an accepted unit', async () => {
    const { file, messages } = await messagesFor(workloadLines('handshake', 'duration', '61m'));

    expect(messages).toEqual([`${file}:4: workloads[0].duration: got "61m"; expected at most 60m`]);
  });

  it('calls a huge duration too long, not fractional', async () => {
    const { file, messages } = await messagesFor(workloadLines('handshake', 'duration', '99999999999999999999m'));

    expect(messages).toEqual([`${file}:4: workloads[0].duration: got "99999999999999999999m"; expected at most 60m`]);
  });

  it('rejects hours without suggesting them', async () => {
    const { file, messages } = await messagesFor(workloadLines('handshake', 'duration', '99999999999h'));

    expect(messages).toEqual([
      `${file}:4: workloads[0].duration: got "99999999999h"; the unit "h" is not accepted; expected ms, s or m, for example "30s" or "5m"`,
    ]);
  });

  it('rejects a space before the unit', async () => {
    const { file, messages } = await messagesFor(workloadLines('requests', 'duration', '"3 s"'));

    expect(messages).toEqual([
      `${file}:4: workloads[0].duration: got "3 s"; write the unit right after the number, without spaces, for example "3s"`,
    ]);
  });

  it('rejects spaces around a duration', async () => {
    const { file, messages } = await messagesFor(workloadLines('requests', 'duration', '" 3s"'));

    expect(messages).toEqual([`${file}:4: workloads[0].duration: got " 3s"; remove the spaces around the duration, as in "3s"`]);
  });

  it('rejects a negative duration', async () => {
    const { file, messages } = await messagesFor(workloadLines('handshake', 'duration', '-3s'));

    expect(messages).toEqual([`${file}:4: workloads[0].duration: got "-3s"; expected a duration above zero, for example "3s" or "500ms"`]);
  });

  it('rejects a negative warm-up', async () => {
    const { file, messages } = await messagesFor(workloadLines('requests', 'warmup', '-1s'));

    expect(messages).toEqual([
      `${file}:4: workloads[0].warmup: got "-1s"; expected zero or a positive duration, for example "0s" or "500ms"`,
    ]);
  });

  it('accepts a fraction that comes to whole milliseconds', async () => {
    const file = await writeSuiteFile(`${workloadLines('handshake', 'duration', '1.5000000000000000000000s').join('\n')}\n`);
    const suite = await loadSuite(file);

    expect(suite.workloads[0]).toMatchObject({ durationMs: 1500 });
  });

  it('rejects a long fraction below a millisecond', async () => {
    const { file, messages } = await messagesFor(workloadLines('handshake', 'duration', '1.0000000000000000000001s'));

    expect(messages).toEqual([
      `${file}:4: workloads[0].duration: got "1.0000000000000000000001s"; a duration must come to whole milliseconds, for example "1ms" or "1.5s"`,
    ]);
  });
});

describe('number bounds', () => {
  it('reports one bound for a huge count', async () => {
    const { file, messages } = await messagesFor(workloadLines('handshake', 'count', '1e300'));

    expect(messages).toEqual([`${file}:4: workloads[0].count: got 1e+300; expected at most 100000000`]);
  });

  it('reports one bound for huge rounds', async () => {
    const { file, messages } = await messagesFor(['name: x', 'rounds: 99999999999999999999999']);

    expect(messages).toEqual([`${file}:2: rounds: got 1e+23; expected at most 50`]);
  });

  it('reports only the type of a list given for a path', async () => {
    const { file, messages } = await messagesFor([
      'name: x',
      'target:',
      '  host: 127.0.0.1',
      '  port: 18443',
      '  ca: ca.pem',
      '  cert: []',
      '  key: key.pem',
      'matrix:',
      '  auth: mtls',
    ]);

    expect(messages).toEqual([`${file}:6: target.cert: got an empty list; expected the path of a PEM file, such as "pki/ca.pem"`]);
  });

  it('calls a gate metrics list a wrong type', async () => {
    const { file, messages } = await messagesFor(['name: x', 'gate:', '  metrics: []']);

    expect(messages).toEqual([`${file}:3: gate.metrics: got an empty list; expected an object`]);
  });
});

describe('YAML that cannot be a suite', () => {
  it('reports an alias without its anchor', async () => {
    const { file, messages } = await messagesFor(['name: x', 'description: *missing']);

    expect(messages).toEqual([`${file}:2: invalid YAML: alias *missing has no anchor &missing before it`]);
  });

  it('rejects aliases that expand too far', async () => {
    const { file, messages } = await messagesFor([
      'a: &a [x, x, x, x, x, x, x, x, x]',
      'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]',
      'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]',
      'd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]',
      'name: x',
    ]);

    expect(messages).toEqual([
      `${file}: invalid YAML: its aliases expand to too many nodes, as in a "billion laughs" document; write the values out instead`,
    ]);
  });

  it('rejects nesting deeper than the parser', async () => {
    const { file, messages } = await messagesFor(['name: x', `matrix: ${'['.repeat(2000)}${']'.repeat(2000)}`]);

    expect(messages).toEqual([`${file}:2: invalid YAML: the document is nested too deeply to parse; a suite needs a few levels only`]);
  });

  it('rejects a list as a key', async () => {
    const { file, messages } = await messagesFor(['name: x', 'matrix:', '  [a, b]: tls1.3']);

    expect(messages).toEqual([`${file}:3: invalid key: got a list; expected a name such as "matrix"`]);
  });

  it('lists the first five syntax errors', async () => {
    const { file, messages } = await messagesFor(['name: x', ...Array.from({ length: 8 }, (_, index) => `k${index}: [`)]);

    expect(messages).toHaveLength(6);
    expect(messages[0]).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+: invalid YAML: `));
    expect(messages[5]).toMatch(/^.*: and \d+ more YAML errors?; fix the first one, and the rest may go with it$/);
  });
});

describe('suite files that cannot be read', () => {
  it('rejects a device', async () => {
    const directory = await mkdtemp(path.join(tmpdir(), 'mtls-bench-device-'));
    try {
      const file = path.join(directory, 'zero.yaml');
      await symlink('/dev/zero', file);
      const error = await loadInvalidSuite(file);

      expect(error.message).toBe(
        `${file}: is not a regular file (a device, socket or pipe); expected a suite file such as scenarios/default.yaml`,
      );
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('rejects a file above 1 MiB', async () => {
    const file = await writeSuiteFile(`name: x\n${'#'.repeat(1024 * 1024)}\n`);
    const error = await loadInvalidSuite(file);

    expect(error).toBeInstanceOf(InvalidSuiteError);
    expect(error.message).toBe(`${file}: is larger than 1 MiB; expected a suite file such as scenarios/default.yaml, which is far smaller`);
  });

  it('rejects a named pipe without opening it', async () => {
    const directory = await mkdtemp(path.join(tmpdir(), 'mtls-bench-pipe-'));
    try {
      const file = path.join(directory, 'pipe.yaml');
      execFileSync('mkfifo', [file]);
      const error = await loadInvalidSuite(file);

      expect(error.message).toBe(
        `${file}: is not a regular file (a device, socket or pipe); expected a suite file such as scenarios/default.yaml`,
      );
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('follows a symbolic link to a suite', async () => {
    const directory = await mkdtemp(path.join(tmpdir(), 'mtls-bench-link-'));
    try {
      const target = path.join(directory, 'real.yaml');
      const link = path.join(directory, 'link.yaml');
      await writeFile(target, 'name: linked\n');
      await symlink(target, link);

      expect((await loadSuite(link)).name).toBe('linked');
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});

describe('keys that are not plain names', () => {
  it('rejects a binary key', async () => {
    const { file, messages } = await messagesFor(['!!binary aGVsbG8K: 1', 'name: x']);

    expect(messages).toEqual([`${file}:1: invalid key: got binary data (!!binary); expected a name such as "matrix"`]);
  });

  it('quotes a key with a line break in the path', async () => {
    const { file, messages } = await messagesFor(['"a\\nb": 1', 'name: x']);

    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:1: "a\\\\nb": unknown key "a\\\\nb"; expected one of "name"`));
  });
});
