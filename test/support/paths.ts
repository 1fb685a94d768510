// Paths tests and scripts share. The mesh conformance corpus is vendored in test/conformance/ (a copy of
// the transcription of kubernetes-sigs/gateway-api's mesh tests) so the repo is self-contained;
// GAMMA_MESH_CASES points at another copy.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const MESH_CASES_FILE =
  process.env.GAMMA_MESH_CASES ?? path.join(REPO_ROOT, 'test/conformance/mesh-cases.yaml');
