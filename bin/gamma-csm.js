#!/usr/bin/env node
// The CLI runs the TypeScript sources directly through tsx's loader, so `npx gamma-csm` works in a
// fresh clone without a build step.
import { register } from 'tsx/esm/api';

// Node's ExperimentalWarnings (loader hooks, type stripping on newer Node) are about how the CLI is
// run, not about the user's input: they would only bury gamma-csm's own warnings on stderr.
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = (warning, ...rest) => {
  const type = typeof rest[0] === 'string' ? rest[0] : rest[0]?.type;
  const name = warning instanceof Error ? warning.name : undefined;
  if (type === 'ExperimentalWarning' || name === 'ExperimentalWarning') return;
  emitWarning(warning, ...rest);
};

register();
await import('../cli/main.ts');
