import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { join } from 'node:path';
import { cannon, hasWrk, wrk, type LoadResult } from './load.ts';

/**
 * Runs servers in their own processes and loads them in interleaved, time-bounded rounds.
 * Each server reports its own CPU time, so CPU per request does not depend on the load generator.
 */
export interface Server {
  readonly name: string;
  readonly child: ChildProcess;
  readonly base: string;
  /** Headers every request to this server carries (a Keystone token). */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface Endpoint {
  readonly name: string;
  readonly path: string;
  readonly accept: string;
}

export interface Options {
  readonly rounds: number;
  readonly seconds: number;
  readonly connections: number;
  readonly tool: 'wrk' | 'autocannon';
}

/** Every request carries the same Host, so links (and bytes) are the same from every server. */
export const HOST = 'bench.extgate:8774';

export const chooseTool = (wanted?: string): 'wrk' | 'autocannon' => (wanted === 'autocannon' || !hasWrk() ? 'autocannon' : 'wrk');

// On 2 cores, servers on one and the load generator on the other keeps them from trading places.
const canPin = spawnSync('taskset', ['-c', '0', 'true']).status === 0;
export const pin = (pid: number | undefined, cpu: number): boolean =>
  canPin && pid !== undefined && spawnSync('taskset', ['-a', '-p', '-c', String(cpu), String(pid)]).status === 0;

const children = new Set<ChildProcess>();
// Servers never outlive the benchmark, whatever way it ends.
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});

export const start = (name: string, file: string, env: Record<string, string>, headers?: Record<string, string>): Promise<Server> =>
  new Promise((resolve, reject) => {
    const child = fork(join(import.meta.dirname, 'servers', file), [], { execArgv: ['--import', 'tsx'], env: { ...process.env, ...env } });
    children.add(child);
    child.once('message', (m: { type: string; port: number }) => {
      pin(child.pid, 1);
      resolve({ name, child, base: `http://127.0.0.1:${m.port}`, headers });
    });
    child.once('exit', (code) => reject(new Error(`${name} server exited with ${code}`)));
  });

/** GET with our Host header (fetch may not set Host). */
export const get = (base: string, path: string, accept: string, method = 'GET', body?: string, headers: Readonly<Record<string, string>> = {}): Promise<{ status: number; type: string; body: string }> =>
  new Promise((resolve, reject) => {
    const url = new URL(base);
    const req = request(
      { host: url.hostname, port: url.port, path, method, headers: { Host: HOST, Accept: accept, ...headers, ...(body ? { 'Content-Type': 'application/json' } : {}) } },
      (res) => {
        let s = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (s += d));
        res.on('end', () => resolve({ status: res.statusCode!, type: String(res.headers['content-type']), body: s }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });

/** The server's CPU time and GC pause time so far, by its own accounting. */
const cpuMicros = (s: Server): Promise<{ micros: number; gcMicros: number }> =>
  new Promise((resolve) => {
    const on = (m: { type: string; micros: number; gcMicros: number }) => {
      if (m.type !== 'cpu') return;
      s.child.off('message', on);
      resolve(m);
    };
    s.child.on('message', on);
    s.child.send({ type: 'cpu' });
  });

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

const load = (o: Options, s: Server, e: Endpoint, seconds: number): Promise<LoadResult> | LoadResult => {
  const lo = { url: s.base + e.path, accept: e.accept, seconds, connections: o.connections, host: HOST, headers: s.headers };
  return o.tool === 'wrk' ? wrk(lo) : cannon(lo);
};

/** Fails unless every server answers every endpoint with the same bytes. */
export const checkSameBytes = async (servers: readonly Server[], endpoints: readonly Endpoint[]): Promise<Map<Endpoint, string>> => {
  const bodies = new Map<Endpoint, string>();
  for (const e of endpoints) {
    const first = await get(servers[0]!.base, e.path, e.accept, 'GET', undefined, servers[0]!.headers);
    if (first.status !== 200) throw new Error(`${servers[0]!.name}: ${e.name} answered ${first.status}`);
    for (const s of servers.slice(1)) {
      const other = await get(s.base, e.path, e.accept, 'GET', undefined, s.headers);
      if (other.body !== first.body) throw new Error(`${s.name} answers different bytes than ${servers[0]!.name} for ${e.name}`);
    }
    bodies.set(e, first.body);
  }
  return bodies;
};

/**
 * Interleaved rounds; prints medians per server and, for each pair asked for, the median of the
 * per-round ratios (runs next to each other in time) with their range.
 */
export const runRounds = async (o: Options, servers: readonly Server[], endpoints: readonly Endpoint[], pairs: readonly [number, number][], bodies: Map<Endpoint, string>) => {
  for (const s of servers) for (const e of endpoints) await load(o, s, e, 1); // warm-up (JIT)
  const results = new Map<string, { rps: number[]; p99: number[]; cpu: number[]; gc: number[] }>();
  const series = (e: Endpoint, s: Server) => results.get(`${e.name}|${s.name}`)!;
  for (let r = 0; r < o.rounds; r++) {
    for (const e of endpoints) {
      for (let i = 0; i < servers.length; i++) {
        const s = servers[(i + r) % servers.length]!;
        const before = await cpuMicros(s);
        const res = await load(o, s, e, o.seconds);
        const after = await cpuMicros(s);
        const key = `${e.name}|${s.name}`;
        const acc = results.get(key) ?? { rps: [], p99: [], cpu: [], gc: [] };
        acc.rps.push(res.rps);
        acc.p99.push(res.p99ms);
        acc.cpu.push((after.micros - before.micros) / res.requests);
        acc.gc.push((after.gcMicros - before.gcMicros) / res.requests);
        results.set(key, acc);
      }
    }
    process.stderr.write(`round ${r + 1}/${o.rounds} done\n`);
  }
  for (const e of endpoints) {
    console.log(`\n${e.name}  (${bodies.get(e)!.length} bytes)`);
    console.log(`  ${'server'.padEnd(30)}${'req/s'.padStart(10)}${'p99 ms'.padStart(9)}${'CPU us/req'.padStart(12)}${'GC us/req'.padStart(11)}`);
    for (const s of servers) {
      const x = series(e, s);
      console.log(`  ${s.name.padEnd(30)}${median(x.rps).toFixed(0).padStart(10)}${median(x.p99).toFixed(2).padStart(9)}${median(x.cpu).toFixed(1).padStart(12)}${median(x.gc).toFixed(1).padStart(11)}`);
    }
    for (const [a, b] of pairs) {
      const x = series(e, servers[a]!);
      const y = series(e, servers[b]!);
      const ratios = x.rps.map((v, i) => v / y.rps[i]!).sort((p, q) => p - q);
      const cpu = median(x.cpu.map((v, i) => y.cpu[i]! / v));
      console.log(`  ${`${servers[a]!.name} / ${servers[b]!.name}`.padEnd(50)} ${median(ratios).toFixed(2)}x req/s (rounds ${ratios[0]!.toFixed(2)}-${ratios[ratios.length - 1]!.toFixed(2)}), ${cpu.toFixed(2)}x CPU efficiency`);
    }
  }
};
