// The one structured logger of gamma-csm (watcher, functions, local stack): one JSON object per
// line with `severity`, `message`, `time` and `logging.googleapis.com/labels` (what Cloud Logging
// reads from a container's stdout and lifts into the entry's labels), or a readable text line.
import type { LogFormat } from '../config/index.ts';

export type Severity = 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR';
export type LogFields = Record<string, unknown>;

/** Labels Cloud Logging indexes: component, parent key, event id. */
export type LogLabels = Record<string, string>;

export interface Logger {
  log(severity: Severity, message: string, fields?: LogFields): void;
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger whose lines also carry these labels. */
  with(labels: LogLabels): Logger;
}

export const LABELS_KEY = 'logging.googleapis.com/labels';

const ORDER: readonly Severity[] = ['DEBUG', 'INFO', 'WARNING', 'ERROR'];

export function atLeast(severity: Severity, min: Severity): boolean {
  return ORDER.indexOf(severity) >= ORDER.indexOf(min);
}

function valueText(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

export function formatLogLine(
  format: LogFormat,
  time: Date,
  severity: Severity,
  message: string,
  labels: LogLabels,
  fields: LogFields = {},
): string {
  if (format === 'json')
    return JSON.stringify({ severity, message, time: time.toISOString(), [LABELS_KEY]: labels, ...fields });
  const extra = Object.entries({ ...labels, ...fields })
    .map(([k, v]) => `${k}=${valueText(v)}`)
    .join(' ');
  return `${time.toISOString()} ${severity.padEnd(7)} ${message}${extra ? ` ${extra}` : ''}`;
}

export function makeLogger(
  format: LogFormat,
  labels: LogLabels = {},
  write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  minSeverity: Severity = 'INFO',
): Logger {
  const log = (severity: Severity, message: string, fields?: LogFields) => {
    if (!atLeast(severity, minSeverity)) return;
    write(formatLogLine(format, new Date(), severity, message, labels, fields));
  };
  return {
    log,
    debug: (m, f) => log('DEBUG', m, f),
    info: (m, f) => log('INFO', m, f),
    warn: (m, f) => log('WARNING', m, f),
    error: (m, f) => log('ERROR', m, f),
    with: (more) => makeLogger(format, { ...labels, ...more }, write, minSeverity),
  };
}

/** A logger that keeps its lines in memory (tests, benchmarks). */
export function memoryLogger(format: LogFormat = 'json'): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  return { log: makeLogger(format, {}, (l) => lines.push(l), 'DEBUG'), lines };
}
