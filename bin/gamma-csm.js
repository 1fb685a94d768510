#!/usr/bin/env node
// The CLI runs the TypeScript sources directly through tsx's loader, so `npx gamma-csm` works in a
// fresh clone without a build step.
import { register } from 'tsx/esm/api';

register();
await import('../functions/cli/main.ts');
