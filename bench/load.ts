import { execFileSync, spawnSync } from 'node:child_process';
import autocannon from 'autocannon';

/** One time-bounded load run against one URL: requests per second, p99 latency, requests done. */
export interface LoadResult {
  readonly rps: number;
  readonly p99ms: number;
  readonly requests: number;
}

export interface LoadOptions {
  readonly url: string;
  readonly accept: string;
  readonly seconds: number;
  readonly connections: number;
  readonly host?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export const hasWrk = (): boolean => spawnSync('wrk', ['--version']).error === undefined;

const toMs = (value: string, unit: string): number => Number(value) * ({ us: 0.001, ms: 1, s: 1000 } as Record<string, number>)[unit]!;

/** wrk (C, one thread) leaves the server most of the second core; prefer it when installed. */
export const wrk = (o: LoadOptions): LoadResult => {
  const host = o.host === undefined ? [] : ['-H', `Host: ${o.host}`];
  const more = Object.entries(o.headers ?? {}).flatMap(([k, v]) => ['-H', `${k}: ${v}`]);
  const out = execFileSync('wrk', ['-t1', `-c${o.connections}`, `-d${o.seconds}s`, '--latency', '-H', `Accept: ${o.accept}`, ...host, ...more, o.url], { encoding: 'utf8' });
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
  const p99 = /99%\s+([\d.]+)(us|ms|s)/.exec(out);
  const requests = Number(/(\d+) requests in/.exec(out)?.[1]);
  if (!Number.isFinite(rps) || p99 === null || /Non-2xx/.test(out)) throw new Error(`wrk failed:\n${out}`);
  return { rps, p99ms: toMs(p99[1]!, p99[2]!), requests };
};

/** The fallback: autocannon runs in this process and competes with the server for the cores. */
export const cannon = async (o: LoadOptions): Promise<LoadResult> => {
  const r = await autocannon({ url: o.url, connections: o.connections, duration: o.seconds, headers: { accept: o.accept, ...(o.host ? { host: o.host } : {}), ...o.headers } });
  if (r.non2xx > 0 || r.errors > 0) throw new Error(`autocannon: ${r.non2xx} non-2xx, ${r.errors} errors`);
  return { rps: r.requests.average, p99ms: r.latency.p99, requests: r.requests.total };
};
