import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect, test } from 'vitest';
import { ANALYZE_FROM, listQuery, openSqliteStore } from '../../src/store/sqlite.ts';
import { indexesOf, ROWS_READ_BY_KEY } from '../../src/store/sqlite-indexes.ts';
import { SQLITE_MIGRATIONS } from '../../src/store/migrations.ts';
import type { Condition, Store } from '../../src/store/store.ts';
import { storeContract } from './contract.ts';

const tempFile = () => join(mkdtempSync(join(tmpdir(), 'extgate-store-')), 'nested', 'extgate.sqlite');

const fileOf = new WeakMap<Store, string>();
const openOn = (file: string) => {
  const s = openSqliteStore(file);
  fileOf.set(s, file);
  return s;
};
storeContract(
  'SQLite (a real file)',
  async () => openOn(tempFile()),
  // Closing catches the indexes up: the conditions are then checked on what they say.
  async (s) => {
    await s.close();
    return openOn(fileOf.get(s)!);
  },
);

test('SQLite: the file and its folder are created on first open, and data survives reopening', async () => {
  const file = tempFile();
  const s1 = openSqliteStore(file);
  const t = s1.begin();
  t.insert('servers', 'a', { name: 'kept' }, '');
  await t.commit();
  await s1.close();
  const s2 = openSqliteStore(file);
  expect(await s2.get('servers', 'a')).toEqual({ id: 'a', version: 1, project: '', doc: { name: 'kept' } });
  await s2.close();
});

test('SQLite: a file from before owners gets them: a server is its tenant_id\'s, a snapshot its server\'s project\'s (an orphan, nobody\'s), anything else public', async () => {
  const file = tempFile();
  openSqliteStore(file).close();
  const db = new Database(file);
  // As such a file is: the old table, and no migration recorded.
  db.exec('DROP TABLE documents; CREATE TABLE documents (kind TEXT NOT NULL, id TEXT NOT NULL, seq INTEGER NOT NULL, version INTEGER NOT NULL, body TEXT NOT NULL, PRIMARY KEY (kind, id)); PRAGMA user_version = 0');
  db.prepare('INSERT INTO documents VALUES (?, ?, ?, 1, ?)').run('servers', 's', 1, JSON.stringify({ tenant_id: 'alpha' }));
  db.prepare('INSERT INTO documents VALUES (?, ?, ?, 1, ?)').run('images', 'i', 1, JSON.stringify({ name: 'x' }));
  db.prepare('INSERT INTO documents VALUES (?, ?, ?, 1, ?)').run('images', 'snap', 2, JSON.stringify({ name: 'snap', serverId: 's' }));
  db.prepare('INSERT INTO documents VALUES (?, ?, ?, 1, ?)').run('images', 'orphan', 3, JSON.stringify({ name: 'o', serverId: 'gone' }));
  db.close();
  const s = openSqliteStore(file);
  expect((await s.get('servers', 's'))!.project).toBe('alpha');
  expect((await s.get('images', 'i'))!.project).toBe('');
  expect((await s.get('images', 'snap'))!.project).toBe('alpha');
  expect((await s.get('images', 'orphan'))!.project).toBe('(unowned)');
  expect((await s.list('servers', { projects: ['alpha'] })).map((d) => d.id)).toEqual(['s']);
  await s.close();
});

test('SQLite: the migrations applied are recorded in the file (user_version), with their indexes; reopening it applies none again', async () => {
  const file = tempFile();
  await openSqliteStore(file).close();
  const db = new Database(file);
  expect(db.pragma('user_version', { simple: true })).toBe(SQLITE_MIGRATIONS.at(-1)!.version);
  expect(db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'documents_by_%' ORDER BY name").all().map((r) => (r as { name: string }).name)).toEqual([
    'documents_by_flavor',
    'documents_by_image',
    'documents_by_name',
    'documents_by_pending_status',
    'documents_by_project',
    'documents_by_seq',
    'documents_by_server',
    'documents_by_status',
    'documents_by_tenant',
    'documents_by_updated',
  ]);
  db.close();
  const again = openSqliteStore(file);
  expect(await again.list('servers')).toEqual([]);
  await again.close();
});

const NOW = Date.parse('2026-11-29T12:00:00Z');

/** Servers one in a hundred of which a filter selects; the rest settled into ACTIVE long ago. */
const fillServers = async (file: string, n: number) => {
  const s = openSqliteStore(file);
  for (let i = 0; i < n; i += 1000) {
    const t = s.begin();
    for (let j = i; j < Math.min(n, i + 1000); j++) {
      const rare = j % 100 === 99;
      t.insert(
        'servers',
        `s${j}`,
        rare
          ? { imageId: 'rare', flavorId: 'small', tenant_id: 'few', status: 'SHUTOFF', updated: '2026-11-29T12:00:00Z' }
          : { imageId: 'common', flavorId: 'big', tenant_id: 'many', status: 'BUILD', pending: { status: 'ACTIVE', at: NOW - 60_000 }, updated: '2026-01-01T00:00:00Z' },
        rare ? 'few' : 'many',
      );
    }
    await t.commit();
  }
  await s.close();
};

/** What SQLite says it will do for a list: one line per table read. */
const planOf = (db: Database.Database, conditions: Condition[], projects?: string[], kind = 'servers') => {
  const q = listQuery(kind, 0, projects, conditions, indexesOf(db).rowsFor);
  return (db.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all(q.params) as { detail: string }[]).map((r) => r.detail).filter((d) => / documents /.test(d));
};

test('SQLite: each filter is read through its index, an equality in creation order (no sort: a page stops reading when full); a status through one index per case', async () => {
  const file = tempFile();
  await fillServers(file, 2000);
  const db = new Database(file, { readonly: true });
  const through = (index: string) => `SEARCH documents USING INDEX ${index} (kind=? AND <expr>=? AND seq>?)`;
  expect(planOf(db, [{ op: 'eq', field: 'imageId', value: 'rare' }])).toEqual([through('documents_by_image')]);
  expect(planOf(db, [{ op: 'eq', field: 'imageId', value: 'rare' }], ['few'])).toEqual([through('documents_by_image')]);
  expect(planOf(db, [{ op: 'eq', field: 'flavorId', value: 'small' }])).toEqual([through('documents_by_flavor')]);
  expect(planOf(db, [{ op: 'eq', field: 'tenant_id', value: 'few' }])).toEqual([through('documents_by_tenant')]);
  expect(planOf(db, [{ op: 'eq', field: 'serverId', value: 's1' }], ['', 'few'], 'images')).toEqual([through('documents_by_server')]);
  expect(planOf(db, [{ op: 'eq', field: 'name', value: 'snap' }], undefined, 'images')).toEqual([through('documents_by_name')]);
  // Nothing pending, in creation order; pending later than now (the few in transition), sorted; settled, in creation order.
  for (const projects of [['few'], undefined]) {
    expect(planOf(db, [{ op: 'status', value: 'SHUTOFF', now: NOW }], projects)).toEqual([
      'SEARCH documents USING INDEX documents_by_status (kind=? AND <expr>=? AND <expr>=? AND seq>?)',
      'SEARCH documents USING INDEX documents_by_status (kind=? AND <expr>=? AND <expr>>?)',
      through('documents_by_pending_status'),
    ]);
  }
  db.close();
});

test(`SQLite: from ${ANALYZE_FROM} documents the planner has statistics, and reads changes-since through its index when it selects few, in creation order when it selects most`, async () => {
  const file = tempFile();
  await fillServers(file, ANALYZE_FROM + 1000);
  // Opening takes them (PRAGMA optimize); a connection opened after reads them.
  await openSqliteStore(file).close();
  const db = new Database(file, { readonly: true });
  expect(planOf(db, [{ op: 'since', field: 'updated', value: Date.parse('2026-11-29T00:00:00Z') }])).toEqual(['SEARCH documents USING INDEX documents_by_updated (kind=? AND <expr>>?)']);
  expect(planOf(db, [{ op: 'since', field: 'updated', value: Date.parse('2000-01-01T00:00:00Z') }])).toEqual(['SEARCH documents USING INDEX documents_by_seq (kind=? AND seq>?)']);
  // Two filters: the one that selects fewer.
  expect(planOf(db, [{ op: 'status', value: 'SHUTOFF', now: NOW }, { op: 'eq', field: 'flavorId', value: 'big' }])).toEqual([
    'SEARCH documents USING INDEX documents_by_status (kind=? AND <expr>=? AND <expr>=? AND seq>?)',
    'SEARCH documents USING INDEX documents_by_status (kind=? AND <expr>=? AND <expr>>?)',
    'SEARCH documents USING INDEX documents_by_pending_status (kind=? AND <expr>=? AND seq>?)',
  ]);
  expect(planOf(db, [{ op: 'eq', field: 'imageId', value: 'rare' }, { op: 'eq', field: 'tenant_id', value: 'many' }])).toEqual(['SEARCH documents USING INDEX documents_by_image (kind=? AND <expr>=? AND seq>?)']);
  db.close();
});

test(`SQLite: a name's text is read through the names' trigram index, the rows it finds by key, when it finds no more than ${ROWS_READ_BY_KEY}; in creation order when more names hold it`, async () => {
  const file = tempFile();
  const s = openSqliteStore(file);
  const t = s.begin();
  for (let i = 0; i < ROWS_READ_BY_KEY + 100; i++) t.insert('servers', `s${i}`, { name: i % 1000 === 7 ? `rare-${i}` : `web-${i}`, tenant_id: 'p' }, 'p');
  t.insert('images', 'i', { name: 'rare-image' }, '');
  await t.commit();
  await s.close();
  const db = new Database(file, { readonly: true });
  const holding = indexesOf(db).rowsFor;
  const keyOf = db.prepare<[string, string], number>('SELECT n FROM documents WHERE kind = ? AND id = ?').pluck();
  const rare = (value: string) => ({ op: 'contains', field: 'name', value }) as const;
  // Every name holding the text, whatever its kind; none for a text under 3 characters or one more names hold.
  expect([...holding(rare('rare-'))!].sort((a, b) => a - b)).toEqual([keyOf.get('servers', 's7'), keyOf.get('servers', 's1007'), keyOf.get('servers', 's2007'), keyOf.get('images', 'i')]);
  expect(holding(rare('e-1007'))).toEqual([keyOf.get('servers', 's1007')]);
  expect(holding(rare('nowhere'))).toEqual([]);
  expect(holding(rare('re'))).toBeUndefined();
  expect(holding(rare('web-'))).toBeUndefined();
  expect(holding({ op: 'contains', field: 'imageId', value: 'rare-' })).toBeUndefined();
  expect(planOf(db, [rare('rare-')], ['p'])).toEqual(['SEARCH documents USING INTEGER PRIMARY KEY (rowid=?)']);
  expect(planOf(db, [rare('web-')], ['p'])).toEqual(['SEARCH documents USING INDEX documents_by_seq (kind=? AND seq>?)']);
  db.close();
});

test('SQLite: a file from before the names\' index gets it, its rows keeping their keys', async () => {
  const file = tempFile();
  openSqliteStore(file).close();
  const db = new Database(file);
  // As such a file is: migrations 1 to 3, and the documents they kept.
  db.exec('DROP TABLE documents; DROP TABLE document_names; PRAGMA user_version = 0');
  for (const m of SQLITE_MIGRATIONS.slice(0, 3)) m.run(db);
  db.pragma('user_version = 3');
  const insert = db.prepare('INSERT INTO documents (rowid, kind, id, seq, version, project, body) VALUES (?, ?, ?, ?, 1, ?, ?)');
  insert.run(40, 'servers', 'a', 1, 'p', JSON.stringify({ name: 'alpha-one' }));
  insert.run(7, 'servers', 'b', 2, 'p', JSON.stringify({ name: 'beta-two' }));
  insert.run(12, 'images', 'c', 1, '', JSON.stringify({ name: 5 }));
  db.close();
  const s = openSqliteStore(file);
  const names = async (value: string) => (await s.list('servers', { conditions: [{ op: 'contains', field: 'name', value }] })).map((d) => d.id);
  expect(await names('alpha')).toEqual(['a']);
  expect(await names('-t')).toEqual(['b']);
  expect(await s.list('images')).toEqual([{ id: 'c', version: 1, project: '', doc: { name: 5 } }]);
  await s.close();
  const after = new Database(file, { readonly: true });
  expect(after.prepare('SELECT n, id FROM documents ORDER BY n').all()).toEqual([{ n: 7, id: 'b' }, { n: 12, id: 'c' }, { n: 40, id: 'a' }]);
  expect(after.prepare(`SELECT rowid FROM document_names WHERE document_names MATCH '"beta"'`).pluck().all()).toEqual([7]);
  after.close();
});

test('SQLite: the fields extension parameters match are indexed: a text by an expression index in creation order, a list by its items (the rows holding an item few hold, by key)', async () => {
  const file = tempFile();
  const s = openSqliteStore(file);
  await s.indexFields([{ key: 'MLTI-TAGS:tags', form: 'list' }, { key: 'RAX-Z:zone.name', form: 'text' }]);
  const t = s.begin();
  for (let i = 0; i < ROWS_READ_BY_KEY + 100; i++) t.insert('servers', `s${i}`, { 'MLTI-TAGS:tags': i % 1000 === 7 ? ['rare', 'web'] : ['web'], 'RAX-Z:zone.name': i % 2 === 0 ? 'north' : 'south' }, 'p');
  await t.commit();
  await s.close();
  const db = new Database(file, { readonly: true });
  const tags = (...values: string[]): Condition => ({ op: 'includesAll', field: 'MLTI-TAGS:tags', values });
  const keyOf = db.prepare<[string, string], number>('SELECT n FROM documents WHERE kind = ? AND id = ?').pluck();
  const found = indexesOf(db).rowsFor;
  expect(found(tags('web', 'rare'))).toEqual(['s7', 's1007', 's2007'].map((id) => keyOf.get('servers', id)));
  expect(found(tags('web'))).toBeUndefined();
  expect(found(tags('RAX-Z:zone.name'))).toEqual([]);
  expect(planOf(db, [tags('web', 'rare')], ['p'])).toEqual(['SEARCH documents USING INTEGER PRIMARY KEY (rowid=?)']);
  expect(planOf(db, [tags('web')], ['p'])).toEqual(['SEARCH documents USING INDEX documents_by_seq (kind=? AND seq>?)']);
  expect(planOf(db, [{ op: 'eq', field: 'RAX-Z:zone.name', value: 'north' }])).toEqual(['SEARCH documents USING INDEX documents_by_field:RAX-Z:zone.name (kind=? AND <expr>=? AND seq>?)']);
  db.close();
});

test('SQLite: the indexes of names and list items catch up after the writes; meanwhile a search reads the rows written since, so it misses none', async () => {
  const file = tempFile();
  const s = openSqliteStore(file);
  await s.indexFields([{ key: 'MLTI-TAGS:tags', form: 'list' }]);
  const watch = new Database(file, { readonly: true });
  const unindexed = () => watch.prepare<[], number>('SELECT count(*) FROM unindexed').pluck().get()!;
  const caughtUp = async () => {
    for (let i = 0; i < 100 && unindexed() > 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(unindexed()).toBe(0);
  };
  const found = async () => ({
    named: (await s.list('servers', { conditions: [{ op: 'contains', field: 'name', value: 'alpha' }] })).map((d) => d.id),
    tagged: (await s.list('servers', { conditions: [{ op: 'includesAll', field: 'MLTI-TAGS:tags', values: ['blue'] }] })).map((d) => d.id),
  });
  const t = s.begin();
  t.insert('servers', 'a', { name: 'alpha-1', 'MLTI-TAGS:tags': ['blue'] }, '');
  t.insert('servers', 'b', { name: 'beta-1', 'MLTI-TAGS:tags': ['red'] }, '');
  await t.commit();
  expect(unindexed()).toBe(2);
  expect(await found()).toEqual({ named: ['a'], tagged: ['a'] });
  await caughtUp();
  expect(await found()).toEqual({ named: ['a'], tagged: ['a'] });
  // The names and tags swap: the index still says the old ones until it catches up, the search does not.
  const u = s.begin();
  u.update('servers', 'a', 1, { name: 'beta-2', 'MLTI-TAGS:tags': ['red'] });
  u.update('servers', 'b', 1, { name: 'alpha-2', 'MLTI-TAGS:tags': ['blue'] });
  await u.commit();
  expect(await found()).toEqual({ named: ['b'], tagged: ['b'] });
  await caughtUp();
  expect(await found()).toEqual({ named: ['b'], tagged: ['b'] });
  const d = s.begin();
  d.delete('servers', 'b', 2);
  await d.commit();
  expect(await found()).toEqual({ named: [], tagged: [] });
  await caughtUp();
  expect(watch.prepare(`SELECT count(*) FROM document_names WHERE document_names MATCH '"alpha"'`).pluck().get()).toBe(0);
  expect(watch.prepare('SELECT count(*) FROM document_items').pluck().get()).toBe(1);
  watch.close();
  await s.close();
});

test('SQLite: a file an older release wrote to after this one migrated it has its indexes made again; one a newer release migrated is refused', async () => {
  const file = tempFile();
  const s = openSqliteStore(file);
  await s.indexFields([{ key: 'MLTI-TAGS:tags', form: 'list' }]);
  const t = s.begin();
  t.insert('servers', 'a', { name: 'red-1', 'MLTI-TAGS:tags': ['red'] }, '');
  await t.commit();
  await s.close();
  // As a release that knows migrations 1 to 3 writes: it records its own version, and its writes leave the indexes behind.
  const old = new Database(file);
  old.pragma('user_version = 3');
  old.prepare('UPDATE documents SET version = version + 1, body = ? WHERE id = ?').run(JSON.stringify({ name: 'blue-1', 'MLTI-TAGS:tags': ['blue'] }), 'a');
  old.prepare('DELETE FROM unindexed').run();
  old.close();
  const again = openSqliteStore(file);
  await again.indexFields([{ key: 'MLTI-TAGS:tags', form: 'list' }]);
  expect((await again.list('servers', { conditions: [{ op: 'includesAll', field: 'MLTI-TAGS:tags', values: ['blue'] }] })).map((d) => d.id)).toEqual(['a']);
  expect((await again.list('servers', { conditions: [{ op: 'contains', field: 'name', value: 'blue' }] })).map((d) => d.id)).toEqual(['a']);
  expect(await again.list('servers', { conditions: [{ op: 'includesAll', field: 'MLTI-TAGS:tags', values: ['red'] }] })).toEqual([]);
  await again.close();
  const newer = new Database(file);
  newer.pragma('user_version = 99');
  newer.close();
  expect(() => openSqliteStore(file)).toThrow(/migrated to version 99 by a newer extgate; this one knows up to 4/);
});

test('SQLite: two processes writing one file, one of them catching its indexes up: every commit waits its turn, none fails', async () => {
  const file = tempFile();
  const here = openSqliteStore(file);
  const url = pathToFileURL(join(process.cwd(), 'src/store/sqlite.ts')).href;
  // Another process: 20 units of work of 200 inserts each, as fast as it can.
  const other = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', `
    const { openSqliteStore } = await import(${JSON.stringify(url)});
    const s = openSqliteStore(${JSON.stringify(file)});
    for (let i = 0; i < 20; i++) {
      const t = s.begin();
      for (let j = 0; j < 200; j++) t.insert('servers', 'o' + (i * 200 + j), { name: 'other-' + j }, '');
      await t.commit();
    }
    await s.close();`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  other.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((r) => other.on('exit', r));
  // This one writes too, and its catch-up indexes the other's rows meanwhile.
  let mine = 0;
  for (let done = false; !done; ) {
    const t = here.begin();
    t.insert('servers', `h${mine++}`, { name: 'here' }, '');
    await t.commit();
    await new Promise((r) => setTimeout(r, 5));
    done = other.exitCode !== null;
  }
  expect([await exited, stderr]).toEqual([0, '']);
  expect((await here.list('servers', { conditions: [{ op: 'contains', field: 'name', value: 'other-' }] })).length).toBe(4000);
  await here.close();
});
