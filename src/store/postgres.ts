import { createHash } from 'node:crypto';
import DataLoader from 'dataloader';
import postgres from 'postgres';
import { ConflictError, MarkerNotFoundError, StoreUnavailableError, type Condition, type ListOptions, type MatchedField, type Store, type StoredDocument, type UnitOfWork } from './store.ts';
import { POSTGRES_MIGRATIONS } from './migrations.ts';
import { arranged, asWritten, CANONICAL_TIME_REGEX, checkedField, OTHER_TIME, sinceBound } from './conditions.ts';
import { StagedWork, type Op } from './staged-work.ts';
import { PostgresRateLimiter } from './postgres-rate-limits.ts';
import { getOrMake } from '../memo.ts';

/**
 * PostgreSQL, for several gateway instances sharing one database (postgres.js: a pool of
 * connections, statements prepared once per connection). The documents table is SQLite's, with
 * a sequence for creation order (two instances inserting at once never take the same place) and
 * the body as text (the very JSON written, key order kept, as SQLite keeps it).
 *
 * Whatever the database cannot do now (refused connections, a restart, every connection busy
 * past `timeoutMs`) is a StoreUnavailableError: the gateway answers 503, never a 500 or a hang.
 */
export interface PostgresSettings {
  readonly url: string;
  /** Connections in the pool. */
  readonly poolSize?: number;
  /** How long one operation may wait (for a connection, then the database) before it is a 503. */
  readonly timeoutMs?: number;
}

interface Row {
  id: string;
  version: number;
  project: string;
  body: string;
}

/**
 * SQLSTATE classes and codes that say the database, not the query, is the problem: connection
 * exceptions, insufficient resources, shutdowns, a statement timeout, a read-only standby after a
 * failover, refused credentials.
 */
const UNAVAILABLE_STATES = /^(08|53|57P0[1-4]|57014|25006|28)/;
/** Codes of a connection gone or never made (Node's and postgres.js's own). */
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'CONNECT_TIMEOUT', 'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED']);
/** Serialization failure, deadlock: the transaction lost to another, as a stale version does. */
const CONFLICT_STATES = new Set(['40001', '40P01']);

const codeOf = (err: unknown): string | undefined => {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
};

/**
 * The URL without its password, for the start-up log. Parsed as a URL (the last `@` ends the user
 * information, so a password with an `@` in it is hidden whole); unparseable, all of it is.
 */
export const redactedUrl = (url: string): string => {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.href;
  } catch {
    return url.replace(/\/\/.*@/, '//***@');
  }
};

/**
 * List conditions (store.ts) in SQL. The expressions are the text of migrations 3 and 4's
 * indexes (store/migrations.ts), so that the planner finds them: each index is (kind, expression, seq),
 * an equality on it gives the rows in creation order, and a page stops reading when it is full.
 * Text that is ordered or upper-cased is in the C collation, whatever the database's.
 */
const DOC = '(body::jsonb)';
const value = (f: string) => `(${DOC} ->> '${checkedField(f)}')`;
const json = (f: string) => `(${DOC} -> '${checkedField(f)}')`;
/** The hashes of a list's items as text (migration 6), NULL when it is no list. */
const itemHashes = (list: string) => `extgate_item_hashes(${list})`;
/** A text field an extension parameter matches, by its hash (an index entry holds 2.7 kB at most). */
const hashed = (f: string) => `md5(${value(f)})`;
/** A JSON path tests and reads in one parse of the body, where `CASE WHEN test THEN value` takes two. */
const since = (f: string) => `(COALESCE(jsonb_path_query_first(${DOC}, '$.${checkedField(f)} ? (@ like_regex "${CANONICAL_TIME_REGEX}")') #>> '{}', '${OTHER_TIME}') COLLATE "C")`;
const STATUS = `upper((${DOC} ->> 'status') COLLATE "C")`;
const PENDING_STATUS = `upper((${DOC} -> 'pending' ->> 'status') COLLATE "C")`;
/**
 * pending.at when it is a number (jsonb, which compares numbers as numbers); NULL when there is
 * none, or it is not one: then both states are read.
 */
const PENDING_AT = `jsonb_path_query_first(${DOC}, '$.pending.at ? (@.type() == "number")')`;

/**
 * A settled status is one of three disjoint cases, each an index's: nothing pending (status,
 * in creation order), pending later than now (status; the few in transition), pending settled
 * (pending.status, in creation order). A pending.at that is not a number is read in both. `now`
 * is jsonb; jsonb's null is below every number, so the last case tests pending.at once.
 */
const statusCases = (v: string, now: string): string[] => [
  `${STATUS} = ${v} AND ${PENDING_AT} IS NULL AND ${PENDING_STATUS} IS DISTINCT FROM ${v}`,
  `${STATUS} = ${v} AND ${PENDING_AT} > ${now}`,
  `${PENDING_STATUS} = ${v} AND COALESCE(${PENDING_AT}, 'null'::jsonb) <= ${now}`,
];

/** A positional parameter for a value: `$n`, with the type the expression compares it as. */
type Param = (value: unknown) => string;

/**
 * PostgreSQL's text cannot hold U+0000 (a parameter holding one fails the whole query), so no
 * stored id or field does: a value holding one names nothing, and is never sent.
 */
const namesNothing = (value: string): boolean => value.includes('\0');

/** LIKE's pattern for a text anywhere in a value: its wildcards and its escape character as themselves. */
const anywhere = (text: string): string => `%${text.replace(/[\\%_]/g, '\\$&')}%`;

const conditionSql = (c: Condition, param: Param): string => {
  if ((c.op === 'eq' || c.op === 'contains' || c.op === 'status') && namesNothing(c.value)) return 'false';
  if (c.op === 'includesAll' && c.values.some(namesNothing)) return 'false';
  switch (c.op) {
    case 'eq':
      // An extension's field through the index of its hash (indexFields); a core one, its own.
      if (c.field.includes(':')) return `(${hashed(c.field)} = md5(${param(c.value)}::text) AND ${value(c.field)} = ${param(c.value)}::text)`;
      return `${value(c.field)} = ${param(c.value)}::text`;
    case 'contains':
      // The field's text as a LIKE that a name's trigram index serves (migration 5), and the body's
      // text, the cheaper test (the planner makes it first) where rows are read in creation order.
      // ->> of a number is its text: more than the test accepts.
      return `(strpos(body, ${param(asWritten(c.value))}::text) > 0 AND ${value(c.field)} LIKE ${param(anywhere(c.value))}::text)`;
    case 'includesAll':
      // Each value in the body's text as a list's item is written (quoted), then among the list's
      // items, by their hashes (migration 6; those of a number are its text's: more than the test
      // accepts). The values are one parameter each way: any number of them is one statement.
      return `(NOT EXISTS (SELECT 1 FROM unnest(${param(c.values.map((v) => JSON.stringify(v)))}::text[]) AS w WHERE strpos(body, w) = 0)
        AND ${itemHashes(json(c.field))} @> ${itemHashes(`to_jsonb(${param(c.values)}::text[])`)})`;
    case 'present':
      return `${json(c.field)} IS NOT NULL`;
    case 'absent':
      return `${json(c.field)} IS NULL`;
    case 'atLeast':
      // A number compares as JavaScript compares it; any other value present (null, a string) JavaScript may coerce: read.
      return `CASE WHEN jsonb_typeof(${json(c.field)}) = 'number' THEN ${value(c.field)}::numeric >= ${param(c.value)}::numeric ELSE ${json(c.field)} IS NOT NULL END`;
    case 'since':
      return `${since(c.field)} >= ${param(sinceBound(c.value))}::text`;
    case 'status': {
      const cases = statusCases(`${param(c.value)}::text`, `to_jsonb(${param(c.now)}::numeric)`);
      return `(${cases.map((x) => `(${x})`).join(' OR ')})`;
    }
  }
};

/**
 * The query of `limit` documents after `after` (a seq), in creation order, and its parameters:
 * exported for the tests that read its plan.
 */
export const listQuery = (
  kind: string,
  after: bigint,
  limit: number,
  projects: readonly string[] | undefined,
  conditions: readonly Condition[] | undefined,
): { text: string; params: unknown[] } => {
  const params: unknown[] = [];
  const param: Param = (v) => `$${params.push(v)}`;
  const where = [`kind = ${param(kind)}::text`, `seq > ${param(after)}::bigint`];
  if (projects !== undefined) where.push(`project = ANY(${param(projects)}::text[])`);
  const { status, rest } = arranged(conditions);
  for (const c of rest) where.push(conditionSql(c, param));
  const n = `${param(limit)}::bigint`;
  const select = (w: readonly string[]) => `SELECT id, version, project, body, seq FROM documents WHERE ${w.join(' AND ')} ORDER BY seq LIMIT ${n}`;
  if (status === undefined) return { text: select(where), params };
  if (namesNothing(status.value)) return { text: select([...where, 'false']), params };
  // One SELECT per case, merged in creation order: each reads its own index, and stops with the page.
  const cases = statusCases(`${param(status.value)}::text`, `to_jsonb(${param(status.now)}::numeric)`);
  return { text: `${cases.map((x) => `(${select([...where, x])})`).join(' UNION ALL ')} ORDER BY seq LIMIT ${n}`, params };
};

/**
 * An error postgres.js raised about one of its connections (closed, ended, destroyed, not made in
 * time), whether or not anyone was waiting for it. Its own codes only: an ECONNRESET may be any
 * socket's.
 */
export const isConnectionError = (err: unknown): boolean => {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'CONNECTION_DESTROYED' || code === 'CONNECTION_CLOSED' || code === 'CONNECTION_ENDED' || code === 'CONNECT_TIMEOUT';
};

const MIGRATION_LOCK = 0x65787467; // 'extg': one instance migrates, the others wait for it
const MIGRATIONS_MAY_TAKE_MS = 3_600_000;

export const openPostgresStore = async (settings: PostgresSettings): Promise<Store> => {
  const timeoutMs = settings.timeoutMs ?? 5_000;
  const pool = () =>
    postgres(settings.url, {
      max: settings.poolSize ?? 10,
      connect_timeout: Math.ceil(timeoutMs / 1000),
      idle_timeout: 60,
      onnotice: () => undefined,
      // JSON bodies are text here; numbers come back as numbers.
      types: { bigint: postgres.BigInt },
    });
  let sql = pool();
  /** A connection of its own for the migration lock's work, which may take long: never the pool's. */
  const lockConnection = () => postgres(settings.url, { max: 1, connect_timeout: Math.ceil(timeoutMs / 1000), onnotice: () => undefined });

  /**
   * postgres.js 3.4.9 can leave a connection reconnecting without end when the server closes it
   * during its start-up (porsager/postgres#1193, fix pending in #1214): after a database restart,
   * every query that connection takes waits out the timeout. When an operation times out, a probe
   * on a connection of its own tells a stuck pool from a slow database: if the database answers,
   * the pool is replaced, the old one given timeoutMs to finish what it is doing.
   */
  let probing = false;
  const replaceIfStuck = () => {
    if (probing) return;
    probing = true;
    const probe = postgres(settings.url, { max: 1, connect_timeout: Math.ceil(timeoutMs / 1000), onnotice: () => undefined });
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<false>((done) => {
      timer = setTimeout(() => done(false), timeoutMs);
    });
    void Promise.race([probe`SELECT 1`.then(() => true, () => false), gaveUp])
      .then((answered) => {
        if (!answered) return;
        const stuck = sql;
        sql = pool();
        void stuck.end({ timeout: Math.ceil(timeoutMs / 1000) }).catch(() => undefined);
      })
      .finally(() => {
        clearTimeout(timer);
        probing = false;
        void probe.end({ timeout: 0 }).catch(() => undefined);
      });
  };

  /**
   * One operation, bounded in time, its failures said as unavailability when they are. The
   * messages name no host, user or database: the health check shows them to anyone.
   */
  const guarded = async <T>(what: string, run: () => Promise<T>, ms = timeoutMs): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        replaceIfStuck();
        reject(new StoreUnavailableError(`PostgreSQL did not answer ${what} within ${ms} ms`));
      }, ms);
    });
    try {
      return await Promise.race([run(), deadline]);
    } catch (err) {
      const code = codeOf(err);
      if (code !== undefined && CONFLICT_STATES.has(code)) throw new ConflictError(`a concurrent transaction (${code})`);
      if (err instanceof StoreUnavailableError || code === undefined || !(UNAVAILABLE_CODES.has(code) || UNAVAILABLE_STATES.test(code))) throw err;
      throw new StoreUnavailableError(`PostgreSQL is unavailable (${code})`);
    } finally {
      clearTimeout(timer);
    }
  };

  // Waiting for another instance's migrations is no request's wait, and a migration that builds an
  // index takes what the table takes: an hour, not timeoutMs.
  try {
    await guarded('the migrations', () => migrate(lockConnection), MIGRATIONS_MAY_TAKE_MS);
  } catch (err) {
    await sql.end({ timeout: 0 }).catch(() => undefined);
    throw err;
  }

  const apply = async (ops: readonly Op[]): Promise<void> =>
    guarded('a commit', () =>
      sql.begin(async (tx) => {
        for (const o of ops) {
          if (o.op === 'insert') {
            const r = await tx`INSERT INTO documents (kind, id, seq, version, project, body) VALUES (${o.kind}, ${o.id}, nextval('documents_seq'), 1, ${o.project}, ${JSON.stringify(o.doc)}) ON CONFLICT DO NOTHING`;
            if (r.count !== 1) throw new ConflictError(`${o.kind} ${o.id} already exists`);
          } else if (o.op === 'update') {
            const r = await tx`UPDATE documents SET version = version + 1, body = ${JSON.stringify(o.doc)} WHERE kind = ${o.kind} AND id = ${o.id} AND version = ${o.version}`;
            if (r.count !== 1) throw new ConflictError(`${o.kind} ${o.id} changed meanwhile`);
          } else {
            const r = await tx`DELETE FROM documents WHERE kind = ${o.kind} AND id = ${o.id} AND version = ${o.version}`;
            if (r.count !== 1) throw new ConflictError(`${o.kind} ${o.id} changed meanwhile`);
          }
        }
      }),
    );

  const toDoc = <T>(r: Row): StoredDocument<T> => ({ id: r.id, version: r.version, project: r.project, doc: JSON.parse(r.body) as T });

  /** Rows after `after` in creation order, `limit` at most, of these projects (all when undefined), that the conditions hold for. */
  const page = (kind: string, after: bigint, limit: number, projects: readonly string[] | undefined, conditions: readonly Condition[] | undefined) => {
    const q = listQuery(kind, after, limit, projects, conditions);
    return sql.unsafe<(Row & { seq: bigint })[]>(q.text, q.params as postgres.ParameterOrJSON<never>[], { prepare: true });
  };

  /**
   * Reads of one kind asked for in the same turn of the event loop (requests that arrived together)
   * go to the database as one query (DataLoader, scheduled at setImmediate, nothing cached): a
   * query's round trip, above all its socket write, cost a read more than the row itself.
   */
  const readers = new Map<string, DataLoader<string, Row | undefined>>();
  const readerOf = (kind: string) =>
    getOrMake(readers, kind, () =>
      new DataLoader<string, Row | undefined>(
        (ids) =>
          guarded('a read', async () => {
            const rows = await sql<Row[]>`SELECT id, version, project, body FROM documents WHERE kind = ${kind} AND id = ANY(${ids as string[]}::text[])`;
            const byId = new Map(rows.map((r) => [r.id, r]));
            return ids.map((id) => byId.get(id));
          }),
        { cache: false, batchScheduleFn: (run) => setImmediate(run), maxBatchSize: 200 },
      ),
    );

  return {
    get: async <T>(kind: string, id: string) => {
      // Sent, it would fail the query, and with it every other read gathered into it.
      if (namesNothing(id)) return undefined;
      const r = await readerOf(kind).load(id);
      return r === undefined ? undefined : toDoc<T>(r);
    },
    list: <T>(kind: string, opts: ListOptions<T> = {}) =>
      guarded('a list', async () => {
        let after = 0n;
        if (opts.after !== undefined) {
          if (namesNothing(opts.after)) throw new MarkerNotFoundError(opts.after);
          const [m] = await sql<{ seq: bigint; project: string }[]>`SELECT seq, project FROM documents WHERE kind = ${kind} AND id = ${opts.after}`;
          // Another project's document is no marker: its existence is not told either.
          if (m === undefined || (opts.projects !== undefined && !opts.projects.includes(m.project))) throw new MarkerNotFoundError(opts.after);
          after = m.seq;
        }
        const limit = opts.limit ?? Number.POSITIVE_INFINITY;
        const out: StoredDocument<T>[] = [];
        if (limit <= 0) return out;
        // Without a gateway-side filter, the page is the query's; with one, rows come in batches until the page is full.
        // Conditions leave the gateway little to refuse: the first batch is the page, the next ones bigger.
        const pageSized = Number.isFinite(limit) && (opts.where === undefined || (opts.conditions?.length ?? 0) > 0);
        let batch = pageSized ? limit : 500;
        for (;;) {
          const rows = await page(kind, after, batch, opts.projects, opts.conditions);
          for (const r of rows) {
            const d = toDoc<T>(r);
            if (opts.where !== undefined && !opts.where(d.doc)) continue;
            out.push(d);
            if (out.length >= limit) return out;
          }
          if (rows.length < batch) return out;
          after = rows.at(-1)!.seq;
          batch = Math.max(batch, 500);
        }
      }),
    begin: (): UnitOfWork => new StagedWork(apply),
    // Instances starting together take turns, as with the migrations; an index takes what its table takes.
    indexFields: (fields) => guarded('the indexes of matched fields', () => indexFields(lockConnection, fields), MIGRATIONS_MAY_TAKE_MS),
    sharedRateLimiter: (limits) => {
      const shared = new PostgresRateLimiter(() => sql, limits);
      return {
        take: (key, matching, now) => guarded('a rate limit', () => shared.take(key, matching, now)),
        levels: (key, now) => guarded('the rate limits', () => shared.levels(key, now)),
      };
    },
    check: () => guarded('the health check', async () => void (await sql`SELECT 1`)),
    close: async () => {
      await sql.end({ timeout: 5 });
    },
  };
};

/**
 * Indexes the matched fields with the expressions conditionSql reads them with: a text by a btree
 * of its hash in creation order, a list by GIN over its items' hashes (no pending list, whose rows
 * a search would read one by one). Named by a hash of the field and its form (an identifier holds
 * 63 bytes). Built CONCURRENTLY, so that the instances already serving keep writing, on a
 * connection of its own holding the migration lock; one a failed build left invalid is built again.
 */
const indexFields = (connect: () => postgres.Sql, fields: readonly MatchedField[]): Promise<void> =>
  withMigrationLock(connect, async (own) => {
    for (const f of fields) {
      const name = `documents_by_field_${createHash('sha256').update(`${f.form} ${f.key}`).digest('hex').slice(0, 16)}`;
      const [made] = await own<{ valid: boolean }[]>`SELECT i.indisvalid AS valid FROM pg_index i WHERE i.indexrelid = to_regclass(${name})`;
      if (made?.valid === true) continue;
      if (made !== undefined) await own.unsafe(`DROP INDEX CONCURRENTLY ${name}`);
      await own.unsafe(
        f.form === 'text'
          ? `CREATE INDEX CONCURRENTLY ${name} ON documents (kind, ${hashed(f.key)}, seq)`
          : `CREATE INDEX CONCURRENTLY ${name} ON documents USING gin (${itemHashes(json(f.key))}) WITH (fastupdate = off)`,
      );
    }
  });

/**
 * Runs `work` on a connection of its own, outside the pool, holding the migration lock: instances
 * starting together take turns. Ending that connection releases the lock whatever happened (a
 * connection the database dropped is never handed back to the pool). The lock is tried, not
 * waited for: a build CONCURRENTLY waits for every transaction running, and another instance's
 * waiting for the lock would be one (a deadlock).
 */
const withMigrationLock = async (connect: () => postgres.Sql, work: (own: postgres.Sql) => Promise<void>): Promise<void> => {
  const own = connect();
  try {
    while (!(await own<{ got: boolean }[]>`SELECT pg_try_advisory_lock(${MIGRATION_LOCK}) AS got`)[0]!.got) await new Promise((r) => setTimeout(r, 100));
    await work(own);
  } finally {
    await own.end({ timeout: 5 }).catch(() => undefined);
  }
};

/** Applies the migrations not yet applied, in one transaction, under the migration lock. */
const migrate = (connect: () => postgres.Sql): Promise<void> =>
  withMigrationLock(connect, async (own) => {
    // One connection, so its transaction by hand.
    await own.unsafe('BEGIN');
    try {
      await own`CREATE TABLE IF NOT EXISTS extgate_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`;
      const applied = new Set((await own<{ version: number }[]>`SELECT version FROM extgate_migrations`).map((r) => r.version));
      for (const m of POSTGRES_MIGRATIONS) {
        if (applied.has(m.version)) continue;
        await own.unsafe(m.sql);
        await own`INSERT INTO extgate_migrations (version, name) VALUES (${m.version}, ${m.name})`;
      }
      await own.unsafe('COMMIT');
    } catch (err) {
      await own.unsafe('ROLLBACK').catch(() => undefined);
      throw err;
    }
  });
