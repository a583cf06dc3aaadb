import pino, { type Logger } from 'pino';

/**
 * Structured logs (pino): one JSON line per event on stdout, `LOG_LEVEL` or the config's
 * `logLevel` choosing how much. Bodies and tokens are never put in a log line; `redact` is the
 * second line of defence should a header object ever be.
 */
export type { Logger };

/**
 * Lines are written in batches of at least 4 KiB (a write per line cost a request ~20 us under
 * load), and at least every second, so that a quiet gateway's lines are not held back.
 */
export const logDestination = (dest: number | string = 1): pino.DestinationStream => {
  const d = pino.destination({ dest, sync: false, minLength: 4096 });
  setInterval(() => {
    try {
      d.flush();
    } catch {
      // not open yet, or closing: the next tick or the exit flush writes it
    }
  }, 1000).unref();
  return d;
};

export const createLogger = (level: string, destination: pino.DestinationStream = logDestination()): Logger =>
  pino(
    {
      level,
      base: { service: 'extgate' },
      timestamp: pino.stdTimeFunctions.isoTime,
      // Exact paths only: a wildcard path costs every line ~7 us (fast-redact walks each key).
      redact: { paths: ['headers["x-auth-token"]', 'headers["x-subject-token"]', 'password', 'token', 'keystone.password', 'auth.keystone.password'], censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );

export type Level = 'info' | 'warn' | 'error';

/** What the gateway logs through: a message, its level (warn unless said), and fields. */
export type Log = (message: string, level?: Level, fields?: Record<string, unknown>) => void;

export const logTo = (logger: Logger): Log => (message, level = 'warn', fields = {}) => logger[level](fields, message);

/**
 * The per-request line, written to the logger's destination as one JSON.stringify of a flat
 * object, in the same shape as pino's lines (level, time, service, msg). Measured in the bench's
 * ops suite, making and writing it is still about 20 us a request on this project's 2-core VM:
 * `logRequests: false` turns it off where that matters.
 */
export const requestLogTo = (logger: Logger, destination: pino.DestinationStream): ((line: RequestLine) => void) => {
  if (!logger.isLevelEnabled('info')) return () => undefined;
  return (line) => {
    destination.write(`${JSON.stringify({ level: 'info', time: new Date().toISOString(), service: 'extgate', ...line, msg: 'request' })}\n`);
  };
};

/** One request, as the listener logs it when its answer is done. */
export interface RequestLine {
  readonly reqId: string;
  readonly globalReqId?: string;
  readonly method: string;
  readonly route: string;
  readonly status: number;
  readonly ms: number;
  /** The body's length, when the answer said it. */
  readonly bytes?: number;
  readonly version?: string;
  readonly project?: string;
  readonly user?: string;
  readonly extensions?: readonly string[];
  readonly oldNames?: readonly string[];
}
