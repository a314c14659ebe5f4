/**
 * Structured logs in Cloud Logging's JSON shape: one line per entry with `severity`, `message` and
 * fields. Entries pass through `redact`, so a full phone number, message text or secret never reaches
 * stdout even when a caller slips.
 */
import { redact } from './redact.js';

export type Severity = 'DEBUG' | 'INFO' | 'NOTICE' | 'WARNING' | 'ERROR' | 'CRITICAL';
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

export type LogSink = (line: string, severity: Severity) => void;

const defaultSink: LogSink = (line, severity) => {
  const stream = severity === 'ERROR' || severity === 'CRITICAL' ? process.stderr : process.stdout;
  stream.write(`${line}\n`);
};

function errorFields(error: unknown): LogFields {
  if (error instanceof Error) return { error: { name: error.name, message: error.message } };
  return { error: String(error) };
}

/** The redacted entry as one JSON line; a value JSON cannot hold (too deep) costs its fields, never the line. */
function serialise(entry: LogFields): string {
  try {
    return JSON.stringify(redact(entry));
  } catch {
    const { severity, message, time } = entry;
    return JSON.stringify(redact({ severity, message, time, logFieldsDropped: 'not serialisable' }));
  }
}

export function createLogger(base: LogFields = {}, sink: LogSink = defaultSink): Logger {
  const write = (severity: Severity, message: string, fields: LogFields = {}) => {
    const { err, ...rest } = fields;
    const entry = {
      severity,
      message,
      ...base,
      ...rest,
      ...(err === undefined ? {} : errorFields(err)),
      time: new Date().toISOString(),
    };
    sink(serialise(entry), severity);
  };
  return {
    debug: (message, fields) => write('DEBUG', message, fields),
    info: (message, fields) => write('INFO', message, fields),
    warn: (message, fields) => write('WARNING', message, fields),
    error: (message, fields) => write('ERROR', message, fields),
    child: (fields) => createLogger({ ...base, ...fields }, sink),
  };
}

/** Writes at a severity known only at run time (a request line's, a task answer's). */
export function logAt(
  logger: Logger,
  severity: 'INFO' | 'WARNING' | 'ERROR',
  message: string,
  fields?: LogFields,
): void {
  if (severity === 'ERROR') logger.error(message, fields);
  else if (severity === 'WARNING') logger.warn(message, fields);
  else logger.info(message, fields);
}
