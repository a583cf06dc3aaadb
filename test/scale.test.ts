import { get as httpGet } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { startCluster, type Cluster } from './harness/cluster.ts';
import { hasNginx } from './harness/nginx.ts';
import { hasPostgres } from './harness/postgres.ts';
import { goBuild, hasGophercloud, hasOpenstacksdk, PYTHON, runClient } from './support/clients.ts';
import { PROJECT } from './support/xml.ts';

/**
 * Three instances on one PostgreSQL behind nginx, as the README's recipe runs them: every instance
 * answers the same discovery bytes; the standard clients work through the balancer; conflicting
 * updates sent to different instances give one 2xx and one 409, never a lost update; each instance
 * killed with SIGKILL in turn in the middle of a write load loses no acknowledged write and leaves
 * none partial, and readers see no 5xx (nginx retries their requests on the others); PostgreSQL
 * restarted under load is 503s, then service again.
 */
const available = hasPostgres && hasNginx;
if (process.env.EXTGATE_REQUIRE_CLIENTS === '1' && !available) throw new Error('EXTGATE_REQUIRE_CLIENTS=1 but PostgreSQL 15 or nginx (Debian postgresql, nginx) is missing');

const getAs = (url: string, host: string): Promise<{ etag: unknown; body: string }> =>
  new Promise((resolve, reject) => {
    httpGet(url, { headers: { Host: host } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ etag: res.headers.etag, body }));
    }).on('error', reject);
  });

const IMAGE = '70a599e0-31e7-49b7-b260-868f441e862b';
const FLAVOR = '1b1e4c4a-0a4d-4c52-9c6e-6d1f0c1a0001';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
// biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field
type Answer = { status: number; body: any };
const send = async (url: string, init?: RequestInit): Promise<Answer> => {
  const r = await fetch(url, init);
  const text = await r.text();
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: r.status, body };
};
const get = (url: string) => send(url);
const post = (url: string, body: unknown) => send(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
const put = (url: string, body: unknown) => send(url, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

/** Every page of a list, following its next links. */
const listAll = async (first: string): Promise<Record<string, unknown>[]> => {
  const out: Record<string, unknown>[] = [];
  for (let url: string | undefined = first; url !== undefined; ) {
    const page = (await get(url)).body as { servers: Record<string, unknown>[]; servers_links?: { href: string }[] };
    out.push(...page.servers);
    url = page.servers_links?.[0]?.href;
  }
  return out;
};

/** GET requests for servers an instance answered since it started (its /metrics). */
const servedServers = async (url: string): Promise<number> => {
  const text = (await get(`${url}/metrics`)).body as string;
  let n = 0;
  for (const m of text.matchAll(/^http_requests_total\{(.*)\} (\d+)$/gm)) if (/method="GET"/.test(m[1]!) && /route="\/v1\/servers/.test(m[1]!)) n += Number(m[2]);
  return n;
};

let cluster: Cluster;
beforeAll(async () => {
  if (available) cluster = await startCluster({ instances: 3, config: { durations: { BUILD: 300, REBOOT: 2000, HARD_REBOOT: 2000 }, store: { timeoutMs: 2000 } } });
}, 120_000);
afterAll(async () => cluster?.stop(), 60_000);

describe.skipIf(!available)('three instances, one PostgreSQL, nginx in front', () => {
  test('every instance answers the same discovery documents, byte for byte, with the same ETag', async () => {
    for (const path of ['/v1/extensions', '/v2/extensions/OS-DCF', '/']) {
      // As through the balancer: the Host clients used (fetch cannot set it), which links are made from.
      const answers = await Promise.all(cluster.instances.map((i) => getAs(`${i.url}${path}`, 'compute.example.com')));
      if (path === '/') expect(answers[0]!.body).toContain('http://compute.example.com/v1/');
      for (const a of answers.slice(1)) expect(a).toEqual(answers[0]);
    }
  });

  // Each client's requests land on the instances in turn: what one wrote, the next reads.
  test.skipIf(!hasOpenstacksdk)('openstacksdk through the balancer: create, wait for ACTIVE, reboot, rename, page, delete', () => {
    const out = runClient(PYTHON, [join(PROJECT, 'test/clients/openstacksdk_compute.py'), `${cluster.balancer.url}/v1`]);
    expect(out).toContain('renamed: sdk-renamed');
    expect(out.trimEnd().endsWith('OK')).toBe(true);
  }, 120_000);

  test.skipIf(!hasGophercloud)('gophercloud through the balancer, the tenant-scoped form', () => {
    const out = runClient(goBuild('test/clients/gophercloud/main.go'), [`${cluster.balancer.url}/v1/tenant-1/`]);
    expect(out).toMatch(/listed \d+ servers in \d+ pages of 2/);
    expect(out.trimEnd().endsWith('OK')).toBe(true);
  }, 180_000);

  test('conflicting updates through different instances: of two that overlap one commits and the other is 409; never a lost update, never two reboots', async () => {
    const lb = cluster.balancer.url;
    const urls = cluster.instances.map((i) => i.url);
    const K = 20;
    const ids = await Promise.all(Array.from({ length: K }, async (_, k) => {
      const r = await post(`${lb}/v1/servers`, { server: { name: `pair-${k}`, imageRef: IMAGE, flavorRef: FLAVOR } });
      expect(r.status).toBe(202);
      return (r.body as { server: { id: string } }).server.id;
    }));
    await vi.waitFor(async () => {
      for (const id of ids) expect((await get(`${lb}/v1/servers/${id}`)).body).toMatchObject({ server: { status: 'ACTIVE' } });
    }, { timeout: 5000, interval: 200 });

    // Two updates of different fields, each read at version N and written at N+1: if they overlap,
    // one commits and the other is refused; if they did not, the later one read the earlier one's
    // change. Either way the stored server is what the answers say, never one change silently lost.
    const problems: string[] = [];
    const tally = { renamePairs: 0, oneRefused: 0, serialized: 0, rebootPairs: 0, refusedAsChanged: 0, refusedByState: 0 };
    for (let round = 0; round < 4; round++) {
      await Promise.all(ids.map(async (id, k) => {
        // Straight to two different instances, or both through the balancer (round robin).
        const [ua, ub] = round % 2 === 0 ? [urls[(k + round) % 3]!, urls[(k + round + 1) % 3]!] : [lb, lb];
        const a = { name: `a-${round}-${k}`, accessIPv4: `10.1.${round}.${k}` };
        const b = { name: `b-${round}-${k}`, accessIPv6: `fd00::${round + 1}:${k + 1}` };
        const [ra, rb] = await Promise.all([put(`${ua}/v1/servers/${id}`, { server: a }), put(`${ub}/v1/servers/${id}`, { server: b })]);
        const stored = (await get(`${lb}/v1/servers/${id}`)).body.server as Record<string, string>;
        const has = { a: stored.accessIPv4 === a.accessIPv4, b: stored.accessIPv6 === b.accessIPv6 };
        const what = `round ${round}, server ${k} (${ua === lb ? 'balancer' : `${new URL(ua).port} and ${new URL(ub).port}`}): ${ra.status}/${rb.status}, stored ${JSON.stringify({ name: stored.name, accessIPv4: stored.accessIPv4, accessIPv6: stored.accessIPv6 })}`;
        tally.renamePairs++;
        if (ra.status === 200 && rb.status === 200) {
          tally.serialized++;
          const answered = { a: ra.body.server as Record<string, string>, b: rb.body.server as Record<string, string> };
          const later = answered.a.accessIPv6 === b.accessIPv6 ? 'a' : answered.b.accessIPv4 === a.accessIPv4 ? 'b' : undefined;
          if (later === undefined || !has.a || !has.b || stored.name !== (later === 'a' ? a.name : b.name)) problems.push(`both committed, one lost: ${what}`);
        } else if ([ra.status, rb.status].sort().join() === '200,409') {
          tally.oneRefused++;
          const [won, refused] = ra.status === 200 ? (['a', rb] as const) : (['b', ra] as const);
          if (stored.name !== (won === 'a' ? a.name : b.name) || !has[won] || has[won === 'a' ? 'b' : 'a']) problems.push(`the refused one changed something, or the committed one is not there: ${what}`);
          if (!('conflictingRequest' in (refused.body as object))) problems.push(`409 without conflictingRequest: ${what}: ${JSON.stringify(refused.body)}`);
        } else problems.push(`neither one 200 and one 409 nor two 200s: ${what}`);
      }));
    }

    // Two soft reboots of an ACTIVE server cannot both happen: exactly one 202, whichever instance
    // each reaches and however they overlap (a stale version or the REBOOT state refuses the other).
    await Promise.all(ids.map(async (id, k) => {
      const [ua, ub] = k % 2 === 0 ? [urls[k % 3]!, urls[(k + 1) % 3]!] : [lb, lb];
      const rs = await Promise.all([ua, ub].map((u) => post(`${u}/v1/servers/${id}/action`, { reboot: { type: 'SOFT' } })));
      tally.rebootPairs++;
      const statuses = rs.map((r) => r.status).sort();
      if (statuses.join() !== '202,409') problems.push(`reboots of server ${k}: ${statuses.join(', ')}`);
      const message = String((rs.find((r) => r.status === 409)?.body as { conflictingRequest?: { message?: string } } | undefined)?.conflictingRequest?.message ?? '');
      if (message.includes('changed by another request')) tally.refusedAsChanged++;
      else if (message !== '') tally.refusedByState++;
      const status = (await get(`${lb}/v1/servers/${id}`)).body.server.status;
      if (status !== 'REBOOT') problems.push(`server ${k} after its reboots: ${status}`);
    }));

    if (process.env.EXTGATE_SCALE_REPORT) console.log(tally);
    expect(problems).toEqual([]);
    expect(tally.oneRefused).toBeGreaterThan(0); // some did overlap (about two in three here)
    expect(tally.rebootPairs).toBe(K);
  }, 60_000);

  test('SIGKILL of each instance in turn under creates, renames and reads: no acknowledged write lost or partial, no 5xx for readers, each back in its place', async () => {
    const lb = cluster.balancer.url;
    // Each write's fields follow from its name: a server half-written would not match itself.
    const ipOf = (name: string) => {
      const [kind, w, k] = name.split('-');
      return `10.${(kind === 'r' ? 100 : 0) + Number(w)}.${Number(k) >> 8}.${Number(k) & 255}`;
    };
    interface Owned {
      readonly id: string;
      readonly created: string;
      /** What its name may be now: the last acknowledged one, then any sent since whose outcome is unknown. */
      accepted: string[];
    }
    type Exchange = { readonly status: number; readonly started: number; readonly ended: number };
    const owned: Owned[][] = [];
    const writes: (Exchange & { kind: 'create' | 'rename'; name: string })[] = [];
    const reads: (Exchange & { path: string })[] = [];
    let running = true;

    // Each writer creates servers and renames its own (so that what it last heard is what is stored).
    const writer = async (w: number) => {
      const mine: Owned[] = [];
      owned[w] = mine;
      for (let k = 0; running; k++) {
        const target = k % 2 === 1 ? mine[Math.floor(Math.random() * mine.length)] : undefined;
        const name = `${target ? 'r' : 'c'}-${w}-${k}`;
        const started = Date.now();
        const r = await fetch(target ? `${lb}/v1/servers/${target.id}` : `${lb}/v1/servers`, {
          method: target ? 'PUT' : 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ server: target ? { name, accessIPv4: ipOf(name) } : { name, imageRef: IMAGE, flavorRef: FLAVOR, accessIPv4: ipOf(name), metadata: { w: String(w), k: String(k) } } }),
        }).catch(() => undefined);
        const status = r?.status ?? 0;
        const body = status === 202 || status === 200 ? await r!.json() : await r?.arrayBuffer();
        writes.push({ kind: target ? 'rename' : 'create', name, status, started, ended: Date.now() });
        if (target === undefined) {
          if (status === 202) mine.push({ id: (body as { server: { id: string } }).server.id, created: name, accepted: [name] });
        } else if (status === 200) target.accepted = [name];
        else if (status < 400 || status >= 500) target.accepted.push(name); // no answer that says whether it happened
      }
    };
    // Pages of the list, and servers some writer was told were created (whichever instance it was).
    const reader = async (r: number) => {
      for (let k = 0; running; k++) {
        const acked = owned.flat();
        const path = k % 2 === 0 || acked.length === 0 ? '/v1/servers/detail?limit=20' : `/v1/servers/${acked[(k * 7919 + r) % acked.length]!.id}`;
        const started = Date.now();
        const res = await fetch(`${lb}${path}`).catch(() => undefined);
        await res?.arrayBuffer();
        reads.push({ status: res?.status ?? 0, started, ended: Date.now(), path });
      }
    };
    const load = [...Array.from({ length: 4 }, (_, w) => writer(w)), reader(0), reader(1)];
    // A kill takes from the signal until the process is gone (its parent told): meanwhile it may
    // still take a connection, which then breaks.
    const kills: { instance: number; at: number; dead: number; back: number; ackedMeanwhile: number }[] = [];
    try {
      for (const i of [0, 1, 2]) {
        await sleep(1200);
        const { child, exited } = cluster.instances[i]!.process;
        const at = Date.now();
        process.kill(-child.pid!, 'SIGKILL');
        await exited;
        const dead = Date.now();
        await sleep(500);
        await cluster.restart(i);
        const back = Date.now();
        kills.push({ instance: i, at, dead, back, ackedMeanwhile: writes.filter((x) => x.started > dead && x.ended < back && x.status < 300).length });
      }
      await sleep(1000);
    } finally {
      running = false;
      await Promise.all(load);
    }

    // What a kill inherently costs: a create in flight on the instance killed has no answer (nginx
    // retries no POST once sent; a PUT or a GET it retries on the next instance). Nothing else.
    const inFlightAtKill = (x: Exchange) => kills.some((k) => x.started <= k.dead && x.ended >= k.at);
    const unanswered = writes.filter((x) => x.status === 502 && x.kind === 'create' && inFlightAtKill(x));
    expect(writes.filter((x) => x.status !== 202 && x.status !== 200 && !unanswered.includes(x))).toEqual([]);
    expect(unanswered.length).toBeLessThanOrEqual(4 * kills.length); // at most one per writer and kill
    expect(reads.filter((x) => x.status !== 200)).toEqual([]);
    // The others took writes while each instance was away.
    for (const k of kills) expect(k.ackedMeanwhile, `instance ${k.instance} away`).toBeGreaterThan(5);

    // Once nginx tries the restarted instances again (fail_timeout=5s from the last connection
    // refused, which may be as late as the restart), every acknowledged write is read back, through
    // the balancer, whole.
    await sleep(Math.max(0, kills.at(-1)!.back + 5500 - Date.now()));
    const acked = owned.flat();
    const lost: string[] = [];
    const partial: string[] = [];
    for (let n = 0; n < acked.length; n += 8) {
      await Promise.all(acked.slice(n, n + 8).map(async (o) => {
        const r = await get(`${lb}/v1/servers/${o.id}`);
        if (r.status !== 200) return void lost.push(`${o.created} (${o.id}): ${r.status}`);
        const s = r.body.server as { name: string; accessIPv4: string; metadata: Record<string, string> };
        const [, w, k] = o.created.split('-');
        if (!o.accepted.includes(s.name)) lost.push(`${o.created}: named ${s.name}, acknowledged ${o.accepted[0]}`);
        if (s.accessIPv4 !== ipOf(s.name) || s.metadata.w !== w || s.metadata.k !== k) partial.push(`${o.created}: ${JSON.stringify(s)}`);
      }));
    }
    // And what was written without an answer is whole too, or not there at all.
    const listed = await listAll(`${lb}/v1/servers/detail?limit=1000`);
    const mine = listed.filter((s) => /^[cr]-\d+-\d+$/.test(s.name as string));
    for (const s of mine) if (s.accessIPv4 !== ipOf(s.name as string)) partial.push(`listed: ${JSON.stringify(s)}`);
    const names = new Set(listed.map((s) => s.name));
    const storedUnanswered = unanswered.filter((x) => names.has(x.name)).length;

    // Each restarted instance takes its share again.
    const answered = await Promise.all(cluster.instances.map((i) => servedServers(i.url)));

    const report = {
      kills: kills.map((k) => ({ instance: k.instance, dyingMs: k.dead - k.at, awayMs: k.back - k.at, ackedMeanwhile: k.ackedMeanwhile })),
      creates: writes.filter((x) => x.kind === 'create').length,
      createsAcked: acked.length,
      renames: writes.filter((x) => x.kind === 'rename').length,
      renamesAcked: writes.filter((x) => x.kind === 'rename' && x.status === 200).length,
      unanswered: unanswered.length,
      storedUnanswered,
      reads: reads.length,
      readsNot200: reads.filter((x) => x.status !== 200).length,
      lost: lost.length,
      partial: partial.length,
      serversListed: mine.length,
      answeredSinceRestart: answered,
    };
    if (process.env.EXTGATE_SCALE_REPORT) console.log(report);
    expect(acked.length).toBeGreaterThan(100);
    expect(lost).toEqual([]);
    expect(partial).toEqual([]);
    // Listed: every acknowledged create, and those unanswered creates that did commit, nothing else.
    expect(mine.length).toBe(acked.length + storedUnanswered);
    for (const n of answered) expect(n).toBeGreaterThan(0);
  }, 90_000);

  test('PostgreSQL restarted under load: 503 with Retry-After meanwhile (never a 500 or 502, never past the timeout), then served again by itself', async () => {
    const lb = cluster.balancer.url;
    const seen: { status: number; ms: number; started: number }[] = [];
    let running = true;
    let restarted = Number.POSITIVE_INFINITY;
    const client = async (write: boolean) => {
      while (running) {
        const started = Date.now();
        const r = await fetch(write ? `${lb}/v1/servers` : `${lb}/v1/servers?limit=5`, write
          ? { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ server: { name: 'during', imageRef: IMAGE, flavorRef: FLAVOR } }) }
          : {}).catch(() => undefined);
        seen.push({ status: r?.status ?? 0, ms: Date.now() - started, started });
        if (r?.status === 503) expect(r.headers.get('retry-after')).toBe('5');
        await r?.arrayBuffer();
        if (r?.status === 503) await new Promise((w) => setTimeout(w, 100));
      }
    };
    const load = [client(true), client(false), client(false)];
    await new Promise((r) => setTimeout(r, 500));
    await cluster.postgres.stop();
    await new Promise((r) => setTimeout(r, 1500));
    await cluster.postgres.start();
    restarted = Date.now();
    await new Promise((r) => setTimeout(r, 5000));
    running = false;
    await Promise.all(load);
    const statuses = new Set(seen.map((x) => x.status));
    expect([...statuses].filter((x) => ![200, 202, 503].includes(x))).toEqual([]);
    expect(statuses.has(503)).toBe(true);
    expect(Math.max(...seen.map((x) => x.ms))).toBeLessThan(2000 * 3 + 1000); // nginx tries up to three instances
    // Back without a restart of any instance: nine in ten of what was sent from a second after it
    // served. Not all yet: a connection postgres.js left reconnecting may hold a request for its
    // timeout until the pool is replaced (store/postgres.ts; porsager/postgres#1193).
    const after = seen.filter((x) => x.started > restarted + 1000);
    expect(after.length).toBeGreaterThan(20);
    expect(after.filter((x) => x.status === 200 || x.status === 202).length / after.length).toBeGreaterThan(0.9);
    await vi.waitFor(async () => expect((await fetch(`${lb}/healthcheck`)).status).toBe(200), { timeout: 10_000, interval: 500 });
  }, 90_000);
});
