import type { Collection, Field, Link, Shape, Value } from '../model/shape.ts';
import { jsonName, qualifiedName, valueRenderer, type Naming } from '../model/naming.ts';

/**
 * The JSON codec's writer: a Shape compiled once per version straight to string-building
 * closures (no intermediate object), as fast-json-stringify does: names are quoted once.
 */
type Emit = (value: Value) => string;

const linkJson = (l: Link): Record<string, string> =>
  l.type === undefined ? { rel: l.rel, href: l.href } : { rel: l.rel, type: l.type, href: l.href };

const compileStringField = (field: Field, naming: Naming): Emit => {
  const prefix = `${JSON.stringify(jsonName(naming, field))}:`;
  const key = field.key;
  switch (field.kind) {
    case 'attribute':
    case 'text': {
      const render = field.type === 'state' ? valueRenderer(naming) : undefined;
      return (v) => {
        const x = v[key];
        if (x === undefined) return '';
        return prefix + JSON.stringify(render !== undefined && typeof x === 'string' ? render(x) : x);
      };
    }
    case 'map':
    case 'values':
      return (v) => (v[key] === undefined ? '' : prefix + JSON.stringify(v[key]));
    case 'links':
      return (v) => {
        const x = v[key] as Link[] | undefined;
        return x === undefined ? '' : prefix + JSON.stringify(x.map(linkJson));
      };
    case 'object': {
      const inner = compileJsonWriter(field.shape, naming);
      return (v) => {
        const x = v[key] as Value | null | undefined;
        return x === undefined ? '' : prefix + (x === null ? 'null' : inner(x));
      };
    }
    case 'list': {
      const inner = compileJsonWriter(field.item, naming);
      return (v) => {
        const x = v[key] as Value[] | undefined;
        return x === undefined ? '' : `${prefix}[${x.map(inner).join(',')}]`;
      };
    }
    case 'groups': {
      const inner = compileJsonWriter(field.item, naming);
      return (v) => {
        const x = v[key] as Record<string, Value[]> | undefined;
        if (x === undefined) return '';
        const parts: string[] = [];
        for (const g in x) parts.push(`${JSON.stringify(g)}:[${x[g]!.map(inner).join(',')}]`);
        return `${prefix}{${parts.join(',')}}`;
      };
    }
  }
};

export const compileJsonWriter = (shape: Shape, naming: Naming): Emit => {
  const emits = shape.fields.map((f) => compileStringField(f, naming));
  return (value) => {
    let s = '';
    for (const emit of emits) {
      const part = emit(value);
      if (part !== '') s += s === '' ? part : `,${part}`;
    }
    return `{${s}}`;
  };
};

/** `{"<element>": {...}}` */
export const compileJsonDocument = (shape: Shape, naming: Naming): ((value: Value) => string) => {
  const write = compileJsonWriter(shape, naming);
  const open = `{${JSON.stringify(qualifiedName(naming, shape.element, shape.owner))}:`;
  return (value) => `${open}${write(value)}}`;
};

/** `{"<element>": [...], "<element>_links": [...]}`; the links key only when there are links. */
export const compileJsonCollection = (
  coll: Collection,
  naming: Naming,
): ((items: readonly Value[], pageLinks?: readonly Link[]) => string) => {
  const write = compileJsonWriter(coll.item, naming);
  const open = `{${JSON.stringify(coll.element)}:[`;
  const linksKey = `,${JSON.stringify(coll.linksKey)}:`;
  return (items, pageLinks) => {
    const body = `${open}${items.map(write).join(',')}]`;
    return pageLinks !== undefined && pageLinks.length > 0 ? `${body}${linksKey}${JSON.stringify(pageLinks.map(linkJson))}}` : `${body}}`;
  };
};
