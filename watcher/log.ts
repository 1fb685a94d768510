// The watcher logs through the shared logger (shared/log), every line labelled component=watcher
// (`logging.googleapis.com/labels` in JSON, so Cloud Logging can filter on it).
import type { LogFormat } from '../shared/config/index.ts';
import { formatLogLine, makeLogger as makeSharedLogger } from '../shared/log/index.ts';
import type { LogFields, Logger as SharedLogger, Severity } from '../shared/log/index.ts';

export type { LogFields, Severity };

/** What the watcher needs of a logger (any shared/log Logger fits). */
export type Logger = Omit<SharedLogger, 'with'>;

const LABELS = { component: 'watcher' };

export function formatLine(
  format: LogFormat,
  time: Date,
  severity: Severity,
  message: string,
  fields: LogFields = {},
): string {
  return formatLogLine(format, time, severity, message, LABELS, fields);
}

export function makeLogger(
  format: LogFormat,
  write?: (line: string) => void,
  minSeverity: Severity = 'INFO',
): SharedLogger {
  return makeSharedLogger(format, LABELS, write, minSeverity);
}
