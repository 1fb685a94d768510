// Structured logs: one JSON object per line with `severity` and `message` (what Cloud Logging reads
// from a container's stdout), or a readable text line with --log-format text.
import type { LogFormat } from '../../shared/config/index.ts';

export type Severity = 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR';
export type LogFields = Record<string, unknown>;

export interface Logger {
  log(severity: Severity, message: string, fields?: LogFields): void;
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

export function formatLine(
  format: LogFormat,
  time: Date,
  severity: Severity,
  message: string,
  fields: LogFields = {},
): string {
  if (format === 'json')
    return JSON.stringify({ severity, message, time: time.toISOString(), component: 'watcher', ...fields });
  const extra = Object.entries(fields)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  return `${time.toISOString()} ${severity.padEnd(7)} ${message}${extra ? ` ${extra}` : ''}`;
}

export function makeLogger(
  format: LogFormat,
  write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  minSeverity: Severity = 'INFO',
): Logger {
  const order: Severity[] = ['DEBUG', 'INFO', 'WARNING', 'ERROR'];
  const log = (severity: Severity, message: string, fields?: LogFields) => {
    if (order.indexOf(severity) < order.indexOf(minSeverity)) return;
    write(formatLine(format, new Date(), severity, message, fields));
  };
  return {
    log,
    debug: (m, f) => log('DEBUG', m, f),
    info: (m, f) => log('INFO', m, f),
    warn: (m, f) => log('WARNING', m, f),
    error: (m, f) => log('ERROR', m, f),
  };
}
