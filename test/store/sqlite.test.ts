import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect, test } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite.ts';
import { SQLITE_MIGRATIONS } from '../../src/store/migrations.ts';
import { storeContract } from './contract.ts';

const tempFile = () => join(mkdtempSync(join(tmpdir(), 'extgate-store-')), 'nested', 'extgate.sqlite');

storeContract('SQLite (a real file)', async () => openSqliteStore(tempFile()));

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

test('SQLite: the migrations applied are recorded in the file (user_version), with both indexes; reopening it applies none again', async () => {
  const file = tempFile();
  await openSqliteStore(file).close();
  const db = new Database(file);
  expect(db.pragma('user_version', { simple: true })).toBe(SQLITE_MIGRATIONS.at(-1)!.version);
  expect(db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'documents_by_%' ORDER BY name").all()).toEqual([{ name: 'documents_by_project' }, { name: 'documents_by_seq' }]);
  db.close();
  const again = openSqliteStore(file);
  expect(await again.list('servers')).toEqual([]);
  await again.close();
});
