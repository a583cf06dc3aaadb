import { attribute, extendShape, input, list, map, shape, text, values, type Field, type Shape, type Value } from '../model/shape.ts';
import { spell, spellHeader, spellingOf, type Naming, type OldSpelling, type Spelling } from '../model/naming.ts';
import { COMPUTE_NS } from '../media/namespaces.ts';
import {
  createAnswerOf, updateAnswerOf, createImageShape, flavorShape, imageShape, serverCreateShape, serverShape, serverUpdateShape, summaryOf,
} from '../core/shapes.ts';
import { CORE_ACTIONS, type ActionDef } from '../core/actions.ts';
import { StateMachine } from '../core/states.ts';
import { CORE_FILTERS } from '../core/filters.ts';
import type { Extension } from './define.ts';
import type { AttributeContribution, HookContribution, HookPoint, Names, ParameterContribution, RouteContribution } from './contract.ts';
import { matchedField, matching, type Selection } from './parameter-match.ts';
import type { Problem } from './problems.ts';
import type { Codec } from '../media/codecs.ts';
import { ExtensionScope, namesFor } from './scope.ts';
import { actionRule, routeRule } from '../identity/rules.ts';
import { getOrMake } from '../memo.ts';

/**
 * One API version's model of the core resources with its extensions' contributions merged in,
 * computed once per registry build: shapes per operation, parameters, the action table, states,
 * hooks by route, extension routes, media types. Every name is spelled as this version's lineage
 * says (RAX-DCF, OS-DCF or core); conflicts are checked on those spellings, against the core's
 * names and each other's, and each old spelling a promotion keeps is wired beside the current one.
 */
export interface HookDef extends HookContribution {
  readonly owner: string;
}

export interface RouteDef extends Omit<RouteContribution, 'output'> {
  readonly owner: string;
  /** The policy rule that guards it. */
  readonly rule: string;
  readonly output?: Shape;
  /** The core resource the output is, if it is one (rendered with the core's view). */
  readonly resource?: 'server' | 'image' | 'flavor';
  /** Hono path under the version: `/servers/:server_id/OS-BAK/backup-schedule`. */
  readonly honoPath: string;
  /** The path as this version spells it (`PATCH /images/OS-PATCH/{image_id}`), for old-name messages. */
  readonly current: string;
  /** Set when this path holds an old alias of a promoted extension. */
  readonly old?: OldSpelling;
  /** The root names a request body may use (`RAX-BAK:backupSchedule`, `backupSchedule` once core). */
  readonly inputKeys?: ReadonlySet<string>;
}

/** An old spelling of an extension's request header (`RAX-CBS-Volume-Type` once RAX-CBS is OS-CBS). */
export interface OldHeader {
  readonly spelling: OldSpelling;
  readonly spelled: string;
  /** The current spelling, for a refusal. */
  readonly instead: string;
}

export interface ParameterDef extends ParameterContribution {
  readonly owner: string;
  /** What a (checked) value selects: the test, and the store's condition when `matches` declared it. */
  readonly select: (value: string) => Selection;
  /** The stored field `matches` names, and its form: for the store's indexes. */
  readonly matched?: { readonly key: string; readonly form: 'text' | 'list' };
  /** How this version spells it; `old` is set when this entry is an old spelling. */
  readonly current: string;
  readonly old?: OldSpelling;
}

/** One name a version serves, for operators reviewing a promotion (`npm run check -- --names`). */
export interface ServedName {
  readonly kind: 'attribute' | 'parameter' | 'header' | 'state' | 'action' | 'route' | 'media type' | 'document';
  /** The resource or direction it belongs to: `server`, `servers`, `request`. */
  readonly where: string;
  readonly spelled: string;
  /** `core`, or the extension (its defined alias). */
  readonly owner: string;
  /** `core`, `defined`, `promoted by <record>`, `old name (both|accept|refuse) by <record>`. */
  readonly origin: string;
}

export interface VersionModel {
  readonly shapes: {
    readonly flavor: Shape;
    readonly image: Shape;
    readonly server: Shape;
    readonly flavorSummary: Shape;
    readonly imageSummary: Shape;
    readonly serverSummary: Shape;
    readonly serverCreate: Shape;
    /** The answers to a create and to an update. */
    readonly serverCreated: Shape;
    readonly serverUpdated: Shape;
    readonly serverUpdate: Shape;
    readonly createImage: Shape;
  };
  /** Values stored on create when the request does not give them, by resource. */
  readonly defaults: Readonly<Record<'server' | 'image' | 'flavor', readonly (readonly [string, unknown])[]>>;
  /**
   * A stored document as this version reads it, in place: the extensions' defaults where it has
   * none (it was made before they were enabled), and a transient state whose time has come settled.
   */
  readonly complete: <T extends Value>(resource: 'server' | 'image' | 'flavor', doc: T, now: number) => T;
  /** Query parameters by collection, keyed by each spelling this version knows (`OS-PIE:img`, `RAX-PIE:img`). */
  readonly parameters: Readonly<Record<'servers' | 'images' | 'flavors', ReadonlyMap<string, ParameterDef>>>;
  /** The one action table, keyed by the body's resolved root name (`reboot`, `lock`, `RAX-CBS:mount_volume`). */
  readonly actions: ReadonlyMap<string, ActionDef>;
  readonly machines: { readonly server: StateMachine; readonly image: StateMachine };
  readonly hooks: ReadonlyMap<HookPoint, readonly HookDef[]>;
  readonly routes: readonly RouteDef[];
  /** Codecs extensions add, per collection: `type;ext=ALIAS` for each spelling, and `type` for the first. */
  readonly codecs: Readonly<Record<'servers' | 'images' | 'flavors', readonly Codec[]>>;
  /** What an extension's code sees of this version: its names, aliases and headers. */
  readonly scope: (owner: string | undefined) => ExtensionScope;
  readonly served: readonly ServedName[];
  /** Old spellings of request headers, by lower-case name: told, counted or refused on every route. */
  readonly oldHeaders: ReadonlyMap<string, OldHeader>;
}

export const CORE_SERVER_STATES = ['BUILD', 'ACTIVE', 'REBOOT', 'HARD_REBOOT', 'ERROR', 'DELETED'];
export const CORE_IMAGE_STATES = ['SAVING', 'ACTIVE', 'ERROR', 'DELETED'];
export const HOOK_POINTS: readonly HookPoint[] = [
  'servers.list', 'servers.detail', 'servers.show', 'servers.create', 'servers.update', 'servers.delete', 'servers.action',
  'images.list', 'images.detail', 'images.show', 'images.delete',
  'flavors.list', 'flavors.detail', 'flavors.show',
];

type Kind = ServedName['kind'];
const HTTP_HEADERS = [
  'Accept', 'Content-Type', 'Content-Length', 'Location', 'ETag', 'If-None-Match', 'Vary', 'Allow', 'Link', 'Deprecation',
  'Sunset', 'Retry-After', 'WWW-Authenticate', 'X-Auth-Token', 'X-Auth-Project-Id', 'X-OpenStack-Request-Id',
];
const COLLECTIONS = ['servers', 'images', 'flavors'] as const;

/** Names the core itself uses, which no extension (promoted into core or not) may take. */
const CORE_CLAIMS: readonly (readonly [Kind, string, readonly string[]])[] = [
  ['attribute', 'server', [...serverShape.fields, ...serverCreateShape.fields, ...serverUpdateShape.fields].map((f) => f.name)],
  ['attribute', 'image', [...imageShape.fields, ...createImageShape.fields].map((f) => f.name)],
  ['attribute', 'flavor', flavorShape.fields.map((f) => f.name)],
  ...COLLECTIONS.map((c) => ['parameter', c, ['limit', 'marker', ...CORE_FILTERS[c].keys()]] as const),
  ['state', 'server', CORE_SERVER_STATES],
  ['state', 'image', CORE_IMAGE_STATES],
  ['action', 'server', CORE_ACTIONS.map((a) => a.name)],
  ['document', 'root', ['server', 'image', 'flavor', ...CORE_ACTIONS.map((a) => a.name)]],
  ['header', 'request', HTTP_HEADERS],
  ['header', 'response', HTTP_HEADERS],
  ['route', 'core', [
    'GET /servers', 'POST /servers', 'GET /servers/:', 'PUT /servers/:', 'DELETE /servers/:', 'POST /servers/:/action',
    'GET /images', 'GET /images/:', 'DELETE /images/:', 'GET /flavors', 'GET /flavors/:', 'GET /extensions', 'GET /extensions/:',
  ]],
  ...COLLECTIONS.map((c) => ['media type', c, ['application/json', 'application/xml']] as const),
];

/** `attribute of server`, `request header`, `route`: how a problem names what was claimed twice. */
const describeName = (kind: Kind, where: string): string =>
  kind === 'header' ? `${where} header` : kind === 'route' || kind === 'document' ? kind : `${kind} of ${where}`;

const attributeField = (a: AttributeContribution, owner: string, names: Names): Field => {
  const made = madeField(a, a.bare === true ? undefined : owner);
  const derive = a.derive;
  return {
    ...made,
    ...(derive === undefined ? {} : { derive: (doc: Value) => derive(doc, names) }),
    ...(a.inCreateAnswer === true ? { inCreateAnswer: true } : {}),
    ...(a.inUpdateAnswer === false ? { inUpdateAnswer: false } : {}),
  };
};

const madeField = (a: AttributeContribution, owner: string | undefined): Field => {
  const type = a.type ?? 'string';
  const f =
    a.form === 'list'
      ? a.fields !== undefined
        ? list(a.name, shape(a.item ?? 'item', COMPUTE_NS, a.fields), { owner })
        : values(a.name, a.item ?? 'item', type, owner)
      : a.form === 'map'
        ? map(a.name, a.item ?? 'meta', owner)
        : a.form === 'element'
          ? text(a.name, type, owner)
          : attribute(a.name, type, owner);
  return a.check === undefined ? f : input(f, { check: a.check });
};

/** Resolves a state an extension names: its own (`ATTACHING`), a core one, or a required one's (`RAX-X:S`). */
const stateKey = (name: string, owner: string): string => (name.includes(':') ? name : `${owner}:${name}`);

/**
 * The keys a root name (an action, an extension's own document) is found by: its current
 * spelling resolved (`RAX-CBS:mount_volume`, or the bare name once core), and the owner's
 * qualified key while an old alias may still be used for it.
 */
const rootKeys = (naming: Naming, owner: string, name: string): string[] => {
  const current = spellingOf(naming, owner);
  const qualified = `${owner}:${name}`;
  if (current.alias !== undefined) return [qualified];
  return naming.old(owner).some((o) => o.mode !== 'refuse') ? [spell(current, name), qualified] : [spell(current, name)];
};

const originOf = (s: Spelling, current: Spelling): string => {
  if (s !== current) {
    const old = s as OldSpelling;
    return `old name (${old.mode}) by ${old.via}`;
  }
  return s.via === undefined ? 'defined' : `promoted by ${s.via}`;
};

export const buildVersionModel = (
  extensions: readonly Extension[],
  naming: Naming,
  durations: (state: string) => number,
): { model: VersionModel; problems: Problem[] } => {
  const problems: Problem[] = [];
  const problem = (extension: string, field: string, rule: string, message: string) => problems.push({ extension, field, rule, message });
  const served: ServedName[] = [];

  // Who claims each name as this version spells it: a second claimant is a conflict, whoever it is.
  // Routes are one namespace whatever the method's resource; headers are case-insensitive.
  const claims = new Map<string, string>();
  const keyOf = (kind: Kind, where: string, spelled: string) =>
    kind === 'header' ? `header ${where}|${spelled.toLowerCase()}` : kind === 'route' || kind === 'document' ? `${kind}|${spelled}` : `${kind} ${where}|${spelled}`;
  for (const [kind, where, names] of CORE_CLAIMS) {
    for (const n of new Set(names)) {
      claims.set(keyOf(kind, where, n), 'the core');
      served.push({ kind, where, spelled: n, owner: 'core', origin: 'core' });
    }
  }
  /**
   * A clash of a name promoted into core is the promotion's: the problem names the record (and
   * the rename, if it made the name), so that in skip mode the record is left out, not the
   * extension, which stays whole in every version under its other names.
   */
  const claim = (kind: Kind, where: string, spelled: string, owner: string, field: string, local: string): boolean => {
    const key = keyOf(kind, where, spelled);
    const holder = claims.get(key);
    if (holder === undefined) {
      claims.set(key, owner);
      return true;
    }
    const current = spellingOf(naming, owner);
    const message = `${describeName(kind, where)} "${spelled}" is already claimed by ${holder}`;
    if (current.alias === undefined && current.via !== undefined) {
      const by = current.renames?.has(local) ? `names.${local}` : 'to';
      problems.push({ extension: owner, field: `${current.via}.${by}`, rule: 'conflict', message: `${message}: promoted into core, ${owner}'s ${field} would be spelled so`, record: current.via });
    } else problem(owner, field, 'conflict', message);
    return false;
  };

  const added: Record<'server' | 'image' | 'flavor', Field[]> = { server: [], image: [], flavor: [] };
  /** Fields whose names are core in this version: rendered among the core's. */
  const inCore: Record<'server' | 'image' | 'flavor', Field[]> = { server: [], image: [], flavor: [] };
  const accepts: Record<'create' | 'update' | 'createImage', Field[]> = { create: [], update: [], createImage: [] };
  const defaults: Record<'server' | 'image' | 'flavor', [string, unknown][]> = { server: [], image: [], flavor: [] };
  const parameters = { servers: new Map<string, ParameterDef>(), images: new Map<string, ParameterDef>(), flavors: new Map<string, ParameterDef>() };
  const serverStates = new Set(CORE_SERVER_STATES);
  const imageStates = new Set(CORE_IMAGE_STATES);
  /** Unqualified states an extension adds (nova's SHUTOFF), and whose they are. */
  const bareStates = new Map<string, string>();
  const actions = new Map<string, ActionDef>(CORE_ACTIONS.map((a) => [a.key, a]));
  /** Actions allowed from any state: their table entries are made once every state is known. */
  const anyState: { keys: string[]; make: (from: readonly string[]) => ActionDef }[] = [];
  const hooks = new Map<HookPoint, HookDef[]>();
  const routes: RouteDef[] = [];
  const oldHeaders = new Map<string, OldHeader>();
  const plainCodecs: Record<'servers' | 'images' | 'flavors', Map<string, { codec: Codec; core: boolean }>> = { servers: new Map(), images: new Map(), flavors: new Map() };
  const variantCodecs: Record<'servers' | 'images' | 'flavors', Codec[]> = { servers: [], images: [], flavors: [] };

  const view = (e: Extension) => {
    const owner = e.alias;
    const current = spellingOf(naming, owner);
    const olds = naming.old(owner);
    const every: readonly Spelling[] = [current, ...olds];
    /** Records every spelling of one name for the operator's review. */
    const serve = (kind: Kind, where: string, spelledAs: (s: Spelling) => string) => {
      for (const s of every) served.push({ kind, where, spelled: spelledAs(s), owner, origin: originOf(s, current) });
    };
    return { owner, current, olds, every, serve };
  };

  // Every state first, so that an action may go through any extension's state whatever the load
  // order: one it does not require is then refused for that, not as unknown.
  for (const e of extensions) {
    const { owner, current, serve } = view(e);
    e.states?.forEach((s, i) => {
      if (s.bare === true) bareStates.set(s.name, owner);
      // Known either way: a clash is reported once, not again by every action that uses the state.
      (s.resource === 'server' ? serverStates : imageStates).add(s.bare === true ? s.name : stateKey(s.name, owner));
      const spelledAs = (x: Spelling) => (s.bare === true ? s.name : spell(x, s.name));
      if (!claim('state', s.resource, spelledAs(current), owner, `states[${i}].name`, s.name)) return;
      serve('state', s.resource, spelledAs);
      if (s.bare === true) return;
      // A state holds one name: while old names are kept, the oldest kept one (see valueRenderer).
      const written = naming.written(owner).at(-1)!;
      if (written !== current) served.push({ kind: 'state', where: s.resource, spelled: spell(written, s.name), owner, origin: 'the value written while old names are kept (a state holds one name)' });
    });
  }

  for (const e of extensions) {
    const { owner, current, olds, every, serve } = view(e);
    const visible = new Set([owner, ...(e.requires ?? [])]);

    e.attributes?.forEach((a, i) => {
      const spelledAs = (s: Spelling) => (a.bare === true ? a.name : spell(s, a.name));
      if (!claim('attribute', a.resource, spelledAs(current), owner, `attributes[${i}].name`, a.name)) return;
      serve('attribute', a.resource, spelledAs);
      if (a.derive !== undefined && (a.accepts?.length || a.default !== undefined || a.output === false)) {
        problem(owner, `attributes[${i}].derive`, 'derived', `"${a.name}" is computed when shown: it takes no accepts, default or output: false`);
        return;
      }
      // An unqualified name would share the core's storage: a bare attribute is a view of the resource, never stored.
      if (a.bare === true && a.derive === undefined) {
        problem(owner, `attributes[${i}].bare`, 'bare-derived', `"${a.name}" is bare: it must be derived (computed when shown), as nothing an extension stores may be unqualified`);
        return;
      }
      const field = attributeField(a, owner, namesFor(owner, visible));
      // A bare name is the extension's in every version, rendered unqualified among the added ones.
      if (a.bare === true) added[a.resource].push(field);
      else if (a.output !== false) (current.alias === undefined ? inCore : added)[a.resource].push(field);
      for (const op of a.accepts ?? []) accepts[op].push(field);
      if (a.default !== undefined) defaults[a.resource].push([field.key, a.default]);
    });
    e.parameters?.forEach((p, i) => {
      const spelled = spell(current, p.name);
      if (!claim('parameter', p.resource, spelled, owner, `parameters[${i}].name`, p.name)) return;
      serve('parameter', p.resource, (s) => spell(s, p.name));
      let select: ParameterDef['select'];
      let matched: ParameterDef['matched'];
      if (p.matches === undefined) {
        const filter = p.filter!;
        select = (value) => ({ test: (doc) => filter(doc, value) });
      } else {
        const found = matchedField({ ...p, matches: p.matches }, e.attributes ?? [], (a) => madeField(a, owner).key);
        if ('message' in found) {
          problem(owner, `parameters[${i}].${found.field}`, 'match', found.message);
          return;
        }
        select = matching(found.key, p.matches, found.fallback);
        matched = { key: found.key, form: p.matches.test === 'equals' ? 'text' : 'list' };
      }
      parameters[p.resource].set(spelled, { ...p, owner, current: spelled, select, matched });
      for (const old of olds) parameters[p.resource].set(spell(old, p.name), { ...p, owner, current: spelled, old, select, matched });
    });
    for (const [dir, names] of Object.entries(e.headers ?? {}) as [string, readonly string[]][]) {
      names.forEach((h, i) => {
        if (!claim('header', dir, spellHeader(current, h), owner, `headers.${dir}[${i}]`, h)) return;
        serve('header', dir, (s) => spellHeader(s, h));
        if (dir !== 'request') return;
        for (const old of olds) {
          const spelled = spellHeader(old, h);
          oldHeaders.set(spelled.toLowerCase(), { spelling: old, spelled, instead: spellHeader(current, h) });
        }
      });
    }
    e.actions?.forEach((a, i) => {
      const spelledAs = (s: Spelling) => (a.bare === true ? a.name : spell(s, a.name));
      if (!claim('action', 'server', spelledAs(current), owner, `actions[${i}].name`, a.name)) return;
      serve('action', 'server', spelledAs);
      const states = (names: readonly string[] | undefined, field: string) => {
        const keys = (names ?? []).map((n) => (CORE_SERVER_STATES.includes(n) || bareStates.has(n) ? n : stateKey(n, owner)));
        keys.forEach((k, j) => {
          const stateOwner = k.includes(':') ? k.slice(0, k.indexOf(':')) : bareStates.get(k);
          if (!serverStates.has(k)) problem(owner, `actions[${i}].${field}${names!.length > 1 ? `[${j}]` : ''}`, 'unknown-state', `"${names![j]}" is not a server state`);
          else if (stateOwner !== undefined && !visible.has(stateOwner)) problem(owner, `actions[${i}].${field}`, 'requires', `state "${k}" belongs to ${stateOwner}, which ${owner} does not require`);
        });
        return keys;
      };
      const [via] = states(a.via === undefined ? undefined : [a.via], 'via');
      const [to] = states(a.to === undefined ? undefined : [a.to], 'to');
      const step = { via, to: via === undefined ? to : (to ?? 'ACTIVE') };
      // A bare (legacy) action is one unqualified root name, the same in every version.
      const key = a.bare === true ? a.name : `${owner}:${a.name}`;
      const body = a.bare === true ? shape(a.name, COMPUTE_NS, a.fields ?? []) : { ...shape(a.name, COMPUTE_NS, a.fields ?? []), owner };
      const make = (from: readonly string[]): ActionDef => {
        const t = { from, ...step };
        return { owner, key, name: a.name, shape: body, rule: a.policy ?? actionRule(owner, a.name), transition: () => t, run: a.run };
      };
      const keys = a.bare === true ? [a.name] : rootKeys(naming, owner, a.name);
      if (a.from === 'any') anyState.push({ keys, make });
      else {
        const def = make(states(a.from, 'from'));
        for (const k of keys) actions.set(k, def);
      }
    });
    e.hooks?.forEach((h, i) => {
      if (!HOOK_POINTS.includes(h.on)) {
        problem(owner, `hooks[${i}].on`, 'unknown-route', `"${h.on}" is not a route (${HOOK_POINTS.join(', ')})`);
        return;
      }
      getOrMake(hooks, h.on, () => []).push({ ...h, owner });
    });
    e.mediaTypes?.forEach((m, i) => {
      const type = m.codec.mediaType;
      for (const res of m.resources) {
        const spelled = current.alias === undefined ? type : `${type};ext=${current.alias}`;
        if (!claim('media type', res, spelled, owner, `mediaTypes[${i}]`, type)) continue;
        serve('media type', res, (s) => (s.alias === undefined ? type : `${type};ext=${s.alias}`));
        // The first extension offering a type answers it without `ext=`; a core one always does.
        const plain = plainCodecs[res].get(type);
        if (plain === undefined || (current.alias === undefined && !plain.core)) {
          plainCodecs[res].set(type, { codec: m.codec, core: current.alias === undefined });
          if (current.alias !== undefined) served.push({ kind: 'media type', where: res, spelled: type, owner, origin: 'first to offer it' });
        }
        // One variant per alias: a refused one answers a 400 naming the type to ask for instead.
        for (const s of every) {
          if (s.alias === undefined) continue;
          const old = s === current ? undefined : { spelling: s as OldSpelling, name: `ext=${s.alias}`, instead: spelled };
          variantCodecs[res].push({ ...m.codec, mediaType: `${type};ext=${s.alias}`, old });
        }
      }
    });
    e.routes?.forEach((r, i) => {
      if (!r.path.includes('{alias}')) {
        problem(owner, `routes[${i}].path`, 'alias-segment', `"${r.path}" must hold {alias} so that it cannot clash with the core or another extension (spec 3.2.2)`);
        return;
      }
      const pathOf = (s: Spelling) => `/${r.path.split('/').filter((x) => x !== '').flatMap((x) => (x === '{alias}' ? (s.alias === undefined ? [] : [s.alias]) : [x])).join('/')}`;
      const currentPath = pathOf(current);
      const honoOf = (p: string) => p.replace(/\{([^}]+)\}/g, ':$1');
      if (!claim('route', r.method, `${r.method} ${honoOf(currentPath).replace(/:[^/]+/g, ':')}`, owner, `routes[${i}].path`, r.path)) return;
      serve('route', r.path.split('/').find((x) => x !== '') ?? '', (s) => `${r.method} ${pathOf(s)}`);
      const resource = typeof r.output === 'string' ? r.output : undefined;
      const output = typeof r.output === 'string' ? undefined : r.output;
      const inputKeys = r.input === undefined ? undefined : new Set(r.input.owner === undefined ? [r.input.element] : rootKeys(naming, r.input.owner, r.input.element));
      for (const s of every) {
        const old = s === current ? undefined : (s as OldSpelling);
        routes.push({ ...r, owner, rule: r.policy ?? routeRule(owner, r.method, r.path), honoPath: honoOf(pathOf(s)), current: `${r.method} ${currentPath}`, old, resource, output, inputKeys });
      }
    });
    // An extension's own documents (RAX-BAK's backupSchedule) are root names too.
    for (const r of e.routes ?? []) {
      for (const s of [r.input, r.output]) {
        if (typeof s !== 'object' || s.owner !== owner) continue;
        const spelled = spell(current, s.element);
        if (claims.get(`document|${spelled}`) === owner) continue;
        if (claim('document', 'root', spelled, owner, 'routes', s.element)) serve('document', 'root', (x) => spell(x, s.element));
      }
    }
  }

  const machines = { server: new StateMachine(serverStates, durations), image: new StateMachine(imageStates, durations) };
  const everyState = [...serverStates].filter((s) => s !== 'DELETED');
  for (const { keys, make } of anyState) {
    const def = make(everyState);
    for (const k of keys) actions.set(k, def);
  }

  const full = {
    server: extendShape(serverShape, added.server, inCore.server),
    image: extendShape(imageShape, added.image, inCore.image),
    flavor: extendShape(flavorShape, added.flavor, inCore.flavor),
  };
  const createImage: Shape = { ...extendShape(createImageShape, accepts.createImage), writes: { shape: full.image, when: 'creating an image' } };
  // Routes answering a core resource answer it with this version's full shape.
  for (const [i, r] of routes.entries()) if (r.resource !== undefined) routes[i] = { ...r, output: full[r.resource] };
  actions.set('createImage', { ...actions.get('createImage')!, shape: createImage });
  // States that let core actions start from them too: each action is wrapped once, whatever the number of states.
  const allowedFrom = new Map<string, string[]>();
  for (const e of extensions) {
    e.states?.forEach((st, i) => {
      const state = st.bare === true ? st.name : stateKey(st.name, e.alias);
      st.allows?.forEach((name, j) => {
        if (!CORE_ACTIONS.some((a) => a.name === name)) problem(e.alias, `states[${i}].allows[${j}]`, 'unknown-action', `"${name}" is not a core action (${CORE_ACTIONS.map((a) => a.name).join(', ')})`);
        else if (st.resource !== 'server') problem(e.alias, `states[${i}].allows[${j}]`, 'unknown-action', `an image state cannot let a server action start from it`);
        else if (serverStates.has(state) && claims.get(keyOf('state', 'server', st.bare === true ? st.name : spell(spellingOf(naming, e.alias), st.name))) === e.alias) getOrMake(allowedFrom, name, () => []).push(state);
      });
    });
  }
  for (const [name, extra] of allowedFrom) {
    const def = actions.get(name)!;
    const widened = new Map<string, readonly string[]>();
    actions.set(name, {
      ...def,
      transition: (input) => {
        const t = def.transition(input);
        return { ...t, from: getOrMake(widened, t.from.join(' '), () => [...t.from, ...extra]) };
      },
    });
  }
  const requiresOf = new Map(extensions.map((e) => [e.alias, new Set(e.requires ?? [])]));
  const scopes = new Map<string | undefined, ExtensionScope>();
  const codecsOf = (res: 'servers' | 'images' | 'flavors') => [...[...plainCodecs[res].values()].map((p) => p.codec), ...variantCodecs[res]];
  const model: VersionModel = {
    shapes: {
      ...full,
      serverSummary: summaryOf(full.server),
      serverCreated: createAnswerOf(full.server),
      serverUpdated: updateAnswerOf(full.server),
      imageSummary: summaryOf(full.image),
      flavorSummary: summaryOf(full.flavor),
      serverCreate: { ...extendShape(serverCreateShape, accepts.create), writes: { shape: full.server, when: 'creating a server' } },
      serverUpdate: { ...extendShape(serverUpdateShape, accepts.update), writes: { shape: full.server, when: 'updating a server' } },
      createImage,
    },
    defaults,
    complete: (resource, doc, now) => {
      for (const [k, v] of defaults[resource]) if ((doc as Value)[k] === undefined) (doc as Value)[k] = structuredClone(v);
      if (resource !== 'flavor') machines[resource].settle(doc as Value & { status: string }, now);
      return doc;
    },
    parameters,
    actions,
    machines,
    hooks,
    routes,
    codecs: { servers: codecsOf('servers'), images: codecsOf('images'), flavors: codecsOf('flavors') },
    // Made once per owner: actions, hooks and routes ask for them on every request.
    scope: (owner) => getOrMake(scopes, owner, () => new ExtensionScope(owner, owner === undefined ? new Set() : (requiresOf.get(owner) ?? new Set()), naming)),
    served,
    oldHeaders,
  };
  return { model, problems };
};

