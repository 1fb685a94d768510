// shared/gamma: parse, default and validate Gateway API mesh routes and Services, and build the
// translate Snapshot from them.
export { ManifestError } from './errors.ts';
export type { FieldError, ManifestErrorParts } from './errors.ts';
export { parseManifestText, loadManifestPaths, sourceOf, MAX_NESTING_DEPTH } from './parse.ts';
export type { ParseResult, ObjectSource, LoadOptions } from './parse.ts';
export { applyDefaults } from './defaults.ts';
export { validateObject } from './validate.ts';
export { isCertainlyValidAsDefaulted } from './quick-check.ts';
export { parseDuration } from './validate-http.ts';
export { buildSnapshot } from './snapshot.ts';
export type { BuildSnapshotOptions, BuildSnapshotResult, IgnoredObject } from './snapshot.ts';
export * from './types.ts';
