#!/usr/bin/env -S node --import tsx
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startKeystone, type Keystone } from '../test/harness/keystone.ts';
import { startCluster, type Cluster } from '../test/harness/cluster.ts';
import { hasNginx } from '../test/harness/nginx.ts';
import { hasPostgres } from '../test/harness/postgres.ts';
import { cleanupAll, daemon, freePort, run, tempDir } from '../test/harness/process.ts';
import { defaultServeArgs, DURATIONS, PROJECT, startExtgate, type Extgate } from './extgate.ts';
import { startGlanceStub, type GlanceStub } from './glance-stub.ts';
import { groupBy, summarise, table, type Failure, type TestRecord } from './results.ts';
import { tempestConf } from './tempest-conf.ts';

/**
 * Unmodified tempest (Debian python3-tempest) against extgate, with a real Keystone in front:
 * `npm run conformance -- [--group PREFIX]... [--regex R] [--extgate-args "..."] [--cluster N] [--allow-fail]`.
 */

const USAGE = `usage: npm run conformance -- [options]
  --group PREFIX       a tempest test-id prefix to run and count (repeatable; replaces the defaults)
  --regex R            run exactly this tempest regex (groups still count the results)
  --extgate-args STR   extra args of \`extgate serve\` (default: "--profile nova" if serve has it)
  --extgate-url URL    use an extgate already running there (e.g. under a debugger) instead
  --cluster N          N instances on one PostgreSQL behind nginx (test/harness/cluster.ts), tempest
                       pointed at the balancer (the report goes to conformance/out/cluster-N/)
  --compute-path vN    the API version the catalog's compute endpoint names (default v2)
  --concurrency N      tempest workers (default 2)
  --report FILE        the JSON report (default conformance/out/report.json)
  --allow-fail         exit 0 even when tests fail
  --noauth             serve extgate without identity (its default), not behind Keystone
  --keep               keep the temporary folders (Keystone, extgate, tempest workspace)
  --reparse            only summarise the last run again, from the report's folder`;

const DEFAULT_GROUPS = [
  'tempest.api.compute.flavors',
  'tempest.api.compute.images',
  'tempest.api.compute.servers.test_servers',
  'tempest.api.compute.servers.test_list_server_filters',
  'tempest.api.compute.servers.test_list_servers_negative',
  'tempest.api.compute.servers.test_create_server',
  'tempest.api.compute.servers.test_server_actions',
  // Another project's server is not there for a tenant (the keystone strategy keeps projects apart).
  'tempest.api.compute.servers.test_servers_negative.ServersNegativeTestMultiTenantJSON',
  // An admin lists every project's servers (all_tenants), or one project's (tenant_id).
  'tempest.api.compute.admin.test_servers.ServersAdminTestJSON.test_list_servers_by_admin',
  'tempest.api.compute.admin.test_servers.ServersAdminTestJSON.test_list_servers_by_admin_with_all_tenants',
  'tempest.api.compute.admin.test_servers.ServersAdminTestJSON.test_list_servers_by_admin_with_specified_tenant',
  'tempest.api.compute.test_extensions',
];
// extgate's seeded images and flavors (src/config.ts defaults).
const IMAGES: [string, string] = ['70a599e0-31e7-49b7-b260-868f441e862b', '155d900f-4e14-4e4c-a73d-069cbf4541e6'];
const FLAVORS: [string, string] = ['1b1e4c4a-0a4d-4c52-9c6e-6d1f0c1a0001', '1b1e4c4a-0a4d-4c52-9c6e-6d1f0c1a0002'];
const PYTHON = '/usr/bin/python3';
/** Tests left out, each with why: surface extgate does not serve that tempest has no flag for. */
const EXCLUDED = join(PROJECT, 'conformance/excluded.txt');
const excluded = (): { test: string; why: string }[] =>
  readFileSync(EXCLUDED, 'utf8').split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#')).map((l) => {
    const [test = '', why = ''] = l.split(/\s+#\s*/);
    return { test: test.trim().replaceAll('\\', ''), why: why.trim() };
  });
// Debian's tempest and stestr, not a python3 a version manager put first on PATH.
const ENV = { ...process.env, PATH: `/usr/bin:${process.env.PATH ?? ''}` };

const { values: args } = parseArgs({
  options: {
    group: { type: 'string', multiple: true },
    regex: { type: 'string' },
    'extgate-args': { type: 'string' },
    'extgate-url': { type: 'string' },
    cluster: { type: 'string' },
    'compute-path': { type: 'string', default: 'v2' },
    concurrency: { type: 'string', default: '2' },
    report: { type: 'string' },
    'allow-fail': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    noauth: { type: 'boolean', default: false },
    reparse: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}

const instances = args.cluster === undefined ? 0 : Number(args.cluster);
if (args.cluster !== undefined && !(Number.isInteger(instances) && instances >= 1)) {
  console.error(`--cluster takes a number of instances, 1 or more; got "${args.cluster}"\n${USAGE}`);
  process.exit(2);
}
if (instances > 0 && args['extgate-url'] !== undefined) {
  console.error(`--cluster and --extgate-url exclude each other\n${USAGE}`);
  process.exit(2);
}
const report = args.report ?? join(PROJECT, 'conformance/out', instances > 0 ? `cluster-${instances}` : '', 'report.json');
const groups = args.group ?? DEFAULT_GROUPS;
const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const regex = args.regex ?? `^(?:${groups.map(escapeRegex).join('|')})(?:[.\\[]|$)`;
const out = dirname(resolve(report));
mkdirSync(out, { recursive: true });

const t0 = Date.now();
const timings: Record<string, number> = {};
const since = (t: number) => Math.round((Date.now() - t) / 100) / 10;
const say = (m: string) => console.log(`[${since(t0).toFixed(1)}s] ${m}`);

const stops: (() => Promise<void>)[] = [];
const cleanup = async () => {
  for (const stop of stops.splice(0).reverse()) await stop().catch((e: unknown) => console.error(`cleanup: ${String(e)}`));
  await cleanupAll(); // what a start-up cut short by a signal made but never returned
};
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => void cleanup().then(() => process.exit(130)));

/** Runs tempest, showing one line per test as it finishes; its exit code says nothing we use. */
const runTempest = async (workspace: string, conf: string): Promise<void> => {
  // A daemon (own process group): a signal's clean-up stops tempest and its stestr workers too.
  const tempest = daemon('tempest', ['run', '--config-file', conf, '--regex', regex, '--exclude-list', EXCLUDED, '--concurrency', args.concurrency], { cwd: workspace, env: ENV });
  const log: Buffer[] = [];
  let partial = '';
  tempest.child.stdout!.on('data', (d: Buffer) => {
    log.push(d);
    const lines = (partial + d.toString()).split('\n');
    partial = lines.pop()!;
    for (const l of lines) if (/^\{\d+\} /.test(l)) console.log(`  ${l}`);
  });
  tempest.child.stderr!.on('data', (d: Buffer) => log.push(d));
  await tempest.exited;
  await tempest.stop(); // no-op unless stragglers
  writeFileSync(join(out, 'tempest-run.log'), Buffer.concat(log));
};

/** stestr's record of the last run, as one JSON object per test. */
const readResults = async (subunit: string): Promise<TestRecord[]> => {
  const json = await run('sh', ['-c', `'${PYTHON}' '${join(PROJECT, 'conformance/subunit2json.py')}' < '${subunit}'`], ENV);
  return json.split('\n').filter(Boolean).map((l) => JSON.parse(l) as TestRecord);
};

/** Which extgate ran: the commit and whether the work tree had changes (it is often mid-edit). */
const gitState = async () => {
  const git = (...a: string[]) => run('git', a, process.env, PROJECT).then((s) => s.trim(), () => '');
  return { commit: await git('rev-parse', 'HEAD'), changedFiles: (await git('status', '--porcelain')).split('\n').filter(Boolean).length };
};

const printFailures = (failures: Failure[]) => {
  const bySignature = groupBy(failures, (f) => f.signature);
  for (const [sig, fs] of [...bySignature].sort((a, b) => b[1].length - a[1].length)) {
    console.log(`\n== ${fs.length} x ${sig}`);
    for (const f of fs) {
      console.log(`  - ${f.id}`);
      if (f.at) console.log(`      at ${f.at}`);
      for (const l of f.exception.slice(0, 4)) console.log(`      ${l.slice(0, 300)}`);
      const r = f.culprit;
      if (r) console.log(`      ${r.method} ${r.url} -> ${r.status} ${(r.responseBody ?? '').slice(0, 300)}`);
    }
  }
};

/**
 * `--cluster N`: the scale-out deployment (test/harness/cluster.ts), N instances as `npm start`
 * runs them, on one PostgreSQL, nginx in front, with what the single instance gets (the same serve
 * arguments, identity, transient states); tempest knows only the balancer. Each instance's log
 * (warnings and errors, unless LOG_LEVEL says otherwise) is kept beside the report.
 */
let served: (() => Promise<{ requests: number; serverErrors: number }[]>) | undefined;
const startInstances = async (serveArgs: string[], config: Record<string, unknown>): Promise<Pick<Extgate, 'url' | 'stop'>> => {
  if (!hasPostgres || !hasNginx) throw new Error('--cluster needs PostgreSQL 15 and nginx (Debian: apt-get install postgresql nginx)');
  const cluster: Cluster = await startCluster({ instances, args: serveArgs, config: { durations: DURATIONS, ...config }, log: (l) => say(l) });
  // What each instance answered (its http_requests_total), to show the balancer spread the run.
  served = () =>
    Promise.all(cluster.instances.map(async (i) => {
      const text = await (await fetch(`${i.url}/metrics`)).text();
      let requests = 0;
      let serverErrors = 0;
      for (const m of text.matchAll(/^http_requests_total\{(.*)\} (\d+)$/gm)) {
        requests += Number(m[2]);
        if (/status="5\d\d"/.test(m[1]!)) serverErrors += Number(m[2]);
      }
      return { requests, serverErrors };
    }));
  return {
    url: cluster.balancer.url,
    stop: async () => {
      for (const [n, i] of cluster.instances.entries()) writeFileSync(join(out, `instance-${n}.log`), i.process.output());
      await cluster.stop();
    },
  };
};

const main = async (): Promise<number> => {
  const serveArgs = args['extgate-args'] !== undefined ? args['extgate-args'].split(/\s+/).filter(Boolean) : args['extgate-url'] ? [] : defaultServeArgs();
  const what = instances > 0 ? `${instances} extgate instances on PostgreSQL behind nginx` : 'extgate';
  say(args['extgate-url'] ? `starting Keystone; extgate at ${args['extgate-url']}` : `starting Keystone and ${what} (serve ${serveArgs.join(' ') || 'with no extra args'})`);
  // Independent: start both at once; Keystone's db_sync dominates.
  const timed = async <T>(name: string, p: Promise<T>): Promise<T> => {
    const t = Date.now();
    const v = await p;
    timings[name] = since(t);
    return v;
  };
  const external = args['extgate-url'];
  // extgate validates tempest's tokens with Keystone (the keystone strategy), as nova does; its
  // service user is Keystone's admin, who may validate tokens. It asks Keystone only once a
  // request comes, so both start at once: Keystone's port is chosen first.
  const keystonePort = await freePort();
  const adminPassword = 'secret-admin';
  const auth = args.noauth ? undefined : {
    strategy: 'keystone',
    keystone: { url: `http://127.0.0.1:${keystonePort}/v3`, username: 'admin', password: adminPassword, project: 'admin' },
  };
  const [ks, eg] = await Promise.allSettled([
    timed('keystoneStart', startKeystone({ keep: args.keep, port: keystonePort, adminPassword })),
    external
      ? Promise.resolve({ url: external.replace(/\/$/, ''), stop: async () => {} })
      : timed('extgateStart', instances > 0 ? startInstances(serveArgs, auth === undefined ? {} : { auth }) : startExtgate({ args: serveArgs, keep: args.keep, config: auth === undefined ? {} : { auth } })),
  ]);
  if (ks.status === 'fulfilled') stops.push(() => ks.value.stop());
  if (eg.status === 'fulfilled') stops.push(() => eg.value.stop());
  if (ks.status === 'rejected') throw ks.reason;
  if (eg.status === 'rejected') throw eg.reason;
  const keystone: Keystone = ks.value;
  const extgate: Pick<Extgate, 'url'> = eg.value;
  say(`Keystone ${keystone.url} (${timings.keystoneStart}s), ${instances > 0 ? 'the balancer' : 'extgate'} ${extgate.url}${external ? "" : ` (${timings.extgateStart}s)`}`);

  const computeRoot = `${extgate.url}/${args['compute-path']}`;
  const glance: GlanceStub = await startGlanceStub(computeRoot);
  stops.push(() => glance.stop());
  const computeEndpoint = `${computeRoot}/$(project_id)s`;
  await keystone.client.registerService('compute', 'nova', computeEndpoint, keystone.region);
  await keystone.client.registerService('image', 'glance', glance.url, keystone.region);
  const adminToken = (await keystone.client.issueToken({ user: keystone.adminUser, password: keystone.adminPassword, project: keystone.adminProject })).id;
  const extensions = ((await (await fetch(`${computeRoot}/extensions`, { headers: { 'X-Auth-Token': adminToken } })).json()) as { extensions: { alias: string }[] }).extensions.map((e) => e.alias);
  say(`catalog: compute ${computeEndpoint}, image ${glance.url}; extensions ${extensions.join(',')}`);

  const { path: tmp, remove } = tempDir('extgate-tempest-', args.keep);
  stops.unshift(async () => remove());
  const workspace = join(tmp, 'workspace');
  // An empty global config dir of our own, or `tempest init` makes ~/.tempest/etc.
  const globalConf = join(tmp, 'xdg/tempest');
  mkdirSync(globalConf, { recursive: true });
  await run('tempest', ['init', '--config-dir', globalConf, '--workspace-path', join(tmp, 'workspace.yaml'), workspace], { ...ENV, XDG_CONFIG_HOME: join(tmp, 'xdg') });
  const conf = join(workspace, 'etc/tempest.conf');
  writeFileSync(conf, tempestConf({
    workspace, keystoneUrl: keystone.url, region: keystone.region, images: IMAGES, flavors: FLAVORS, extensions,
    admin: { user: keystone.adminUser, password: keystone.adminPassword, project: keystone.adminProject, domain: keystone.adminDomain },
  }));
  copyFileSync(conf, join(out, 'tempest.conf'));

  say(`tempest run --regex '${regex}' --concurrency ${args.concurrency}`);
  const tRun = Date.now();
  await runTempest(workspace, conf);
  timings.tempestRun = since(tRun);
  const tempestLog = join(workspace, 'logs/tempest.log');
  if (existsSync(tempestLog)) copyFileSync(tempestLog, join(out, 'tempest.log'));
  await run('sh', ['-c', `stestr last --subunit > '${join(out, 'results.subunit')}'`], ENV, workspace);
  const instanceCounts = await served?.().catch((e: unknown) => [{ error: String(e) }]);
  if (instanceCounts !== undefined) say(`answered by each instance (its /metrics): ${instanceCounts.map((c, n) => `${n}: ${'requests' in c ? `${c.requests} (${c.serverErrors} 5xx)` : c.error}`).join(', ')}`);
  timings.total = since(t0);
  return finish({ date: new Date().toISOString(), git: await gitState(), regex, extgateArgs: serveArgs, ...(instances > 0 ? { cluster: { instances, answered: instanceCounts } } : {}), computeEndpoint, extensions, timings });
};

/** Summarises the run whose raw results are in `out`, prints it and writes the report. */
const finish = async (meta: Record<string, unknown> & { timings: Record<string, number> }): Promise<number> => {
  const records = await readResults(join(out, 'results.subunit'));
  const logFile = join(out, 'tempest.log');
  const summary = summarise(records, groups, existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
  const causes = [...groupBy(summary.failures, (f) => f.signature)].map(([signature, fs]) => ({ signature, count: fs.length, tests: fs.map((f) => f.id) }));
  const left = excluded();
  writeFileSync(report, `${JSON.stringify({ ...meta, groups: summary.groups, causes, failures: summary.failures, skips: summary.skips, excluded: left }, null, 2)}\n`);

  printFailures(summary.failures);
  const reasons = groupBy(summary.skips, (s) => s.reason.split('\n')[0]!);
  if (reasons.size) console.log('\nskipped:');
  for (const [reason, ss] of reasons) console.log(`  ${ss.length} x ${reason}`);
  console.log(`\nexcluded (conformance/excluded.txt): ${left.length}`);
  for (const { test, why } of left) console.log(`  ${test.replace(/^tempest\.api\.compute\./, '')}: ${why}`);
  console.log(`\n${table(summary.groups)}\n`);
  const t = meta.timings;
  console.log(`times: ${Object.entries(t).map(([k, v]) => `${k} ${v}s`).join(', ')}`);
  console.log(`report: ${report} (raw: tempest.log, tempest-run.log, results.subunit beside it)`);
  if (records.length === 0) {
    const log = join(out, 'tempest-run.log');
    console.error(`tempest ran no tests; the end of ${log}:\n${existsSync(log) ? readFileSync(log, 'utf8').slice(-3000) : '(none)'}`);
    return 2;
  }
  return summary.failures.length > 0 && !args['allow-fail'] ? 1 : 0;
};

// --reparse: summarise the last run again (after changing the summary), without running anything.
const entry = args.reparse ? () => finish(JSON.parse(readFileSync(report, 'utf8')) as { timings: Record<string, number> }) : main;

entry()
  .then(async (code) => {
    await cleanup();
    process.exit(code);
  })
  .catch(async (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    await cleanup();
    process.exit(2);
  });
