import { Writable } from 'node:stream';
import winston from 'winston';
import type { Logger } from '../../src/log.js';

export interface CapturedLog {
  /** Logs JSON lines at debug level into memory, as the daemon's json format does. */
  logger: Logger;
  /** Everything written so far, as the JSON text a journal would hold. */
  text(): string;
  /** The lines written so far, parsed. */
  lines(): Array<Record<string, unknown>>;
}

/** A logger whose output a test can read, to check what is (and is never) logged. */
export function captureLog(): CapturedLog {
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  const logger = winston.createLogger({ level: 'debug', format: winston.format.json(), transports: [new winston.transports.Stream({ stream: sink })] });
  const text = () => chunks.join('');
  return {
    logger,
    text,
    lines: () => text().split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}
