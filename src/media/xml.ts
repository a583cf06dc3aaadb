import { xmlElementName, type Collection, type Link, type Shape, type Value } from '../model/shape.ts';
import { CORE, spellingOf, valueRenderer, writtenSpellings, xmlName, type Naming, type Spelling } from '../model/naming.ts';
import { ATOM_NS, COMPUTE_NS } from './namespaces.ts';

/**
 * The XML codec's writer: a Shape compiled once per version into string-building closures
 * (no DOM per request). Scalars have one form: strings as is, numbers and booleans by String(),
 * null and undefined leave the attribute or element out.
 */

export const XML_DECLARATION = "<?xml version='1.0' encoding='UTF-8'?>\n";

// Characters XML 1.0 cannot carry at all become U+FFFD rather than a document that does not parse.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching what XML forbids is the point
const INVALID = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: the same characters, and those to escape
const SPECIAL_TEXT = /[&<>\r\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: the same characters, and those to escape
const SPECIAL_ATTR = /[&<>"\t\n\r\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/;

// A return is written as a reference: a literal one would be read back as a newline (XML 1.0, 2.11).
export const escapeText = (s: string): string =>
  SPECIAL_TEXT.test(s)
    ? s.replace(INVALID, '\ufffd').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;')
    : s;

export const escapeAttr = (s: string): string =>
  SPECIAL_ATTR.test(s)
    ? escapeText(s).replace(/"/g, '&quot;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;')
    : s;

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

const tagOf = (s: Spelling, name: string, contributed: boolean, b: Bindings): string => {
  const n = xmlName(s, name, contributed);
  b.bind(n.prefix, n.namespace);
  return n.prefix === undefined ? n.local : `${n.prefix}:${n.local}`;
};

/** Any scalar as attribute value or text: numbers and booleans cannot need escaping. */
const attrValue = (x: unknown): string =>
  typeof x === 'string' ? escapeAttr(x) : typeof x === 'number' || typeof x === 'boolean' ? String(x) : escapeAttr(String(x));
const textValue = (x: unknown): string =>
  typeof x === 'string' ? escapeText(x) : typeof x === 'number' || typeof x === 'boolean' ? String(x) : escapeText(String(x));

/**
 * Compiles one element, its attributes and all its children, into one function of straight-line
 * code, as the JSON encoder is compiled (see json.ts) and as one would write it by hand: property
 * reads with constant names (monomorphic, where a closure per field reading `v[key]` made every
 * read megamorphic) and no call per field. A nested element is a call to its own compiled
 * function. `inherited` is the spelling of the element's owner: its unqualified child elements
 * are in that extension's namespace too; attributes stay unqualified unless an extension other
 * than the core adds them (attributeFormDefault unqualified). A promoted extension's names are
 * written in each spelling this version keeps (`OS-DCF:diskConfig` and `RAX-DCF:diskConfig`).
 * `open` gives the start tag's text once every name is bound: the root's declares the
 * namespaces the children use. Names are embedded with JSON.stringify, never as code.
 */
const compileElement = (shape: Shape, tag: string, naming: Naming, inherited: Spelling, b: Bindings, open = () => `<${tag}`): Write => {
  const helpers: unknown[] = [attrValue, textValue, linkXml];
  const helper = (f: unknown): string => `h[${helpers.push(f) - 1}]`;
  const str = (text: string): string => JSON.stringify(text);
  let attrs = '';
  let children = '';
  for (const f of shape.fields) {
    if (f.only === 'json') continue;
    const at = `x = v[${str(f.key)}];`;
    if (f.kind === 'attribute') {
      const value = f.type === 'state' ? `h[0](typeof x === 'string' ? ${helper(valueRenderer(naming))}(x) : x)` : 'h[0](x)';
      for (const s of writtenSpellings(naming, f.owner)) {
        attrs += `${at} if (x !== undefined && x !== null) s += ${str(` ${tagOf(s, f.name, true, b)}="`)} + ${value} + '"';\n`;
      }
      continue;
    }
    if (f.kind === 'links') {
      b.atom = true;
      children += `${at} if (x !== undefined) for (let i = 0; i < x.length; i++) c += h[2](x[i]);\n`;
      continue;
    }
    const contributed = f.owner !== undefined;
    for (const s of contributed ? writtenSpellings(naming, f.owner) : [inherited]) {
      const name = tagOf(s, xmlElementName(f), contributed, b);
      const [start, end] = [str(`<${name}>`), str(`</${name}>`)];
      switch (f.kind) {
        case 'text':
          children += `${at} if (x !== undefined && x !== null) c += ${start} + h[1](x) + ${end};\n`;
          break;
        case 'map': {
          const entry = tagOf(s, f.entry, false, b);
          children += `${at} if (x !== undefined) { c += ${start}; for (const k in x) c += ${str(`<${entry} key="`)} + h[0](k) + '">' + h[1](x[k]) + ${str(`</${entry}>`)}; c += ${end}; }\n`;
          break;
        }
        case 'values': {
          const item = tagOf(s, f.item, false, b);
          children += `${at} if (x !== undefined) { c += ${start}; for (let i = 0; i < x.length; i++) c += ${str(`<${item}>`)} + h[1](x[i]) + ${str(`</${item}>`)}; c += ${end}; }\n`;
          break;
        }
        case 'object': {
          const write = helper(compileElement(f.shape, name, naming, s, b));
          children += `${at} if (x !== undefined && x !== null) c += ${write}(x);\n`;
          break;
        }
        case 'list': {
          const write = helper(compileElement(f.item, tagOf(s, f.item.element, false, b), naming, s, b));
          const items = `for (let i = 0; i < x.length; i++) c += ${write}(x[i]);`;
          children += `${at} if (x !== undefined${f.omitEmptyInXml === true ? ' && x.length > 0' : ''}) { ${f.wrapped ? `c += ${start}; ${items} c += ${end};` : items} }\n`;
          break;
        }
        case 'groups': {
          const group = tagOf(s, f.group, false, b);
          const write = helper(compileElement(f.item, tagOf(s, f.item.element, false, b), naming, s, b));
          children +=
            `${at} if (x !== undefined) { c += ${start}; for (const g in x) { const items = x[g];` +
            ` c += ${str(`<${group} ${f.groupKey}="`)} + h[0](g) + '"';` +
            ` if (items.length === 0) c += '/>'; else { c += '>'; for (let i = 0; i < items.length; i++) c += ${write}(items[i]); c += ${str(`</${group}>`)}; } }` +
            ` c += ${end}; }\n`;
          break;
        }
      }
    }
  }
  const body =
    `let s = ${str(open())}; let c = ''; let x;\n${attrs}${children}` +
    `return c === '' ? s + '/>' : s + '>' + c + ${str(`</${tag}>`)};`;
  return new Function('h', `return (v) => { ${body} };`)(helpers) as Write;
};

/** A document whose root is one item: `<server xmlns=... >`. */
export const compileXmlDocument = (shape: Shape, naming: Naming): ((value: Value) => string) => {
  const b = new Bindings();
  // An extension's own document: its current namespace is the default one, its names unprefixed;
  // once it is core, the core's namespace and its name in core.
  const owned = shape.owner === undefined ? undefined : spellingOf(naming, shape.owner);
  const namespace = owned === undefined ? shape.namespace : (owned.namespace ?? COMPUTE_NS);
  const tag = owned === undefined ? shape.element : xmlName(owned, shape.element).local;
  return compileElement(shape, tag, naming, CORE, b, () => `${XML_DECLARATION}<${tag}${b.declarations(namespace)}`);
};

/** `<extensions xmlns=...><extension/>...<atom:link rel="next"/></extensions>` */
export const compileXmlCollection = (
  coll: Collection,
  naming: Naming,
): ((items: readonly Value[], pageLinks?: readonly Link[]) => string) => {
  const b = new Bindings();
  const write = compileElement(coll.item, coll.item.element, naming, CORE, b);
  const open = `${XML_DECLARATION}<${coll.element}${b.declarations(coll.item.namespace)}`;
  const openWithAtom = `${XML_DECLARATION}<${coll.element}${b.declarations(coll.item.namespace, true)}`;
  return (items, pageLinks) => {
    let s = '';
    for (let i = 0; i < items.length; i++) s += write(items[i]!);
    const paged = pageLinks !== undefined && pageLinks.length > 0;
    if (paged) for (const l of pageLinks) s += linkXml(l);
    const head = paged ? openWithAtom : open;
    return s === '' ? `${head}/>` : `${head}>${s}</${coll.element}>`;
  };
};
