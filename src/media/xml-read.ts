import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { Field, Owner, Shape, Value } from '../model/shape.ts';
import { xmlName, type Naming } from '../model/naming.ts';
import { badRequest } from './fault.ts';
import { ATOM_NS } from './namespaces.ts';
import { checked, requireFields, scalarFromText, type Incoming, type Reader } from './read.ts';

/**
 * The XML reader: a namespace-resolved element tree from fast-xml-parser, read with a Shape.
 * DOCTYPEs and entity declarations are refused outright (no external entities, no expansion
 * bombs); a name in a namespace that is neither the core's, Atom's nor a loaded extension's is a 400.
 */
export interface XmlAttribute {
  readonly namespace?: string;
  readonly local: string;
  readonly spelled: string;
  readonly value: string;
}

export interface XmlElement {
  readonly namespace?: string;
  readonly local: string;
  readonly spelled: string;
  readonly attributes: readonly XmlAttribute[];
  readonly children: readonly XmlElement[];
  readonly text: string;
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: true,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
});

const XMLNS = 'http://www.w3.org/2000/xmlns/';
const XML_NS = 'http://www.w3.org/XML/1998/namespace';

type Raw = Record<string, unknown>;

const build = (node: Raw, scope: ReadonlyMap<string, string>): XmlElement => {
  const tag = Object.keys(node).find((k) => k !== ':@')!;
  const rawAttrs = (node[':@'] ?? {}) as Record<string, string>;
  let inScope = scope;
  for (const [name, value] of Object.entries(rawAttrs)) {
    if (name === 'xmlns' || name.startsWith('xmlns:')) {
      if (inScope === scope) inScope = new Map(scope);
      (inScope as Map<string, string>).set(name === 'xmlns' ? '' : name.slice(6), value);
    }
  }
  const resolve = (qname: string, isAttribute: boolean): { namespace?: string; local: string } => {
    const colon = qname.indexOf(':');
    if (colon === -1) return { namespace: isAttribute ? undefined : inScope.get('') || undefined, local: qname };
    const prefix = qname.slice(0, colon);
    if (prefix === 'xml') return { namespace: XML_NS, local: qname.slice(colon + 1) };
    const namespace = inScope.get(prefix);
    if (namespace === undefined) throw badRequest(`The XML prefix "${prefix}" of <${qname}> is not declared.`);
    return { namespace, local: qname.slice(colon + 1) };
  };
  const attributes: XmlAttribute[] = [];
  for (const [name, value] of Object.entries(rawAttrs)) {
    if (name === 'xmlns' || name.startsWith('xmlns:')) continue;
    attributes.push({ ...resolve(name, true), spelled: name, value });
  }
  const children: XmlElement[] = [];
  let text = '';
  for (const child of (node[tag] ?? []) as Raw[]) {
    if ('#text' in child) text += String(child['#text']);
    else children.push(build(child, inScope));
  }
  return { ...resolve(tag, false), spelled: tag, attributes, children, text: text.trim() };
};

export const parseXmlTree = (text: string): XmlElement => {
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw badRequest('XML with a DOCTYPE or entity declarations is refused.');
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw badRequest(`The request body is not well-formed XML: ${valid.err.msg} (line ${valid.err.line}).`);
  const nodes = (parser.parse(text) as Raw[]).filter((n) => !('#text' in n));
  if (nodes.length !== 1) throw badRequest('The XML request body must have exactly one root element.');
  return build(nodes[0]!, new Map([['xml', XML_NS], ['xmlns', XMLNS]]));
};

/** The owner of a namespace as this version knows it: core, or a loaded extension. */
const ownerOf = (namespace: string | undefined, core: ReadonlySet<string>, naming: Naming, spelled: string): Owner | null => {
  if (namespace === undefined || core.has(namespace)) return undefined;
  const owner = naming.ownerOfNamespace(namespace);
  if (owner === undefined) {
    if (namespace === ATOM_NS) return null;
    throw badRequest(`<${spelled}> is in the namespace ${namespace}, which is neither the core's nor a loaded extension's.`);
  }
  return owner;
};

/** The root element of a request document, resolved to its owner. */
export const parseXml = (core: ReadonlySet<string>) => (text: string, naming: Naming): Incoming[] => {
  const root = parseXmlTree(text);
  const owner = ownerOf(root.namespace, core, naming, root.spelled);
  if (owner === null) throw badRequest(`<${root.spelled}> is not a request document.`);
  return [{ owner, name: root.local, spelled: root.spelled, content: root }];
};

const keyOf = (namespace: string | undefined, local: string) => `${namespace ?? ''}|${local}`;

/**
 * A reader for the content of one element: attributes for attribute fields, child elements for
 * the rest; extension names by their namespace. `inherited` is the owner of the element itself.
 */
export const compileXmlReader = (shape: Shape, naming: Naming, core: ReadonlySet<string>, inherited: Owner = undefined): Reader => {
  const attrs = new Map<string, Field>();
  const elements = new Map<string, Field>();
  const elementNs = (owner: Owner) => (owner === undefined ? undefined : naming.namespace(owner));
  const subReaders = new Map<Field, Reader>();
  for (const f of shape.fields) {
    if (f.kind === 'attribute') {
      attrs.set(keyOf(f.owner === undefined ? undefined : naming.namespace(f.owner), f.name), f);
      continue;
    }
    const owner = f.owner ?? inherited;
    const name = xmlName(naming, f.name, owner);
    elements.set(keyOf(elementNs(owner), name.local), f);
    if (f.kind === 'object') subReaders.set(f, compileXmlReader(f.shape, naming, core, owner));
    if (f.kind === 'list') subReaders.set(f, compileXmlReader(f.item, naming, core, owner));
  }
  const spell = (f: Field) => {
    const n = xmlName(naming, f.name, f.owner);
    return n.prefix === undefined ? n.local : `${n.prefix}:${n.local}`;
  };
  const normalise = (ns: string | undefined) => (ns !== undefined && core.has(ns) ? undefined : ns);

  return (content) => {
    const el = content as XmlElement;
    const out: Value = {};
    for (const a of el.attributes) {
      if (a.namespace === XML_NS) continue;
      const f = attrs.get(keyOf(a.namespace, a.local));
      if (f === undefined) {
        const owner = ownerOf(a.namespace, core, naming, a.spelled);
        if (owner !== undefined && owner !== null) throw badRequest(`The attribute ${a.spelled} is not a field of <${el.spelled}>.`);
        continue;
      }
      if (f.kind === 'attribute') out[f.key] = checked(f, scalarFromText(f.type, a.value, a.spelled), a.spelled);
    }
    for (const child of el.children) {
      const f = elements.get(keyOf(normalise(child.namespace), child.local));
      if (f === undefined) {
        const owner = ownerOf(child.namespace, core, naming, child.spelled);
        if (owner !== undefined && owner !== null) throw badRequest(`<${child.spelled}> is not a field of <${el.spelled}>.`);
        continue;
      }
      out[f.key] = checked(f, readChild(f, child, subReaders.get(f)), child.spelled);
    }
    requireFields(shape, out, spell);
    return out;
  };
};

const readChild = (f: Field, el: XmlElement, sub: Reader | undefined): unknown => {
  switch (f.kind) {
    case 'attribute':
    case 'text':
      return scalarFromText(f.type, el.text, el.spelled);
    case 'map': {
      const m: Record<string, string> = {};
      for (const entry of el.children) {
        const k = entry.attributes.find((a) => a.local === 'key' && a.namespace === undefined);
        if (k === undefined) throw badRequest(`<${entry.spelled}> in <${el.spelled}> needs a key attribute.`);
        m[k.value] = entry.text;
      }
      return m;
    }
    case 'object':
      return sub!(el);
    case 'list':
      return (f.wrapped ? el.children : [el]).map((item) => sub!(item));
    case 'values':
      return el.children.map((item) => scalarFromText(f.type, item.text, item.spelled));
    default:
      return undefined;
  }
};
