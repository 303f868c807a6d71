import { afterAll, describe, expect, it } from 'vitest';

import { loadSuite } from '../../src/scenario/load.ts';
import { messagesFor, removeSuiteFiles, writeSuiteFile } from './suite-files.ts';

afterAll(removeSuiteFiles);

describe('workload limits', () => {
  it('rejects a billion concurrent handshakes', async () => {
    const { file, messages } = await messagesFor(['name: x', 'workloads:', '  - kind: handshake', '    concurrency: 1000000000']);
    expect(messages).toEqual([`${file}:4: workloads[0].concurrency: got 1000000000; expected at most 1000`]);
  });

  it('rejects too many keep-alive connections', async () => {
    const { file, messages } = await messagesFor(['name: x', 'workloads:', '  - kind: requests', '    connections: 100000']);
    expect(messages).toEqual([`${file}:4: workloads[0].connections: got 100000; expected at most 5000`]);
  });

  it('rejects a payload above 16 MiB', async () => {
    const { file, messages } = await messagesFor(['name: x', 'workloads:', '  - kind: requests', '    payloadBytes: 2000000000']);
    expect(messages).toEqual([`${file}:4: workloads[0].payloadBytes: got 2000000000; expected at most 16777216`]);
  });

  it('rejects a duration above an hour', async () => {
    const { file, messages } = await messagesFor(['name: x', 'workloads:', '  - kind: requests', '    duration: 61m']);
    expect(messages).toEqual([`${file}:4: workloads[0].duration: got "61m"; expected at most 60m`]);
  });

  it('accepts the limits themselves', async () => {
    const file = await writeSuiteFile(
      [
        'name: x',
        'workloads:',
        '  - kind: handshake',
        '    concurrency: 1000',
        '    duration: 60m',
        '  - kind: requests',
        '    connections: 5000',
        '    payloadBytes: 16777216',
        '',
      ].join('\n'),
    );
    const suite = await loadSuite(file);
    expect(suite.workloads.map((workload) => workload.kind)).toEqual(['handshake', 'requests']);
  });
});
