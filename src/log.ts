import winston from 'winston';

export type Logger = winston.Logger;
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
export type LogFormat = 'json' | 'text';

/** JSON lines to stdout (journald picks them up); `text` is for development only. */
export function createLogger(level: LogLevel, format: LogFormat): Logger {
  const { combine, timestamp, errors, json, colorize, printf } = winston.format;
  const text = printf(({ level: lvl, message, timestamp: ts, ...meta }) => {
    const rest = Object.keys(meta).length > 0 ? ` ${JSON.stringify(meta)}` : '';
    return `${String(ts)} ${lvl} ${String(message)}${rest}`;
  });
  return winston.createLogger({
    level,
    format: format === 'json'
      ? combine(timestamp(), errors({ stack: true }), json())
      : combine(timestamp(), errors({ stack: true }), colorize(), text),
    transports: [new winston.transports.Console()],
  });
}

/** A logger that drops everything, for CLI commands and tests that do not log. */
export function silentLogger(): Logger {
  return winston.createLogger({ silent: true, transports: [new winston.transports.Console()] });
}
