// The first module of a worker thread that runs one of Tidemark's TypeScript modules:
// Tidemark runs its sources through tsx (bin/tidemark.js), and a worker thread starts
// without the loader of the thread that made it, so it registers its own.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.module);
