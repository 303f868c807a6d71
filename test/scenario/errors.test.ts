import { afterAll, describe, expect, it } from 'vitest';

import { InvalidSuiteError } from '../../src/errors.ts';
import { loadInvalidSuite, messagesFor, removeSuiteFiles, writeSuiteFile } from './suite-files.ts';

afterAll(removeSuiteFiles);

describe('unknown keys', () => {
  it('suggests the nearest key', async () => {
    const { file, messages } = await messagesFor([
      'name: x',
      'matrix:',
      '  tlsVersion: tls1.3',
      '  keytype: ecdsa-p256',
    ]);

    expect(messages).toEqual([`${file}:4: matrix.keytype: unknown key "keytype"; did you mean "keyType"?`]);
  });

  it('lists accepted keys when none is near', async () => {
    const { file, messages } = await messagesFor(['name: x', 'colour: blue']);

    expect(messages).toEqual([
      `${file}:2: colour: unknown key "colour"; expected one of "name", "description", "target", "matrix", "workloads", "simulate", "rounds", "gate"`,
    ]);
  });

  it('suggests the nearest gate metric', async () => {
    const { file, messages } = await messagesFor(['name: x', 'gate:', '  metrics:', '    handshake.ful.p50: 5%']);

    expect(messages).toEqual([`${file}:4: gate.metrics.handshake.ful.p50: unknown key "handshake.ful.p50"; did you mean "handshake.full.p50"?`]);
  });

  it('lists gate metrics when none is near', async () => {
    const { messages } = await messagesFor(['name: x', 'gate:', '  metrics:', '    bogus: 5%']);

    expect(messages[0]).toContain('unknown key "bogus"; expected one of "handshake.full.p50", "handshake.full.p99"');
    expect(messages[0]).toContain('"cpu.server", "cpu.client"');
  });

  it('names the workload key by its kind', async () => {
    const { file, messages } = await messagesFor([
      'name: x',
      'workloads:',
      '  - kind: requests',
      '    conections: 4',
    ]);

    expect(messages).toEqual([
      `${file}:4: workloads[0].conections: unknown key "conections"; did you mean "connections"?`,
    ]);
  });

  it('finds keys inside a matrix list', async () => {
    const { file, messages } = await messagesFor([
      'name: x',
      'matrix:',
      '  - tlsVersion: tls1.2',
      '  - tlsVersion: tls1.3',
      '    resumtion: tickets',
    ]);

    expect(messages).toEqual([`${file}:5: matrix[1].resumtion: unknown key "resumtion"; did you mean "resumption"?`]);
  });
});

describe('unknown values', () => {
  it('points at the list item', async () => {
    const { file, messages } = await messagesFor([
      'name: x',
      'matrix:',
      '  tlsVersion:',
      '    - tls1.2',
      '    - "1.3"',
    ]);

    expect(messages).toEqual([`${file}:5: matrix.tlsVersion[1]: got "1.3"; expected "tls1.2" or "tls1.3"`]);
  });

  it('shows an unquoted number as a number', async () => {
    const { file, messages } = await messagesFor(['name: x', 'matrix:', '  tlsVersion: 1.3']);

    expect(messages).toEqual([`${file}:3: matrix.tlsVersion: got 1.3; expected "tls1.2" or "tls1.3"`]);
  });

  it('lists longer choices with one of', async () => {
    const { file, messages } = await messagesFor(['name: x', 'matrix:', '  group: [x25519, p-521]']);

    expect(messages).toEqual([`${file}:3: matrix.group[1]: got "p-521"; expected one of "x25519", "p-256", "p-384"`]);
  });

  it('lists numeric choices bare', async () => {
    const { file, messages } = await messagesFor(['name: x', 'matrix:', '  chainDepth: 3']);

    expect(messages).toEqual([`${file}:3: matrix.chainDepth: got 3; expected one of 0, 1, 2`]);
  });

  it('rejects an unknown workload kind', async () => {
    const { file, messages } = await messagesFor(['name: x', 'workloads:', '  - kind: stream']);

    expect(messages).toEqual([`${file}:3: workloads[0].kind: got "stream"; expected "handshake" or "requests"`]);
  });

  it('places a missing kind on its workload', async () => {
    const { file, messages } = await messagesFor(['name: x', 'workloads:', '  - kind: handshake', '  - duration: 1s']);

    expect(messages).toEqual([`${file}:4: workloads[1].kind: missing; expected "handshake" or "requests"`]);
  });
});

describe('types and bounds', () => {
  it('rejects a string count', async () => {
    const { file, messages } = await messagesFor([
      'name: x',
      'workloads:',
      '  - kind: handshake',
      '    concurrency: two',
    ]);

    expect(messages).toEqual([`${file}:4: workloads[0].concurrency: got "two"; expected a whole number`]);
  });

  it('rejects a fractional count', async () => {
    const { file, messages } = await messagesFor(['name: x', 'workloads:', '  - kind: requests', '    connections: 2.5']);

    expect(messages).toEqual([`${file}:4: workloads[0].connections: got 2.5; expected a whole number`]);
  });

  it('rejects zero and negative bounds', async () => {
    const { file, messages } = await messagesFor([
      'name: x',
      'workloads:',
      '  - kind: handshake',
      '    concurrency: 0',
      '    count: -5',
      '  - kind: requests',
      '    rate: 0',
    ]);

    expect(messages).toEqual([
      `${file}:4: workloads[0].concurrency: got 0; expected at least 1`,
      `${file}:5: workloads[0].count: got -5; expected at least 1`,
      `${file}:7: workloads[1].rate: got 0; expected from 1/s to 1000000/s`,
    ]);
  });

  it('rejects a handshake warm-up given as a duration', async () => {
    const { file, messages } = await messagesFor(['name: x', 'workloads:', '  - kind: handshake', '    warmup: 500ms']);

    expect(messages).toEqual([`${file}:4: workloads[0].warmup: got "500ms"; expected a whole number of handshakes`]);
  });

  it('rejects a matrix that is a string', async () => {
    const { file, messages } = await messagesFor(['name: x', 'matrix: all']);

    expect(messages).toEqual([`${file}:2: matrix: got "all"; expected an object, or a list`]);
  });

  it('rejects an empty axis list', async () => {
    const { file, messages } = await messagesFor(['name: x', 'matrix:', '  keyType: []']);

    expect(messages).toEqual([`${file}:3: matrix.keyType: got an empty list; expected at least one value`]);
  });
});

describe('durations', () => {
  it('needs a unit on a bare number', async () => {
    const { file, messages } = await messagesFor([
      'name: x',
      'workloads:',
      '  - kind: handshake',
      '    duration: 3',
    ]);

    expect(messages).toEqual([
      `${file}:4: workloads[0].duration: got 3; a duration needs a unit, for example "3s" or "500ms"`,
    ]);
  });

  it('needs a unit on a quoted number', async () => {
    const { file, messages } = await messagesFor(['name: x', 'workloads:', '  - kind: requests', '    warmup: "500"']);

    expect(messages).toEqual([
      `${file}:4: workloads[0].warmup: got "500"; a duration needs a unit, for example "3s" or "500ms"`,
    ]);
  });

  it('rejects an unknown unit', async () => {
    const { file, messages } = await messagesFor(['name: x', 'workloads:', '  - kind: requests', '    duration: 1h']);

    expect(messages).toEqual([
      `${file}:4: workloads[0].duration: got "1h"; the unit "h" is not accepted; expected ms, s or m, for example "30s" or "5m"`,
    ]);
  });

  it('rejects a zero measurement time', async () => {
    const { file, messages } = await messagesFor(['name: x', 'workloads:', '  - kind: requests', '    duration: 0s']);

    expect(messages).toEqual([`${file}:4: workloads[0].duration: got "0s"; expected a duration above zero`]);
  });

  it('rejects fractions of a millisecond', async () => {
    const { file, messages } = await messagesFor(['name: x', 'workloads:', '  - kind: requests', '    duration: 0.5ms']);

    expect(messages).toEqual([`${file}:4: workloads[0].duration: got "0.5ms"; a duration must come to whole milliseconds, for example "1ms" or "1.5s"`]);
  });

  it('rejects a handshake workload without bounds', async () => {
    const { file, messages } = await messagesFor(['name: x', 'workloads:', '  - kind: handshake', '    duration: null']);

    expect(messages).toEqual([
      `${file}:4: workloads[0].duration: null leaves the workload without a bound; set a duration, a count, or both`,
    ]);
  });
});

describe('cipher suites', () => {
  it('rejects a name OpenSSL does not know', async () => {
    const { file, messages } = await messagesFor(['name: x', 'matrix:', '  cipherSuite: FOO']);

    expect(messages).toEqual([
      `${file}:3: matrix.cipherSuite: got "FOO"; not a cipher suite Node's OpenSSL offers (\`node -p "tls.getCiphers()"\` lists them)`,
    ]);
  });

  it('rejects RSA key exchange', async () => {
    const { file, messages } = await messagesFor([
      'name: x',
      'matrix:',
      '  tlsVersion: tls1.2',
      '  keyType: rsa-2048',
      '  cipherSuite: AES128-GCM-SHA256',
    ]);

    expect(messages).toEqual([
      `${file}:5: matrix.cipherSuite: got "AES128-GCM-SHA256", which uses RSA key exchange, which has no group ` +
        'for the group axis to choose; use an ECDHE-ECDSA-* or ECDHE-RSA-* suite, or a TLS 1.3 suite',
    ]);
  });

  it('rejects a TLS 1.3 suite under tls1.2', async () => {
    const { file, messages } = await messagesFor([
      'name: x',
      'matrix:',
      '  tlsVersion: tls1.2',
      '  cipherSuite: TLS_AES_128_GCM_SHA256',
    ]);

    expect(messages).toEqual([
      `${file}:4: matrix.cipherSuite: "TLS_AES_128_GCM_SHA256" is a TLS 1.3 cipher suite, so it cannot run under ` +
        'tlsVersion "tls1.2"; use a TLS 1.2 suite, or tlsVersion "tls1.3"',
    ]);
  });

  it('marks a default TLS version as the default', async () => {
    const { file, messages } = await messagesFor(['name: x', 'matrix:', '  cipherSuite: ECDHE-ECDSA-AES128-GCM-SHA256']);

    expect(messages).toEqual([
      `${file}:3: matrix.cipherSuite: "ECDHE-ECDSA-AES128-GCM-SHA256" is a TLS 1.2 cipher suite, so it cannot run ` +
        'under tlsVersion "tls1.3" (the default); use a TLS 1.3 suite, or tlsVersion "tls1.2"',
    ]);
  });

  it('rejects an RSA suite with Ed25519 keys', async () => {
    const { file, messages } = await messagesFor([
      'name: x',
      'matrix:',
      '  keyType: ed25519',
      '  tlsVersion: tls1.2',
      '  cipherSuite: ECDHE-RSA-AES128-GCM-SHA256',
    ]);

    expect(messages).toEqual([
      `${file}:5: matrix.cipherSuite: "ECDHE-RSA-AES128-GCM-SHA256" needs an RSA server key, but keyType is ` +
        '"ed25519"; use an ECDHE-ECDSA-* suite, or an RSA key type',
    ]);
  });

  it('rejects an ECDSA suite with an RSA server key', async () => {
    const { file, messages } = await messagesFor([
      'name: x',
      'matrix:',
      '  serverKeyType: rsa-3072',
      '  clientKeyType: ecdsa-p256',
      '  tlsVersion: tls1.2',
      '  cipherSuite: TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
    ]);

    expect(messages).toEqual([
      `${file}:6: matrix.cipherSuite: "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384" needs an ECDSA or Ed25519 server ` +
        'key, but serverKeyType is "rsa-3072"; use an ECDHE-RSA-* suite, or an ECDSA or Ed25519 key type',
    ]);
  });
});

describe('cross-field rules', () => {
  it('rejects session IDs under tls1.3', async () => {
    const { file, messages } = await messagesFor(['name: x', 'matrix:', '  resumption: [none, session-ids]']);

    expect(messages).toEqual([
      `${file}:3: matrix.resumption[1]: session IDs exist only in TLS 1.2; use tickets, or tlsVersion tls1.2`,
    ]);
  });

  it('tells a crossing matrix to split', async () => {
    const { file, messages } = await messagesFor([
      'name: x',
      'matrix:',
      '  keyType: [ecdsa-p256, ed25519]',
      '  tlsVersion: [tls1.2, tls1.3]',
      '  cipherSuite: [TLS_AES_128_GCM_SHA256, ECDHE-ECDSA-AES128-GCM-SHA256]',
      '  resumption: [none, tickets, session-ids]',
      '  auth: [tls, mtls]',
    ]);

    // Each problem appears once, though it spoils cells for both key types and both auth modes.
    expect(messages).toEqual([
      `${file}:5: matrix.cipherSuite[0]: "TLS_AES_128_GCM_SHA256" is a TLS 1.3 cipher suite, but the matrix ` +
        'crosses it with tlsVersion "tls1.2"; split the matrix into a list of objects, one per TLS version',
      `${file}:5: matrix.cipherSuite[1]: "ECDHE-ECDSA-AES128-GCM-SHA256" is a TLS 1.2 cipher suite, but the ` +
        'matrix crosses it with tlsVersion "tls1.3"; split the matrix into a list of objects, one per TLS version',
      `${file}:6: matrix.resumption[2]: session IDs exist only in TLS 1.2, but the matrix crosses "session-ids" ` +
        'with tlsVersion "tls1.3"; split the matrix into a list of objects, one per TLS version',
    ]);
  });

  it('tells a crossing key list to split', async () => {
    const { file, messages } = await messagesFor([
      'name: x',
      'matrix:',
      '  - keyType: [rsa-2048, ecdsa-p256]',
      '    tlsVersion: tls1.2',
      '    cipherSuite: ECDHE-RSA-AES256-GCM-SHA384',
    ]);

    expect(messages).toEqual([
      `${file}:5: matrix[0].cipherSuite: "ECDHE-RSA-AES256-GCM-SHA384" needs an RSA server key, but this matrix ` +
        'entry crosses it with keyType "ecdsa-p256"; split this entry into several, so that RSA suites go with ' +
        'RSA keys and ECDSA suites with ECDSA or Ed25519 keys',
    ]);
  });

  it('rejects keyType beside serverKeyType', async () => {
    const { file, messages } = await messagesFor([
      'name: x',
      'matrix:',
      '  keyType: rsa-2048',
      '  serverKeyType: ecdsa-p256',
    ]);

    expect(messages).toEqual([
      `${file}:4: matrix.serverKeyType: keyType already sets both the server and the client key type; ` +
        'use keyType alone, or serverKeyType and clientKeyType without it',
    ]);
  });

  it('rejects duplicate workload names', async () => {
    const { file, messages } = await messagesFor([
      'name: x',
      'workloads:',
      '  - kind: handshake',
      '  - kind: handshake',
      '    concurrency: 4',
      '  - kind: requests',
      '    name: handshake',
    ]);

    expect(messages).toEqual([
      `${file}:4: workloads[1]: workload name "handshake" (taken from kind) is already used by workloads[0]; ` +
        'give this workload a name, because names start every cell id',
      `${file}:7: workloads[2].name: "handshake" is already the name of workloads[0]; ` +
        'give each workload its own name, because names start every cell id',
    ]);
  });
});

describe('whole files', () => {
  it('requires a name', async () => {
    const { file, messages } = await messagesFor(['description: no name', 'matrix:', '  keyType: rsa-2048']);

    expect(messages).toEqual([`${file}:1: name: missing; every suite needs a name, for example "default"`]);
  });

  it('rejects a name with spaces', async () => {
    const { file, messages } = await messagesFor(['name: My Suite']);

    expect(messages).toEqual([
      `${file}:1: name: got "My Suite"; expected lower-case letters, digits and hyphens, for example "default"`,
    ]);
  });

  it('reports malformed YAML with its line', async () => {
    const { file, messages } = await messagesFor(['name: x', 'matrix:', '  keyType: rsa-2048', '  tlsVersion: tls1.3: x']);

    expect(messages).toEqual([`${file}:4: invalid YAML: Nested mappings are not allowed in compact mappings`]);
  });

  it('reports duplicate YAML keys', async () => {
    const { file, messages } = await messagesFor(['name: x', 'name: y']);

    expect(messages).toEqual([`${file}:2: invalid YAML: Map keys must be unique`]);
  });

  it('reports an empty file', async () => {
    const { file, messages } = await messagesFor(['# nothing but a comment']);

    expect(messages).toEqual([`${file}: the suite is empty; it needs at least a name, for example "name: default"`]);
  });

  it('reports a missing file', async () => {
    const error = await loadInvalidSuite('scenarios/no-such-suite.yaml');

    expect(error.message).toBe('scenarios/no-such-suite.yaml: file not found');
    expect(error.code).toBe('INVALID_SUITE');
  });

  it('rejects an unsupported extension', async () => {
    const file = await writeSuiteFile('name: x\n', '.toml');
    const error = await loadInvalidSuite(file);

    expect(error.message).toBe(`${file}: unsupported file type ".toml"; expected .yaml, .yml, .json, .ts, .mts`);
  });

  it('collects every problem in one error', async () => {
    const file = await writeSuiteFile(
      [
        'name: x',
        'workloads:',
        '  - kind: requests',
        '    duration: 2',
        'matrix:',
        '  tlsVersion: tls1.4',
        '  cipherSuite: NOPE',
      ].join('\n'),
    );

    const error = await loadInvalidSuite(file);

    expect(error).toBeInstanceOf(InvalidSuiteError);
    // Sorted by line, although the schema reports matrix before workloads.
    expect(error.issues.map((issue) => [issue.line, issue.path])).toEqual([
      [4, 'workloads[0].duration'],
      [6, 'matrix.tlsVersion'],
      [7, 'matrix.cipherSuite'],
    ]);
    expect(error.issues.every((issue) => issue.file === file)).toBe(true);
  });
});
