/**
 * The PostgreSQL schema, as numbered migrations applied in order at start (store/postgres.ts
 * records them in extgate_migrations, one instance at a time). A change to the schema is a new
 * entry at the end, never an edit of one already shipped.
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
