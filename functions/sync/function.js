// Loader shim for functions-framework on the TypeScript sources: the framework picks up
// <source>/function.js by itself, and tsx's loader lets it import index.ts. Run locally with
//   npx functions-framework --target=sync --source=functions/sync --signature-type=cloudevent --port=8081
// (environment: see functions/sync/index.ts). The deployed bundle (npm run build) needs no shim.
import { register } from 'tsx/esm/api';

register();
await import('./index.ts');
