import type { Collection, Field, Link, Owner, Shape, Value } from '../model/shape.ts';
import { valueRenderer, xmlName, type Naming } from '../model/naming.ts';
import { ATOM_NS } from './namespaces.ts';

/**
 * The XML codec's writer: a Shape compiled once per version into string-building closures
 * (no DOM per request). Scalars have one form: strings as is, numbers and booleans by String(),
 * null and undefined leave the attribute or element out.
 */

export const XML_DECLARATION = "<?xml version='1.0' encoding='UTF-8'?>\n";

// Characters XML 1.0 cannot carry at all become U+FFFD rather than a document that does not parse.
const INVALID = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;
const SPECIAL_TEXT = /[&<>\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/;
const SPECIAL_ATTR = /[&<>"\t\n\r\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/;

export const escapeText = (s: string): string =>
  SPECIAL_TEXT.test(s)
    ? s.replace(INVALID, '\ufffd').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
    : s;

export const escapeAttr = (s: string): string =>
  SPECIAL_ATTR.test(s)
    ? escapeText(s).replace(/"/g, '&quot;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;')
    : s;

const scalar = (x: unknown): string => (typeof x === 'string' ? x : String(x));

export const linkXml = (l: Link): string =>
  `<atom:link rel="${escapeAttr(l.rel)}"${l.type === undefined ? '' : ` type="${escapeAttr(l.type)}"`} href="${escapeAttr(l.href)}"/>`;

/** Namespace bindings a document needs on its root element, collected at compile time. */
class Bindings {
  readonly prefixes = new Map<string, string>();
  atom = false;
  bind(prefix: string | undefined, namespace: string | undefined): void {
    if (prefix !== undefined && namespace !== undefined) this.prefixes.set(prefix, namespace);
  }
  declarations(defaultNs: string, atom = this.atom): string {
    let s = ` xmlns="${escapeAttr(defaultNs)}"`;
    if (atom) s += ` xmlns:atom="${ATOM_NS}"`;
    for (const [p, ns] of this.prefixes) s += ` xmlns:${p}="${escapeAttr(ns)}"`;
    return s;
  }
}

type Write = (v: Value) => string;

const tagOf = (naming: Naming, name: string, owner: Owner, b: Bindings): string => {
  const n = xmlName(naming, name, owner);
  b.bind(n.prefix, n.namespace);
  return n.prefix === undefined ? n.local : `${n.prefix}:${n.local}`;
};

/**
 * Compiles the attributes and children of one element. `inherited` is the extension that owns the
 * element itself: its child elements are in that extension's namespace too; attributes stay
 * unqualified unless an extension other than the core adds them (attributeFormDefault unqualified).
 */
const compileContent = (shape: Shape, naming: Naming, inherited: Owner, b: Bindings): { attrs: Write; children: Write } => {
  const attrs: { field: Field; tag: string }[] = [];
  const children: Write[] = [];
  for (const f of shape.fields) {
    if (f.kind === 'attribute') attrs.push({ field: f, tag: tagOf(naming, f.name, f.owner, b) });
    else children.push(compileChild(f, naming, f.owner ?? inherited, b));
  }
  return { attrs: compileAttributes(attrs, naming), children: concat(children) };
};

const concat = (writes: Write[]): Write => {
  if (writes.length === 0) return () => '';
  return (v) => {
    let s = '';
    for (const w of writes) s += w(v);
    return s;
  };
};

/**
 * An element's attributes compiled into one function of straight-line code (as the JSON encoder
 * is, see json.ts): one closure call per element instead of one per attribute. Names are
 * embedded with JSON.stringify, never as code.
 */
const compileAttributes = (fields: readonly { field: Field; tag: string }[], naming: Naming): Write => {
  if (fields.length === 0) return () => '';
  const helpers: unknown[] = [escapeAttr, scalar];
  let body = "let s = ''; let x;\n";
  for (const { field: f, tag } of fields) {
    const open = JSON.stringify(` ${tag}="`);
    let value = 'h[1](x)';
    if (f.kind === 'attribute' && f.type === 'state') value = `h[${helpers.push(valueRenderer(naming)) - 1}](${value})`;
    body += `x = v[${JSON.stringify(f.key)}]; if (x !== undefined && x !== null) s += ${open} + h[0](${value}) + '"';\n`;
  }
  return new Function('h', `return (v) => { ${body} return s; };`)(helpers) as Write;
};

const element = (tag: string, attrs: string, children: string): string =>
  children === '' ? `<${tag}${attrs}/>` : `<${tag}${attrs}>${children}</${tag}>`;

const compileChild = (f: Field, naming: Naming, owner: Owner, b: Bindings): Write => {
  const key = f.key;
  if (f.kind === 'links') {
    b.atom = true;
    return (v) => {
      const x = v[key] as Link[] | undefined;
      if (x === undefined) return '';
      let s = '';
      for (const l of x) s += linkXml(l);
      return s;
    };
  }
  const tag = tagOf(naming, f.name, owner, b);
  switch (f.kind) {
    case 'attribute':
    case 'text':
      return (v) => {
        const x = v[key];
        return x === undefined || x === null ? '' : `<${tag}>${escapeText(scalar(x))}</${tag}>`;
      };
    case 'map': {
      const entry = tagOf(naming, f.entry, owner, b);
      return (v) => {
        const x = v[key] as Record<string, string> | undefined;
        if (x === undefined) return '';
        let s = '';
        for (const k in x) s += `<${entry} key="${escapeAttr(k)}">${escapeText(scalar(x[k]))}</${entry}>`;
        return `<${tag}>${s}</${tag}>`;
      };
    }
    case 'object': {
      const c = compileContent(f.shape, naming, owner, b);
      return (v) => {
        const x = v[key] as Value | undefined | null;
        return x === undefined || x === null ? '' : element(tag, c.attrs(x), c.children(x));
      };
    }
    case 'values': {
      const itemTag = tagOf(naming, f.item, owner, b);
      return (v) => {
        const x = v[key] as unknown[] | undefined;
        if (x === undefined) return '';
        let s = '';
        for (const item of x) s += `<${itemTag}>${escapeText(scalar(item))}</${itemTag}>`;
        return `<${tag}>${s}</${tag}>`;
      };
    }
    case 'groups': {
      const groupTag = tagOf(naming, f.group, owner, b);
      const itemTag = tagOf(naming, f.item.element, owner, b);
      const c = compileContent(f.item, naming, owner, b);
      const groupKey = f.groupKey;
      return (v) => {
        const x = v[key] as Record<string, Value[]> | undefined;
        if (x === undefined) return '';
        let s = '';
        for (const g in x) {
          let items = '';
          for (const item of x[g]!) items += element(itemTag, c.attrs(item), c.children(item));
          s += element(groupTag, ` ${groupKey}="${escapeAttr(g)}"`, items);
        }
        return `<${tag}>${s}</${tag}>`;
      };
    }
    case 'list': {
      const itemTag = tagOf(naming, f.item.element, owner, b);
      const c = compileContent(f.item, naming, owner, b);
      return (v) => {
        const x = v[key] as Value[] | undefined;
        if (x === undefined) return '';
        let s = '';
        for (const item of x) s += element(itemTag, c.attrs(item), c.children(item));
        return f.wrapped ? `<${tag}>${s}</${tag}>` : s;
      };
    }
  }
};

/** A document whose root is one item: `<server xmlns=... >`. */
export const compileXmlDocument = (shape: Shape, naming: Naming): ((value: Value) => string) => {
  const b = new Bindings();
  const c = compileContent(shape, naming, undefined, b);
  // An extension's own document: its namespace is the default one, its names unprefixed.
  const namespace = shape.owner === undefined ? shape.namespace : (naming.namespace(shape.owner) ?? shape.namespace);
  const open = `${XML_DECLARATION}<${shape.element}${b.declarations(namespace)}`;
  return (value) => {
    const children = c.children(value);
    const head = open + c.attrs(value);
    return children === '' ? `${head}/>` : `${head}>${children}</${shape.element}>`;
  };
};

/** `<extensions xmlns=...><extension/>...<atom:link rel="next"/></extensions>` */
export const compileXmlCollection = (
  coll: Collection,
  naming: Naming,
): ((items: readonly Value[], pageLinks?: readonly Link[]) => string) => {
  const b = new Bindings();
  const c = compileContent(coll.item, naming, undefined, b);
  const itemTag = coll.item.element;
  const open = `${XML_DECLARATION}<${coll.element}${b.declarations(coll.item.namespace)}`;
  const openWithAtom = `${XML_DECLARATION}<${coll.element}${b.declarations(coll.item.namespace, true)}`;
  return (items, pageLinks) => {
    let s = '';
    for (const item of items) s += element(itemTag, c.attrs(item), c.children(item));
    const paged = pageLinks !== undefined && pageLinks.length > 0;
    if (paged) for (const l of pageLinks) s += linkXml(l);
    const head = paged ? openWithAtom : open;
    return s === '' ? `${head}/>` : `${head}>${s}</${coll.element}>`;
  };
};
