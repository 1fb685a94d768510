// Optional command-line tools some tests drive (they are skipped with the reason when a tool is
// absent, never passed). Decided when the tests are registered, so a machine without the tool reports
// a skip.
import { spawnSync } from 'node:child_process';

/** kubectl answers `version --client`. */
export const hasKubectl = spawnSync('kubectl', ['version', '--client'], { timeout: 20_000 }).status === 0;

/** The suffix a kubectl test's title carries when it is skipped. */
export const kubectlSkipReason = hasKubectl ? '' : ' (skipped: kubectl is not on PATH)';
