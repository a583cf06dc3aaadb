import type Database from 'better-sqlite3';

/**
 * Each backend's schema, as numbered migrations applied in order at start: PostgreSQL records them
 * in extgate_migrations (store/postgres.ts, one instance at a time under an advisory lock),
 * SQLite in the file's user_version. A change to the schema is a new entry at the end of each
 * list, never an edit of one already shipped.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const POSTGRES_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'documents',
    sql: `
      CREATE SEQUENCE documents_seq;
      CREATE TABLE documents (
        kind    TEXT    NOT NULL,
        id      TEXT    NOT NULL,
        seq     BIGINT  NOT NULL,
        version INTEGER NOT NULL,
        project TEXT    NOT NULL DEFAULT '',
        body    TEXT    NOT NULL,
        PRIMARY KEY (kind, id)
      );
      CREATE INDEX documents_by_seq ON documents (kind, seq);
      CREATE INDEX documents_by_project ON documents (kind, project, seq);`,
  },
  {
    version: 2,
    name: 'rate limit buckets shared by the instances',
    sql: `
      CREATE TABLE extgate_rate_buckets (
        key       TEXT             NOT NULL,
        limit_sig TEXT             NOT NULL,
        tokens    DOUBLE PRECISION NOT NULL,
        at        DOUBLE PRECISION NOT NULL,
        PRIMARY KEY (key, limit_sig)
      );
      CREATE INDEX extgate_rate_buckets_by_age ON extgate_rate_buckets (at);`,
  },
  {
    // The list filters' fields (store.ts Condition), as store/postgres.ts reads them: the same
    // expressions, or the planner does not see the index. Text is compared in the C collation,
    // whatever the database's (upper() then folds ASCII only, as SQLite's does). A status with
    // nothing pending has an index of its own, in creation order (PostgreSQL orders no rows by
    // a column after one tested IS NULL, as SQLite does).
    version: 3,
    name: 'indexes for the list filters',
    sql: `
      CREATE INDEX documents_by_name ON documents (kind, ((body::jsonb) ->> 'name'), seq);
      CREATE INDEX documents_by_image ON documents (kind, ((body::jsonb) ->> 'imageId'), seq);
      CREATE INDEX documents_by_flavor ON documents (kind, ((body::jsonb) ->> 'flavorId'), seq);
      CREATE INDEX documents_by_server ON documents (kind, ((body::jsonb) ->> 'serverId'), seq);
      CREATE INDEX documents_by_tenant ON documents (kind, ((body::jsonb) ->> 'tenant_id'), seq);
      CREATE INDEX documents_by_updated ON documents (kind, (CASE WHEN ((body::jsonb) ->> 'updated') ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$' THEN ((body::jsonb) ->> 'updated') ELSE '~' END COLLATE "C"), seq);
      CREATE INDEX documents_by_status ON documents (kind, upper(((body::jsonb) ->> 'status') COLLATE "C"), seq)
        WHERE (CASE WHEN jsonb_typeof((body::jsonb) -> 'pending' -> 'at') = 'number' THEN ((body::jsonb) -> 'pending' ->> 'at')::numeric END) IS NULL;
      CREATE INDEX documents_by_status_until ON documents (kind, upper(((body::jsonb) ->> 'status') COLLATE "C"),
        (CASE WHEN jsonb_typeof((body::jsonb) -> 'pending' -> 'at') = 'number' THEN ((body::jsonb) -> 'pending' ->> 'at')::numeric END));
      CREATE INDEX documents_by_pending_status ON documents (kind, upper(((body::jsonb) -> 'pending' ->> 'status') COLLATE "C"), seq);`,
  },
  {
    // Migration 3's pending.at and updated each parsed the body twice (a type test, then the
    // value), on every write and on every row a status list tests: a JSON path parses it once.
    version: 4,
    name: 'list filter indexes that parse the body once',
    sql: `
      DROP INDEX documents_by_status, documents_by_status_until, documents_by_updated;
      CREATE INDEX documents_by_status ON documents (kind, upper(((body::jsonb) ->> 'status') COLLATE "C"), seq)
        WHERE jsonb_path_query_first((body::jsonb), '$.pending.at ? (@.type() == "number")') IS NULL;
      CREATE INDEX documents_by_status_until ON documents (kind, upper(((body::jsonb) ->> 'status') COLLATE "C"),
        jsonb_path_query_first((body::jsonb), '$.pending.at ? (@.type() == "number")'));
      CREATE INDEX documents_by_updated ON documents (kind,
        (COALESCE(jsonb_path_query_first((body::jsonb), '$.updated ? (@ like_regex "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$")') #>> '{}', '~') COLLATE "C"), seq);`,
  },
  {
    // A name's text (the name filter's `contains` condition, a LIKE '%text%') through pg_trgm's
    // trigram index; the planner weighs it against reading in creation order (a text most names
    // hold). pg_trgm is in PostgreSQL's contrib, and trusted: the database's owner may create it.
    version: 5,
    name: 'the text of names, indexed',
    sql: `
      CREATE EXTENSION IF NOT EXISTS pg_trgm;
      CREATE INDEX documents_by_name_text ON documents USING gin (((body::jsonb) ->> 'name') gin_trgm_ops) WITH (fastupdate = off);`,
  },
  {
    // The hashes of a JSON list's items, for the lists extension parameters match (store/postgres.ts
    // indexFields): ANALYZE keeps the most common elements of an indexed text[] expression, and the
    // planner weighs @> with them, where it has no statistics for jsonb's @>. Hashes, as an index
    // entry holds 2.7 kB at most. PL/pgSQL, never inlined: the expression stays the index's.
    version: 6,
    name: 'the hashes of the items of a list',
    sql: `
      CREATE FUNCTION extgate_item_hashes(list jsonb) RETURNS text[] LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
      BEGIN
        RETURN CASE WHEN jsonb_typeof(list) = 'array' THEN ARRAY(SELECT md5(item) FROM jsonb_array_elements_text(list) AS item) END;
      END $$;`,
  },
];

interface SqliteMigration {
  readonly version: number;
  readonly name: string;
  readonly run: (db: Database.Database) => void;
}

/**
 * Files made before migrations were numbered have user_version 0 and any of these states: each
 * migration checks what is there, so applying it to such a file is safe.
 */
export const SQLITE_MIGRATIONS: readonly SqliteMigration[] = [
  {
    version: 1,
    name: 'documents',
    run: (db) =>
      db.exec(`
        CREATE TABLE IF NOT EXISTS documents (
          kind    TEXT    NOT NULL,
          id      TEXT    NOT NULL,
          seq     INTEGER NOT NULL,
          version INTEGER NOT NULL,
          body    TEXT    NOT NULL,
          PRIMARY KEY (kind, id)
        );
        CREATE INDEX IF NOT EXISTS documents_by_seq ON documents (kind, seq);`),
  },
  {
    // Every server was its tenant_id's, everything else public; a snapshot is its server's
    // project's, one whose server is gone nobody's but an admin's (never public).
    version: 2,
    name: 'owners',
    run: (db) => {
      const columns = db.prepare<[], { name: string }>('PRAGMA table_info(documents)').all().map((c) => c.name);
      if (!columns.includes('project')) {
        db.exec("ALTER TABLE documents ADD COLUMN project TEXT NOT NULL DEFAULT ''");
        db.exec("UPDATE documents SET project = COALESCE(json_extract(body, '$.tenant_id'), '') WHERE kind = 'servers'");
        db.exec(`UPDATE documents SET project = COALESCE((SELECT s.project FROM documents s WHERE s.kind = 'servers' AND s.id = json_extract(documents.body, '$.serverId')), '(unowned)')
                 WHERE kind = 'images' AND json_extract(body, '$.serverId') IS NOT NULL`);
      }
      db.exec('CREATE INDEX IF NOT EXISTS documents_by_project ON documents (kind, project, seq)');
    },
  },
  {
    // The list filters' fields (store.ts Condition), as store/sqlite.ts reads them: the same
    // expressions, or the planner does not see the index.
    version: 3,
    name: 'indexes for the list filters',
    run: (db) =>
      db.exec(`
        CREATE INDEX IF NOT EXISTS documents_by_name ON documents (kind, json_extract(body, '$.name'), seq);
        CREATE INDEX IF NOT EXISTS documents_by_image ON documents (kind, json_extract(body, '$.imageId'), seq);
        CREATE INDEX IF NOT EXISTS documents_by_flavor ON documents (kind, json_extract(body, '$.flavorId'), seq);
        CREATE INDEX IF NOT EXISTS documents_by_server ON documents (kind, json_extract(body, '$.serverId'), seq);
        CREATE INDEX IF NOT EXISTS documents_by_tenant ON documents (kind, json_extract(body, '$.tenant_id'), seq);
        CREATE INDEX IF NOT EXISTS documents_by_updated ON documents (kind,
          CASE WHEN json_extract(body, '$.updated') GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]Z' THEN json_extract(body, '$.updated') ELSE '~' END, seq);
        CREATE INDEX IF NOT EXISTS documents_by_status ON documents (kind, upper(json_extract(body, '$.status')),
          CASE WHEN json_type(body, '$.pending.at') IN ('integer', 'real') THEN json_extract(body, '$.pending.at') END, seq);
        CREATE INDEX IF NOT EXISTS documents_by_pending_status ON documents (kind, upper(json_extract(body, '$.pending.status')), seq);`),
  },
  {
    // A name's text (the name filter's `contains` condition) through FTS5's trigram index, which
    // finds the names holding any text of 3 characters or more, case and all; and the items of the
    // lists extension parameters match (store.ts MatchedField, `includesAll`), one row each, as an
    // expression index cannot hold a list's items (which lists: matched_lists, from
    // store/sqlite-indexes.ts indexFields). FTS5 keys its rows by an integer that VACUUM must not
    // renumber, which only an INTEGER PRIMARY KEY is: the table is rebuilt with one (`n`, the rowid
    // it had), and gets migrations 1 to 3's indexes again. Both indexes are brought up to date after
    // the writes, not in them (FTS5 writes a segment per transaction): triggers note the rows
    // written in `unindexed`, which a search reads too. Both are made again from the table, whatever
    // the file held: one that an older release wrote to after this migration has stale ones.
    version: 4,
    name: 'the text of names and the items of matched lists, indexed',
    run: (db) => {
      db.exec(`
        CREATE TABLE documents_keyed (
          n       INTEGER PRIMARY KEY,
          kind    TEXT    NOT NULL,
          id      TEXT    NOT NULL,
          seq     INTEGER NOT NULL,
          version INTEGER NOT NULL,
          project TEXT    NOT NULL DEFAULT '',
          body    TEXT    NOT NULL,
          UNIQUE (kind, id)
        );
        INSERT INTO documents_keyed (n, kind, id, seq, version, project, body) SELECT rowid, kind, id, seq, version, project, body FROM documents;
        DROP TABLE documents;
        ALTER TABLE documents_keyed RENAME TO documents;`);
      for (const m of SQLITE_MIGRATIONS.slice(0, 3)) m.run(db);
      db.exec(`
        DROP TABLE IF EXISTS document_names;
        CREATE VIRTUAL TABLE document_names USING fts5(name, content='', contentless_delete=1, tokenize='trigram case_sensitive 1');
        INSERT INTO document_names (rowid, name) SELECT n, json_extract(body, '$.name') FROM documents WHERE json_type(body, '$.name') = 'text';
        CREATE TABLE IF NOT EXISTS matched_lists (field TEXT PRIMARY KEY) WITHOUT ROWID;
        DROP TABLE IF EXISTS document_items;
        CREATE TABLE document_items (field TEXT NOT NULL, item TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (field, item, n)) WITHOUT ROWID;
        CREATE INDEX document_items_by_row ON document_items (n);
        INSERT INTO document_items (field, item, n) ${LIST_ITEMS};
        DROP TABLE IF EXISTS unindexed;
        CREATE TABLE unindexed (n INTEGER PRIMARY KEY);
        CREATE TRIGGER unindexed_insert AFTER INSERT ON documents BEGIN INSERT OR IGNORE INTO unindexed (n) VALUES (new.n); END;
        CREATE TRIGGER unindexed_update AFTER UPDATE OF body ON documents BEGIN INSERT OR IGNORE INTO unindexed (n) VALUES (new.n); END;
        CREATE TRIGGER unindexed_delete AFTER DELETE ON documents BEGIN INSERT OR IGNORE INTO unindexed (n) VALUES (old.n); END;`);
    },
  },
];

/**
 * The items of matched lists that documents hold (`d`; a WHERE on it may follow), as
 * document_items rows. json_each of a text that is no list gives the text: more than a list test
 * accepts.
 */
export const LIST_ITEMS = `SELECT DISTINCT m.field, j.value, d.n FROM documents AS d, matched_lists AS m, json_each(d.body, '$."' || m.field || '"') AS j WHERE j.type = 'text'`;

/**
 * Applies the migrations the file has not had, in one transaction that takes the write lock first.
 * A file a newer release migrated is refused: this one would write it without what that one keeps.
 */
export const migrateSqlite = (db: Database.Database): void => {
  db.transaction(() => {
    const at = db.pragma('user_version', { simple: true }) as number;
    const known = SQLITE_MIGRATIONS.at(-1)!.version;
    if (at > known) throw new Error(`the SQLite file was migrated to version ${at} by a newer extgate; this one knows up to ${known}`);
    for (const m of SQLITE_MIGRATIONS) if (m.version > at) m.run(db);
    db.pragma(`user_version = ${known}`);
  }).immediate();
};
