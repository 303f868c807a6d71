/**
 * Writes schema/suite.schema.json from the zod schemas in src/scenario/schema.ts.
 * Run it with `npm run schema` after changing the suite format. A test fails while the committed
 * file differs from the generated one.
 */
import { writeFile } from 'node:fs/promises';

import { renderSuiteJsonSchema } from '../src/scenario/json-schema.ts';

const outputUrl = new URL('../schema/suite.schema.json', import.meta.url);
await writeFile(outputUrl, renderSuiteJsonSchema());
