#!/usr/bin/env node
// Entry shim: registers the TypeScript loader, then runs the CLI in bin/main.ts.
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
