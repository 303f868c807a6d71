import { z } from 'zod';

import { SuiteSchema } from './schema.ts';

/**
 * `$id` of the generated schema. A URN, because the schema is read from the repository next to
 * the suites (through the `yaml-language-server` comment) and is not published at any URL.
 */
export const SUITE_SCHEMA_ID = 'urn:mtls-bench:schema:suite';

/**
 * Builds the JSON Schema for suite files from the zod schemas. Draft-07, because the README of
 * yaml-language-server (the server behind Red Hat's YAML extension for VS Code) states support
 * for "JSON Schema 7 and below".
 */
export function buildSuiteJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(SuiteSchema, { io: 'input', target: 'draft-07' });
  const { $schema, ...rest } = generated;
  return {
    $schema,
    $id: SUITE_SCHEMA_ID,
    title: 'mtls-bench suite',
    description:
      'A benchmark suite: a matrix of TLS settings crossed with workloads, ' +
      'each run with and without client certificates.',
    ...rest,
  };
}

/** Renders the schema exactly as `schema/suite.schema.json` stores it. */
export function renderSuiteJsonSchema(): string {
  return `${JSON.stringify(buildSuiteJsonSchema(), null, 2)}\n`;
}
