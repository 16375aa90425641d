// The fuzz worker's entry: lets a worker thread load the TypeScript harness (tsx), then runs it.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
