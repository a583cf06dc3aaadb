import { attribute, extendShape, input, list, map, shape, text, values, type Field, type Shape } from '../model/shape.ts';
import { qualifiedName, type Naming } from '../model/naming.ts';
import { COMPUTE_NS } from '../media/namespaces.ts';
import {
  createImageShape, flavorShape, imageShape, rebootShape, serverCreateShape, serverShape, serverUpdateShape, summaryOf,
} from '../core/shapes.ts';
import { StateMachine, type Transition } from '../core/states.ts';
import type { Extension } from './define.ts';
import type {
  ActionContribution, AttributeContribution, HookContribution, HookPoint, Names, ParameterContribution, RouteContribution,
} from './contract.ts';
import type { Problem } from './problems.ts';
import type { Codec } from '../media/codecs.ts';

/**
 * One API version's model of the core resources with its extensions' contributions merged in,
 * computed once per registry build: shapes per operation, parameters, actions and states, hooks by
 * route, extension routes. Conflicts are checked here, on the names as this version renders them.
 */
export interface ActionDef {
  readonly owner?: string;
  /** `reboot`, `RAX-CBS:mount_volume`: the model key of the body's root name. */
  readonly key: string;
  readonly shape: Shape;
  /** For extension actions: the states it is allowed from, and its transition if it has a state. */
  readonly from?: readonly string[];
  readonly transition?: Transition;
  readonly run?: ActionContribution['run'];
}

export interface HookDef extends HookContribution {
  readonly owner: string;
}

export interface RouteDef extends Omit<RouteContribution, 'output'> {
  readonly owner: string;
  readonly output?: Shape;
  /** The core resource the output is, if it is one (rendered with the core's view). */
  readonly resource?: 'server' | 'image' | 'flavor';
  /** Hono path under the version: `/servers/:server_id/RAX-BAK/backup-schedule`. */
  readonly honoPath: string;
}

export interface ParameterDef extends ParameterContribution {
  readonly owner: string;
  readonly spelled: string;
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
    readonly serverUpdate: Shape;
    readonly createImage: Shape;
  };
  /** Values stored on create when the request does not give them, by resource. */
  readonly defaults: Readonly<Record<'server' | 'image' | 'flavor', readonly (readonly [string, unknown])[]>>;
  /** Query parameters by collection, keyed by their spelling in this version (`RAX-PIE:img`). */
  readonly parameters: Readonly<Record<'servers' | 'images' | 'flavors', ReadonlyMap<string, ParameterDef>>>;
  readonly actions: ReadonlyMap<string, ActionDef>;
  readonly machines: { readonly server: StateMachine; readonly image: StateMachine };
  readonly hooks: ReadonlyMap<HookPoint, readonly HookDef[]>;
  readonly routes: readonly RouteDef[];
  /** Codecs extensions add, per collection: `type;ext=ALIAS` for each, and `type` for the first. */
  readonly codecs: Readonly<Record<'servers' | 'images' | 'flavors', readonly Codec[]>>;
  readonly names: (owner: string) => Names;
}

export const CORE_SERVER_STATES = ['BUILD', 'ACTIVE', 'REBOOT', 'HARD_REBOOT', 'ERROR', 'DELETED'];
export const CORE_IMAGE_STATES = ['SAVING', 'ACTIVE', 'ERROR', 'DELETED'];
export const HOOK_POINTS: readonly HookPoint[] = [
  'servers.list', 'servers.detail', 'servers.show', 'servers.create', 'servers.update', 'servers.delete', 'servers.action',
  'images.list', 'images.detail', 'images.show', 'images.delete',
  'flavors.list', 'flavors.detail', 'flavors.show',
];

export const CORE_ACTIONS: readonly ActionDef[] = [
  { key: 'reboot', shape: rebootShape },
  { key: 'createImage', shape: createImageShape },
];

const attributeField = (a: AttributeContribution, owner: string): Field => {
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

export const namesFor = (owner: string, requires: ReadonlySet<string>): Names => {
  const names: Names = {
    key: (n) => `${owner}:${n}`,
    get: <T>(d: Record<string, unknown>, n: string) => d[`${owner}:${n}`] as T | undefined,
    set: (d, n, v) => {
      d[`${owner}:${n}`] = v;
    },
    of: (alias) => {
      if (!requires.has(alias)) throw new Error(`${owner} does not require ${alias}: it cannot see its names`);
      return namesFor(alias, new Set());
    },
  };
  return names;
};

export const buildVersionModel = (
  extensions: readonly Extension[],
  naming: Naming,
  durations: (state: string) => number,
): { model: VersionModel; problems: Problem[] } => {
  const problems: Problem[] = [];
  const problem = (extension: string, field: string, rule: string, message: string) => problems.push({ extension, field, rule, message });

  // Who claims each rendered name: a second claimant is a conflict, whichever extension it is.
  const claims = new Map<string, string>();
  const claim = (what: string, spelled: string, owner: string, field: string): boolean => {
    const key = `${what} ${spelled}`;
    const holder = claims.get(key);
    if (holder !== undefined) {
      problem(owner, field, 'conflict', `${what} "${spelled}" is already claimed by ${holder}`);
      return false;
    }
    claims.set(key, owner);
    return true;
  };
  for (const f of [...serverShape.fields, ...imageShape.fields, ...flavorShape.fields]) claims.set(`attribute ${f.name}`, 'the core');
  for (const a of CORE_ACTIONS) claims.set(`action ${a.key}`, 'the core');

  const added: Record<'server' | 'image' | 'flavor', Field[]> = { server: [], image: [], flavor: [] };
  const accepts: Record<'create' | 'update' | 'createImage', Field[]> = { create: [], update: [], createImage: [] };
  const defaults: Record<'server' | 'image' | 'flavor', [string, unknown][]> = { server: [], image: [], flavor: [] };
  const parameters = { servers: new Map<string, ParameterDef>(), images: new Map<string, ParameterDef>(), flavors: new Map<string, ParameterDef>() };
  const serverStates = new Set(CORE_SERVER_STATES);
  const imageStates = new Set(CORE_IMAGE_STATES);
  const actions = new Map<string, ActionDef>(CORE_ACTIONS.map((a) => [a.key, a]));
  const hooks = new Map<HookPoint, HookDef[]>();
  const routes: RouteDef[] = [];
  const codecs: Record<'servers' | 'images' | 'flavors', Codec[]> = { servers: [], images: [], flavors: [] };

  for (const e of extensions) {
    const owner = e.alias;
    const visible = new Set([owner, ...(e.requires ?? [])]);
    e.attributes?.forEach((a, i) => {
      const spelled = qualifiedName(naming, a.name, owner);
      if (!claim(`attribute of ${a.resource}`, spelled, owner, `attributes[${i}].name`)) return;
      const field = attributeField(a, owner);
      if (a.output !== false) added[a.resource].push(field);
      for (const op of a.accepts ?? []) accepts[op].push(field);
      if (a.default !== undefined) defaults[a.resource].push([field.key, a.default]);
    });
    e.parameters?.forEach((p, i) => {
      const spelled = qualifiedName(naming, p.name, owner);
      if (claim(`parameter of ${p.resource}`, spelled, owner, `parameters[${i}].name`)) parameters[p.resource].set(spelled, { ...p, owner, spelled });
    });
    for (const [dir, list] of Object.entries(e.headers ?? {}) as [string, readonly string[]][]) {
      list.forEach((h, i) => claim(`${dir} header`, `${naming.alias(owner) ?? ''}-${h}`, owner, `headers.${dir}[${i}]`));
    }
    e.states?.forEach((s, i) => {
      const key = stateKey(s.name, owner);
      if (claim(`state of ${s.resource}`, qualifiedName(naming, s.name, owner), owner, `states[${i}].name`)) {
        (s.resource === 'server' ? serverStates : imageStates).add(key);
      }
    });
    e.actions?.forEach((a, i) => {
      const key = `${owner}:${a.name}`;
      if (!claim('action', qualifiedName(naming, a.name, owner), owner, `actions[${i}].name`)) return;
      const states = (names: readonly string[] | undefined, field: string) => {
        const keys = (names ?? []).map((n) => (CORE_SERVER_STATES.includes(n) ? n : stateKey(n, owner)));
        keys.forEach((k, j) => {
          const stateOwner = k.includes(':') ? k.slice(0, k.indexOf(':')) : undefined;
          if (!serverStates.has(k)) problem(owner, `actions[${i}].${field}${names!.length > 1 ? `[${j}]` : ''}`, 'unknown-state', `"${names![j]}" is not a server state`);
          else if (stateOwner !== undefined && !visible.has(stateOwner)) problem(owner, `actions[${i}].${field}`, 'requires', `state "${k}" belongs to ${stateOwner}, which ${owner} does not require`);
        });
        return keys;
      };
      const from = states(a.from, 'from');
      const [via] = states(a.via === undefined ? undefined : [a.via], 'via');
      const [to] = states(a.to === undefined ? undefined : [a.to], 'to');
      const transition = via === undefined ? undefined : { name: a.name, from, via, to: to ?? 'ACTIVE' };
      actions.set(key, { owner, key, shape: { ...shape(a.name, COMPUTE_NS, a.fields ?? []), owner }, from, transition, run: a.run });
    });
    e.hooks?.forEach((h, i) => {
      if (!HOOK_POINTS.includes(h.on)) {
        problem(owner, `hooks[${i}].on`, 'unknown-route', `"${h.on}" is not a route (${HOOK_POINTS.join(', ')})`);
        return;
      }
      hooks.set(h.on, [...(hooks.get(h.on) ?? []), { ...h, owner }]);
    });
    e.mediaTypes?.forEach((m, i) => {
      const alias = naming.alias(owner) ?? owner;
      const type = m.codec.mediaType;
      for (const res of m.resources) {
        if (!claim(`media type of ${res}`, `${type};ext=${alias}`, owner, `mediaTypes[${i}]`)) continue;
        // The first extension offering a type also answers it without `ext=`.
        if (!codecs[res].some((c) => c.mediaType === type)) codecs[res].push(m.codec);
        codecs[res].push({ ...m.codec, mediaType: `${type};ext=${alias}` });
      }
    });
    e.routes?.forEach((r, i) => {
      const alias = naming.alias(owner);
      const segments = r.path.split('/').filter((s) => s !== '').flatMap((s) => (s === '{alias}' ? (alias === undefined ? [] : [alias]) : [s]));
      const honoPath = `/${segments.map((s) => (s.startsWith('{') && s.endsWith('}') ? `:${s.slice(1, -1)}` : s)).join('/')}`;
      if (!r.path.includes('{alias}')) problem(owner, `routes[${i}].path`, 'alias-segment', `"${r.path}" must hold {alias} so that it cannot clash with the core or another extension (spec 3.2.2)`);
      else if (claim('route', `${r.method} ${honoPath.replace(/:[^/]+/g, ':')}`, owner, `routes[${i}].path`)) {
        const resource = typeof r.output === 'string' ? r.output : undefined;
        routes.push({ ...r, owner, honoPath, resource, output: typeof r.output === 'string' ? undefined : r.output });
      }
    });
  }

  const machines = { server: new StateMachine(serverStates, durations), image: new StateMachine(imageStates, durations) };

  const full = { server: extendShape(serverShape, added.server), image: extendShape(imageShape, added.image), flavor: extendShape(flavorShape, added.flavor) };
  const createImage = extendShape(createImageShape, accepts.createImage);
  // Routes answering a core resource answer it with this version's full shape.
  for (const [i, r] of routes.entries()) if (r.resource !== undefined) routes[i] = { ...r, output: full[r.resource] };
  actions.set('createImage', { key: 'createImage', shape: createImage });
  const requiresOf = new Map(extensions.map((e) => [e.alias, new Set(e.requires ?? [])]));
  const namesByOwner = new Map<string, Names>();
  const model: VersionModel = {
    shapes: {
      ...full,
      serverSummary: summaryOf(full.server),
      imageSummary: summaryOf(full.image),
      flavorSummary: summaryOf(full.flavor),
      serverCreate: extendShape(serverCreateShape, accepts.create),
      serverUpdate: extendShape(serverUpdateShape, accepts.update),
      createImage,
    },
    defaults,
    parameters,
    actions,
    machines,
    hooks,
    routes,
    codecs: { servers: sortCodecs(codecs.servers), images: sortCodecs(codecs.images), flavors: sortCodecs(codecs.flavors) },
    // Made once per owner: actions and routes ask for them on every request.
    names: (owner) => {
      let n = namesByOwner.get(owner);
      if (n === undefined) namesByOwner.set(owner, (n = namesFor(owner, requiresOf.get(owner) ?? new Set())));
      return n;
    },
  };
  return { model, problems };
};

/** Plain types before `;ext=` variants, so that a bare Accept picks the plain one. */
const sortCodecs = (cs: Codec[]): Codec[] => [...cs.filter((c) => !c.mediaType.includes(';')), ...cs.filter((c) => c.mediaType.includes(';'))];
