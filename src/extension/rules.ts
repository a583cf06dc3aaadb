import { z } from 'zod';
import type { Problem } from './problems.ts';
import type { Vendors } from './vendors.ts';
import { compileCheck, PolicySyntaxError, referencedRules } from '../identity/policy-language.ts';
import { CORE_RULE_DEFAULTS } from '../identity/rules.ts';

/**
 * The load-time rules for one extension descriptor. Structure comes from a zod schema; the rules
 * the published schemas and the spec impose come after it. Rules across extensions (unique alias
 * and namespace, requires) are in registry.ts.
 */

const linkSchema = z.strictObject({
  rel: z.string().min(1),
  href: z.string().min(1),
  type: z.string().min(1).optional(),
});

export const definitionSchema = z.strictObject({
  name: z.string().trim().min(1),
  namespace: z.string().min(1),
  alias: z.string().min(1),
  updated: z.string().min(1),
  description: z.string().trim().min(1),
  links: z.array(linkSchema),
  requires: z.array(z.string().min(1)).optional(),
  minVersion: z.string().min(1).optional(),
  // Contributions: their structure is checked with the registry's model (extension/wiring.ts).
  attributes: z.array(z.looseObject({ resource: z.enum(['server', 'image', 'flavor']), name: z.string().min(1) })).optional(),
  parameters: z.array(z.looseObject({
    resource: z.enum(['servers', 'images', 'flavors']),
    name: z.string().min(1),
    check: z.function().optional(),
    matches: z.strictObject({ field: z.string().min(1), test: z.enum(['equals', 'includesAll']), separator: z.string().min(1).optional() }).optional(),
    filter: z.function().optional(),
  }).refine((p) => (p.matches === undefined) !== (p.filter === undefined), { message: 'give one of matches (a test the store runs in its query) and filter (a function)' })).optional(),
  headers: z.strictObject({ request: z.array(z.string().min(1)).optional(), response: z.array(z.string().min(1)).optional() }).optional(),
  states: z.array(z.strictObject({ resource: z.enum(['server', 'image']), name: z.string().min(1), bare: z.boolean().optional(), allows: z.array(z.string().min(1)).optional() })).optional(),
  actions: z.array(z.looseObject({ resource: z.literal('server'), name: z.string().min(1), from: z.union([z.literal('any'), z.array(z.string().min(1)).min(1)]) })).optional(),
  routes: z.array(z.looseObject({ method: z.enum(['GET', 'PUT', 'POST', 'DELETE', 'PATCH']), path: z.string().min(1), handle: z.function() })).optional(),
  hooks: z.array(z.strictObject({ on: z.string().min(1), preHandler: z.function().optional(), preSerialization: z.function().optional() })).optional(),
  policies: z.array(z.strictObject({ name: z.string().min(1), check: z.string(), description: z.string().trim().min(1) })).optional(),
  mediaTypes: z.array(z.strictObject({
    resources: z.array(z.enum(['servers', 'images', 'flavors'])).min(1),
    codec: z.looseObject({ mediaType: z.string().regex(/^[\w.+-]+\/[\w.+-]+$/, 'a media type without parameters'), document: z.function(), collection: z.function() }),
  })).optional(),
});

/**
 * Letters, digits and `-` only: the published XSD's `\w` excludes `_`. The prefix is upper case,
 * or a historical spelling spec/vendors.json records (nova's `os-flavor-access`).
 */
export const ALIAS = /^([A-Za-z][A-Za-z0-9]*)-[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*$/;

/** xsd:dateTime: date, time, optional fraction, optional zone. */
const DATETIME = /^(-?\d{4,})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-](\d{2}):(\d{2}))?$/;

export const isXsdDateTime = (s: string): boolean => {
  const m = DATETIME.exec(s);
  if (m === null) return false;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const endOfDay = hour === 24 && minute === 0 && second === 0 && (m[7] === undefined || /^\.0+$/.test(m[7]));
  const zoneOk = m[8] === undefined || m[8] === 'Z' || (Number(m[9]) <= 14 && Number(m[10]) <= 59);
  return month >= 1 && month <= 12 && day >= 1 && day <= days && (hour < 24 || endOfDay) && minute < 60 && second < 60 && zoneOk;
};

export const isAbsoluteUri = (s: string): boolean => {
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:\S+$/.test(s)) return false;
  try {
    new URL(s);
    return true;
  } catch {
    return false;
  }
};

const MEDIA_TYPE = /^[A-Za-z0-9][\w.+-]*\/[A-Za-z0-9][\w.+-]*(\s*;\s*[\w.+-]+=("[^"]*"|[\w.+-]+))*$/;

const fieldPath = (path: readonly PropertyKey[]): string =>
  path.reduce<string>((s, k) => (typeof k === 'number' ? `${s}[${k}]` : s === '' ? String(k) : `${s}.${String(k)}`), '');

const RULE_OF_ZOD_CODE: Record<string, string> = {
  invalid_type: 'type',
  too_small: 'required',
  unrecognized_keys: 'unknown-field',
};

export interface RuleContext {
  readonly vendors: Vendors;
  readonly versions: readonly string[];
  /** The folder the module was loaded from: its name must be the alias. */
  readonly folder?: string;
}

/** Every problem of one descriptor; an empty list means it is sound on its own. */
export const checkDefinition = (definition: unknown, label: string, ctx: RuleContext): Problem[] => {
  const problems: Problem[] = [];
  const problem = (field: string, rule: string, message: string) => problems.push({ extension: label, field, rule, message });

  const parsed = definitionSchema.safeParse(definition);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys) problem(fieldPath([...issue.path, key]), 'unknown-field', 'is not a descriptor field');
      } else {
        problem(fieldPath(issue.path) || '(descriptor)', RULE_OF_ZOD_CODE[issue.code] ?? 'type', issue.message);
      }
    }
  }
  // The semantic rules run on whatever fields have the right type, so one pass reports them all.
  const d = (typeof definition === 'object' && definition !== null ? definition : {}) as Record<string, unknown>;
  const str = (k: string): string | undefined => (typeof d[k] === 'string' ? (d[k] as string) : undefined);

  const alias = str('alias');
  if (alias !== undefined) {
    const m = ALIAS.exec(alias);
    if (m === null) {
      problem('alias', 'alias-grammar', `"${alias}" must be a vendor prefix, "-" and a name, of letters, digits and "-" only`);
    } else if (m[1] !== m[1]!.toUpperCase() && !ctx.vendors.has(m[1]!)) {
      problem('alias', 'alias-grammar', `"${alias}": a vendor prefix is upper case (lower-case spellings known from nova: ${[...ctx.vendors.keys()].filter((k) => k !== k.toUpperCase()).join(', ') || 'none'})`);
    } else if (!ctx.vendors.has(m[1]!)) {
      problem('alias', 'vendor-prefix', `prefix "${m[1]}" is not registered (known: ${[...ctx.vendors.keys()].join(', ')})`);
    }
    if (ctx.folder !== undefined && ctx.folder !== alias) {
      problem('alias', 'folder-name', `"${alias}" must match its folder name "${ctx.folder}"`);
    }
  }
  const namespace = str('namespace');
  if (namespace !== undefined && !isAbsoluteUri(namespace)) {
    problem('namespace', 'uri', `"${namespace}" must be an absolute URI`);
  }
  const updated = str('updated');
  if (updated !== undefined && !isXsdDateTime(updated)) {
    problem('updated', 'timestamp', `"${updated}" must be an xsd:dateTime timestamp such as 2011-09-27T00:00:00Z`);
  }
  if (Array.isArray(d.links)) {
    d.links.forEach((l: unknown, i) => {
      const link = (typeof l === 'object' && l !== null ? l : {}) as Record<string, unknown>;
      if (typeof link.href === 'string' && !isAbsoluteUri(link.href)) {
        problem(`links[${i}].href`, 'uri', `"${link.href}" must be an absolute URI`);
      }
      if (typeof link.type === 'string' && !MEDIA_TYPE.test(link.type)) {
        problem(`links[${i}].type`, 'media-type', `"${link.type}" is not a media type`);
      }
    });
    const pdf = d.links.some((l: Record<string, unknown>) => l?.rel === 'describedby' && l?.type === 'application/pdf');
    if (!pdf) problem('links', 'pdf-link', 'needs a describedby link of type application/pdf (spec 3.1.3)');
  }
  const minVersion = str('minVersion');
  if (minVersion !== undefined && !ctx.versions.includes(minVersion)) {
    problem('minVersion', 'min-version', `"${minVersion}" is not an API version of this gateway (${ctx.versions.join(', ')})`);
  }
  problems.push(...policyProblems(d, label));
  for (const [field, name, kind] of contributedNames(d)) {
    const bad = kind === 'header' ? !HTTP_TOKEN.test(name) : !XML_NAME.test(name) || RESERVED.has(name);
    if (bad) problem(field, 'name-grammar', kind === 'header'
      ? `"${name}" must be an HTTP header name: letters, digits and "-"`
      : `"${name}" must be a name XML, JSON and a URL all carry: a letter, then letters, digits, "_", "-" or "."; not __proto__, constructor or prototype`);
  }
  return problems;
};

/**
 * Policy: each declared rule parses and refers only to core rules or the extension's own, is
 * declared once, and every `policy` an action or route names is one of those.
 */
const policyProblems = (d: Record<string, unknown>, label: string): Problem[] => {
  const problems: Problem[] = [];
  const problem = (field: string, rule: string, message: string) => problems.push({ extension: label, field, rule, message });
  const core = new Set(CORE_RULE_DEFAULTS.map((r) => r.name));
  const declared = new Set<string>();
  const list = (key: string) => (Array.isArray(d[key]) ? (d[key] as unknown[]) : []).map((x) => (typeof x === 'object' && x !== null ? (x as Record<string, unknown>) : {}));
  const policies = list('policies');
  for (const p of policies) if (typeof p.name === 'string') declared.add(p.name);
  const seen = new Set<string>();
  policies.forEach((p, i) => {
    if (typeof p.name !== 'string' || typeof p.check !== 'string') return;
    if (core.has(p.name)) problem(`policies[${i}].name`, 'policy-name', `"${p.name}" is a core rule; an extension declares rules of its own`);
    if (seen.has(p.name)) problem(`policies[${i}].name`, 'policy-name', `"${p.name}" is declared twice`);
    seen.add(p.name);
    try {
      compileCheck(p.check);
      for (const ref of referencedRules(p.check)) {
        if (!core.has(ref) && !declared.has(ref)) problem(`policies[${i}].check`, 'policy-rule', `refers to rule:${ref}, which is neither a core rule nor one of ${label}'s`);
      }
    } catch (err) {
      if (!(err instanceof PolicySyntaxError)) throw err;
      problem(`policies[${i}].check`, 'policy-syntax', `"${p.check}": ${err.message}`);
    }
  });
  for (const key of ['actions', 'routes']) {
    list(key).forEach((x, i) => {
      if (x.policy === undefined) return;
      if (typeof x.policy !== 'string' || (!core.has(x.policy) && !declared.has(x.policy))) {
        problem(`${key}[${i}].policy`, 'policy-rule', `${JSON.stringify(x.policy)} is neither a core rule nor one ${label} declares in policies`);
      }
    });
  }
  return problems;
};

/** An XML NCName (ASCII), which is also safe in a query string and a JSON key. */
const XML_NAME = /^[A-Za-z][A-Za-z0-9_.-]*$/;
const HTTP_TOKEN = /^[A-Za-z0-9][A-Za-z0-9-]*$/;
const RESERVED = new Set(['__proto__', 'constructor', 'prototype']);

/** Every name a descriptor contributes, where it is, and whether it is a header. */
const contributedNames = (d: Record<string, unknown>): [string, string, 'name' | 'header'][] => {
  const out: [string, string, 'name' | 'header'][] = [];
  const each = (key: string, f: (x: Record<string, unknown>, at: string) => void) => {
    const list = d[key];
    if (!Array.isArray(list)) return;
    list.forEach((x, i) => {
      if (typeof x === 'object' && x !== null) f(x as Record<string, unknown>, `${key}[${i}]`);
    });
  };
  const name = (x: Record<string, unknown>, prop: string, at: string) => {
    if (typeof x[prop] === 'string') out.push([`${at}.${prop}`, x[prop] as string, 'name']);
  };
  const fields = (x: Record<string, unknown>, at: string) => {
    if (!Array.isArray(x.fields)) return;
    x.fields.forEach((f, j) => {
      if (typeof f === 'object' && f !== null) name(f as Record<string, unknown>, 'name', `${at}.fields[${j}]`);
    });
  };
  each('attributes', (x, at) => {
    name(x, 'name', at);
    name(x, 'item', at);
    fields(x, at);
  });
  each('parameters', (x, at) => name(x, 'name', at));
  each('states', (x, at) => name(x, 'name', at));
  each('actions', (x, at) => {
    name(x, 'name', at);
    fields(x, at);
  });
  const headers = d.headers as Record<string, unknown> | undefined;
  for (const dir of ['request', 'response']) {
    const list = headers?.[dir];
    if (!Array.isArray(list)) continue;
    list.forEach((h, i) => {
      if (typeof h === 'string') out.push([`headers.${dir}[${i}]`, h, 'header']);
    });
  }
  return out;
};
