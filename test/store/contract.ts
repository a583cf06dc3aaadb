import { describe, expect, test } from 'vitest';
import { CORE_FILTERS } from '../../src/core/filters.ts';
import { ConflictError, MarkerNotFoundError, type Condition, type Store } from '../../src/store/store.ts';

type Doc = Record<string, unknown>;
const NOW = Date.parse('2026-11-29T12:00:00Z');

/**
 * Documents for the list conditions, in creation order. `w-` ones are as the gateway writes
 * them: a condition must select exactly those of them its JavaScript test accepts. `x-` ones hold
 * what it never writes (a number for a string, a time in another form): a condition may select
 * more of them than its test accepts, never fewer. Statuses are ASCII names, as the gateway's are
 * (store.ts, the status condition): one JavaScript would upper-case to ASCII from another
 * alphabet ('actıve') is no status here.
 */
/** An extension's stored attributes, by their qualified keys: a list of tags, a text whose name holds a `.`. */
const TAGS = 'MLTI-TAGS:tags';
const ZONE = 'RAX-Z:zone.name';
const CONDITION_DOCS: readonly [string, Doc][] = [
  ['w-active', { status: 'ACTIVE', imageId: 'img-a', flavorId: 'f1', tenant_id: 'alpha', name: 'web', updated: '2026-11-29T11:59:59Z', minDisk: 10, [TAGS]: ['web', 'prod'], [ZONE]: 'north' }],
  ['w-settled-before', { status: 'BUILD', pending: { status: 'ACTIVE', at: NOW - 1 }, imageId: 'img-b', tenant_id: 'beta', name: 'db', updated: '2026-11-29T12:00:00Z', minDisk: 20, serverId: 's-1', [TAGS]: ['prod', 'db,x'] }],
  ['w-lower-case', { status: 'active', imageId: 'img-a', tenant_id: 'alpha', name: 'Web', updated: '2026-11-29T12:00:01Z', minDisk: 30, [TAGS]: ['Web', 'prod', 'say "hi"'], [ZONE]: 'North' }],
  ['w-settles-now', { status: 'BUILD', pending: { status: 'ACTIVE', at: NOW }, imageId: 'img-a', updated: '2025-01-01T00:00:00Z', minDisk: 0, [TAGS]: [] }],
  ['w-settles-later', { status: 'BUILD', pending: { status: 'ACTIVE', at: NOW + 1 }, imageId: 'img-b', updated: '2027-01-01T00:00:00Z', minDisk: 40.5, name: 'say "hi" \\ there\n' }],
  ['w-extension-state', { status: 'RAX-CBS:ATTACHING', pending: { status: 'ACTIVE', at: NOW + 5000 }, updated: '2026-11-29T12:00:00Z' }],
  ['w-reboot-settled', { status: 'REBOOT', pending: { status: 'active', at: NOW - 5000 }, serverId: 's-2', updated: '2026-11-29T11:00:00Z', minDisk: 5 }],
  ['w-same-settled', { status: 'ACTIVE', pending: { status: 'ACTIVE', at: NOW - 1 }, name: 'web', updated: '2026-11-29T11:00:00Z' }],
  ['w-same-later', { status: 'ACTIVE', pending: { status: 'ACTIVE', at: NOW + 1 }, updated: '2026-11-29T11:00:00Z' }],
  ['w-shutoff', { status: 'SHUTOFF', imageId: 'img-a', updated: '2026-11-30T00:00:00Z', minDisk: 40, name: 'web\u{1F642} 100%_$1', [TAGS]: ['web', 'web', '\u{1F642}', '100%_'], [ZONE]: 'north' }],
  ['w-active-again', { status: 'ACTIVE', imageId: 'img-a', tenant_id: 'alpha', updated: '2026-11-29T12:00:00Z', minDisk: 10 }],
  ['x-number', { status: 'ACTIVE', imageId: 5, tenant_id: 7, minDisk: '30', updated: 1796294400000, name: 7, [TAGS]: 'web', [ZONE]: 5 }],
  ['x-null', { status: 'ACTIVE', imageId: null, serverId: null, minDisk: null, updated: null, name: null, [TAGS]: null, [ZONE]: null }],
  ['x-zone', { status: 'ACTIVE', updated: '2026-11-29T13:00:00+01:00', minDisk: true, name: true, [TAGS]: ['prod', { web: 'web' }, 5, null] }],
  ['x-millis', { status: 'ACTIVE', updated: '2026-11-29T12:00:00.500Z', minDisk: [50], [TAGS]: { web: true, prod: 'web' } }],
  ['x-date', { status: 'ACTIVE', updated: '2026-11-30', minDisk: 'lots' }],
  ['x-at-text', { status: 'BUILD', pending: { status: 'ACTIVE', at: String(NOW - 1) } }],
  ['x-at-text-later', { status: 'BUILD', pending: { status: 'ACTIVE', at: String(NOW + 1) } }],
  ['x-at-missing', { status: 'BUILD', pending: { status: 'ACTIVE' } }],
  ['x-unicode', { status: 'SHUTOFF', name: 'wéb', imageId: 'ımg-a', [TAGS]: ['wéb', 'prod'], [ZONE]: 'nörth' }],
  ['x-no-time', { status: 'ACTIVE' }],
];

/** The JavaScript test each condition stands for (store.ts), as the gateway's filters run it. */
const holds = (c: Condition, d: Doc): boolean => {
  switch (c.op) {
    case 'eq':
      return d[c.field] === c.value;
    case 'contains':
      return typeof d[c.field] === 'string' && (d[c.field] as string).includes(c.value);
    case 'includesAll':
      return Array.isArray(d[c.field]) && c.values.every((v) => (d[c.field] as unknown[]).includes(v));
    case 'present':
      return d[c.field] !== undefined;
    case 'absent':
      return d[c.field] === undefined;
    case 'atLeast':
      return (d[c.field] as number) >= c.value;
    case 'since':
      return Date.parse(d[c.field] as string) >= c.value;
    case 'status': {
      const p = d.pending as { status: string; at: number } | undefined;
      return (p !== undefined && !(p.at > c.now) ? p.status : (d.status as string)).toUpperCase() === c.value;
    }
  }
};

const CONDITIONS: readonly Condition[] = [
  { op: 'eq', field: 'imageId', value: 'img-a' },
  { op: 'eq', field: 'imageId', value: '5' },
  { op: 'eq', field: 'tenant_id', value: 'alpha' },
  { op: 'eq', field: 'name', value: 'web' },
  { op: 'eq', field: 'flavorId', value: 'nope' },
  // Text in a name: case, accents, characters outside the BMP, and LIKE's and GLOB's wildcards as themselves.
  // Texts of 3 characters or more are those a trigram index may find: the same again, and in other fields than the name.
  ...['web', 'eb', 'Web', 'w', 'é', 'wéb', '\u{1F642}', '0%_', '%', '_', '$1', '7', '"hi"', '\\ t', 'there\n', 'zzz'].map((value): Condition => ({ op: 'contains', field: 'name', value })),
  ...['WEB', 'wéB', 'éb', 'b\u{1F642} 1', '\u{1F642} 100', '100%_$', '%_$', 'y "hi" \\', '"hi', 'e\n', '\\ there\n', 'img-a', 'ACTIVE', 'nul', 'rue'].map((value): Condition => ({ op: 'contains', field: 'name', value })),
  ...[['web'], ['prod'], ['web', 'prod'], ['prod', 'web', 'prod'], ['Web'], ['\u{1F642}'], ['100%_'], ['say "hi"'], ['db,x'], ['db'], ['wéb'], ['nope'], ['web', 'nope'], []]
    .map((values): Condition => ({ op: 'includesAll', field: TAGS, values })),
  ...['north', 'North', '5', 'nörth', 'south'].map((value): Condition => ({ op: 'eq', field: ZONE, value })),
  { op: 'present', field: 'serverId' },
  { op: 'absent', field: 'serverId' },
  ...[0, 10, 20, 30, 40, 41, 50].map((value): Condition => ({ op: 'atLeast', field: 'minDisk', value })),
  ...['2026-11-29T12:00:00Z', '2026-11-29T12:00:00.001Z', '2026-11-29T11:59:59.999Z', '2026-11-30T00:00:00Z', '2028-01-01T00:00:00Z', '1970-01-01T00:00:00Z']
    .map((t): Condition => ({ op: 'since', field: 'updated', value: Date.parse(t) })),
  { op: 'since', field: 'updated', value: Date.parse('-000001-01-01T00:00:00Z') },
  { op: 'since', field: 'updated', value: Date.parse('+010000-01-01T00:00:00Z') },
  ...['ACTIVE', 'BUILD', 'REBOOT', 'RAX-CBS:ATTACHING', 'SHUTOFF', 'NOPE'].map((value): Condition => ({ op: 'status', value, now: NOW })),
  // At the instants either side of a transition's end, and at it.
  ...[NOW - 1, NOW, NOW + 1].map((now): Condition => ({ op: 'status', value: 'BUILD', now })),
];

/**
 * The store contract: what every backend must do. A new backend passes by calling storeContract
 * with a factory for an empty store, and one that closes a store and opens its data again (where
 * indexes catch up after the writes, the conditions are then checked on indexes that have).
 */
export const storeContract = (name: string, open: () => Promise<Store>, reopen: (s: Store) => Promise<Store>): void => {
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

    describe('list conditions', () => {
      const withDocs = async () => {
        const s = await fresh();
        const t = s.begin();
        for (const [id, doc] of CONDITION_DOCS) t.insert('servers', id, doc, id.startsWith('w-a') ? 'alpha' : 'beta');
        await t.commit();
        return s;
      };
      const order = CONDITION_DOCS.map(([id]) => id);
      const written = (id: string) => id.startsWith('w-');
      /**
       * What a list under a condition (none: every document) returns against the test it stands
       * for: in creation order, never fewer documents than the test accepts, and of those the
       * gateway writes exactly them (unless `exact` is false).
       */
      const expectSelects = async (s: Store, condition: Condition | undefined, test: (d: Doc) => boolean, what: string, exact = true) => {
        const got = (await s.list('servers', condition === undefined ? {} : { conditions: [condition] })).map((d) => d.id);
        const want = CONDITION_DOCS.filter(([, d]) => test(d)).map(([id]) => id);
        expect(got, what).toEqual(order.filter((id) => got.includes(id)));
        if (exact) expect(got.filter(written), what).toEqual(want.filter(written));
        expect(got, what).toEqual(expect.arrayContaining(want));
      };

      test('each condition selects, in creation order, exactly the documents its test accepts of those the gateway writes, and never fewer of the others', async () => {
        const s = await withDocs();
        for (const c of CONDITIONS) await expectSelects(s, c, (d) => holds(c, d), JSON.stringify(c));
      });

      test('each condition, the store closed and opened again: the same selections', async () => {
        const s = await reopen(await withDocs());
        await s.indexFields([{ key: TAGS, form: 'list' }, { key: ZONE, form: 'text' }]);
        const again = await reopen(s);
        for (const c of CONDITIONS) await expectSelects(again, c, (d) => holds(c, d), JSON.stringify(c));
        await again.close();
      });

      test('matched fields holding long text (8,000 characters, past what an index entry holds): written, and found', async () => {
        const s = await fresh();
        await s.indexFields([{ key: TAGS, form: 'list' }, { key: ZONE, form: 'text' }]);
        // Text that does not compress (PostgreSQL compresses before it measures an index entry).
        let x = 1;
        const next = () => {
          x = (x * 48271) % 2147483647;
          return String.fromCharCode(48 + (x % 75));
        };
        const long = Array.from({ length: 8000 }, next).join('');
        const t = s.begin();
        t.insert('servers', 'long', { name: 'web-long', [TAGS]: [long, 'web'], [ZONE]: long }, '');
        t.insert('servers', 'short', { name: 'web', [TAGS]: ['web'], [ZONE]: 'north' }, '');
        await t.commit();
        for (const c of [{ op: 'eq', field: ZONE, value: long }, { op: 'includesAll', field: TAGS, values: [long] }, { op: 'contains', field: 'name', value: 'b-lon' }] as Condition[]) {
          expect((await s.list('servers', { conditions: [c] })).map((d) => d.id), c.op).toEqual(['long']);
        }
      });

      test('the status at a transition: pending.at just before now has settled, at now too, just after not yet', async () => {
        const s = await withDocs();
        const ids = async (value: string, now: number) => (await s.list('servers', { conditions: [{ op: 'status', value, now }] })).map((d) => d.id).filter((id) => id.startsWith('w-'));
        expect(await ids('BUILD', NOW)).toEqual(['w-settles-later']);
        expect(await ids('BUILD', NOW - 1)).toEqual(['w-settles-now', 'w-settles-later']);
        expect(await ids('BUILD', NOW - 2)).toEqual(['w-settled-before', 'w-settles-now', 'w-settles-later']);
        expect(await ids('ACTIVE', NOW + 1)).toEqual(['w-active', 'w-settled-before', 'w-lower-case', 'w-settles-now', 'w-settles-later', 'w-reboot-settled', 'w-same-settled', 'w-same-later', 'w-active-again']);
        expect(await ids('RAX-CBS:ATTACHING', NOW + 4999)).toEqual(['w-extension-state']);
        expect(await ids('RAX-CBS:ATTACHING', NOW + 5000)).toEqual([]);
      });

      test('changes-since in any zone spelling selects what the gateway\'s own filter accepts', async () => {
        const s = await withDocs();
        const filter = CORE_FILTERS.servers.get('changes-since')!;
        for (const v of ['2026-11-29T12:00:00Z', '2026-11-29T13:00:00+01:00', '2026-11-29T07:00:00-0500', '2026-11-29T12:00:00', '2026-11-29T12:00', '2026-11-29T12:00:00.5z', '2026-11-29', '2026-11-30T01:00:00+01:00']) {
          await expectSelects(s, filter.condition!(v, NOW), filter.make(v), v);
        }
      });

      test('a name pattern: what the store reads holds every name the gateway\'s own filter accepts, and for plain text only those', async () => {
        const s = await withDocs();
        const filter = CORE_FILTERS.servers.get('name')!;
        const plain = ['web', 'eb', 'W', 'é', 'b\u{1F642} 1', '100%_', '0%_\\$1', '"hi" \\\\ t', 'there\n'];
        for (const v of [...plain, 'null', 'true', 'undefined', '7', '^web$', '^web', 'db$', '\\$1', 'web\\u{1F642}', 'w.b', '^(web|db)$', '[Ww]eb', 'we?b', '\\d', '\\w+', '\\$']) {
          await expectSelects(s, filter.condition!(v, NOW), filter.make(v), v, plain.includes(v));
        }
      });

      test('fields extension parameters match, indexed before the documents are written or after: the same selections, as the documents are now', async () => {
        const fields = [{ key: TAGS, form: 'list' }, { key: ZONE, form: 'text' }] as const;
        const before = await fresh();
        await before.indexFields(fields);
        const after = await withDocs();
        await after.indexFields(fields);
        await after.indexFields(fields);
        const t = before.begin();
        for (const [id, doc] of CONDITION_DOCS) t.insert('servers', id, doc, '');
        await t.commit();
        for (const s of [before, after]) {
          for (const c of CONDITIONS.filter((x) => 'field' in x && (x.field === TAGS || x.field === ZONE))) await expectSelects(s, c, (d) => holds(c, d), JSON.stringify(c));
        }
        const tagged = async (...values: string[]) => (await before.list('servers', { conditions: [{ op: 'includesAll', field: TAGS, values }] })).map((d) => d.id);
        const u = before.begin();
        u.update('servers', 'w-active', 1, { [TAGS]: ['retagged'] });
        u.delete('servers', 'w-shutoff', 1);
        await u.commit();
        expect(await tagged('web')).toEqual([]);
        expect(await tagged('retagged')).toEqual(['w-active']);
        expect(await tagged('prod')).toEqual(['w-settled-before', 'w-lower-case', 'x-zone', 'x-unicode']);
      });

      test('a name\'s text is found in the name as it is now: after updates, a name that stops being text, deletes', async () => {
        const s = await fresh();
        const ids = async (value: string, kind = 'servers') => (await s.list(kind, { conditions: [{ op: 'contains', field: 'name', value }] })).map((d) => d.id);
        const t = s.begin();
        t.insert('servers', 'a', { name: 'alpha-one' }, '');
        t.insert('servers', 'b', { name: 'alpha-two' }, '');
        t.insert('images', 'i', { name: 'alpha-image' }, '');
        await t.commit();
        expect(await ids('alpha')).toEqual(['a', 'b']);
        expect(await ids('alpha', 'images')).toEqual(['i']);
        const renamed = s.begin();
        renamed.update('servers', 'a', 1, { name: 'beta-one' });
        renamed.update('servers', 'b', 1, { name: 5, note: 'alpha-two' });
        await renamed.commit();
        expect(await ids('alpha')).toEqual([]);
        expect(await ids('beta')).toEqual(['a']);
        const back = s.begin();
        back.update('servers', 'b', 2, { name: 'alpha-two' });
        back.update('servers', 'a', 2, { name: 'beta-one', status: 'ACTIVE' });
        await back.commit();
        expect(await ids('alpha')).toEqual(['b']);
        expect(await ids('beta-one')).toEqual(['a']);
        const gone = s.begin();
        gone.delete('servers', 'a', 3);
        await gone.commit();
        expect(await ids('beta')).toEqual([]);
        const again = s.begin();
        again.insert('servers', 'c', { name: 'beta-three' }, '');
        await again.commit();
        expect(await ids('beta')).toEqual(['c']);
      });

      test('a text that more names hold than an index would be read by, and one that few of them hold: the same pages', async () => {
        const s = await fresh();
        const t = s.begin();
        for (let i = 0; i < 2100; i++) t.insert('servers', `s${i}`, { name: `web-${i}` }, i % 2 === 0 ? 'even' : 'odd');
        await t.commit();
        const ids = async (value: string, opts: object = {}) => (await s.list('servers', { ...opts, conditions: [{ op: 'contains', field: 'name', value }] })).map((d) => d.id);
        const holding = (value: string) => Array.from({ length: 2100 }, (_, i) => `s${i}`).filter((id) => `web-${id.slice(1)}`.includes(value));
        for (const value of ['web-', 'eb-1', 'web-20', '-209', '099']) {
          expect(await ids(value), value).toEqual(holding(value));
          expect(await ids(value, { limit: 3, after: holding(value)[1] }), value).toEqual(holding(value).slice(2, 5));
          expect(await ids(value, { projects: ['odd'], limit: 2 }), value).toEqual(holding(value).filter((id) => Number(id.slice(1)) % 2 === 1).slice(0, 2));
        }
      });

      test('a value holding U+0000 (which PostgreSQL\'s text cannot) names nothing: no document, no failure', async () => {
        const s = await withDocs();
        for (const c of [{ op: 'eq', field: 'imageId', value: 'img-a\0' }, { op: 'contains', field: 'name', value: '\0' }, { op: 'status', value: 'ACTIVE\0', now: NOW }] as Condition[]) {
          expect(await s.list('servers', { conditions: [c] }), JSON.stringify(c)).toEqual([]);
          expect(await s.list('servers', { conditions: [c, { op: 'status', value: 'ACTIVE', now: NOW }] }), JSON.stringify(c)).toEqual([]);
        }
        expect(await s.get('servers', 'w-active\0')).toBeUndefined();
        await expect(s.list('servers', { after: 'w-active\0' })).rejects.toBeInstanceOf(MarkerNotFoundError);
        // Asked for with others at once, it fails none of them.
        const got = await Promise.all([s.get('servers', 'w-active'), s.get('servers', '\0'), s.get('servers', 'w-shutoff')]);
        expect(got.map((d) => d?.id)).toEqual(['w-active', undefined, 'w-shutoff']);
      });

      test('conditions combine with each other, projects, a marker, a limit and the gateway\'s own test', async () => {
        const s = await withDocs();
        const ids = async (opts: object) => (await s.list('servers', opts)).map((d) => d.id).filter((id) => id.startsWith('w-'));
        const active: Condition = { op: 'status', value: 'ACTIVE', now: NOW };
        const imageA: Condition = { op: 'eq', field: 'imageId', value: 'img-a' };
        expect(await ids({ conditions: [active, imageA] })).toEqual(['w-active', 'w-lower-case', 'w-settles-now', 'w-active-again']);
        expect(await ids({ conditions: [active, imageA], projects: ['alpha'] })).toEqual(['w-active', 'w-active-again']);
        expect(await ids({ conditions: [imageA, { op: 'atLeast', field: 'minDisk', value: 20 }, { op: 'since', field: 'updated', value: NOW }] })).toEqual(['w-lower-case', 'w-shutoff']);
        // Pages of two, each after the last one's marker, make the whole list: the status's cases merge in creation order.
        const whole = await ids({ conditions: [active] });
        const paged: string[] = [];
        for (let after: string | undefined; ; ) {
          const page = (await s.list('servers', { conditions: [active], limit: 2, after })).map((d) => d.id);
          paged.push(...page);
          if (page.length < 2) break;
          after = page.at(-1);
        }
        expect(paged.filter((id) => id.startsWith('w-'))).toEqual(whole);
        // The gateway's test refuses some of what the conditions select: the page is still full.
        expect(await ids({ conditions: [active], limit: 3, where: (d: Doc) => d.name === undefined })).toEqual(['w-settles-now', 'w-reboot-settled', 'w-same-later']);
        expect(await ids({ conditions: [active], after: 'w-settles-now', limit: 2 })).toEqual(['w-reboot-settled', 'w-same-settled']);
      });

      test('a filtered list reads the documents its conditions select, not the others', async () => {
        const s = await fresh();
        const t = s.begin();
        // 2,000 servers: one in a hundred from image "rare" and SHUTOFF; the rest settled into ACTIVE long ago.
        for (let i = 0; i < 2000; i++) {
          const rare = i % 100 === 99;
          t.insert('servers', `s${i}`, rare ? { imageId: 'rare', status: 'SHUTOFF' } : { imageId: 'common', status: 'BUILD', pending: { status: 'ACTIVE', at: NOW - 60_000 } }, i % 2 === 0 ? 'even' : 'odd');
        }
        await t.commit();
        const read = async (conditions: Condition[], opts: { limit?: number; projects?: string[] } = {}) => {
          let seen = 0;
          const page = await s.list('servers', { ...opts, conditions, where: () => ++seen > 0 });
          return { returned: page.length, seen };
        };
        expect(await read([{ op: 'eq', field: 'imageId', value: 'rare' }])).toEqual({ returned: 20, seen: 20 });
        expect(await read([{ op: 'eq', field: 'imageId', value: 'rare' }], { limit: 5 })).toEqual({ returned: 5, seen: 5 });
        expect(await read([{ op: 'status', value: 'SHUTOFF', now: NOW }], { projects: ['odd'] })).toEqual({ returned: 20, seen: 20 });
        expect(await read([{ op: 'status', value: 'ACTIVE', now: NOW }], { limit: 101 })).toEqual({ returned: 101, seen: 101 });
      });
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
