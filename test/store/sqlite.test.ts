import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite.ts';
import { storeContract } from './contract.ts';

const tempFile = () => join(mkdtempSync(join(tmpdir(), 'extgate-store-')), 'nested', 'extgate.sqlite');

storeContract('SQLite (a real file)', async () => openSqliteStore(tempFile()));

test('SQLite: the file and its folder are created on first open, and data survives reopening', async () => {
  const file = tempFile();
  const s1 = openSqliteStore(file);
  const t = s1.begin();
  t.insert('servers', 'a', { name: 'kept' });
  await t.commit();
  await s1.close();
  const s2 = openSqliteStore(file);
  expect(await s2.get('servers', 'a')).toEqual({ id: 'a', version: 1, doc: { name: 'kept' } });
  await s2.close();
});
