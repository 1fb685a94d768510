// The functions' logger is the shared one (shared/log): Cloud Logging JSON with labels, or text.
export { LABELS_KEY, formatLogLine, makeLogger, memoryLogger } from '../log/index.ts';
export type { LogFields, LogLabels, Logger, Severity } from '../log/index.ts';
