// Entry of a driver worker thread when the sources are TypeScript. On Node 20.20 a worker does
// not inherit the parent's module hooks, and `--import tsx/esm` in the worker's `execArgv` still
// fails on a `.ts` entry with ERR_UNKNOWN_FILE_EXTENSION. So the worker registers tsx itself and
// then imports the TypeScript module named in `workerData.entry`. With compiled sources the pool
// starts the `.js` module directly instead.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
