import { describe, expect, it } from 'vitest';
import { jsonCodec, xmlCodec } from '../src/media/codecs.ts';
import { definedNaming } from '../src/model/naming.ts';
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
    const promoted = { ...naming, alias: () => undefined, namespace: () => undefined };
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
});
