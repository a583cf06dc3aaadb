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
];

/** Applies the migrations the file has not had, in one transaction that takes the write lock first. */
export const migrateSqlite = (db: Database.Database): void => {
  db.transaction(() => {
    const at = db.pragma('user_version', { simple: true }) as number;
    for (const m of SQLITE_MIGRATIONS) if (m.version > at) m.run(db);
    db.pragma(`user_version = ${SQLITE_MIGRATIONS.at(-1)!.version}`);
  }).immediate();
};
