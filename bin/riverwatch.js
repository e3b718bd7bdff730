#!/usr/bin/env node
// Development entry (npm start, npm run riverwatch): registers the TypeScript loader (tsx, a
// devDependency), then runs the CLI in bin/main.ts. Production runs dist/bin/riverwatch.js (npm run build).
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
