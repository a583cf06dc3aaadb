/**
 * npm run bench: the gateway against bare Hono and raw node:http (discovery), and against a
 * hand-written Hono handler on the same store (compute reads), in one run each, in interleaved
 * time-bounded rounds. Compare ratios within a run, never across runs.
 *
 *   npm run bench -- --suite all|discovery|compute|identity|ops|startup|scale --rounds 15 --seconds 2 --connections 32
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { checkSameBytes, chooseTool, get, pin, runRounds, start, type Endpoint, type Options } from './harness.ts';
import type { Fixture } from './servers/common.ts';
import { startKeystoneStub } from './keystone-stub.ts';
import { scale } from './scale.ts';

const { values } = parseArgs({
  options: {
    suite: { type: 'string', default: 'all' },
    rounds: { type: 'string', default: '15' },
    seconds: { type: 'string', default: '2' },
    connections: { type: 'string', default: '32' },
    extensions: { type: 'string', default: '100' },
    tool: { type: 'string' },
  },
});
const options: Options = { rounds: Number(values.rounds), seconds: Number(values.seconds), connections: Number(values.connections), tool: chooseTool(values.tool) };

/** N valid extensions in a temporary folder that add nothing to any route, as an operator would add them. */
const generateExtensions = (n: number, prefix = 'OS'): string => {
  const root = mkdtempSync(join(tmpdir(), 'extgate-bench-'));
  for (let i = 0; i < n; i++) {
    const alias = `${prefix}-GEN${String(i).padStart(4, '0')}`;
    mkdirSync(join(root, alias));
    const def = {
      name: `Generated extension ${i}`,
      namespace: `http://docs.openstack.org/compute/ext/${prefix.toLowerCase()}-gen${i}/api/v1.1`,
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

const jsonFile = (value: unknown): string => {
  const file = join(mkdtempSync(join(tmpdir(), 'extgate-bench-config-')), 'config.json');
  writeFileSync(file, JSON.stringify(value));
  return file;
};

/** The bytes the gateway answered, in a file the baseline servers read. */
const fixturesFile = (bodies: Map<Endpoint, string>): string => {
  const fixtures: Fixture[] = [...bodies].map(([e, body]) => ({ path: e.path, accept: e.accept, contentType: e.accept, body }));
  const file = join(mkdtempSync(join(tmpdir(), 'extgate-bench-fixtures-')), 'fixtures.json');
  writeFileSync(file, JSON.stringify(fixtures));
  return file;
};

/** Discovery: 100 generated extensions; the same bytes from bare Hono and raw node:http. */
const discovery = async () => {
  const n = Number(values.extensions);
  const dir = generateExtensions(n);
  const store = join(mkdtempSync(join(tmpdir(), 'extgate-bench-store-')), 'db.sqlite');
  const gateway = await start('gateway', 'gateway.ts', { BENCH_CONFIG: JSON.stringify({ store: { path: store }, extensions: { builtin: false, paths: [dir] } }) });
  const endpoints: Endpoint[] = [
    { name: 'GET /v1/extensions (JSON)', path: '/v1/extensions', accept: 'application/json' },
    { name: 'GET /v1/extensions (XML)', path: '/v1/extensions', accept: 'application/xml' },
    { name: 'GET /v1/extensions/{alias} (JSON)', path: `/v1/extensions/OS-GEN${String(Math.floor(n / 2)).padStart(4, '0')}`, accept: 'application/json' },
  ];
  const bodies = await checkSameBytes([gateway], endpoints);
  const env = { BENCH_FIXTURES: fixturesFile(bodies) };
  const servers = [gateway, await start('bare Hono', 'hono.ts', env), await start('raw node:http', 'node.ts', env)];
  await checkSameBytes(servers, endpoints);
  console.log(`\n== discovery: ${n} extensions, ${options.tool}, ${options.connections} connections, ${options.rounds} rounds x ${options.seconds}s, interleaved`);
  await runRounds(options, servers, endpoints, [[0, 1], [0, 2]], bodies);
  for (const s of servers) s.child.kill();
};

/**
 * Compute reads with every shipped extension decorating them: against a hand-written bare Hono
 * handler that reads the same store and answers the same bytes, and the gateway again with 1,000
 * more extensions that touch none of these routes, each promoted (RAX-GENn -> OS-GENn, old names
 * kept): names are spelled when the registry is built, so neither the extensions nor their
 * lineage may cost these requests anything.
 */
const compute = async () => {
  const store = join(mkdtempSync(join(tmpdir(), 'extgate-bench-store-')), 'db.sqlite');
  const config = { store: { path: store }, durations: { BUILD: 0, 'RAX-CBS:ATTACHING': 0 } };
  const gateway = await start('gateway', 'gateway.ts', { BENCH_CONFIG: JSON.stringify(config) });
  let id = '';
  for (let i = 0; i < 100; i++) {
    const body = JSON.stringify({ server: { name: `server-${i}`, imageRef: '70a599e0-31e7-49b7-b260-868f441e862b', flavorRef: '1b1e4c4a-0a4d-4c52-9c6e-6d1f0c1a0001', metadata: { role: 'web', index: String(i) }, 'RAX-DCF:diskConfig': i % 2 ? 'AUTO' : 'MANUAL', 'MLTI-TAGS:tags': ['bench', `n${i}`] } });
    const r = await get(gateway.base, '/v1/servers', 'application/json', 'POST', body);
    id ||= JSON.parse(r.body).server.id;
  }
  await get(gateway.base, `/v1/servers/${id}/action`, 'application/json', 'POST', JSON.stringify({ 'RAX-CBS:mount_volume': { CBSID: '123' } }));
  const endpoints: Endpoint[] = [
    { name: 'GET /v1/servers/{id} (JSON)', path: `/v1/servers/${id}`, accept: 'application/json' },
    { name: 'GET /v1/servers/{id} (XML)', path: `/v1/servers/${id}`, accept: 'application/xml' },
    { name: 'GET /v1/servers/detail?limit=100 (JSON)', path: '/v1/servers/detail?limit=100', accept: 'application/json' },
    { name: 'GET /v1/servers/detail?limit=100 (XML)', path: '/v1/servers/detail?limit=100', accept: 'application/xml' },
  ];
  const bodies = await checkSameBytes([gateway], endpoints);
  const extra = generateExtensions(1000, 'RAX');
  const promotions = Array.from({ length: 1000 }, (_, i) => {
    const n = String(i).padStart(4, '0');
    return { from: `RAX-GEN${n}`, to: `OS-GEN${n}`, since: 'v1', namespace: `http://docs.openstack.org/compute/ext/os-gen${i}/api/v1.1`, oldNames: 'both' };
  });
  const servers = [
    gateway,
    await start('hand-written Hono', 'hand-written.ts', { BENCH_STORE: store }),
    await start('gateway + 1,000 promoted ext.', 'gateway.ts', { BENCH_CONFIG_FILE: jsonFile({ ...config, extensions: { paths: [extra] }, promotions }) }),
  ];
  await checkSameBytes(servers, endpoints);
  console.log(`\n== compute reads: every shipped extension, 100 servers, ${options.tool}, ${options.connections} connections, ${options.rounds} rounds x ${options.seconds}s, interleaved`);
  await runRounds(options, servers, endpoints, [[0, 1], [2, 0]], bodies);
  for (const s of servers) s.child.kill();
};

/**
 * Identity: a read with a Keystone token the gateway has cached, against the same read in noauth,
 * on the same store: what the gate, the cache lookup and the project filter cost a request.
 */
const identity = async () => {
  const project = 'bench-project';
  const keystone = await startKeystoneStub(project);
  const store = join(mkdtempSync(join(tmpdir(), 'extgate-bench-store-')), 'db.sqlite');
  const config = { store: { path: store }, durations: { BUILD: 0 } };
  const noauth = await start('gateway, noauth', 'gateway.ts', { BENCH_CONFIG: JSON.stringify(config) });
  let id = '';
  for (let i = 0; i < 100; i++) {
    const body = JSON.stringify({ server: { name: `server-${i}`, imageRef: '70a599e0-31e7-49b7-b260-868f441e862b', flavorRef: '1b1e4c4a-0a4d-4c52-9c6e-6d1f0c1a0001', metadata: { index: String(i) } } });
    const r = await get(noauth.base, `/v1/${project}/servers`, 'application/json', 'POST', body);
    id ||= JSON.parse(r.body).server.id;
  }
  const auth = { strategy: 'keystone', keystone: { url: keystone.url, username: 'extgate', password: 'bench', project: 'service' } };
  const keystoneGateway = await start('gateway, Keystone token cached', 'gateway.ts', { BENCH_CONFIG: JSON.stringify({ ...config, auth }) }, { 'X-Auth-Token': 'gAAAAABbenchmarktoken' });
  const servers = [noauth, keystoneGateway];
  // Unscoped paths: in noauth the default project (an admin's: everything), behind Keystone the token's.
  const endpoints: Endpoint[] = [
    { name: 'GET /v1/servers/{id} (JSON)', path: `/v1/servers/${id}`, accept: 'application/json' },
    { name: 'GET /v1/servers/{id} (XML)', path: `/v1/servers/${id}`, accept: 'application/xml' },
    { name: 'GET /v1/servers/detail?limit=100 (JSON)', path: '/v1/servers/detail?limit=100', accept: 'application/json' },
    { name: 'GET /v1/extensions (JSON)', path: '/v1/extensions', accept: 'application/json' },
  ];
  const bodies = await checkSameBytes(servers, endpoints);
  console.log(`\n== identity: a cached Keystone token against noauth, ${options.tool}, ${options.connections} connections, ${options.rounds} rounds x ${options.seconds}s, interleaved`);
  await runRounds(options, servers, endpoints, [[1, 0]], bodies);
  console.log(`\nKeystone validations during the whole run: ${keystone.validations()}`);
  for (const s of servers) s.child.kill();
  keystone.close();
};

/** Operations: the same gateway with metrics (the default) and request logs on, with both off, and with rate limits too, on one store. */
const ops = async () => {
  const store = join(mkdtempSync(join(tmpdir(), 'extgate-bench-store-')), 'db.sqlite');
  const config = { store: { path: store }, durations: { BUILD: 0 } };
  const on = await start('gateway, metrics + logs', 'gateway.ts', { BENCH_CONFIG: JSON.stringify(config), BENCH_LOGS: process.env.BENCH_LOGS ?? '1' });
  let id = '';
  for (let i = 0; i < 100; i++) {
    const body = JSON.stringify({ server: { name: `server-${i}`, imageRef: '70a599e0-31e7-49b7-b260-868f441e862b', flavorRef: '1b1e4c4a-0a4d-4c52-9c6e-6d1f0c1a0001', 'MLTI-TAGS:tags': ['bench'] } });
    const r = await get(on.base, '/v1/servers', 'application/json', 'POST', body);
    if (r.status !== 202) throw new Error(`create: ${r.status} ${r.body}`);
    id ||= JSON.parse(r.body).server.id;
  }
  const off = await start('gateway, neither', 'gateway.ts', { BENCH_CONFIG: JSON.stringify({ ...config, metrics: false }) });
  // Rate limits that never refuse: what counting every request in its buckets costs.
  const rateLimits = [{ verb: 'GET', value: 1_000_000_000, unit: 'SECOND' }, { verb: 'POST', value: 1_000_000_000, unit: 'SECOND' }];
  const limited = await start('gateway, metrics + logs + rate limits', 'gateway.ts', { BENCH_CONFIG: JSON.stringify({ ...config, rateLimits }), BENCH_LOGS: process.env.BENCH_LOGS ?? '1' });
  const servers = [on, off, limited];
  const endpoints: Endpoint[] = [
    { name: 'GET /v1/servers/{id} (JSON)', path: `/v1/servers/${id}`, accept: 'application/json' },
    { name: 'GET /v1/servers/detail?limit=100 (JSON)', path: '/v1/servers/detail?limit=100', accept: 'application/json' },
    { name: 'GET /v1/extensions (JSON)', path: '/v1/extensions', accept: 'application/json' },
  ];
  const bodies = await checkSameBytes(servers, endpoints);
  console.log(`\n== operations: metrics and request logs on against both off; rate limits on top, ${options.tool}, ${options.connections} connections, ${options.rounds} rounds x ${options.seconds}s, interleaved`);
  await runRounds(options, servers, endpoints, [[0, 1], [2, 0]], bodies);
  for (const s of servers) s.child.kill();
};

/**
 * Start-up: `npm start` (the command in package.json, without npm's own start) from spawn to the
 * first 200 on /v1, median of `rounds` starts: with the shipped extensions and with 1,000 more
 * TypeScript extensions outside the project, each once as it is met first (a fresh clone after
 * its install; extensions not compiled yet) and once as it is met after. The fresh clone is of the
 * last commit, with this checkout's node_modules standing in for `npm ci`, whose prepare script
 * (the compiled tree) it runs.
 */
const startup = async () => {
  const project = join(import.meta.dirname, '..');
  const command = (JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
  const [program, ...args] = command.split(' ');
  const timeStart = async (config: Record<string, unknown>, cwd = project): Promise<number> => {
    const dir = mkdtempSync(join(tmpdir(), 'extgate-bench-start-'));
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ store: { path: join(dir, 'db.sqlite') }, port: 0, logRequests: false, ...config }));
    const started = performance.now();
    const child = spawn(program === 'node' ? process.execPath : program!, [...args, '--config', file], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout!.on('data', (d) => {
        out += d;
        const m = /listening on (http:\/\/[^\s]+) /.exec(out);
        if (m) resolve(m[1]!);
      });
      child.stderr!.on('data', (d) => (out += d));
      child.once('exit', () => reject(new Error(`did not start:\n${out}`)));
    });
    for (;;) {
      const r = await get(url, '/v1', 'application/json').catch(() => undefined);
      if (r?.status === 200) break;
    }
    const ms = performance.now() - started;
    child.kill('SIGKILL');
    return ms;
  };
  const freshClone = (): string => {
    const dir = join(mkdtempSync(join(tmpdir(), 'extgate-bench-clone-')), 'extgate');
    execFileSync('git', ['clone', '-q', '--depth', '1', `file://${project}`, dir]);
    symlinkSync(join(project, 'node_modules'), join(dir, 'node_modules'));
    execFileSync('npm', ['run', '--silent', 'prepare'], { cwd: dir });
    return dir;
  };
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const extra = generateExtensions(1000, 'RAX');
  const cases: [string, () => Promise<number>][] = [
    ['fresh clone, first start', () => timeStart({}, freshClone())],
    ['fresh clone, no prepare', () => { const dir = freshClone(); rmSync(join(dir, 'dist'), { recursive: true }); return timeStart({}, dir); }],
    ['shipped extensions', () => timeStart({})],
    ['+ 1,000 extensions, first start', () => timeStart({ extensions: { paths: [generateExtensions(1000, 'RAX')] } })],
    ['+ 1,000 extensions', () => timeStart({ extensions: { paths: [extra] } })],
  ];
  console.log(`\n== start-up: \`${command}\` to the first 200 on /v1, median of ${options.rounds} starts`);
  await timeStart({ extensions: { paths: [extra] } });
  for (const [name, run] of cases) {
    const times: number[] = [];
    for (let i = 0; i < options.rounds; i++) times.push(await run());
    console.log(`  ${name.padEnd(32)} ${median(times).toFixed(0).padStart(6)} ms (min ${Math.min(...times).toFixed(0)}, max ${Math.max(...times).toFixed(0)})`);
  }
};

const main = async () => {
  pin(process.pid, 0);
  if (values.suite === 'ops') await ops();
  if (values.suite === 'startup') await startup();
  if (values.suite === 'scale') await scale(options);
  if (values.suite === 'identity') await identity();
  if (values.suite === 'all' || values.suite === 'discovery') await discovery();
  if (values.suite === 'all' || values.suite === 'compute') await compute();
};

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
