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
      return x;
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

export const requireFields = (shape: Shape, value: Value, spell: (f: Field) => string): void => {
  for (const f of shape.fields) {
    if (f.required && (value[f.key] === undefined || value[f.key] === null)) {
      throw badRequest(`"${spell(f)}" is required in ${shape.element}.`);
    }
  }
};
