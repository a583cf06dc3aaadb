import { readFileSync } from 'node:fs';
import { PerformanceObserver } from 'node:perf_hooks';

/**
 * What every benchmark server shares: it listens on an ephemeral port, tells the parent where,
 * and answers the parent's requests for its own CPU time (process.cpuUsage), so CPU per request
 * is measured by the server process itself, whatever the load generator costs; and for the time
 * its garbage collector paused it, which shows an allocation problem before a profile does.
 */
export interface Fixture {
  readonly path: string;
  readonly accept: string;
  readonly contentType: string;
  readonly body: string;
}

export const reportListening = (port: number): void => {
  // Without an IPC channel (run by hand or under valgrind), the port goes to stdout.
  if (process.send === undefined) {
    console.log(`listening ${port}`);
    return;
  }
  let gcMillis = 0;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcMillis += e.duration;
  }).observe({ entryTypes: ['gc'] });
  process.send({ type: 'listening', port });
  process.on('message', (m: { type: string }) => {
    if (m.type === 'cpu') {
      const u = process.cpuUsage();
      process.send!({ type: 'cpu', micros: u.user + u.system, gcMicros: gcMillis * 1000 });
    }
  });
};

/** Fixtures come in a file: a page of 100 servers is too large for the environment. */
export const readFixtures = (): Fixture[] => JSON.parse(readFileSync(process.env.BENCH_FIXTURES!, 'utf8')) as Fixture[];

/** The bare servers pick the XML bytes when the client asks for XML, as a hand-written handler would. */
export const wantsXml = (accept: string | undefined | null): boolean => accept?.includes('xml') === true;
