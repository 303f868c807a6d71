import { afterAll, describe, expect, it } from 'vitest';

import { loadSuite } from '../../src/scenario/load.ts';
import { messagesFor, removeSuiteFiles, writeSuiteFile } from './suite-files.ts';

afterAll(removeSuiteFiles);

describe('simulate', () => {
  it('resolves to null by default', async () => {
    const suite = await loadSuite(await writeSuiteFile('name: x\n'));

    expect(suite.simulate).toBeNull();
  });

  it('resolves handshakeCpuUs', async () => {
    const suite = await loadSuite(await writeSuiteFile('name: x\nsimulate:\n  handshakeCpuUs: 2000\n'));

    expect(suite.simulate).toEqual({ handshakeCpuUs: 2000, auth: ['tls', 'mtls'] });
  });

  it('accepts the bounds themselves', async () => {
    for (const cpuUs of [1, 100000]) {
      const suite = await loadSuite(await writeSuiteFile(`name: x\nsimulate:\n  handshakeCpuUs: ${cpuUs}\n`));

      expect(suite.simulate).toEqual({ handshakeCpuUs: cpuUs, auth: ['tls', 'mtls'] });
    }
  });

  it('resolves auth to the servers named', async () => {
    const one = await loadSuite(await writeSuiteFile('name: x\nsimulate:\n  handshakeCpuUs: 200\n  auth: mtls\n'));
    const both = await loadSuite(await writeSuiteFile('name: x\nsimulate:\n  handshakeCpuUs: 200\n  auth: [mtls, tls]\n'));

    expect(one.simulate).toEqual({ handshakeCpuUs: 200, auth: ['mtls'] });
    expect(both.simulate).toEqual({ handshakeCpuUs: 200, auth: ['tls', 'mtls'] });
  });

  it('rejects an unknown auth mode', async () => {
    const { file, messages } = await messagesFor(['name: x', 'simulate:', '  handshakeCpuUs: 200', '  auth: mTLS']);

    expect(messages).toEqual([`${file}:4: simulate.auth: got "mTLS"; expected "tls" or "mtls"`]);
  });

  it('rejects zero', async () => {
    const { file, messages } = await messagesFor(['name: x', 'simulate:', '  handshakeCpuUs: 0']);

    expect(messages).toEqual([`${file}:3: simulate.handshakeCpuUs: got 0; expected at least 1`]);
  });

  it('rejects more than 100000 µs', async () => {
    const { file, messages } = await messagesFor(['name: x', 'simulate:', '  handshakeCpuUs: 100001']);

    expect(messages).toEqual([`${file}:3: simulate.handshakeCpuUs: got 100001; expected at most 100000`]);
  });

  it('rejects a fraction', async () => {
    const { file, messages } = await messagesFor(['name: x', 'simulate:', '  handshakeCpuUs: 2.5']);

    expect(messages).toEqual([`${file}:3: simulate.handshakeCpuUs: got 2.5; expected a whole number`]);
  });

  it('rejects a string', async () => {
    const { file, messages } = await messagesFor(['name: x', 'simulate:', '  handshakeCpuUs: "2ms"']);

    expect(messages).toEqual([`${file}:3: simulate.handshakeCpuUs: got "2ms"; expected a whole number`]);
  });

  it('rejects an unknown key', async () => {
    const { file, messages } = await messagesFor(['name: x', 'simulate:', '  handshakeCpuUs: 10', '  requestCpuUs: 10']);

    expect(messages).toEqual([
      `${file}:4: simulate.requestCpuUs: unknown key "requestCpuUs"; expected "handshakeCpuUs" or "auth"`,
    ]);
  });

  it('rejects a missing handshakeCpuUs', async () => {
    const { file, messages } = await messagesFor(['name: x', 'simulate: {}']);

    expect(messages).toEqual([`${file}:2: simulate.handshakeCpuUs: missing; expected a whole number`]);
  });
});
