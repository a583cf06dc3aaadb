import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPostgresStore } from '../src/store/postgres.ts';
import { openSqliteStore } from '../src/store/sqlite.ts';
import type { Store } from '../src/store/store.ts';
import { startCluster } from '../test/harness/cluster.ts';
import { startPostgres } from '../test/harness/postgres.ts';
import { checkSameBytes, get, HOST, pin, runRounds, start, type Endpoint, type Options } from './harness.ts';

/**
 * Scale-out (issue 13): one instance on PostgreSQL against one on SQLite (item and page reads,
 * interleaved rounds); a page of 100 out of 100 and out of 100,000 servers on both, unfiltered and
 * filtered (by image, by status and by an extension's tag: a filter that 100 of the 100,000 match,
 * and one nearly all match; by a name's text that one, one in 16 and all of them hold); then reads
 * and writes through nginx with 1, 2 and 4 instances on one PostgreSQL (req/s, p99, errors). On
 * this 2-core machine more instances cannot mean more throughput: the point is that they add no
 * errors.
 *
 * BENCH_SCALE_PARTS=1,2 runs only those parts (the third, through nginx, takes the longest).
 */
const SERVER = { imageRef: '70a599e0-31e7-49b7-b260-868f441e862b', flavorRef: '1b1e4c4a-0a4d-4c52-9c6e-6d1f0c1a0001' };
/** The other seeded image: one in a thousand of the 100,000 servers was built from it, and is stopped. */
const RARE_IMAGE = '155d900f-4e14-4e4c-a73d-069cbf4541e6';
const parts = new Set((process.env.BENCH_SCALE_PARTS ?? '1,2,3').split(',').map((p) => p.trim()));
const createBody = (name: string) => JSON.stringify({ server: { name, ...SERVER, metadata: { bench: 'scale' } } });

/** Copies of a stored server under new ids, a thousand to a unit of work; the last of each thousand built from RARE_IMAGE, SHUTOFF and tagged rare. */
const bulkInsert = async (store: Store, template: { doc: Record<string, unknown>; project: string }, ids: readonly string[]) => {
  for (let i = 0; i < ids.length; i += 1000) {
    const tx = store.begin();
    ids.slice(i, i + 1000).forEach((id, j) => {
      const doc: Record<string, unknown> = { ...template.doc, id, name: `bulk-${id.slice(0, 8)}` };
      if (j === 999) {
        doc.imageId = RARE_IMAGE;
        doc.status = 'SHUTOFF';
        doc['MLTI-TAGS:tags'] = ['rare'];
        delete doc.pending;
      }
      tx.insert('servers', id, doc, template.project);
    });
    await tx.commit();
  }
};

/** wrk for a fixed time, GET or POST; what it measured and how many answers were not 2xx. */
const wrkRun = (url: string, seconds: number, connections: number, post?: string): { rps: number; p99ms: number; errors: number } => {
  const args = ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', '-H', 'Accept: application/json', '-H', `Host: ${HOST}`];
  if (post !== undefined) {
    const script = join(mkdtempSync(join(tmpdir(), 'extgate-bench-wrk-')), 'post.lua');
    writeFileSync(script, `wrk.method = "POST"\nwrk.body = ${JSON.stringify(post)}\nwrk.headers["Content-Type"] = "application/json"\n`);
    args.push('-s', script);
  }
  const out = execFileSync('wrk', [...args, url], { encoding: 'utf8' });
  const p99 = /99%\s+([\d.]+)(us|ms|s)/.exec(out)!;
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const errors = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0) + (socket === null ? 0 : socket.slice(1).reduce((a, b) => a + Number(b), 0));
  return { rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)![1]), p99ms: Number(p99[1]) * ({ us: 0.001, ms: 1, s: 1000 } as Record<string, number>)[p99[2]!]!, errors };
};

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export const scale = async (options: Options) => {
  if (parts.has('1') || parts.has('2')) await pages(options);
  if (parts.has('3')) await throughNginx(options);
};

const pages = async (options: Options) => {
  const pg = await startPostgres({ durable: true });
  // The database is the server's side: on the servers' core, its connections' processes too (forked
  // from the postmaster), the load generator alone on the other, as it is for SQLite.
  pin(pg.pid(), 1);
  try {
    // 1. One instance each, the same 100 servers (same ids): PostgreSQL against SQLite.
    const file = join(mkdtempSync(join(tmpdir(), 'extgate-bench-store-')), 'db.sqlite');
    const url = await pg.createDatabase();
    const config = { durations: { BUILD: 0 } };
    const sqlite = await start('one instance, SQLite', 'gateway.ts', { BENCH_CONFIG: JSON.stringify({ ...config, store: { path: file } }) });
    for (let i = 0; i < 100; i++) await get(sqlite.base, '/v1/servers', 'application/json', 'POST', createBody(`server-${i}`));
    const onPostgres = await start('one instance, PostgreSQL', 'gateway.ts', { BENCH_CONFIG: JSON.stringify({ ...config, store: { url } }) });
    const fromSqlite = openSqliteStore(file);
    // Bulk loading: a unit of a thousand inserts may take a while.
    const toPostgres = await openPostgresStore({ url, timeoutMs: 120_000 });
    const tx = toPostgres.begin();
    for (const d of await fromSqlite.list('servers')) tx.insert('servers', d.id, d.doc, d.project);
    await tx.commit();
    const [first] = await fromSqlite.list('servers', { limit: 1 });
    const servers = [sqlite, onPostgres];
    const reads: Endpoint[] = [
      { name: 'GET /v1/servers/{id} (JSON)', path: `/v1/servers/${first!.id}`, accept: 'application/json' },
      { name: 'GET /v1/servers/detail?limit=100 (JSON), 100 servers', path: '/v1/servers/detail?limit=100', accept: 'application/json' },
    ];
    console.log(`\n== scale 1: one instance on PostgreSQL against one on SQLite, ${options.connections} connections, ${options.rounds} rounds x ${options.seconds}s, interleaved`);
    await runRounds(options, servers, reads, [[1, 0]], await checkSameBytes(servers, reads));

    if (parts.has('2')) {
      // 2. The same page out of 100,000 servers: the first, one 90,000 in, and filtered ones.
      const ids = Array.from({ length: 99_900 }, () => randomUUID());
      await bulkInsert(fromSqlite, first!, ids);
      await bulkInsert(toPostgres, first!, ids);
      const deep: Endpoint[] = [
        { name: 'GET /v1/servers/detail?limit=100 (JSON), 100,000 servers', path: '/v1/servers/detail?limit=100', accept: 'application/json' },
        { name: 'the page after the 90,000th', path: `/v1/servers/detail?limit=100&marker=${ids[89_900]}`, accept: 'application/json' },
        { name: 'filtered: ?image= that 100 of the 100,000 match', path: `/v1/servers/detail?image=${RARE_IMAGE}&limit=100`, accept: 'application/json' },
        { name: 'filtered: ?status=SHUTOFF, 100 of the 100,000', path: '/v1/servers/detail?status=SHUTOFF&limit=100', accept: 'application/json' },
        { name: 'filtered: ?status=ACTIVE, nearly all', path: '/v1/servers/detail?status=ACTIVE&limit=100', accept: 'application/json' },
        { name: 'filtered: ?MLTI-TAGS:tag=rare (an extension\'s), 100 of the 100,000', path: '/v1/servers/detail?MLTI-TAGS:tag=rare&limit=100', accept: 'application/json' },
      ];
      console.log(`\n== scale 2: a page of 100 out of 100,000 servers, unfiltered and filtered (compare with the page out of 100 above)`);
      await runRounds(options, servers, deep, [[1, 0]], await checkSameBytes(servers, deep));
      // A name's text: through the trigram index of names when few hold it, in creation order when many do.
      const byName: Endpoint[] = [
        { name: 'filtered: ?name= that 1 of the 100,000 matches', path: `/v1/servers/detail?name=bulk-${ids[50_000]!.slice(0, 8)}&limit=100`, accept: 'application/json' },
        { name: 'filtered: ?name=^bulk-0, 1 in 16', path: '/v1/servers/detail?name=%5Ebulk-0&limit=100', accept: 'application/json' },
        { name: 'filtered: ?name=bulk-, all of them', path: '/v1/servers/detail?name=bulk-&limit=100', accept: 'application/json' },
      ];
      await runRounds(options, servers, byName, [[1, 0]], await checkSameBytes(servers, byName));
    }
    for (const s of servers) s.child.kill();
    await fromSqlite.close();
    await toPostgres.close();
  } finally {
    await pg.close();
  }
};

const throughNginx = async (options: Options) => {
  // 3. Through nginx: 1, 2 and 4 instances on one PostgreSQL.
  console.log(`\n== scale 3: through nginx, N instances on one PostgreSQL, ${options.connections} connections, median of ${options.rounds} runs of ${options.seconds}s`);
  console.log(`  ${'instances'.padEnd(10)}${'read req/s'.padStart(12)}${'p99 ms'.padStart(9)}${'errors'.padStart(8)}${'write req/s'.padStart(13)}${'p99 ms'.padStart(9)}${'errors'.padStart(8)}`);
  for (const n of [1, 2, 4]) {
    const cluster = await startCluster({ instances: n, config: { durations: { BUILD: 0 } } });
    try {
      const lb = cluster.balancer.url;
      const created = await get(lb, '/v1/servers', 'application/json', 'POST', createBody('through-nginx'));
      const id = JSON.parse(created.body).server.id as string;
      const read = { rps: [] as number[], p99: [] as number[], errors: 0 };
      const write = { rps: [] as number[], p99: [] as number[], errors: 0 };
      wrkRun(`${lb}/v1/servers/${id}`, 1, options.connections); // warm-up
      for (let r = 0; r < options.rounds; r++) {
        for (const [acc, post] of [[read, undefined], [write, createBody('load')]] as const) {
          const res = wrkRun(post === undefined ? `${lb}/v1/servers/${id}` : `${lb}/v1/servers`, options.seconds, options.connections, post);
          acc.rps.push(res.rps);
          acc.p99.push(res.p99ms);
          acc.errors += res.errors;
        }
      }
      console.log(`  ${String(n).padEnd(10)}${median(read.rps).toFixed(0).padStart(12)}${median(read.p99).toFixed(1).padStart(9)}${String(read.errors).padStart(8)}${median(write.rps).toFixed(0).padStart(13)}${median(write.p99).toFixed(1).padStart(9)}${String(write.errors).padStart(8)}`);
    } finally {
      await cluster.stop();
    }
  }
};
