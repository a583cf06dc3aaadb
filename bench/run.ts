/**
 * npm run bench: the gateway with generated extensions against bare Hono and raw node:http
 * answering the same bytes, in one run, in interleaved time-bounded rounds. Reports medians of
 * req/s, p99 and the server's own CPU time per request, and the ratios that matter:
 * gateway / bare Hono and gateway / raw node. Compare ratios within a run, never across runs.
 *
 *   npm run bench -- --rounds 5 --seconds 3 --connections 32 --extensions 100
 */
import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { cannon, hasWrk, wrk, type LoadResult } from './load.ts';
import type { Fixture } from './servers/common.ts';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '7' },
    seconds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '32' },
    extensions: { type: 'string', default: '100' },
    tool: { type: 'string' },
  },
});
const rounds = Number(values.rounds);
const seconds = Number(values.seconds);
const connections = Number(values.connections);
const extensionCount = Number(values.extensions);
const tool = values.tool ?? (hasWrk() ? 'wrk' : 'autocannon');
// On 2 cores, servers on one and the load generator on the other keeps them from trading places.
const pinning = spawnSync('taskset', ['-c', '0', 'true']).status === 0 && tool === 'wrk';
const pin = (pid: number | undefined, cpu: number) => {
  if (pinning && pid !== undefined) spawnSync('taskset', ['-a', '-p', '-c', String(cpu), String(pid)]);
};

/** N valid extensions in a temporary folder, the way an operator would add them. */
const generateExtensions = (n: number): string => {
  const root = mkdtempSync(join(tmpdir(), 'extgate-bench-'));
  for (let i = 0; i < n; i++) {
    const alias = `OS-GEN${String(i).padStart(4, '0')}`;
    mkdirSync(join(root, alias));
    const def = {
      name: `Generated extension ${i}`,
      namespace: `http://docs.openstack.org/compute/ext/gen${i}/api/v1.1`,
      alias,
      updated: '2026-11-29T00:00:00Z',
      description: `Generated for the benchmark: a description of realistic length for extension number ${i}.`,
      links: [
        { rel: 'describedby', type: 'application/pdf', href: `https://extgate.dev/ext/gen${i}.pdf` },
        { rel: 'describedby', type: 'application/vnd.sun.wadl+xml', href: `https://extgate.dev/ext/gen${i}.wadl` },
      ],
    };
    writeFileSync(join(root, alias, 'index.ts'), `import { defineExtension } from 'extgate';\nexport default defineExtension(${JSON.stringify(def)});\n`);
  }
  return root;
};

interface Server {
  readonly name: string;
  readonly child: ChildProcess;
  readonly base: string;
}

const start = (name: string, file: string, env: Record<string, string>): Promise<Server> =>
  new Promise((resolve, reject) => {
    const child = fork(join(import.meta.dirname, 'servers', file), [], { execArgv: ['--import', 'tsx'], env: { ...process.env, ...env } });
    child.once('message', (m: { type: string; port: number }) => {
      pin(child.pid, 1);
      resolve({ name, child, base: `http://127.0.0.1:${m.port}` });
    });
    child.once('exit', (code) => reject(new Error(`${name} server exited with ${code}`)));
  });

const cpuMicros = (s: Server): Promise<number> =>
  new Promise((resolve) => {
    const on = (m: { type: string; micros: number }) => {
      if (m.type !== 'cpu') return;
      s.child.off('message', on);
      resolve(m.micros);
    };
    s.child.on('message', on);
    s.child.send({ type: 'cpu' });
  });

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

const load = (url: string, accept: string, secs: number): Promise<LoadResult> | LoadResult =>
  tool === 'wrk' ? wrk({ url, accept, seconds: secs, connections }) : cannon({ url, accept, seconds: secs, connections });

const main = async () => {
  const dir = generateExtensions(extensionCount);
  const gateway = await start('gateway', 'gateway.ts', { BENCH_CONFIG: JSON.stringify({ extensions: { builtin: false, paths: [dir] } }) });
  const middle = `OS-GEN${String(Math.floor(extensionCount / 2)).padStart(4, '0')}`;
  const endpoints = [
    { name: 'GET /v1/extensions (JSON)', path: '/v1/extensions', accept: 'application/json' },
    { name: 'GET /v1/extensions (XML)', path: '/v1/extensions', accept: 'application/xml' },
    { name: `GET /v1/extensions/{alias} (JSON)`, path: `/v1/extensions/${middle}`, accept: 'application/json' },
  ];
  const fixtures: Fixture[] = [];
  for (const e of endpoints) {
    const res = await fetch(gateway.base + e.path, { headers: { Accept: e.accept } });
    fixtures.push({ path: e.path, accept: e.accept, contentType: res.headers.get('content-type')!, body: await res.text() });
  }
  const env = { BENCH_FIXTURES: JSON.stringify(fixtures) };
  const servers = [gateway, await start('bare Hono', 'hono.ts', env), await start('raw node:http', 'node.ts', env)];

  // Same bytes from every server, or the comparison means nothing.
  for (const [i, e] of endpoints.entries()) {
    for (const s of servers) {
      const body = await (await fetch(s.base + e.path, { headers: { Accept: e.accept } })).text();
      if (body !== fixtures[i]!.body) throw new Error(`${s.name} answers different bytes for ${e.name}`);
    }
  }
  pin(process.pid, 0);
  console.log(`extgate bench: ${extensionCount} extensions, ${tool}${pinning ? ' (pinned to core 0, servers to core 1)' : ''}, ${connections} connections, ${rounds} rounds x ${seconds}s, interleaved`);
  for (const s of servers) for (const e of endpoints) await load(s.base + e.path, e.accept, 1); // warm-up (JIT)

  const results = new Map<string, { rps: number[]; p99: number[]; cpu: number[] }>();
  const series = (e: string, s: string) => results.get(`${e}|${s}`)!;
  for (let r = 0; r < rounds; r++) {
    for (const e of endpoints) {
      const order = servers.map((_, i) => servers[(i + r) % servers.length]!);
      for (const s of order) {
        const before = await cpuMicros(s);
        const res = await load(s.base + e.path, e.accept, seconds);
        const cpu = (await cpuMicros(s)) - before;
        const key = `${e.name}|${s.name}`;
        const acc = results.get(key) ?? { rps: [], p99: [], cpu: [] };
        acc.rps.push(res.rps);
        acc.p99.push(res.p99ms);
        acc.cpu.push(cpu / res.requests);
        results.set(key, acc);
      }
    }
    process.stderr.write(`round ${r + 1}/${rounds} done\n`);
  }

  for (const e of endpoints) {
    console.log(`\n${e.name}  (${fixtures[endpoints.indexOf(e)]!.body.length} bytes)`);
    console.log(`  ${'server'.padEnd(16)}${'req/s'.padStart(10)}${'p99 ms'.padStart(9)}${'CPU us/req'.padStart(12)}`);
    const m = (s: Server) => {
      const acc = results.get(`${e.name}|${s.name}`)!;
      return { rps: median(acc.rps), p99: median(acc.p99), cpu: median(acc.cpu) };
    };
    for (const s of servers) {
      const x = m(s);
      console.log(`  ${s.name.padEnd(16)}${x.rps.toFixed(0).padStart(10)}${x.p99.toFixed(2).padStart(9)}${x.cpu.toFixed(1).padStart(12)}`);
    }
    // Ratios are paired within each round (the runs sit next to each other in time), then the median.
    const g = series(e.name, servers[0]!.name);
    for (const other of servers.slice(1)) {
      const o = series(e.name, other.name);
      const rps = median(g.rps.map((x, i) => x / o.rps[i]!));
      const cpu = median(g.cpu.map((x, i) => o.cpu[i]! / x));
      const spread = g.rps.map((x, i) => x / o.rps[i]!).sort((a, b) => a - b);
      console.log(`  gateway / ${other.name.padEnd(14)} ${rps.toFixed(2)}x req/s (rounds ${spread[0]!.toFixed(2)}-${spread[spread.length - 1]!.toFixed(2)}), ${cpu.toFixed(2)}x CPU efficiency`);
    }
  }
  for (const s of servers) s.child.kill();
};

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
