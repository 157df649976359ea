import type { LoggerService } from '@nestjs/common';
import pino, { type DestinationStream, type Logger } from 'pino';
import { currentRequestId } from './request-context';

/**
 * Nest's logger on pino: one JSON line per event (pretty enough for a terminal, parseable in production). A line written
 * while handling an HTTP request carries its `requestId` (the X-Request-Id the caller sees).
 */
export class PinoNestLogger implements LoggerService {
  readonly pino: Logger;

  /** `destination`: stdout unless given (a file, or a stream that a test reads). */
  constructor(level: string, destination?: DestinationStream) {
    const options = {
      level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      mixin: () => {
        const requestId = currentRequestId();
        return requestId ? { requestId } : {};
      },
    };
    this.pino = destination ? pino(options, destination) : pino(options);
  }

  private write(level: 'info' | 'error' | 'warn' | 'debug' | 'trace', message: unknown, rest: unknown[]) {
    const context = typeof rest[rest.length - 1] === 'string' ? (rest[rest.length - 1] as string) : undefined;
    if (message instanceof Error) this.pino[level]({ context, err: message }, message.message);
    else if (typeof message === 'object') this.pino[level]({ context, ...(message as object) });
    else this.pino[level]({ context }, String(message));
  }

  log(message: unknown, ...rest: unknown[]) { this.write('info', message, rest); }
  error(message: unknown, ...rest: unknown[]) { this.write('error', message, rest); }
  warn(message: unknown, ...rest: unknown[]) { this.write('warn', message, rest); }
  debug(message: unknown, ...rest: unknown[]) { this.write('debug', message, rest); }
  verbose(message: unknown, ...rest: unknown[]) { this.write('trace', message, rest); }
  fatal(message: unknown, ...rest: unknown[]) { this.write('error', message, rest); }
}
