// Bootstrap for worker threads of the `lucent` CLI: registers tsx, then loads the TypeScript module named
// in workerData.module.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.module);
