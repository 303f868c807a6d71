import { afterAll, describe, expect, it } from 'vitest';

import { loadInvalidSuite, removeSuiteFiles, writeSuiteFile } from './suite-files.ts';

afterAll(removeSuiteFiles);

describe('TypeScript suite errors', () => {
  it('locates a syntax error', async () => {
    const file = await writeSuiteFile('export default {\n  name: "x",\n  matrix: { keyType: \n};\n', '.ts');
    const error = await loadInvalidSuite(file);
    expect(error.message).toBe(`${file}:4: could not be compiled: Unexpected "}" (column 1)`);
  });

  it('reports a file without exports', async () => {
    const file = await writeSuiteFile('const name = "x";\n', '.ts');
    const error = await loadInvalidSuite(file);
    expect(error.message).toBe(`${file}: has no default export; end it with \`export default defineSuite({ ... })\``);
  });
});
