import { describe, expect, test } from 'vitest';
import { ConflictError, MarkerNotFoundError, type Store } from '../../src/store/store.ts';

/**
 * The store contract: what every backend must do. A new backend (PostgreSQL, later) passes by
 * calling storeContract with a factory for an empty store.
 */
export const storeContract = (name: string, open: () => Promise<Store>): void => {
  describe(`store contract: ${name}`, () => {
    const fresh = async () => open();

    test('get of a missing document is undefined', async () => {
      const s = await fresh();
      expect(await s.get('servers', 'nope')).toBeUndefined();
    });

    test('insert, then get: version 1 and the same document', async () => {
      const s = await fresh();
      const tx = s.begin();
      expect(tx.empty).toBe(true);
      tx.insert('servers', 'a', { name: 'web', nested: { n: 1, list: [true, null] } }, '');
      expect(tx.empty).toBe(false);
      await tx.commit();
      expect(await s.get('servers', 'a')).toEqual({ id: 'a', version: 1, project: '', doc: { name: 'web', nested: { n: 1, list: [true, null] } } });
    });

    test('kinds are separate', async () => {
      const s = await fresh();
      const tx = s.begin();
      tx.insert('servers', 'a', { k: 's' }, '');
      tx.insert('images', 'a', { k: 'i' }, '');
      await tx.commit();
      expect((await s.get('servers', 'a'))!.doc).toEqual({ k: 's' });
      expect((await s.get('images', 'a'))!.doc).toEqual({ k: 'i' });
    });

    test('update with the version read bumps it; a stale version is a conflict and changes nothing', async () => {
      const s = await fresh();
      const t1 = s.begin();
      t1.insert('servers', 'a', { name: 'one' }, '');
      await t1.commit();
      const t2 = s.begin();
      t2.update('servers', 'a', 1, { name: 'two' });
      await t2.commit();
      expect(await s.get('servers', 'a')).toEqual({ id: 'a', version: 2, project: '', doc: { name: 'two' } });
      const stale = s.begin();
      stale.update('servers', 'a', 1, { name: 'lost' });
      await expect(stale.commit()).rejects.toBeInstanceOf(ConflictError);
      expect(await s.get('servers', 'a')).toEqual({ id: 'a', version: 2, project: '', doc: { name: 'two' } });
    });

    test('two writers of the same version: the second gets a conflict, never a lost update', async () => {
      const s = await fresh();
      const t0 = s.begin();
      t0.insert('servers', 'a', { n: 0 }, '');
      await t0.commit();
      const read1 = (await s.get<{ n: number }>('servers', 'a'))!;
      const read2 = (await s.get<{ n: number }>('servers', 'a'))!;
      const w1 = s.begin();
      w1.update('servers', 'a', read1.version, { n: read1.doc.n + 1 });
      const w2 = s.begin();
      w2.update('servers', 'a', read2.version, { n: read2.doc.n + 10 });
      await w1.commit();
      await expect(w2.commit()).rejects.toBeInstanceOf(ConflictError);
      expect((await s.get('servers', 'a'))!.doc).toEqual({ n: 1 });
    });

    test('delete with the version read; a stale delete is a conflict', async () => {
      const s = await fresh();
      const t = s.begin();
      t.insert('servers', 'a', {}, '');
      t.insert('servers', 'b', {}, '');
      await t.commit();
      const stale = s.begin();
      stale.delete('servers', 'a', 7);
      await expect(stale.commit()).rejects.toBeInstanceOf(ConflictError);
      expect(await s.get('servers', 'a')).toBeDefined();
      const d = s.begin();
      d.delete('servers', 'a', 1);
      await d.commit();
      expect(await s.get('servers', 'a')).toBeUndefined();
    });

    test('a unit of work is all or nothing: one conflict undoes the rest', async () => {
      const s = await fresh();
      const t = s.begin();
      t.insert('servers', 'a', { v: 1 }, '');
      await t.commit();
      const mixed = s.begin();
      mixed.insert('images', 'new', { v: 1 }, '');
      mixed.update('servers', 'a', 1, { v: 2 });
      mixed.insert('servers', 'a', { duplicate: true }, '');
      await expect(mixed.commit()).rejects.toBeInstanceOf(ConflictError);
      expect(await s.get('images', 'new')).toBeUndefined();
      expect((await s.get('servers', 'a'))!.doc).toEqual({ v: 1 });
    });

    test('list: creation order, marker, limit, filter; an unknown marker is an error', async () => {
      const s = await fresh();
      const t = s.begin();
      for (const [i, id] of ['m', 'c', 'x', 'a', 'q'].entries()) t.insert('servers', id, { i, even: i % 2 === 0 }, '');
      await t.commit();
      const ids = async (opts = {}) => (await s.list<{ even: boolean }>('servers', opts)).map((d) => d.id);
      expect(await ids()).toEqual(['m', 'c', 'x', 'a', 'q']);
      expect(await ids({ limit: 2 })).toEqual(['m', 'c']);
      expect(await ids({ after: 'c', limit: 2 })).toEqual(['x', 'a']);
      expect(await ids({ after: 'q' })).toEqual([]);
      expect(await ids({ where: (d: { even: boolean }) => d.even })).toEqual(['m', 'x', 'q']);
      expect(await ids({ where: (d: { even: boolean }) => d.even, after: 'm', limit: 1 })).toEqual(['x']);
      await expect(s.list('servers', { after: 'zz' })).rejects.toBeInstanceOf(MarkerNotFoundError);
    });

    test('owners: a document keeps the project it was inserted for; lists filter by project in the query', async () => {
      const s = await fresh();
      const t = s.begin();
      t.insert('images', 'public', { n: 1 }, '');
      t.insert('images', 'alpha-1', { n: 2 }, 'alpha');
      t.insert('images', 'beta-1', { n: 3 }, 'beta');
      t.insert('images', 'alpha-2', { n: 4 }, 'alpha');
      await t.commit();
      expect((await s.get('images', 'alpha-1'))!.project).toBe('alpha');
      expect((await s.get('images', 'public'))!.project).toBe('');
      const ids = async (opts = {}) => (await s.list('images', opts)).map((d) => d.id);
      expect(await ids()).toEqual(['public', 'alpha-1', 'beta-1', 'alpha-2']);
      expect(await ids({ projects: ['alpha'] })).toEqual(['alpha-1', 'alpha-2']);
      expect(await ids({ projects: ['', 'beta'] })).toEqual(['public', 'beta-1']);
      expect(await ids({ projects: ['alpha'], after: 'alpha-1' })).toEqual(['alpha-2']);
      expect(await ids({ projects: ['alpha'], limit: 1 })).toEqual(['alpha-1']);
      expect(await ids({ projects: [] })).toEqual([]);
      // A marker another project owns is no marker: as if it did not exist.
      await expect(s.list('images', { projects: ['alpha'], after: 'beta-1' })).rejects.toBeInstanceOf(MarkerNotFoundError);
      expect(await ids({ projects: ['', 'alpha'], after: 'public' })).toEqual(['alpha-1', 'alpha-2']);
      // An update keeps the owner.
      const u = s.begin();
      u.update('images', 'beta-1', 1, { n: 5 });
      await u.commit();
      expect(await s.get('images', 'beta-1')).toEqual({ id: 'beta-1', version: 2, project: 'beta', doc: { n: 5 } });
    });

    test('deleting keeps the order of the rest; new documents come last', async () => {
      const s = await fresh();
      const t = s.begin();
      t.insert('servers', 'a', {}, '');
      t.insert('servers', 'b', {}, '');
      await t.commit();
      const d = s.begin();
      d.delete('servers', 'a', 1);
      d.insert('servers', 'c', {}, '');
      await d.commit();
      expect((await s.list('servers')).map((x) => x.id)).toEqual(['b', 'c']);
    });
  });
};
