// Development entry of the analytics thread (bin/thread-runner.ts): a worker thread does not inherit the
// TypeScript loader registered by bin/riverwatch.js, so it registers its own. dist/ runs the compiled
// bin/analytics-thread.js instead (scripts/build.mjs skips this file).
import { register } from 'tsx/esm/api';

register();
await import('./analytics-thread.ts');
