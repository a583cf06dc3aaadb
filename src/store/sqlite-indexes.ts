import type Database from 'better-sqlite3';
import type { Condition, MatchedField } from './store.ts';
import { checkedField } from './conditions.ts';

/**
 * SQLite's indexes beyond the expression indexes of its list conditions: what FTS5's trigram index
 * of names (migration 4) and the items of matched lists (migration 5) find, and the indexes made
 * for the fields extension parameters match.
 */

/**
 * The rows (`n`) an index finds for a condition, when it finds no more than ROWS_READ_BY_KEY;
 * undefined when no index serves it or it finds more. Those rows are read one by one and sorted:
 * many cost more than reading in creation order, where a page of what most documents hold fills
 * at once. The rows may hold more than the condition selects, never less.
 */
export type IndexedRows = (c: Condition) => readonly number[] | undefined;
export const ROWS_READ_BY_KEY = 2000;

/** IndexedRows as the file's indexes say: names' text (3 characters or more), and the items of the lists in `matchedLists`. */
export const indexedRows = (db: Database.Database, matchedLists: ReadonlySet<string>): IndexedRows => {
  const names = db.prepare<[string, number], number>('SELECT rowid FROM document_names WHERE document_names MATCH ? LIMIT ?').pluck();
  const items = db.prepare<[string, string, number], number>('SELECT n FROM document_items WHERE field = ? AND item = ? LIMIT ?').pluck();
  const few = (rows: number[]) => (rows.length > ROWS_READ_BY_KEY ? undefined : rows);
  return (c) => {
    if (c.op === 'contains' && c.field === 'name' && [...c.value].length >= 3 && !c.value.includes('\0')) {
      // A phrase: the text's trigrams one after another, that is the text itself.
      return few(names.all(`"${c.value.replaceAll('"', '""')}"`, ROWS_READ_BY_KEY + 1));
    }
    if (c.op === 'includesAll' && matchedLists.has(c.field)) {
      // The rows holding the value fewest rows hold (all of them hold each value).
      let fewest: number[] | undefined;
      for (const v of c.values) {
        const rows = few(items.all(c.field, v, ROWS_READ_BY_KEY + 1));
        if (rows !== undefined && (fewest === undefined || rows.length < fewest.length)) fewest = rows;
      }
      return fewest;
    }
    return undefined;
  };
};

/**
 * Indexes the matched fields: a text by an expression index, as the core filters' fields are
 * (store/sqlite.ts reads it with the same expression); a list by its items, from the documents
 * there are now, then by the triggers (migration 5). One transaction.
 */
export const indexFields = (db: Database.Database, fields: readonly MatchedField[], matchedLists: Set<string>): void => {
  const matchList = db.prepare('INSERT OR IGNORE INTO matched_lists (field) VALUES (?)');
  const itemsOf = db.prepare(`INSERT OR IGNORE INTO document_items (field, item, n)
    SELECT @field, j.value, d.n FROM documents AS d, json_each(d.body, @path) AS j WHERE j.type = 'text'`);
  db.transaction(() => {
    for (const f of fields) {
      const key = checkedField(f.key);
      if (f.form === 'text') db.exec(`CREATE INDEX IF NOT EXISTS "documents_by_field:${key}" ON documents (kind, json_extract(body, '$."${key}"'), seq)`);
      else if (matchList.run(key).changes === 1) itemsOf.run({ field: key, path: `$."${key}"` });
    }
  }).immediate();
  for (const f of fields) if (f.form === 'list') matchedLists.add(f.key);
};

/** The lists matched so far (by this file's earlier starts too). */
export const matchedListsOf = (db: Database.Database): Set<string> => new Set(db.prepare<[], string>('SELECT field FROM matched_lists').pluck().all());
