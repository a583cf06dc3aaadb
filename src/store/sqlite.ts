import { accessSync, constants, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { getOrMakeBounded } from '../memo.ts';
import { ConflictError, MarkerNotFoundError, type Condition, type ListOptions, type Store, type StoredDocument, type UnitOfWork } from './store.ts';
import { StagedWork, type Op } from './staged-work.ts';
import { migrateSqlite } from './migrations.ts';
import { indexesOf } from './sqlite-indexes.ts';
import { arranged, asWritten, CANONICAL_TIME_GLOB, checkedField, OTHER_TIME, sinceBound } from './conditions.ts';

/**
 * The embedded default: one SQLite file (better-sqlite3), created on first start. WAL with
 * synchronous=FULL: a write acknowledged to a client survives the process being killed. The
 * schema comes from numbered migrations (store/migrations.ts), recorded in the file's user_version.
 */
interface Row {
  id: string;
  version: number;
  project: string;
  body: string;
}

/**
 * List conditions (store.ts) in SQL. The expressions are the text of migration 3's indexes
 * (store/migrations.ts), so that SQLite finds them: each index is (kind, expression, seq), an
 * equality on it gives the rows in creation order, and a page stops reading when it is full.
 */
/** A field's JSON path: a qualified key (`MLTI-TAGS:tags`) quoted, as its name may hold a `.`. */
const path = (f: string) => (f.includes(':') ? `$."${checkedField(f)}"` : `$.${checkedField(f)}`);
const value = (f: string) => `json_extract(body, '${path(f)}')`;
const jsonType = (f: string) => `json_type(body, '${path(f)}')`;
const since = (f: string) => `CASE WHEN ${value(f)} GLOB '${CANONICAL_TIME_GLOB}' THEN ${value(f)} ELSE '${OTHER_TIME}' END`;
const STATUS = "upper(json_extract(body, '$.status'))";
const PENDING_STATUS = "upper(json_extract(body, '$.pending.status'))";
/** pending.at when it is a number; NULL when there is none (or it is not one: then both states are read). */
const PENDING_AT = "CASE WHEN json_type(body, '$.pending.at') IN ('integer', 'real') THEN json_extract(body, '$.pending.at') END";

/**
 * A settled status is one of three disjoint cases, each an index's: nothing pending (status,
 * in creation order), pending later than now (status; the few in transition), pending settled
 * (pending.status, in creation order). A pending.at that is not a number is read in both.
 */
const statusCases = (v: string, now: string): string[] => [
  `${STATUS} = ${v} AND ${PENDING_AT} IS NULL AND ${PENDING_STATUS} IS NOT ${v}`,
  `${STATUS} = ${v} AND ${PENDING_AT} > ${now}`,
  `${PENDING_STATUS} = ${v} AND (${PENDING_AT} IS NULL OR ${PENDING_AT} <= ${now})`,
];

const conditionSql = (c: Condition, p: string, params: Record<string, unknown>): string => {
  switch (c.op) {
    case 'eq':
      params[p] = c.value;
      return `${value(c.field)} = @${p}`;
    case 'contains':
      // The body's text first (most bodies go no further), then the field; instr on a number finds
      // the text of the number: more than the test accepts.
      params[p] = c.value;
      params[`${p}_written`] = asWritten(c.value);
      return `(instr(body, @${p}_written) > 0 AND instr(${value(c.field)}, @${p}) > 0)`;
    case 'includesAll':
      // Each value in the body's text as a list's item is written (quoted), then among the list's
      // items; the values as one JSON parameter, so that any number of them is one statement.
      params[p] = JSON.stringify(c.values);
      params[`${p}_written`] = JSON.stringify(c.values.map((v) => JSON.stringify(v)));
      return `(NOT EXISTS (SELECT 1 FROM json_each(@${p}_written) AS w WHERE instr(body, w.value) = 0) AND ${jsonType(c.field)} = 'array'
        AND NOT EXISTS (SELECT 1 FROM json_each(@${p}) AS v WHERE NOT EXISTS (SELECT 1 FROM json_each(body, '${path(c.field)}') AS i WHERE i.type = 'text' AND i.value = v.value)))`;
    case 'present':
      return `${jsonType(c.field)} IS NOT NULL`;
    case 'absent':
      return `${jsonType(c.field)} IS NULL`;
    case 'atLeast':
      // A number compares as JavaScript compares it; any other value present (null, a string) JavaScript may coerce: read.
      params[p] = c.value;
      return `CASE WHEN ${jsonType(c.field)} IN ('integer', 'real') THEN ${value(c.field)} >= @${p} ELSE ${jsonType(c.field)} IS NOT NULL END`;
    case 'since':
      params[p] = sinceBound(c.value);
      return `${since(c.field)} >= @${p}`;
    case 'status':
      params[p] = c.value;
      params[`${p}_now`] = c.now;
      return `(${statusCases(`@${p}`, `@${p}_now`).map((x) => `(${x})`).join(' OR ')})`;
  }
};

/**
 * The query of a list after `after` (a seq), in creation order, and its named parameters:
 * exported for the tests that read its plan.
 */
export const listQuery = (
  kind: string,
  after: number,
  projects: readonly string[] | undefined,
  conditions: readonly Condition[] | undefined,
  rowsFor: (c: Condition) => readonly number[] | undefined = () => undefined,
): { sql: string; params: Record<string, unknown> } => {
  const params: Record<string, unknown> = { kind, after };
  const where = ['kind = @kind', 'seq > @after'];
  if (projects !== undefined) {
    params.projects = JSON.stringify(projects);
    where.push('project IN (SELECT value FROM json_each(@projects))');
  }
  const { status, rest } = arranged(conditions);
  for (const [i, c] of rest.entries()) where.push(conditionSql(c, `c${i}`, params));
  // The rows an index found for a condition, when one did (sqlite-indexes.ts): those are read, by
  // key (CROSS JOIN keeps that order whatever the statistics say), and sorted; the conditions decide.
  let hits: readonly number[] | undefined;
  for (const c of rest) hits ??= rowsFor(c);
  if (hits !== undefined) params.hits = JSON.stringify(hits);
  const table = (indexed = '') => (hits === undefined ? `documents${indexed}` : 'json_each(@hits) AS hit CROSS JOIN documents ON documents.n = hit.value');
  const select = (w: readonly string[], from = table()) => `SELECT documents.id, version, project, body, seq FROM ${from} WHERE ${w.join(' AND ')}`;
  if (status === undefined) return { sql: `${select(where)} ORDER BY seq`, params };
  // One SELECT per case, merged in creation order: each reads its own index, and stops with the page.
  // The documents in transition are few whatever the statistics say (a transient state lasts
  // seconds): without them, SQLite would rather read every document in creation order than sort those.
  params.status = status.value;
  params.now = status.now;
  const [settled, inTransition, pendingSettled] = statusCases('@status', '@now');
  const cases = [select([...where, settled!]), select([...where, inTransition!], table(' INDEXED BY documents_by_status')), select([...where, pendingSettled!])];
  return { sql: `${cases.join(' UNION ALL ')} ORDER BY seq`, params };
};

/** Below this many documents any plan reads little, and statistics taken now would mislead the planner later. */
export const ANALYZE_FROM = 10_000;

/**
 * Statistics for the planner (ANALYZE, with the samples of SQLite's STAT4, which better-sqlite3
 * builds with): which index of a list reads fewest rows depends on the values (changes-since a
 * minute ago or in 2000; an image and a flavor together). Taken once the table is big enough,
 * then as SQLite's `PRAGMA optimize` judges them stale (the table grew or shrank 25-fold): at
 * open and every ten minutes (cheap when there is nothing to do), as SQLite advises for a
 * long-lived connection. Without them (a small
 * table), SQLite's defaults still choose each single filter's index.
 */
const keepStatistics = (db: Database.Database): NodeJS.Timeout => {
  const count = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM documents');
  const refresh = () => {
    try {
      if (count.get()!.n >= ANALYZE_FROM) db.pragma('optimize = 0x10002');
    } catch {
      // An optimisation: a busy or read-only file keeps the statistics it has.
    }
  };
  refresh();
  return setInterval(refresh, 600_000).unref();
};

export const openSqliteStore = (file: string): Store => {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  migrateSqlite(db);
  const statistics = keepStatistics(db);

  const getRow = db.prepare<[string, string], Row>('SELECT id, version, project, body FROM documents WHERE kind = ? AND id = ?');
  const seqOf = db.prepare<[string, string], { seq: number; project: string }>('SELECT seq, project FROM documents WHERE kind = ? AND id = ?');
  // Prepared once per query text: the filters a list combines are few, and so are the texts.
  const lists = new Map<string, Database.Statement<[Record<string, unknown>], Row>>();
  const listStatement = (sql: string) => getOrMakeBounded(lists, sql, () => db.prepare<[Record<string, unknown>], Row>(sql), 256);
  const indexes = indexesOf(db);
  // The indexes of names and list items catch up with the writes four times a second, for up to
  // 20 ms a turn. What keeps them from it for 5 s (a full disk, a file made read-only; not another
  // process's write lock a moment) is told by check().
  let behind: { since: number; why: string } | undefined;
  const catchingUp = setInterval(() => {
    try {
      indexes.catchUp(20);
      behind = undefined;
    } catch (err) {
      // The rows wait for the next turn; searches read them meanwhile (past 2,000, in creation order).
      behind = { since: behind?.since ?? Date.now(), why: (err as Error).message };
    }
  }, 250).unref();
  const nextSeq = db.prepare<[string], { next: number }>('SELECT COALESCE(MAX(seq), 0) + 1 AS next FROM documents WHERE kind = ?');
  const insertRow = db.prepare('INSERT INTO documents (kind, id, seq, version, project, body) VALUES (?, ?, ?, 1, ?, ?)');
  const updateRow = db.prepare('UPDATE documents SET version = version + 1, body = ? WHERE kind = ? AND id = ? AND version = ?');
  const deleteRow = db.prepare('DELETE FROM documents WHERE kind = ? AND id = ? AND version = ?');

  const apply = db.transaction((ops: readonly Op[]) => {
    for (const o of ops) {
      if (o.op === 'insert') {
        if (getRow.get(o.kind, o.id) !== undefined) throw new ConflictError(`${o.kind} ${o.id} already exists`);
        insertRow.run(o.kind, o.id, nextSeq.get(o.kind)!.next, o.project, JSON.stringify(o.doc));
      } else if (o.op === 'update') {
        if (updateRow.run(JSON.stringify(o.doc), o.kind, o.id, o.version).changes !== 1) throw new ConflictError(`${o.kind} ${o.id} changed meanwhile`);
      } else if (deleteRow.run(o.kind, o.id, o.version).changes !== 1) {
        throw new ConflictError(`${o.kind} ${o.id} changed meanwhile`);
      }
    }
  });

  const readTogether = <R>(read: () => R): R => db.transaction(read).deferred();
  const toDoc = <T>(r: Row): StoredDocument<T> => ({ id: r.id, version: r.version, project: r.project, doc: JSON.parse(r.body) as T });

  return {
    get: async <T>(kind: string, id: string) => {
      const r = getRow.get(kind, id);
      return r === undefined ? undefined : toDoc<T>(r);
    },
    list: async <T>(kind: string, opts: ListOptions<T> = {}) => {
      let after = 0;
      if (opts.after !== undefined) {
        const m = seqOf.get(kind, opts.after);
        // Another project's document is no marker: its existence is not told either.
        if (m === undefined || (opts.projects !== undefined && !opts.projects.includes(m.project))) throw new MarkerNotFoundError(opts.after);
        after = m.seq;
      }
      const out: StoredDocument<T>[] = [];
      const limit = opts.limit ?? Infinity;
      if (limit <= 0) return out;
      // What an index says and the rows it names, read in one transaction: another process
      // writing to the file meanwhile cannot come between them.
      return readTogether(() => {
        const q = listQuery(kind, after, opts.projects, opts.conditions, indexes.rowsFor);
        // Read as the page fills: the statement stops where the page is full.
        for (const r of listStatement(q.sql).iterate(q.params)) {
          const d = toDoc<T>(r);
          if (opts.where !== undefined && !opts.where(d.doc)) continue;
          out.push(d);
          if (out.length >= limit) break;
        }
        return out;
      });
    },
    // The write lock first: another process writing the file (the catch-up of its indexes, say)
    // then makes a commit wait for busy_timeout, where a read turned write would fail at once.
    begin: (): UnitOfWork => new StagedWork((ops) => apply.immediate(ops)),
    indexFields: async (fields) => indexes.indexFields(fields),
    // A query answers, and the files a write needs are still writable (an open descriptor would
    // hide a file made read-only, or a folder, until the next checkpoint fails).
    check: async () => {
      db.prepare('SELECT 1').get();
      if (behind !== undefined && Date.now() - behind.since >= 5000) throw new Error(`the indexes of names and list items cannot catch up with the writes: ${behind.why}`);
      if (file === ':memory:') return;
      for (const f of [file, `${file}-wal`, dirname(file)]) {
        try {
          accessSync(f, constants.W_OK);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOENT' && f.endsWith('-wal')) continue;
          throw new Error(`${f} is not writable (${(err as NodeJS.ErrnoException).code})`);
        }
      }
    },
    close: async () => {
      clearInterval(statistics);
      clearInterval(catchingUp);
      try {
        indexes.catchUp(Number.POSITIVE_INFINITY);
      } catch {
        // A read-only or busy file: the next start's searches read those rows meanwhile.
      }
      db.close();
    },
  };
};
