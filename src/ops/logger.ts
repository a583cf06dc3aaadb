import pino, { type Logger } from 'pino';
import { getOrMake, getOrMakeBounded } from '../memo.ts';

/**
 * Structured logs (pino): one JSON line per event on stdout, `LOG_LEVEL` or the config's
 * `logLevel` choosing how much. Bodies and tokens are never put in a log line; `redact` is the
 * second line of defence should a header object ever be.
 */
export type { Logger };

/** Where lines go: a batch written by pino's SonicBoom (see logDestination), or pino-pretty in a terminal. */
export interface LogDestination {
  write(line: string): unknown;
  flush(done?: (err?: Error) => void): void;
}

/**
 * Lines are gathered into one string and handed to SonicBoom as one Buffer per 256 KiB, and at
 * least every second, so that a quiet gateway's lines are not held back. A write per line cost a
 * request ~20 us under load; SonicBoom's own batching took 4-5 us a line (a Buffer made for each,
 * or, given strings, the pending batch measured again at every line); a string appended to is
 * about 0.2 us. Batches are written asynchronously: written at once, a reader of stdout that
 * stalls (a full pipe) would stall every request and the health check with it. Each asynchronous
 * write wakes a thread of libuv's pool, which cost a request 4.9 us in a profile with 16 KiB
 * batches, 1.7 us with 64 KiB, under 0.3 us with 256 KiB.
 */
export const logDestination = (dest: number | string = 1): LogDestination => {
  const sonic = pino.destination({ dest, sync: false, contentMode: 'buffer' }) as unknown as { write(b: Buffer): boolean; flush(done?: (err?: Error) => void): void; flushSync(): void };
  let pending = '';
  const drain = () => {
    if (pending.length === 0) return;
    sonic.write(Buffer.from(pending));
    pending = '';
  };
  const flush = (done?: (err?: Error) => void) => {
    drain();
    try {
      sonic.flush(done);
    } catch (err) {
      // not open yet: the next tick or the exit flush writes it
      done?.(err as Error);
    }
  };
  setInterval(flush, 1000).unref();
  process.once('exit', () => {
    drain();
    try {
      sonic.flushSync();
    } catch {
      // nothing open to write to
    }
  });
  return {
    write: (line) => {
      pending += line;
      if (pending.length >= 262_144) drain();
    },
    flush,
  };
};

/**
 * For a person at a terminal (`npm start` there, or LOG_FORMAT=pretty): pino-pretty's coloured
 * lines, from the same JSON lines, loaded only then.
 */
export const prettyDestination = async (): Promise<LogDestination> => {
  const { default: pretty } = await import('pino-pretty');
  const stream = pretty({ colorize: process.stdout.isTTY === true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'service,pid,hostname', singleLine: true, sync: true });
  return { write: (line) => stream.write(line), flush: (done) => done?.() };
};

let second = -1;
let secondPrefix = '';
/** `2026-12-03T08:00:00.123Z`, the date formatted once a second (toISOString cost a line 2.4 us). */
export const isoNow = (): string => {
  const now = Date.now();
  const s = Math.floor(now / 1000);
  if (s !== second) {
    second = s;
    secondPrefix = new Date(s * 1000).toISOString().slice(0, 20);
  }
  const ms = now - s * 1000;
  return `${secondPrefix}${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}Z`;
};

export const createLogger = (level: string, destination: LogDestination = logDestination()): Logger =>
  pino(
    {
      level,
      base: { service: 'extgate' },
      timestamp: () => `,"time":"${isoNow()}"`,
      // Exact paths only: a wildcard path costs every line ~7 us (fast-redact walks each key).
      redact: { paths: ['headers["x-auth-token"]', 'headers["x-subject-token"]', 'password', 'token', 'keystone.password', 'auth.keystone.password'], censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
    },
    destination as unknown as pino.DestinationStream,
  );

export type Level = 'info' | 'warn' | 'error';

/** What the gateway logs through: a message, its level (warn unless said), and fields. */
export type Log = (message: string, level?: Level, fields?: Record<string, unknown>) => void;

export const logTo = (logger: Logger): Log => (message, level = 'warn', fields = {}) => logger[level](fields, message);

const str = JSON.stringify;

/**
 * JSON strings for the values that recur (route templates, projects, users), made once: a
 * JSON.stringify was 0.2-0.5 us each, a line has several. Bounded: cleared when full.
 */
const quotedStrings = new Map<string, string>();
const quoted = (s: string): string => getOrMakeBounded(quotedStrings, s, () => str(s), 10_000);
/** The extensions a route ran are the same array for every request of that route. */
const quotedLists = new WeakMap<readonly string[], string>();
const quotedList = (l: readonly string[]): string => getOrMake(quotedLists, l, () => str(l));

/**
 * The per-request line, in the same shape as pino's lines (level, time, service, msg), written as
 * a template: what a client may have chosen (project, user, the route of an extension) goes
 * through JSON.stringify, what the gateway made (ids, numbers, the method Node checked) as is.
 * About 5 us a request on this project's 2-core VM, where a JSON.stringify of the whole object
 * and SonicBoom's string mode were 14 us: `logRequests: false` turns it off where that matters.
 */
export const requestLogTo = (logger: Logger, destination: LogDestination): ((line: RequestLine) => void) => {
  if (!logger.isLevelEnabled('info')) return () => undefined;
  return (l) => {
    const text =
      `{"level":"info","time":"${isoNow()}","service":"extgate","reqId":"${l.reqId}"` +
      (l.globalReqId === undefined ? '' : `,"globalReqId":"${l.globalReqId}"`) +
      `,"method":"${l.method}","route":${quoted(l.route)},"status":${l.status},"ms":${l.ms}` +
      (l.bytes === undefined || Number.isNaN(l.bytes) ? '' : `,"bytes":${l.bytes}`) +
      (l.version === undefined ? '' : `,"version":"${l.version}"`) +
      (l.project === undefined ? '' : `,"project":${quoted(l.project)}`) +
      (l.user === undefined ? '' : `,"user":${quoted(l.user)}`) +
      (l.extensions === undefined ? '' : `,"extensions":${quotedList(l.extensions)}`) +
      (l.oldNames === undefined ? '' : `,"oldNames":${str(l.oldNames)}`) +
      ',"msg":"request"}\n';
    destination.write(text);
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
