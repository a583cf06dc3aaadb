import { afterAll, describe, expect, test } from 'vitest';
import postgres from 'postgres';
import { listQuery, openPostgresStore, redactedUrl } from '../../src/store/postgres.ts';
import { StoreUnavailableError, type Condition, type Store } from '../../src/store/store.ts';
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

interface PlanNode { 'Node Type': string; 'Relation Name'?: string; 'Index Name'?: string; 'Actual Rows': number; 'Actual Loops': number; 'Rows Removed by Filter'?: number; 'Rows Removed by Index Recheck'?: number; Plans?: PlanNode[] }
interface ReadingOptions { projects?: string[]; kind?: string; limit?: number }

/** What a list's query did (EXPLAIN ANALYZE): the rows it returned, the table rows it read, through which indexes. */
const planOf = async (sql: postgres.Sql, conditions: Condition[], opts: ReadingOptions = {}) => {
  const q = listQuery(opts.kind ?? 'servers', 0n, opts.limit ?? 101, opts.projects, conditions);
  const [r] = await sql.unsafe(`EXPLAIN (ANALYZE, FORMAT JSON) ${q.text}`, q.params as never[]);
  const root = (r!['QUERY PLAN'] as { Plan: PlanNode }[])[0]!.Plan;
  let read = 0;
  const indexes = new Set<string>();
  const walk = (n: PlanNode) => {
    if (n['Relation Name'] === 'documents') read += (n['Actual Rows'] + (n['Rows Removed by Filter'] ?? 0) + (n['Rows Removed by Index Recheck'] ?? 0)) * n['Actual Loops'];
    if (n['Index Name'] !== undefined) indexes.add(n['Index Name']);
    for (const c of n.Plans ?? []) walk(c);
  };
  walk(root);
  return { returned: root['Actual Rows'], read, indexes: [...indexes].sort() };
};

describe.skipIf(!hasPostgres)('PostgreSQL', () => {
  const urlOf = new WeakMap<Store, string>();
  storeContract(
    'PostgreSQL (a real server)',
    async () => {
      const url = await (await server()).createDatabase();
      const s = await openPostgresStore({ url });
      opened.push(s);
      urlOf.set(s, url);
      return s;
    },
    async (s) => {
      const again = await openPostgresStore({ url: urlOf.get(s)! });
      opened.push(again);
      urlOf.set(again, urlOf.get(s)!);
      return again;
    },
  );

  test('a database its user owns, that user no superuser: the migrations (pg_trgm with them) and the indexes of matched fields are made', async () => {
    const pgServer = await server();
    const admin = postgres(pgServer.url(), { max: 1, onnotice: () => undefined });
    const name = `owned_${process.pid}`;
    try {
      await admin.unsafe(`CREATE ROLE ${name} LOGIN NOSUPERUSER NOCREATEDB`);
      await admin.unsafe(`CREATE DATABASE ${name} OWNER ${name}`);
    } finally {
      await admin.end();
    }
    const s = await openPostgresStore({ url: pgServer.url(name).replace('postgres@', `${name}@`) });
    opened.push(s);
    await s.indexFields([{ key: 'MLTI-TAGS:tags', form: 'list' }]);
    const t = s.begin();
    t.insert('servers', 'a', { name: 'web-1', 'MLTI-TAGS:tags': ['web'] }, 'p');
    await t.commit();
    expect((await s.list('servers', { conditions: [{ op: 'contains', field: 'name', value: 'web' }, { op: 'includesAll', field: 'MLTI-TAGS:tags', values: ['web'] }] })).map((d) => d.id)).toEqual(['a']);
  });

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

  test('reads asked for together are one query per kind, each caller given its own document; a read asked for later is a query of its own', async () => {
    const url = await (await server()).createDatabase();
    const s = await openPostgresStore({ url });
    opened.push(s);
    const t = s.begin();
    for (const id of ['a', 'b', 'c']) t.insert('servers', id, { id, n: 1 }, 'p');
    t.insert('images', 'a', { image: true }, '');
    await t.commit();
    const admin = postgres(url, { onnotice: () => undefined });
    try {
      await admin`CREATE EXTENSION IF NOT EXISTS pg_stat_statements`;
      await admin`SELECT pg_stat_statements_reset()`;
      // The statements that read documents by id, and how often each ran.
      const reads = async () => (await admin<{ calls: string }[]>`SELECT calls FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND query LIKE 'SELECT id, version, project, body FROM documents WHERE kind = $1 AND id%'`).reduce((n, r) => n + Number(r.calls), 0);
      const got = await Promise.all([s.get('servers', 'a'), s.get('servers', 'b'), s.get('servers', 'a'), s.get('servers', 'missing'), s.get('images', 'a'), s.get('servers', 'c')]);
      expect(got.map((d) => d?.doc)).toEqual([{ id: 'a', n: 1 }, { id: 'b', n: 1 }, { id: 'a', n: 1 }, undefined, { image: true }, { id: 'c', n: 1 }]);
      expect(got.map((d) => d?.version)).toEqual([1, 1, 1, undefined, 1, 1]);
      // The same document asked twice: two objects, what one caller changes the other never sees.
      expect(got[0]!.doc).not.toBe(got[2]!.doc);
      expect(await reads()).toBe(2);
      expect((await s.get('servers', 'b'))?.doc).toEqual({ id: 'b', n: 1 });
      expect(await reads()).toBe(3);
      // What a commit changed, a read asked for after it sees.
      const u = s.begin();
      u.update('servers', 'b', 1, { id: 'b', n: 2 });
      await u.commit();
      expect(await s.get('servers', 'b')).toMatchObject({ version: 2, doc: { id: 'b', n: 2 } });
    } finally {
      await admin.end();
    }
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

  test('a filtered page reads, through its filter\'s index, the rows it returns and hardly any other (EXPLAIN ANALYZE)', async () => {
    const url = await (await server()).createDatabase();
    const s = await openPostgresStore({ url, timeoutMs: 60_000 });
    opened.push(s);
    const NOW = Date.parse('2026-11-29T12:00:00Z');
    // 3,000 servers: one in a hundred from image "rare" and SHUTOFF; five in transition (BUILD until after now); the rest settled into ACTIVE long ago.
    for (let i = 0; i < 3000; i += 1000) {
      const t = s.begin();
      for (let j = i; j < i + 1000; j++) {
        const rare = j % 100 === 99;
        const pending = { status: 'ACTIVE', at: j % 600 === 1 ? NOW + 60_000 : NOW - 60_000 };
        t.insert(
          'servers',
          `s${j}`,
          rare
            ? { imageId: 'rare', flavorId: 'small', tenant_id: 'few', status: 'SHUTOFF', updated: '2026-11-29T12:00:00Z' }
            : { imageId: 'common', flavorId: 'big', tenant_id: 'many', status: 'BUILD', pending, updated: '2026-01-01T00:00:00Z' },
          rare ? 'few' : 'many',
        );
        if (j % 1000 === 0) t.insert('images', `i${j}`, { name: 'snap', serverId: `s${j}` }, 'many');
      }
      await t.commit();
    }
    const sql = postgres(url, { max: 1, onnotice: () => undefined });
    try {
      // As autovacuum does after so many rows.
      await sql`ANALYZE documents`;
      const reading = (conditions: Condition[], opts: ReadingOptions = {}) => planOf(sql, conditions, opts);
      expect(await reading([{ op: 'eq', field: 'imageId', value: 'rare' }])).toEqual({ returned: 30, read: 30, indexes: ['documents_by_image'] });
      expect(await reading([{ op: 'eq', field: 'imageId', value: 'rare' }], { limit: 10 })).toEqual({ returned: 10, read: 10, indexes: ['documents_by_image'] });
      expect(await reading([{ op: 'eq', field: 'flavorId', value: 'small' }], { projects: ['few'] })).toEqual({ returned: 30, read: 30, indexes: ['documents_by_flavor'] });
      expect(await reading([{ op: 'eq', field: 'tenant_id', value: 'few' }])).toEqual({ returned: 30, read: 30, indexes: ['documents_by_tenant'] });
      expect(await reading([{ op: 'eq', field: 'name', value: 'snap' }], { kind: 'images', projects: ['', 'many'] })).toEqual({ returned: 3, read: 3, indexes: ['documents_by_name'] });
      expect(await reading([{ op: 'eq', field: 'serverId', value: 's1000' }], { kind: 'images' })).toEqual({ returned: 1, read: 1, indexes: ['documents_by_server'] });
      expect(await reading([{ op: 'since', field: 'updated', value: Date.parse('2026-11-29T00:00:00Z') }])).toEqual({ returned: 30, read: 30, indexes: ['documents_by_updated'] });
      // A status: nothing pending, pending later than now, settled; each case reads its own index, and no more than it returns but the few in transition.
      const shutoff = await reading([{ op: 'status', value: 'SHUTOFF', now: NOW }], { projects: ['few'] });
      expect(shutoff).toMatchObject({ returned: 30, read: 30 });
      expect(shutoff.indexes).toContain('documents_by_status');
      expect(await reading([{ op: 'status', value: 'BUILD', now: NOW }])).toMatchObject({ returned: 5, read: 5 });
      const active = await reading([{ op: 'status', value: 'ACTIVE', now: NOW }]);
      expect(active.returned).toBe(101);
      expect(active.read).toBeLessThanOrEqual(101 + 5);
    } finally {
      await sql.end();
    }
  });

  test('a name\'s text and matched extension fields: through their indexes when few documents hold the value, in creation order when most do (EXPLAIN ANALYZE, 50,000 servers)', async () => {
    const url = await (await server()).createDatabase();
    const s = await openPostgresStore({ url });
    opened.push(s);
    await s.indexFields([{ key: 'MLTI-TAGS:tags', form: 'list' }, { key: 'RAX-Z:zone.name', form: 'text' }]);
    const sql = postgres(url, { max: 1, onnotice: () => undefined });
    try {
      // As the store writes them, made in one statement: one in 10,000 named rare-N and tagged rare, the others web-N.
      await sql`INSERT INTO documents (kind, id, seq, version, project, body)
        SELECT 'servers', 's' || i, nextval('documents_seq'), 1, 'p', json_build_object(
          'name', CASE WHEN i % 10000 = 0 THEN 'rare-' ELSE 'web-' END || i, 'status', 'ACTIVE',
          'MLTI-TAGS:tags', CASE WHEN i % 10000 = 0 THEN '["web", "rare"]'::json ELSE '["web"]'::json END,
          'RAX-Z:zone.name', CASE WHEN i % 10000 = 0 THEN 'south' ELSE 'north' END)::text
        FROM generate_series(1, 50000) AS i`;
      await sql`ANALYZE documents`;
      const reading = (value: string, limit = 101) => planOf(sql, [{ op: 'contains', field: 'name', value }], { limit });
      expect(await reading('rare-')).toEqual({ returned: 5, read: 5, indexes: ['documents_by_name_text'] });
      expect(await reading('re-300')).toEqual({ returned: 1, read: 1, indexes: ['documents_by_name_text'] });
      expect(await reading('nowhere')).toEqual({ returned: 0, read: 0, indexes: ['documents_by_name_text'] });
      // Every name holds it: the page's rows in creation order, and no more.
      expect(await reading('web-')).toEqual({ returned: 101, read: 101, indexes: ['documents_by_seq'] });
      const tagged = (...values: string[]) => planOf(sql, [{ op: 'includesAll', field: 'MLTI-TAGS:tags', values }]);
      expect(await tagged('rare', 'web')).toMatchObject({ returned: 5, read: 5, indexes: [expect.stringMatching(/^documents_by_field_/)] });
      expect(await tagged('web')).toEqual({ returned: 101, read: 101, indexes: ['documents_by_seq'] });
      const zone = await planOf(sql, [{ op: 'eq', field: 'RAX-Z:zone.name', value: 'south' }]);
      expect(zone).toMatchObject({ returned: 5, read: 5, indexes: [expect.stringMatching(/^documents_by_field_/)] });
      expect(zone.indexes).not.toEqual((await tagged('rare')).indexes);
    } finally {
      await sql.end();
    }
  });

  test('the URL in the start-up log: its password hidden, whatever it holds', () => {
    expect(redactedUrl('postgres://extgate:s3cret@db:5432/extgate')).toBe('postgres://extgate:***@db:5432/extgate');
    expect(redactedUrl('postgres://extgate:p@ss@db/x')).toBe('postgres://extgate:***@db/x');
    expect(redactedUrl('postgresql://:secret@db/x')).toBe('postgresql://:***@db/x');
    expect(redactedUrl('postgres://db/x')).toBe('postgres://db/x');
  });
});
