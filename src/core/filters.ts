import { setFlagsFromString } from 'node:v8';
import type { Check, Value } from '../model/shape.ts';
import type { Condition, ConditionField } from '../store/store.ts';
import { idOfRef } from './shapes.ts';
import { LONE_SURROGATE } from '../media/read.ts';

/**
 * The core's list filters, as nova's legacy v2 takes them (`GET /servers?name=web&status=ACTIVE`).
 * Extensions' filters are qualified parameters beside these (extension/wiring.ts); an unqualified
 * name that is neither is ignored, as nova ignores it.
 *
 * A filter's test runs in the gateway on each document the store returns, and decides; its
 * condition, when it has one, is the same test said so that the store runs it in its query (with
 * an index): it narrows what is read, so that a filter that few documents match reads few.
 */
export interface CoreFilter {
  /** The value as given: a problem is a 400 naming the parameter. */
  readonly check?: Check;
  /** Made once per request from the checked value; runs on each settled document. */
  readonly make: (value: string) => (doc: Value) => boolean;
  /** What the store evaluates for the same checked value: true of every document `make`'s test accepts at `now`; none, when it cannot say. */
  readonly condition?: (value: string, now: number) => Condition | undefined;
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

/**
 * Text that every name a regular expression matches contains, or undefined when it cannot say:
 * the longest run of literal characters (punctuation escaped counts) outside groups and classes,
 * in an expression with no alternative at its top level, that no quantifier makes optional or
 * repeats within the run (`web-1` and `^web\.example$` whole, `web` of `^web-\d+$`). Whatever it is
 * unsure of (a group, a class, an escape such as `\d` or `\u0041` and what may follow it, braces)
 * ends a run: skipping a character only splits runs, never makes one up.
 */
export const textOfPattern = (pattern: string): string | undefined => {
  let best = '';
  let run = '';
  const endRun = () => {
    if (run.length > best.length) best = run;
    run = '';
  };
  /** Where the class or group opened at i closes (the index after it), escapes and classes inside skipped. */
  const closing = (i: number): number | undefined => {
    const open = pattern[i]!;
    let depth = 0;
    for (let j = i; j < pattern.length; j++) {
      const c = pattern[j]!;
      if (c === '\\') j++;
      else if (open === '(' && c === '[') {
        const k = closing(j);
        if (k === undefined) return undefined;
        j = k - 1;
      } else if (open === '[' && c === ']' && j > i) return j + 1;
      else if (open === '(' && c === '(') depth++;
      else if (open === '(' && c === ')' && --depth === 0) return j + 1;
    }
    return undefined;
  };
  let i = 0;
  while (i < pattern.length) {
    const ch = pattern[i]!;
    let literal: string | undefined;
    if (ch === '\\') {
      const next = pattern[i + 1];
      if (next === undefined) return undefined;
      i += 2;
      if (/[A-Za-z0-9]/.test(next)) {
        // \d, \b, \n, \1, \cA, \x41, \u0041: none of it is taken as literal, nor what may be its own after it.
        const own = next === 'u' ? /^[0-9A-Fa-f]{1,4}/ : next === 'x' ? /^[0-9A-Fa-f]{1,2}/ : next === 'c' ? /^[A-Za-z]/ : /[0-9]/.test(next) ? /^[0-9]{1,3}/ : undefined;
        i += own?.exec(pattern.slice(i))?.[0].length ?? 0;
      } else literal = next;
    } else if (ch === '(' || ch === '[') {
      const after = closing(i);
      if (after === undefined) return undefined;
      i = after;
    } else if (ch === '|' || ch === '{' || ch === '}') {
      return undefined;
    } else {
      i++;
      if (!'^$.]*+?'.includes(ch)) literal = ch;
    }
    // What follows the atom: none, some or many of it.
    const q = pattern[i];
    if (q === '*' || q === '?' || q === '+' || q === '{') {
      if (q === '{') return undefined;
      i++;
      if (pattern[i] === '?') i++; // lazy
      if (literal !== undefined && q === '+') run += literal;
      endRun();
    } else if (literal !== undefined) run += literal;
    else endRun();
  }
  endRun();
  return best === '' ? undefined : best;
};

/** The instant a changes-since value names (without a zone, a time is UTC). */
const instant = (value: string): number => Date.parse(/[zZ]|[+-]\d{2}:?\d{2}$/.test(value) || !value.includes('T') ? value : `${value}Z`);

/** Timestamps are stored as ISO 8601 to the second: compared as instants. */
const since: Pick<CoreFilter, 'make' | 'condition'> = {
  make: (value) => {
    const t = instant(value);
    return (doc: Value) => Date.parse(doc.updated as string) >= t;
  },
  condition: (value) => ({ op: 'since', field: 'updated', value: instant(value) }),
};

/** Of the settled document: the store settles it in its query too (store.ts, the status condition). */
const sameStatus: Pick<CoreFilter, 'make' | 'condition'> = {
  make: (value) => {
    const wanted = value.toUpperCase();
    return (doc: Value) => (doc.status as string).toUpperCase() === wanted;
  },
  condition: (value, now) => ({ op: 'status', value: value.toUpperCase(), now }),
};

const atLeast = (key: ConditionField): Pick<CoreFilter, 'make' | 'condition'> => ({
  make: (value) => {
    const n = Number(value);
    return (doc: Value) => (doc[key] as number) >= n;
  },
  condition: (value) => ({ op: 'atLeast', field: key, value: Number(value) }),
});

/** `doc[key] === v` for the value as `of` reads it (an image's id from its URL). */
const equal = (key: ConditionField, of: (v: string) => string = (v) => v): Pick<CoreFilter, 'make' | 'condition'> => ({
  make: (v) => {
    const id = of(v);
    return (doc) => doc[key] === id;
  },
  condition: (v) => ({ op: 'eq', field: key, value: of(v) }),
});

export const CORE_FILTERS: Readonly<Record<'servers' | 'images' | 'flavors', ReadonlyMap<string, CoreFilter>>> = {
  servers: new Map<string, CoreFilter>([
    // A regular expression searched for in the name, as nova's database filter does (not in
    // JavaScript's unicode mode, which refuses escapes such as `\-` that Python takes). SQLite has
    // no regular expressions and PostgreSQL's are another dialect: the gateway runs it, and the
    // store's query returns only the names holding the text every match contains (all of the usual
    // `?name=web-1`; `web-` of `^web-\d+$`).
    [
      'name',
      {
        check: regex,
        // A name that is not a string (an extension's save() may store one) matches nothing: the store's condition says the same.
        make: (v) => { const r = nameMatcher(v); return r === undefined ? (doc) => typeof doc.name === 'string' && doc.name.includes(v) : (doc) => typeof doc.name === 'string' && r.test(doc.name); },
        condition: (v) => {
          const text = LINEAR ? textOfPattern(v) : v;
          // A half of a surrogate pair alone is stored escaped, and neither database compares it as JavaScript does.
          return text === undefined || text === '' || LONE_SURROGATE.test(text) ? undefined : { op: 'contains', field: 'name', value: text };
        },
      },
    ],
    ['status', sameStatus],
    ['image', equal('imageId', idOfRef)],
    ['flavor', equal('flavorId', idOfRef)],
    ['changes-since', { check: isoTime, ...since }],
    // Which project's servers, as an admin listing every project's (`all_tenants`) narrows them.
    ['tenant_id', equal('tenant_id')],
    ['project_id', equal('tenant_id')],
  ]),
  images: new Map<string, CoreFilter>([
    ['name', equal('name')],
    ['status', sameStatus],
    ['server', equal('serverId', idOfRef)],
    // A snapshot was made from a server; a base image was not.
    [
      'type',
      {
        check: (v) => (v === 'snapshot' || v === 'base' ? undefined : 'must be snapshot or base'),
        make: (v) => (doc) => (doc.serverId !== undefined) === (v === 'snapshot'),
        condition: (v) => ({ op: v === 'snapshot' ? 'present' : 'absent', field: 'serverId' }),
      },
    ],
    ['changes-since', { check: isoTime, ...since }],
    ['minDisk', { check: wholeNumber, ...atLeast('minDisk') }],
    ['minRam', { check: wholeNumber, ...atLeast('minRam') }],
  ]),
  flavors: new Map<string, CoreFilter>([
    ['minDisk', { check: wholeNumber, ...atLeast('disk') }],
    ['minRam', { check: wholeNumber, ...atLeast('ram') }],
  ]),
};
