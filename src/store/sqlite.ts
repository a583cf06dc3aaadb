import { accessSync, constants, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { ConflictError, MarkerNotFoundError, type ListOptions, type Store, type StoredDocument, type UnitOfWork } from './store.ts';
import { StagedWork, type Op } from './staged-work.ts';
import { migrateSqlite } from './migrations.ts';

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

export const openSqliteStore = (file: string): Store => {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  migrateSqlite(db);

  const getRow = db.prepare<[string, string], Row>('SELECT id, version, project, body FROM documents WHERE kind = ? AND id = ?');
  const seqOf = db.prepare<[string, string], { seq: number; project: string }>('SELECT seq, project FROM documents WHERE kind = ? AND id = ?');
  const listRows = db.prepare<[string, number], Row>('SELECT id, version, project, body FROM documents WHERE kind = ? AND seq > ? ORDER BY seq');
  const listOwned = db.prepare<[string, string, number], Row>(
    'SELECT id, version, project, body FROM documents WHERE kind = ? AND project IN (SELECT value FROM json_each(?)) AND seq > ? ORDER BY seq',
  );
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
      const rows = opts.projects === undefined ? listRows.iterate(kind, after) : listOwned.iterate(kind, JSON.stringify(opts.projects), after);
      for (const r of rows) {
        const d = toDoc<T>(r);
        if (opts.where !== undefined && !opts.where(d.doc)) continue;
        out.push(d);
        if (out.length >= limit) break;
      }
      return out;
    },
    begin: (): UnitOfWork => new StagedWork(apply),
    // A query answers, and the files a write needs are still writable (an open descriptor would
    // hide a file made read-only, or a folder, until the next checkpoint fails).
    check: async () => {
      db.prepare('SELECT 1').get();
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
      db.close();
    },
  };
};
