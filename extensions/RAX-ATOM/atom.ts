import { escapeAttr, escapeText, xmlCodec, XML_DECLARATION, type Codec, type Value } from 'extgate';

/**
 * An Atom (RFC 4287) codec over the representation model: a collection is a feed, an item an
 * entry whose content is the item's XML representation. Valid against nova's atom.rng.
 */
const ATOM = 'http://www.w3.org/2005/Atom';
const AUTHOR = '<author><name>extgate</name></author>';

interface Link {
  rel: string;
  href: string;
  type?: string;
}

const linkTag = (l: Link) => `<link rel="${escapeAttr(l.rel)}" href="${escapeAttr(l.href)}"${l.type ? ` type="${escapeAttr(l.type)}"` : ''}/>`;
const updatedOf = (v: Value): string => (typeof v.updated === 'string' ? v.updated : typeof v.created === 'string' ? v.created : new Date().toISOString().replace(/\.\d+Z$/, 'Z'));

/** The item's own XML, without its declaration: the content of the entry. */
const entry = (v: Value, xml: (v: Value) => string, head = ''): string =>
  `<entry${head}><id>urn:uuid:${escapeText(String(v.id))}</id><title type="text">${escapeText(String(v.name ?? v.id))}</title>` +
  `<updated>${escapeText(updatedOf(v))}</updated>${((v.links as Link[] | undefined) ?? []).map(linkTag).join('')}` +
  `<content type="application/xml">${xml(v).slice(XML_DECLARATION.length)}</content></entry>`;

export const atomCodec = (title: (element: string) => string): Codec => ({
  mediaType: 'application/atom+xml',
  document: (shape, naming) => {
    const xml = xmlCodec.document(shape, naming);
    return (v) => XML_DECLARATION + entry(v, xml, ` xmlns="${ATOM}"`).replace('</entry>', `${AUTHOR}</entry>`);
  },
  collection: (coll, naming) => {
    const xml = xmlCodec.document(coll.item, naming);
    return (items, pageLinks) => {
      const updated = items.map(updatedOf).sort().pop() ?? '1970-01-01T00:00:00Z';
      return (
        `${XML_DECLARATION}<feed xmlns="${ATOM}"><title type="text">${escapeText(title(coll.element))}</title>` +
        `<id>urn:extgate:${coll.element}</id><updated>${updated}</updated>${AUTHOR}${(pageLinks ?? []).map(linkTag).join('')}` +
        `${items.map((v) => entry(v, xml)).join('')}</feed>`
      );
    };
  },
});
