import type Database from 'better-sqlite3';
import type { Condition, MatchedField } from './store.ts';
import { checkedField } from './conditions.ts';
import { LIST_ITEMS } from './migrations.ts';

/**
 * SQLite's indexes beyond the expression indexes of its list conditions: FTS5's trigram index of
 * names and the items of matched lists (both migration 4), and the indexes made for the
 * fields extension parameters match.
 *
 * The first two are brought up to date after the writes, not in them: FTS5 writes a segment per
 * transaction, which cost a single-row commit as much as the rest of it. Triggers note each row
 * written in `unindexed`; a search takes those rows too, whatever the index says of them, and
 * `catchUp` indexes them a few hundred at a time, in a transaction each.
 */
export interface IndexesOf {
  /**
   * The rows (`n`) an index finds for a condition, the unindexed ones with them, when they are no
   * more than ROWS_READ_BY_KEY; undefined when no index serves the condition or they are more.
   * Those rows are read one by one and sorted: many cost more than reading in creation order, where
   * a page of what most documents hold fills at once. The rows may hold more than the condition
   * selects, never less. Reads only: call it in the transaction that reads the rows.
   */
  rowsFor(c: Condition): readonly number[] | undefined;
  /** Indexes the rows written since, a batch at a time, for up to `budgetMs`; how many are left. */
  catchUp(budgetMs: number): number;
  /** Indexes the matched fields (see Store.indexFields). */
  indexFields(fields: readonly MatchedField[]): void;
}

export const ROWS_READ_BY_KEY = 2000;
const CATCH_UP_BATCH = 500;

export const indexesOf = (db: Database.Database): IndexesOf => {
  const matchedLists = new Set(db.prepare<[], string>('SELECT field FROM matched_lists').pluck().all());
  const names = db.prepare<[string, number], number>('SELECT rowid FROM document_names WHERE document_names MATCH ? LIMIT ?').pluck();
  const items = db.prepare<[string, string, number], number>('SELECT n FROM document_items WHERE field = ? AND item = ? LIMIT ?').pluck();
  const pending = db.prepare<[number], number>('SELECT n FROM unindexed LIMIT ?').pluck();

  const batch = db.prepare<[number], number>('SELECT n FROM unindexed ORDER BY n LIMIT ?').pluck();
  const inBatch = 'SELECT value FROM json_each(@rows)';
  const steps = [
    `DELETE FROM document_names WHERE rowid IN (${inBatch})`,
    `INSERT INTO document_names (rowid, name) SELECT n, json_extract(body, '$.name') FROM documents WHERE n IN (${inBatch}) AND json_type(body, '$.name') = 'text'`,
    `DELETE FROM document_items WHERE n IN (${inBatch})`,
    `INSERT OR IGNORE INTO document_items (field, item, n) ${LIST_ITEMS} AND d.n IN (${inBatch})`,
    `DELETE FROM unindexed WHERE n IN (${inBatch})`,
  ].map((sql) => db.prepare<[{ rows: string }]>(sql));
  /** One batch, in one transaction: how many rows it indexed. */
  const catchUpBatch = db.transaction((): number => {
    const rows = batch.all(CATCH_UP_BATCH);
    if (rows.length > 0) for (const step of steps) step.run({ rows: JSON.stringify(rows) });
    return rows.length;
  });
  const left = db.prepare<[], number>('SELECT count(*) FROM unindexed').pluck();

  /** How an index finds the rows for a condition (at most ROWS_READ_BY_KEY + 1 of them); undefined when none serves it. */
  const searchFor = (c: Condition): (() => number[] | undefined) | undefined => {
    if (c.op === 'contains' && c.field === 'name' && [...c.value].length >= 3 && !c.value.includes('\0')) {
      // A phrase: the text's trigrams one after another, that is the text itself.
      return () => names.all(`"${c.value.replaceAll('"', '""')}"`, ROWS_READ_BY_KEY + 1);
    }
    if (c.op === 'includesAll' && matchedLists.has(c.field)) {
      // The rows holding the value fewest rows hold (all of them hold each value).
      return () => {
        let fewest: number[] | undefined;
        for (const v of c.values) {
          const rows = items.all(c.field, v, ROWS_READ_BY_KEY + 1);
          if (rows.length <= ROWS_READ_BY_KEY && (fewest === undefined || rows.length < fewest.length)) fewest = rows;
        }
        return fewest;
      };
    }
    return undefined;
  };

  return {
    rowsFor: (c) => {
      const search = searchFor(c);
      if (search === undefined) return undefined;
      // More written since than a search should read (the catch-up is behind): read in creation order.
      const unindexed = pending.all(ROWS_READ_BY_KEY + 1);
      if (unindexed.length > ROWS_READ_BY_KEY) return undefined;
      const found = search();
      if (found === undefined) return undefined;
      const rows = unindexed.length === 0 ? found : [...new Set([...found, ...unindexed])];
      return rows.length > ROWS_READ_BY_KEY ? undefined : rows;
    },
    catchUp: (budgetMs) => {
      const until = performance.now() + budgetMs;
      while (catchUpBatch.immediate() === CATCH_UP_BATCH) if (performance.now() >= until) return left.get()!;
      return 0;
    },
    indexFields: (fields) => {
      const matchList = db.prepare('INSERT OR IGNORE INTO matched_lists (field) VALUES (?)');
      const itemsOf = db.prepare(`INSERT OR IGNORE INTO document_items (field, item, n) ${LIST_ITEMS} AND m.field = ?`);
      // A text by an expression index, as the core filters' fields are (store/sqlite.ts reads it
      // with the same expression); a list by its items, from the documents there are now.
      db.transaction(() => {
        for (const f of fields) {
          const key = checkedField(f.key);
          if (f.form === 'text') db.exec(`CREATE INDEX IF NOT EXISTS "documents_by_field:${key}" ON documents (kind, json_extract(body, '$."${key}"'), seq)`);
          else if (matchList.run(key).changes === 1) itemsOf.run(key);
        }
      }).immediate();
      for (const f of fields) if (f.form === 'list') matchedLists.add(f.key);
    },
  };
};
