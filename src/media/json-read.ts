import type { Field, Shape, Value } from '../model/shape.ts';
import { spell, spellingOf, type Naming, type OldSpelling } from '../model/naming.ts';
import { badRequest } from './fault.ts';
import { checked, MAX_DEPTH, readOnlyNames, refusedName, requireFields, reservedName, sameField, scalarFromJson, storable, usedOld, type Incoming, type OldUse, type Reader } from './read.ts';

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/**
 * A name the shape does not have: qualified by an alias that is not loaded, or by a loaded one
 * that adds no such name here, it is refused; an unqualified one is ignored (clients send fields
 * of other deployments, as openstacksdk does).
 */
const unknownName = (key: string, where: string, naming: Naming): void => {
  const colon = key.indexOf(':');
  if (colon === -1) {
    reservedName(key, where);
    return;
  }
  const alias = key.slice(0, colon);
  if (naming.byAlias(alias) === undefined) throw badRequest(`"${key}" names the extension ${alias}, which is not loaded here.`);
  throw badRequest(`"${key}" is not a field of ${where}.`);
};

/** Top-level keys of a request document, each resolved to its owner (through old aliases too). */
export const parseJson = (text: string, naming: Naming): Incoming[] => {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw badRequest(`The request body is not valid JSON: ${(err as Error).message}`);
  }
  if (!isObject(doc)) throw badRequest('The request body must be a JSON object.');
  if (deeperThan(doc, MAX_DEPTH)) throw badRequest(`The JSON request body is nested deeper than ${MAX_DEPTH} levels.`);
  return Object.keys(doc).map((spelled) => {
    const colon = spelled.indexOf(':');
    if (colon === -1) {
      reservedName(spelled, 'a request body');
      return { owner: undefined, name: spelled, spelled, content: doc[spelled] };
    }
    const alias = spelled.slice(0, colon);
    const name = spelled.slice(colon + 1);
    const resolved = naming.byAlias(alias);
    if (resolved === undefined) throw badRequest(`"${spelled}" names the extension ${alias}, which is not loaded here.`);
    if (resolved.old?.mode === 'refuse') refusedName(spelled, `"${spell(spellingOf(naming, resolved.owner), name)}"`);
    return { owner: resolved.owner, name, spelled, content: doc[spelled], old: resolved.old };
  });
};

/** Whether a parsed document nests deeper than `max` objects and arrays; iterative, so any depth is safe to ask. */
const deeperThan = (doc: unknown, max: number): boolean => {
  const stack: [unknown, number][] = [[doc, 1]];
  while (stack.length > 0) {
    const [x, depth] = stack.pop()!;
    if (typeof x !== 'object' || x === null) continue;
    if (depth > max) return true;
    for (const k in x) stack.push([(x as Record<string, unknown>)[k], depth + 1]);
  }
  return false;
};

type Put = (content: Record<string, unknown>, out: Value, uses: OldUse[] | undefined) => void;

const compileField = (field: Field, naming: Naming, name: string): Put | undefined => {
  const key = field.key;
  switch (field.kind) {
    case 'attribute':
    case 'text':
      return (c, out) => {
        const x = c[name];
        if (x === undefined) return;
        // null is no value of the field (XML cannot say it): refused rather than stored as absent or "null".
        if (x === null && !field.nullable) throw badRequest(`"${name}" must not be null.`);
        out[key] = checked(field, scalarFromJson(field.type, x, name), name);
      };
    case 'map':
      return (c, out) => {
        const x = c[name];
        if (x === undefined) return;
        if (!isObject(x)) throw badRequest(`"${name}" must be an object of strings.`);
        for (const k in x) {
          const v = x[k];
          if (typeof v !== 'string' && !(field.nullable && v === null)) throw badRequest(`"${name}" must be an object of strings; "${k}" is not a string.`);
          storable(k, `${name}`);
          if (typeof v === 'string') storable(v, `${name}.${k}`);
        }
        out[key] = checked(field, { ...x }, name);
      };
    case 'object': {
      const inner = compileJsonReader(field.shape, naming);
      return (c, out, uses) => {
        if (c[name] !== undefined) out[key] = checked(field, inner(c[name], uses), name);
      };
    }
    case 'list': {
      const inner = compileJsonReader(field.item, naming);
      return (c, out, uses) => {
        const x = c[name];
        if (x === undefined) return;
        if (!Array.isArray(x)) throw badRequest(`"${name}" must be a list.`);
        out[key] = checked(field, x.map((item) => inner(item, uses)), name);
      };
    }
    case 'values':
      return (c, out) => {
        const x = c[name];
        if (x === undefined) return;
        if (!Array.isArray(x)) throw badRequest(`"${name}" must be a list.`);
        out[key] = checked(field, x.map((item) => scalarFromJson(field.type, item, name)), name);
      };
    case 'links':
    case 'groups':
      return undefined; // server-made: never read from a request
  }
};

/**
 * One field read under any of its accepted spellings (the current one first, then old ones):
 * given twice, the values must agree. A field with one spelling is read directly.
 */
const anySpelling = (field: Field, names: readonly string[], puts: readonly Put[]): Put => {
  if (puts.length === 1) return puts[0]!;
  return (c, out, uses) => {
    let found: string | undefined;
    for (let i = 0; i < names.length; i++) {
      if (c[names[i]!] === undefined) continue;
      if (found === undefined) {
        found = names[i];
        puts[i]!(c, out, uses);
      } else {
        const other: Value = {};
        puts[i]!(c, other, uses);
        sameField(found, out[field.key], names[i]!, other[field.key]);
      }
    }
  };
};

interface Known {
  /** The current spelling of the field, for messages about old ones. */
  readonly current: string;
  readonly old?: OldSpelling;
}

/** A reader for the content under a document's root key: `{"name": ..., "OS-DCF:diskConfig": ...}`. */
export const compileJsonReader = (shape: Shape, naming: Naming): Reader => {
  const known = new Map<string, Known>();
  const puts: Put[] = [];
  for (const f of shape.fields) {
    if (f.only === 'xml') continue;
    const current = spell(spellingOf(naming, f.owner), f.name);
    known.set(current, { current });
    const names = [current];
    for (const old of f.owner === undefined ? [] : naming.old(f.owner)) {
      const spelled = spell(old, f.name);
      known.set(spelled, { current, old });
      if (old.mode !== 'refuse') names.push(spelled);
    }
    const each = names.map((n) => compileField(f, naming, n));
    if (each[0] !== undefined) puts.push(anySpelling(f, names, each as Put[]));
  }
  const spellings = (f: Field) => [spell(spellingOf(naming, f.owner), f.name), ...(f.owner === undefined ? [] : naming.old(f.owner).map((o) => spell(o, f.name)))];
  const readOnly = readOnlyNames(shape, spellings, (f) => spellings(f)[0]!, new Set(known.keys()));
  return (content, uses) => {
    if (!isObject(content)) throw badRequest(`"${shape.element}" must be an object.`);
    for (const k in content) {
      const name = known.get(k);
      if (name === undefined) {
        const refusal = readOnly.get(k);
        if (refusal !== undefined) throw badRequest(refusal(k));
        unknownName(k, shape.element, naming);
      } else if (name.old !== undefined) usedOld(name.old, k, `"${name.current}"`, uses);
    }
    const out: Value = {};
    for (const put of puts) put(content, out, uses);
    requireFields(shape, out, (f) => spell(spellingOf(naming, f.owner), f.name));
    return out;
  };
};
