import type { Check, Field, ScalarType, Shape, Value } from '../model/shape.ts';
import type { Codec } from '../media/codecs.ts';

/**
 * What an extension may contribute, besides its metadata: the nine kinds of spec 3.2 as data,
 * with small functions where behaviour is needed. Everything here is checked when the registry
 * is built and wired then, so a request only runs what its route needs.
 */
export type ResourceName = 'server' | 'image' | 'flavor';
export type CollectionName = 'servers' | 'images' | 'flavors';
export type Operation = 'list' | 'detail' | 'show' | 'create' | 'update' | 'delete' | 'action';

/** The route of a hook: `servers.show`, `images.detail`, `servers.action`. */
export type HookPoint = `${CollectionName}.${Operation}`;

/** A new attribute or element on a core resource (3.2.1). */
export interface AttributeContribution {
  readonly resource: ResourceName;
  readonly name: string;
  readonly type?: ScalarType;
  /** XML form: an attribute (default), an element, a list of `item` elements, or string pairs (`<item key="k">v</item>`). */
  readonly form?: 'attribute' | 'element' | 'list' | 'map';
  readonly item?: string;
  /** For a list of objects (`[{"CBSID": "123", "type": "SSD"}]`): the fields of one item. */
  readonly fields?: readonly Field[];
  /** Request bodies that may set it. */
  readonly accepts?: readonly ('create' | 'update' | 'createImage')[];
  readonly check?: Check;
  /** Stored when a resource is created without it. */
  readonly default?: unknown;
  /** False for a name only requests carry (it changes something else; 3.2.9). */
  readonly output?: boolean;
  /**
   * Computed from the stored resource each time it is shown, never stored: nova's extended status
   * (`vm_state` from the server's state). `names` are the extension's own, to read what it stores.
   */
  readonly derive?: (doc: Value, names: Names) => unknown;
  /** Also in the answer to the create request, which otherwise has only `id`, `links` and `adminPass` (nova's `OS-DCF:diskConfig`). */
  readonly inCreateAnswer?: boolean;
  /** False to leave it out of the answer to an update (`PUT /servers/{id}`), as nova's show-only extensions are. */
  readonly inUpdateAnswer?: boolean;
  /**
   * Nova's legacy spelling: an unqualified name (os-flavor-swap's `swap`) in every version,
   * claimed like any other so that neither the core nor another extension can take it.
   */
  readonly bare?: boolean;
}

/**
 * A new query parameter on a collection (3.2.3): `?RAX-PIE:img=...` filters the list. Its test is
 * declared (`matches`), so that the store runs it in its query and reads only what it selects, or
 * a function (`filter`), which the gateway runs on every document of the list: one of the two.
 */
export interface ParameterContribution {
  readonly resource: CollectionName;
  readonly name: string;
  /** The value as given: a problem is a 400 naming the parameter. */
  readonly check?: Check;
  readonly matches?: ParameterMatch;
  readonly filter?: (doc: Value, value: string) => boolean;
}

/** Which documents a parameter's (checked) value selects, said as data. */
export interface ParameterMatch {
  /**
   * A field of the collection's resource: one of this extension's stored attributes (`tags`, as
   * named in `attributes`), or a core one (MATCHABLE_CORE_FIELDS).
   */
  readonly field: string;
  /**
   * `equals`: the field is the value. `includesAll`: the field is a list holding every one of the
   * values, the value split at `separator` (`web,prod`; default ',').
   */
  readonly test: 'equals' | 'includesAll';
  readonly separator?: string;
}

/** The core fields a parameter may match, per collection: text the gateway stores as given. */
export const MATCHABLE_CORE_FIELDS: Readonly<Record<CollectionName, readonly string[]>> = {
  servers: ['name', 'imageId', 'flavorId', 'tenant_id'],
  images: ['name', 'serverId'],
  flavors: ['name'],
};

/** A new state (3.2.8); transitions into it come from actions. */
export interface StateContribution {
  readonly resource: 'server' | 'image';
  readonly name: string;
  /** Nova's legacy spelling: an unqualified state (`SHUTOFF`) in every version, claimed like any other. */
  readonly bare?: boolean;
  /** Core actions a server in this state may still take (nova snapshots a stopped server: `['createImage']`). */
  readonly allows?: readonly string[];
}

/** A new action on `POST /servers/{id}/action` (3.2.7), optionally through a state of its own. */
export interface ActionContribution {
  readonly resource: 'server';
  readonly name: string;
  /** The body's fields (unqualified inside the action element). */
  readonly fields?: readonly Field[];
  /**
   * States the action is allowed from (core names, this extension's own state names, a required
   * extension's `ALIAS:STATE`), or `any`: every state of the version but DELETED.
   */
  readonly from: readonly string[] | 'any';
  /** The transient state it passes through and the state it settles in; `to` alone moves there at once. */
  readonly via?: string;
  readonly to?: string;
  /**
   * Nova's legacy spelling: the body's root is the bare name in the compute namespace in every
   * version (`{"os-stop": null}`, `{"lock": null}`), claimed in the one action table like any other.
   */
  readonly bare?: boolean;
  /**
   * The policy rule that guards it: one this extension declares in `policies`, or a core one.
   * Default: `ALIAS:name`, a member of the server's project or an admin.
   */
  readonly policy?: string;
  readonly run?: (ctx: ActionContext) => void | Promise<void>;
}

/** A new resource (3.2.2) or verb (3.2.5): the path holds `{alias}` where the alias goes. */
export interface RouteContribution {
  readonly method: 'GET' | 'PUT' | 'POST' | 'DELETE' | 'PATCH';
  readonly path: string;
  readonly input?: Shape;
  /** Its own shape, or a core resource's (with every extension's fields of this version). */
  readonly output?: Shape | ResourceName;
  /** JSON bodies come bare (`{"name": ...}`), not wrapped in the root key (a merge patch). */
  readonly bare?: boolean;
  /** More request media types read as JSON here (`application/merge-patch+json`). */
  readonly jsonTypes?: readonly string[];
  /**
   * The policy rule that guards it: one this extension declares in `policies`, or a core one.
   * Default: `ALIAS:METHOD PATH`, a reader (GET) or member of the resource's project, or an admin.
   */
  readonly policy?: string;
  readonly handle: (ctx: RouteContext) => RouteResult | Promise<RouteResult>;
}

/**
 * Pre- and post-processing of a core route (nova's `@wsgi.extends`), in the phases Fastify names,
 * each seeing what that phase has (http/flow.ts).
 */
export interface HookContribution {
  readonly on: HookPoint;
  /**
   * Before the core changes anything: the decoded input, the resource the path names (loaded),
   * the action. A fault thrown here refuses the request with nothing changed (OS-LOCK).
   */
  readonly preHandler?: (ctx: PreHandlerContext) => void | Promise<void>;
  /**
   * After the core's handler, before the commit and the encoding: the result to decorate, the
   * documents as changed (what a hook changes in them is committed with them).
   */
  readonly preSerialization?: (ctx: PreSerializationContext) => void | Promise<void>;
}

/**
 * A new media type for core resources (3.2.6). Several extensions may offer the same type:
 * `;ext=ALIAS` picks one; without it the first in load order answers.
 */
export interface MediaTypeContribution {
  readonly resources: readonly CollectionName[];
  readonly codec: Codec;
}

/**
 * A policy rule an extension declares, in oslo.policy's language, with the core's base rules to
 * build on (`rule:project_member_or_admin`); a deployment's policy file may override it.
 */
export interface PolicyContribution {
  readonly name: string;
  readonly check: string;
  /** What it guards, for operators. */
  readonly description: string;
}

export interface Contributions {
  readonly policies?: readonly PolicyContribution[];
  readonly attributes?: readonly AttributeContribution[];
  readonly parameters?: readonly ParameterContribution[];
  /** Header names without the alias: `Volume-Type` is sent as `RAX-CBS-Volume-Type` (3.2.4). */
  readonly headers?: { readonly request?: readonly string[]; readonly response?: readonly string[] };
  readonly states?: readonly StateContribution[];
  readonly actions?: readonly ActionContribution[];
  readonly routes?: readonly RouteContribution[];
  readonly hooks?: readonly HookContribution[];
  readonly mediaTypes?: readonly MediaTypeContribution[];
}

/** An extension's view of names: its own, and those of the extensions it requires. */
export interface Names {
  /** The model key of one of this extension's names. */
  key(name: string): string;
  get<T = unknown>(doc: Value, name: string): T | undefined;
  set(doc: Value, name: string, value: unknown): void;
  /** The same accessors for an extension this one requires (anything else throws). */
  of(alias: string): Names;
}

/** Who a request acts for. */
export interface Caller {
  readonly project: string;
  readonly user: string;
  readonly roles: readonly string[];
  readonly isAdmin: boolean;
}

interface BaseContext {
  readonly names: Names;
  readonly caller: Caller;
  /**
   * Checks a policy rule (one this extension declares) on the resource the request is about, or on
   * the caller's project: a 403 naming the rule if it is denied, before anything is committed.
   */
  authorize(rule: string): void;
  /** Whether a policy rule allows the request, without refusing it. */
  allows(rule: string): boolean;
  /**
   * This extension's alias as this API version spells it (a link relation, a path segment):
   * `OS-PATCH` once RAX-PATCH is promoted to OS-PATCH, undefined once its names are core.
   */
  readonly alias: string | undefined;
  /** Every alias responses carry its names under: the current one, then old ones a promotion keeps written. */
  readonly aliases: readonly string[];
  /** A request header of this extension (`RAX-CBS-Volume-Type` for `Volume-Type`). */
  header(name: string): string | undefined;
  /** A response header of this extension. */
  setHeader(name: string, value: string): void;
  readonly now: number;
}

export interface PreHandlerContext extends BaseContext {
  /** The decoded request body (model keys), if the route has one. */
  readonly input?: Value;
  /** The resource the path names (a server, an image), loaded, before anything changes. */
  readonly doc?: Value;
  /** For `servers.action`: which action, as its model key (`reboot`, `OS-LOCK:lock`) in every API version. */
  readonly action?: string;
  /** Base URL for links, with the version (and tenant) the client used. */
  readonly base: string;
}

export interface PreSerializationContext extends PreHandlerContext {
  /**
   * The document the operation worked on, as the handler left it (created, or changed and staged:
   * what a hook changes in it is committed with it).
   */
  readonly doc?: Value;
  /** A document the operation created besides (createImage's image), staged likewise. */
  readonly created?: Value;
  /** The representation(s) about to be encoded: decorate them here. */
  readonly result?: Value;
  readonly results?: readonly Value[];
}

/** What either phase's hook may take. */
export type HookContext = PreSerializationContext;

export interface ActionContext extends BaseContext {
  readonly input: Value;
  /** The server, already in the action's transient state; change it in place. */
  readonly doc: Value;
}

export interface RouteContext extends BaseContext {
  readonly params: Readonly<Record<string, string>>;
  readonly input?: Value;
  /** The core resource named by the path's `{server_id}` / `{image_id}`, loaded and settled. */
  readonly doc?: Value;
  save(doc: Value): void;
  /** Base URL for links, with the version (and tenant) the client used. */
  readonly base: string;
  /** The representation of the loaded core document, as the core would answer it. */
  view(doc: Value): Value;
}

export interface RouteResult {
  readonly status: number;
  readonly value?: Value;
}
