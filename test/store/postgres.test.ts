import { afterAll, describe, expect, test } from 'vitest';
import { openPostgresStore, redactedUrl } from '../../src/store/postgres.ts';
import { StoreUnavailableError, type Store } from '../../src/store/store.ts';
import { hasPostgres, startPostgres, type Postgres } from '../harness/postgres.ts';
import { storeContract } from './contract.ts';

/**
 * The store contract against a real PostgreSQL (Debian's 15, started unprivileged in a temporary
 * folder): every test on a database of its own. CI installs it (EXTGATE_REQUIRE_CLIENTS=1); on a
 * machine without it these tests are skipped.
 */
if (process.env.EXTGATE_REQUIRE_CLIENTS === '1' && !hasPostgres) throw new Error('EXTGATE_REQUIRE_CLIENTS=1 but PostgreSQL 15 (Debian postgresql) is missing');

let pg: Promise<Postgres> | undefined;
const server = () => {
  pg ??= startPostgres();
  return pg;
};
const opened: Store[] = [];
afterAll(async () => {
  for (const s of opened) await s.close();
  await (await pg)?.close();
});
const openFresh = async (settings: { timeoutMs?: number; poolSize?: number } = {}) => {
  const s = await openPostgresStore({ url: await (await server()).createDatabase(), ...settings });
  opened.push(s);
  return s;
};

describe.skipIf(!hasPostgres)('PostgreSQL', () => {
  storeContract('PostgreSQL (a real server)', () => openFresh());

  test('instances starting together migrate once: the schema is made by one, the others find it', async () => {
    const url = await (await server()).createDatabase();
    const stores = await Promise.all(Array.from({ length: 4 }, () => openPostgresStore({ url })));
    opened.push(...stores);
    const t = stores[0]!.begin();
    t.insert('servers', 'a', { n: 1 }, 'p');
    await t.commit();
    expect((await stores[3]!.get('servers', 'a'))?.doc).toEqual({ n: 1 });
  });

  test('two instances inserting at once: both kept, in one creation order both see', async () => {
    const url = await (await server()).createDatabase();
    const [a, b] = await Promise.all([openPostgresStore({ url }), openPostgresStore({ url })]);
    opened.push(a!, b!);
    await Promise.all(Array.from({ length: 40 }, (_, i) => {
      const t = (i % 2 === 0 ? a : b)!.begin();
      t.insert('servers', `s${i}`, { i }, 'p');
      return t.commit();
    }));
    const fromA = (await a!.list('servers')).map((d) => d.id);
    expect(fromA).toHaveLength(40);
    expect((await b!.list('servers')).map((d) => d.id)).toEqual(fromA);
  });

  test('the database gone: every operation is a StoreUnavailableError within the timeout, naming neither the URL nor its password; back, it serves again', async () => {
    const pgServer = await server();
    // Trust authentication takes any password: this one must appear in no message.
    const s = await openPostgresStore({ url: (await pgServer.createDatabase()).replace('postgres@', 'postgres:s3cret-pw@'), timeoutMs: 1000 });
    opened.push(s);
    const t = s.begin();
    t.insert('servers', 'kept', { n: 1 }, 'p');
    await t.commit();
    await pgServer.stop();
    try {
      const started = Date.now();
      for (const op of [() => s.get('servers', 'kept'), () => s.list('servers'), () => s.check()]) {
        const err = await op().then(() => undefined, (e: unknown) => e);
        expect(err).toBeInstanceOf(StoreUnavailableError);
        expect((err as Error).message).toMatch(/^PostgreSQL (is unavailable \(\w+\)|did not answer)/);
        expect((err as Error).message).not.toContain('s3cret');
      }
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      await pgServer.start();
    }
    expect((await s.get('servers', 'kept'))?.doc).toEqual({ n: 1 });
    await s.check();
  });

  test('every connection busy: an operation waits up to timeoutMs, then is a StoreUnavailableError; the pool serves again once freed', async () => {
    const url = await (await server()).createDatabase();
    const s = await openPostgresStore({ url, poolSize: 1, timeoutMs: 500 });
    opened.push(s);
    // Another client holds the table: the store's one connection waits on it, the next operation on the connection.
    const postgres = (await import('postgres')).default;
    const other = postgres(url, { max: 1, onnotice: () => undefined });
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const holding = other.begin(async (tx) => {
      await tx`LOCK TABLE documents IN ACCESS EXCLUSIVE MODE`;
      await held;
    });
    await new Promise((r) => setTimeout(r, 100));
    try {
      const started = Date.now();
      const results = await Promise.all([s.get('servers', 'a'), s.list('servers')].map((p) => p.then(() => 'served', (e: unknown) => e)));
      for (const r of results) expect(r).toBeInstanceOf(StoreUnavailableError);
      expect(Date.now() - started).toBeLessThan(1500);
    } finally {
      release();
      await holding;
      await other.end();
    }
    expect(await s.get('servers', 'a')).toBeUndefined();
  });

  test('the URL in the start-up log: its password hidden, whatever it holds', () => {
    expect(redactedUrl('postgres://extgate:s3cret@db:5432/extgate')).toBe('postgres://extgate:***@db:5432/extgate');
    expect(redactedUrl('postgres://extgate:p@ss@db/x')).toBe('postgres://extgate:***@db/x');
    expect(redactedUrl('postgresql://:secret@db/x')).toBe('postgresql://:***@db/x');
    expect(redactedUrl('postgres://db/x')).toBe('postgres://db/x');
  });
});
