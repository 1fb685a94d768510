// Child process of the reconcile-memory scenario: the reconcile function's path (configuration from
// the environment, deps as the function builds them, reconcileAll) and then its own peak RSS.
// Prints one JSON line: { maxRssKb, summary }.
import { loadConfig } from '../shared/config/index.ts';
import { createDeps, memoryLogger, reconcileAll } from '../shared/pipeline/index.ts';

const config = loadConfig(process.env, 'reconcile');
const deps = createDeps(config, { log: memoryLogger().log });
const summary = await reconcileAll(deps, { dryRun: process.env.BENCH_DRY_RUN === '1' });
process.stdout.write(
  `${JSON.stringify({ maxRssKb: process.resourceUsage().maxRSS, summary: { ...summary, errors: summary.errors.slice(0, 5) } })}\n`,
);
