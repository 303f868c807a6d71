#!/usr/bin/env node
// The sources are TypeScript, run through tsx's loader so that there is no build step and
// suite files written in TypeScript load the same way.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
