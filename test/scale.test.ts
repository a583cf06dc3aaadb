import { get } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { startCluster, type Cluster } from './harness/cluster.ts';
import { hasNginx } from './harness/nginx.ts';
import { hasPostgres } from './harness/postgres.ts';
import { goBuild, hasGophercloud, hasOpenstacksdk, PYTHON, runClient } from './support/clients.ts';
import { PROJECT } from './support/xml.ts';

/**
 * Three instances on one PostgreSQL behind nginx, as the README's recipe runs them: one killed
 * with SIGKILL in the middle of a write load loses no acknowledged write and leaves none partial,
 * and readers see no 5xx (nginx retries their requests on the others); every instance answers the
 * same discovery bytes.
 */
const available = hasPostgres && hasNginx;
if (process.env.EXTGATE_REQUIRE_CLIENTS === '1' && !available) throw new Error('EXTGATE_REQUIRE_CLIENTS=1 but PostgreSQL 15 or nginx (Debian postgresql, nginx) is missing');

const getAs = (url: string, host: string): Promise<{ etag: unknown; body: string }> =>
  new Promise((resolve, reject) => {
    get(url, { headers: { Host: host } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ etag: res.headers.etag, body }));
    }).on('error', reject);
  });

const IMAGE = '70a599e0-31e7-49b7-b260-868f441e862b';
const FLAVOR = '1b1e4c4a-0a4d-4c52-9c6e-6d1f0c1a0001';

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

  test('SIGKILL of one instance under a write load: no acknowledged write lost or partial, no 5xx for readers', async () => {
    const lb = cluster.balancer.url;
    const acked: { id: string; name: string }[] = [];
    const writeStatuses: number[] = [];
    const readStatuses: number[] = [];
    let running = true;
    let n = 0;
    const writer = async () => {
      while (running) {
        const name = `load-${++n}`;
        const r = await fetch(`${lb}/v1/servers`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ server: { name, imageRef: IMAGE, flavorRef: FLAVOR, metadata: { n: String(n) } } }),
        }).catch(() => undefined);
        writeStatuses.push(r?.status ?? 0);
        if (r?.status === 202) acked.push({ id: (await r.json()).server.id, name });
        else await r?.arrayBuffer();
      }
    };
    const reader = async () => {
      while (running) {
        const r = await fetch(`${lb}/v1/servers/detail?limit=20`).catch(() => undefined);
        readStatuses.push(r?.status ?? 0);
        await r?.arrayBuffer();
      }
    };
    const load = [...Array.from({ length: 6 }, writer), ...Array.from({ length: 3 }, reader)];
    await new Promise((r) => setTimeout(r, 1500));
    const before = acked.length;
    process.kill(-cluster.instances[1]!.process.child.pid!, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 2500));
    running = false;
    await Promise.all(load);

    if (process.env.EXTGATE_SCALE_REPORT) console.log({ acked: acked.length, before, writes: writeStatuses.length, failedWrites: writeStatuses.filter((s) => s !== 202).length, reads: readStatuses.length });
    expect(before).toBeGreaterThan(10);
    expect(acked.length).toBeGreaterThan(before); // the others went on taking writes
    // Writes in flight on the killed instance may fail (nginx does not retry a POST); none is a 500.
    expect(writeStatuses.filter((s) => s !== 202 && s !== 502)).toEqual([]);
    expect(readStatuses.filter((s) => s !== 200)).toEqual([]);
    // Every acknowledged write is there, whole, whichever instance reads it.
    const missing: string[] = [];
    for (const { id, name } of acked) {
      const r = await fetch(`${lb}/v1/servers/${id}`);
      if (r.status !== 200) missing.push(`${id}: ${r.status}`);
      else expect((await r.json()).server).toMatchObject({ id, name, metadata: { n: name.slice(5) } });
    }
    expect(missing).toEqual([]);
    // Started again on its port, it takes its share once more.
    await cluster.restart(1);
    expect((await fetch(`${cluster.instances[1]!.url}/v1/servers/${acked[0]!.id}`)).status).toBe(200);
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
