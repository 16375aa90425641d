#!/usr/bin/env node
// `npm run bench [parse|viewer|…]`: benchmarks print numbers and write JSON; they never fail a build.
import { register } from 'tsx/esm/api';

register();
await import('../bench/run.ts');
