import { setFlagsFromString } from 'node:v8';
import type { Check, Value } from '../model/shape.ts';
import { idOfRef } from './shapes.ts';

/**
 * The core's list filters, as nova's legacy v2 takes them (`GET /servers?name=web&status=ACTIVE`).
 * Extensions' filters are qualified parameters beside these (extension/wiring.ts); an unqualified
 * name that is neither is ignored, as nova ignores it.
 */
export interface CoreFilter {
  /** The value as given: a problem is a 400 naming the parameter. */
  readonly check?: Check;
  /** Made once per request from the checked value; runs on each settled document. */
  readonly make: (value: string) => (doc: Value) => boolean;
}

const wholeNumber: Check = (v) => (typeof v === 'string' && /^\d{1,9}$/.test(v) ? undefined : 'must be a whole number');

/** An ISO 8601 time (nova parses it with iso8601): a date, or a date and time with an optional zone. */
const ISO_8601 = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)?)?$/;
const isoTime: Check = (v) => (typeof v === 'string' && ISO_8601.test(v) && !Number.isNaN(Date.parse(v)) ? undefined : 'must be an ISO 8601 time such as 2026-12-01T00:00:00Z');

/**
 * A client's regular expression runs on the event loop, against every name: it must run in linear
 * time, or one `^(a+)+$` stalls every request for minutes. V8's linear engine (the `l` flag)
 * guarantees that, and refuses what it cannot do so (backreferences, lookaround); nova ran its
 * regexes in the database. Where the engine is missing, the name is matched as a plain substring.
 */
setFlagsFromString('--enable-experimental-regexp-engine');
const LINEAR = (() => {
  try {
    // biome-ignore lint/complexity/useRegexLiterals: a literal with the l flag would not even parse where the engine is missing.
    new RegExp('a', 'l');
    return true;
  } catch {
    return false;
  }
})();
const nameMatcher = (v: string): RegExp | undefined => (LINEAR ? new RegExp(v, 'l') : undefined);

const regex: Check = (v) => {
  if (typeof v !== 'string' || v.length > 255) return 'must be a regular expression of at most 255 characters';
  try {
    nameMatcher(v);
    return undefined;
  } catch {
    return 'is not a regular expression that runs in linear time (no backreferences or lookaround)';
  }
};

/** Timestamps are stored as ISO 8601 to the second: compared as instants. */
const since = (value: string) => {
  const t = Date.parse(/[zZ]|[+-]\d{2}:?\d{2}$/.test(value) || !value.includes('T') ? value : `${value}Z`);
  return (doc: Value) => Date.parse(doc.updated as string) >= t;
};

const sameStatus = (value: string) => {
  const wanted = value.toUpperCase();
  return (doc: Value) => (doc.status as string).toUpperCase() === wanted;
};

const atLeast = (key: string) => (value: string) => {
  const n = Number(value);
  return (doc: Value) => (doc[key] as number) >= n;
};

export const CORE_FILTERS: Readonly<Record<'servers' | 'images' | 'flavors', ReadonlyMap<string, CoreFilter>>> = {
  servers: new Map<string, CoreFilter>([
    // A regular expression searched for in the name, as nova's database filter does (not in
    // JavaScript's unicode mode, which refuses escapes such as `\-` that Python takes).
    ['name', { check: regex, make: (v) => { const r = nameMatcher(v); return r === undefined ? (doc) => (doc.name as string).includes(v) : (doc) => r.test(doc.name as string); } }],
    ['status', { make: sameStatus }],
    ['image', { make: (v) => { const id = idOfRef(v); return (doc) => doc.imageId === id; } }],
    ['flavor', { make: (v) => { const id = idOfRef(v); return (doc) => doc.flavorId === id; } }],
    ['changes-since', { check: isoTime, make: since }],
    // Which project's servers, as an admin listing every project's (`all_tenants`) narrows them.
    ['tenant_id', { make: (v) => (doc) => doc.tenant_id === v }],
    ['project_id', { make: (v) => (doc) => doc.tenant_id === v }],
  ]),
  images: new Map<string, CoreFilter>([
    ['name', { make: (v) => (doc) => doc.name === v }],
    ['status', { make: sameStatus }],
    ['server', { make: (v) => { const id = idOfRef(v); return (doc) => doc.serverId === id; } }],
    // A snapshot was made from a server; a base image was not.
    ['type', { check: (v) => (v === 'snapshot' || v === 'base' ? undefined : 'must be snapshot or base'), make: (v) => (doc) => (doc.serverId !== undefined) === (v === 'snapshot') }],
    ['changes-since', { check: isoTime, make: since }],
    ['minDisk', { check: wholeNumber, make: atLeast('minDisk') }],
    ['minRam', { check: wholeNumber, make: atLeast('minRam') }],
  ]),
  flavors: new Map<string, CoreFilter>([
    ['minDisk', { check: wholeNumber, make: atLeast('disk') }],
    ['minRam', { check: wholeNumber, make: atLeast('ram') }],
  ]),
};
