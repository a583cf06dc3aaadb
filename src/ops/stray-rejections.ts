import type { Log } from './logger.ts';

/**
 * A promise rejected with nobody to hear it ends a Node process. postgres.js can leave one when it
 * destroys a connection that was still being set up (seen under load when a pool stuck after a
 * database restart is replaced, store/postgres.ts): one instance dying for it would drop every
 * request in flight, for an error the store already answers as a 503. Those are logged; any other
 * unheard rejection still ends the process, as Node's default does, for it is a bug to see.
 */
export const tolerateStrayRejections = (log: Log, tolerated: (err: unknown) => boolean): void => {
  process.on('unhandledRejection', (err) => {
    if (!tolerated(err)) throw err;
    log(`a database connection failed with no request waiting for it: ${(err as Error).message}`, 'warn', { code: (err as { code?: unknown }).code });
  });
};
