import { describe, expect, it } from 'vitest';
import { jsonCodec, xmlCodec } from '../src/media/codecs.ts';
import { definedNaming, namingOf } from '../src/model/naming.ts';
import { attribute, collection, groups, links, list, map, object, shape, text, values } from '../src/model/shape.ts';
import { XMLValidator } from 'fast-xml-parser';

/**
 * The compiled encoders on their own: every field kind, absent values left out, extension names
 * spelled by the naming, and names that would break generated code if they were pasted into it.
 */
const NS = 'http://docs.openstack.org/compute/api/v1.1';
const naming = definedNaming([{ alias: 'RAX-X', namespace: 'http://example.com/x/v1.0' }]);
const ip = shape('ip', NS, [attribute('version', 'integer'), attribute('addr')]);
const tag = shape('tag', NS, [attribute('name')]);
const thing = shape('thing', NS, [
  attribute('id'),
  attribute('status', 'state'),
  attribute('count', 'integer'),
  attribute('quote"back\\slash'),
  text('note'),
  object('owner', shape('owner', NS, [attribute('id')])),
  list('tags', tag),
  map('metadata', 'meta'),
  groups('addresses', 'network', 'id', ip),
  values('colours', 'colour'),
  links(),
  attribute('flag', 'boolean', 'RAX-X'),
]);

const full = {
  id: 't1',
  status: 'RAX-X:WAITING',
  count: 0,
  'quote"back\\slash': 'odd',
  note: 'a < b',
  owner: { id: 'o1' },
  tags: [{ name: 'x' }],
  metadata: { 'RAX-Y:k': 'v' },
  addresses: { public: [{ version: 4, addr: '10.0.0.1' }] },
  colours: ['red'],
  links: [{ rel: 'self', href: 'http://h/things/t1' }],
  'RAX-X:flag': false,
};

describe('JSON encoder', () => {
  const doc = jsonCodec.document(thing, naming);

  it('writes every field kind, extension names qualified, falsy values kept', () => {
    // The names are spelled as the model keys here, and `full` lists them in shape order.
    expect(doc(full)).toBe(JSON.stringify({ thing: full }));
  });

  it('leaves absent values out and keeps null objects null, in shape order', () => {
    expect(doc({ owner: null, id: 't2' })).toBe('{"thing":{"id":"t2","owner":null}}');
  });

  it('writes collections with next links only when there are some', () => {
    const coll = jsonCodec.collection(collection('things', thing), naming);
    expect(coll([{ id: 'a' }, { id: 'b' }])).toBe('{"things":[{"id":"a"},{"id":"b"}]}');
    expect(JSON.parse(coll([{ id: 'a' }], [{ rel: 'next', href: 'http://h/things?marker=a' }]))).toEqual({
      things: [{ id: 'a' }],
      things_links: [{ rel: 'next', href: 'http://h/things?marker=a' }],
    });
  });

  it('spells extension names as the naming says (a promoted owner is unqualified)', () => {
    const promoted = namingOf([{ owner: 'RAX-X', current: { alias: undefined, namespace: undefined }, old: [] }]);
    expect(JSON.parse(jsonCodec.document(thing, promoted)({ 'RAX-X:flag': true, status: 'RAX-X:WAITING' }))).toEqual({ thing: { status: 'WAITING', flag: true } });
  });
});

describe('XML encoder', () => {
  it('writes the same value as well-formed XML with the extension namespace declared', () => {
    const { 'quote"back\\slash': _, ...xmlSafe } = full;
    const plain = shape('thing', NS, thing.fields.filter((f) => f.name !== 'quote"back\\slash'));
    const out = xmlCodec.document(plain, naming)(xmlSafe);
    expect(out).toContain('xmlns:RAX-X="http://example.com/x/v1.0"');
    expect(out).toContain('status="RAX-X:WAITING"');
    expect(out).toContain('RAX-X:flag="false"');
    expect(out).toContain('<note>a &lt; b</note>');
    expect(out).toContain('<meta key="RAX-Y:k">v</meta>');
    expect(out).toContain('<addresses><network id="public"><ip version="4" addr="10.0.0.1"/></network></addresses>');
    expect(XMLValidator.validate(out)).toBe(true);
  });

  it('writes every field kind in shape order, exactly', () => {
    const { 'quote"back\\slash': _, ...xmlSafe } = full;
    const plain = shape('thing', NS, thing.fields.filter((f) => f.name !== 'quote"back\\slash'));
    expect(xmlCodec.document(plain, naming)({ ...xmlSafe, metadata: { 'RAX-Y:k': 'v', q: 'a"b' }, colours: ['red', '<b>'] })).toBe(
      "<?xml version='1.0' encoding='UTF-8'?>\n" +
        '<thing xmlns="http://docs.openstack.org/compute/api/v1.1" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:RAX-X="http://example.com/x/v1.0"' +
        ' id="t1" status="RAX-X:WAITING" count="0" RAX-X:flag="false">' +
        '<note>a &lt; b</note><owner id="o1"/><tags><tag name="x"/></tags><metadata><meta key="RAX-Y:k">v</meta><meta key="q">a"b</meta></metadata>' +
        '<addresses><network id="public"><ip version="4" addr="10.0.0.1"/></network></addresses><colours><colour>red</colour><colour>&lt;b&gt;</colour></colours>' +
        '<atom:link rel="self" href="http://h/things/t1"/></thing>',
    );
  });

  it('leaves absent and null values out, keeps empty containers, closes empty elements', () => {
    const doc = xmlCodec.document(thing, naming);
    expect(doc({ id: 'e', owner: null, note: null, tags: [], metadata: {}, addresses: { private: [] } })).toBe(
      "<?xml version='1.0' encoding='UTF-8'?>\n" +
        '<thing xmlns="http://docs.openstack.org/compute/api/v1.1" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:RAX-X="http://example.com/x/v1.0" id="e">' +
        '<tags></tags><metadata></metadata><addresses><network id="private"/></addresses></thing>',
    );
    expect(doc({})).toMatch(/<thing [^>]*\/>$/);
  });

  it('compiles names that are not JavaScript-safe as data, not code', () => {
    const out = xmlCodec.document(thing, naming)({ 'quote"back\\slash': 'x"y' });
    expect(out).toContain(' quote"back\\slash="x&quot;y"/>');
  });

  it('writes unwrapped lists in place and collections with next links only when there are some', () => {
    const bare = shape('thing', NS, [list('tags', tag, { wrapped: false })]);
    expect(xmlCodec.document(bare, naming)({ tags: [{ name: 'a' }, { name: 'b' }] })).toMatch(/><tag name="a"\/><tag name="b"\/><\/thing>$/);
    const coll = xmlCodec.collection(collection('things', shape('thing', NS, [attribute('id')])), naming);
    expect(coll([])).toBe(`<?xml version='1.0' encoding='UTF-8'?>\n<things xmlns="${NS}"/>`);
    expect(coll([{ id: 'a' }], [{ rel: 'next', href: 'http://h/things?marker=a&limit=1' }])).toBe(
      `<?xml version='1.0' encoding='UTF-8'?>\n<things xmlns="${NS}" xmlns:atom="http://www.w3.org/2005/Atom">` +
        '<thing id="a"/><atom:link rel="next" href="http://h/things?marker=a&amp;limit=1"/></things>',
    );
  });
});
