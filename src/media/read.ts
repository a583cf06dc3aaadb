import { isDeepStrictEqual } from 'node:util';
import type { OldSpelling } from '../model/naming.ts';
import type { Field, Owner, ScalarType, Shape, Value } from '../model/shape.ts';
import { badRequest } from './fault.ts';

/**
 * What the JSON and XML readers share: a request document is a root name (resolved to an owner
 * and a local name) and content that a reader compiled from a Shape turns into a model value.
 * Anything a client can get wrong is a 400 badRequest naming it; nothing is changed before that.
 */
export interface Incoming {
  readonly owner: Owner;
  readonly name: string;
  /** The name as the client spelled it, for messages. */
  readonly spelled: string;
  readonly content: unknown;
  /** Set when the client named the owner by an old spelling of a promoted extension. */
  readonly old?: OldSpelling;
}

/** Deeper than any request document (a server's volume list is 3 levels): deeper is refused before it is read. */
export const MAX_DEPTH = 32;

/** The key a root name is looked up by in a version's tables: `server`, `lock`, `RAX-CBS:mount_volume`. */
export const rootKey = (x: { readonly owner: Owner; readonly name: string }): string => (x.owner === undefined ? x.name : `${x.owner}:${x.name}`);

/**
 * A request that used an old spelling of a promoted extension's name: it is answered normally,
 * and told (Deprecation, Link) and counted. `name` is the canonical old spelling:
 * `RAX-DCF:diskConfig`, `RAX-CBS-Volume-Type`, `PATCH /images/RAX-PATCH/{image_id}`, `ext=RAX-ATOM`.
 */
export interface OldUse {
  readonly spelling: OldSpelling;
  readonly name: string;
}

/** Reads the content under one root name; old spellings it meets are added to `uses`. */
export type Reader = (content: unknown, uses?: OldUse[]) => Value;

/** An old spelling a request used: refused (a 400 naming `instead`), or noted in `uses`. */
export const usedOld = (old: OldSpelling, name: string, instead: string, uses: OldUse[] | undefined): void => {
  if (old.mode === 'refuse') refusedName(name, instead);
  uses?.push({ spelling: old, name });
};

/** An old spelling in `refuse` mode: a 400 that names what to use instead. */
export const refusedName = (spelled: string, instead: string): never => {
  throw badRequest(`"${spelled}" is an old name that this API version no longer accepts; use ${instead}.`);
};

/** The same field given in two spellings (old and new) must say the same thing. */
export const sameField = (a: string, x: unknown, b: string, y: unknown): void => {
  if (!isDeepStrictEqual(x, y)) throw badRequest(`"${a}" and "${b}" name the same field with different values; give one.`);
};

/** A half of a surrogate pair without the other: text no encoding but UTF-16 holds. */
export const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Characters XML 1.0 cannot carry, even as references: C0 controls but tab, newline and return;
 * U+FFFE, U+FFFF; a surrogate without its pair. A string a client stores comes back identical in
 * JSON and in XML, so no request may hold one, in either.
 */
export const NOT_XML = new RegExp(`[\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\uFFFE\\uFFFF]|${LONE_SURROGATE.source}`);

/** A string from a JSON request, refused if XML could not carry it. */
export const storable = (x: string, spelled: string): string => {
  const bad = NOT_XML.exec(x);
  if (bad !== null) {
    const at = `U+${bad[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
    throw badRequest(`"${spelled}" holds a character that XML cannot carry (${at}): every value must be representable in JSON and in XML.`);
  }
  return x;
};

/**
 * Names no field has and no client means: refused rather than ignored like other unknown names,
 * in both media types, so that a body built to pollute an object's prototype never gets further.
 * User data (metadata keys) is not names: `__proto__` is a key like any other there.
 */
const RESERVED = new Set(['__proto__', 'constructor', 'prototype']);
export const reservedName = (name: string, where: string): void => {
  if (RESERVED.has(name)) throw badRequest(`"${name}" is not a field of ${where}, and no name may be.`);
};

/** User-data keys (metadata) as own properties, `__proto__` and `constructor` included. */
export const ownMap = (entries: Iterable<readonly [string, string]>): Record<string, string> => Object.fromEntries(entries);

/** Scalars as JSON gives them (typed) or as XML gives them (text). */
export const scalarFromJson = (type: ScalarType, x: unknown, spelled: string): unknown => {
  if (x === null) return null;
  switch (type) {
    case 'integer':
      if (typeof x !== 'number' || !Number.isInteger(x)) throw badRequest(`"${spelled}" must be an integer.`);
      return x;
    case 'number':
      if (typeof x !== 'number' || !Number.isFinite(x)) throw badRequest(`"${spelled}" must be a number.`);
      return x;
    case 'boolean':
      if (typeof x !== 'boolean') throw badRequest(`"${spelled}" must be true or false.`);
      return x;
    default:
      if (typeof x !== 'string') throw badRequest(`"${spelled}" must be a string.`);
      return storable(x, spelled);
  }
};

export const scalarFromText = (type: ScalarType, x: string, spelled: string): unknown => {
  switch (type) {
    case 'integer':
      if (!/^[+-]?\d+$/.test(x.trim())) throw badRequest(`"${spelled}" must be an integer.`);
      return Number(x);
    case 'number':
      if (x.trim() === '' || !Number.isFinite(Number(x))) throw badRequest(`"${spelled}" must be a number.`);
      return Number(x);
    case 'boolean': {
      const t = x.trim();
      if (t === 'true' || t === '1') return true;
      if (t === 'false' || t === '0') return false;
      throw badRequest(`"${spelled}" must be true or false.`);
    }
    default:
      return x;
  }
};

/** Runs a field's own check, and its required flag, on a decoded value. */
export const checked = (field: Field, value: unknown, spelled: string): unknown => {
  if (field.check !== undefined && value !== undefined) {
    const problem = field.check(value);
    if (problem !== undefined) throw badRequest(`"${spelled}" ${problem}.`);
  }
  return value;
};

/**
 * The names a request shape's resource has that the request may not set, each with what to tell
 * a client that sends one: `"OS-LOCK:locked" cannot be set when creating a server`, and the name
 * that can, if an extension offers one (`"metadata"`: `"RAX-EDIT:metadata"` can).
 */
export const readOnlyNames = (
  shape: Shape,
  /** The keys a reader finds a field's spellings by (current and old), and how to name its current one. */
  keys: (f: Field) => readonly string[],
  label: (f: Field) => string,
  settable: ReadonlySet<string>,
): Map<string, (spelled: string) => string> => {
  const names = new Map<string, (spelled: string) => string>();
  if (shape.writes === undefined) return names;
  const { when } = shape.writes;
  for (const f of shape.writes.shape.fields) {
    const instead = shape.fields.find((g) => g.name === f.name && g.owner !== f.owner);
    const can = instead === undefined ? '' : `; "${label(instead)}" can`;
    for (const k of keys(f)) if (!settable.has(k)) names.set(k, (spelled) => `"${spelled}" cannot be set when ${when}${can}.`);
  }
  return names;
};

export const requireFields = (shape: Shape, value: Value, spell: (f: Field) => string): void => {
  for (const f of shape.fields) {
    if (f.required && (value[f.key] === undefined || value[f.key] === null)) {
      throw badRequest(`"${spell(f)}" is required in ${shape.element}.`);
    }
  }
};
