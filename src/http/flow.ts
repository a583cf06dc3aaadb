import type { Context, Handler } from 'hono';
import type { ActionDef } from '../core/actions.ts';
import type { Codec } from '../media/codecs.ts';
import type { Incoming, OldUse } from '../media/read.ts';
import type { Value } from '../model/shape.ts';
import type { Store, UnitOfWork } from '../store/store.ts';
import type { Principal } from '../identity/principal.ts';
import type { Policy } from '../identity/policy.ts';
import { noteRequest } from './route-label.ts';
import type { Result } from './context.ts';

/**
 * How every core and extension route runs, in this order, as one handler made when the registry
 * is built:
 *
 *     negotiate (406) -> who is asking -> read the body (415, 413, 400) -> begin a unit of work
 *       -> prepare: decode the input, load the resource the path names (404 if the caller's
 *          project cannot see it), pick the action
 *       -> authorize: the route's policy rule (or the action's), on the loaded resource (403)
 *       -> preHandler hooks: they see all of that, before anything changes, and may refuse
 *       -> perform: the change, staged
 *       -> preSerialization hooks: they see the result and the documents as changed
 *       -> commit -> encode
 *
 * Each step hands the next what it made (`Prepared`, then `Outcome`); nothing is left in the Hono
 * context for a later stage to find. A step that throws stops the request: nothing is committed,
 * and the error handler answers with the fault.
 */

/** A request body, read and parsed: the codec of its Content-Type and its root documents. */
export interface Body {
  readonly codec: Codec;
  readonly incoming: readonly Incoming[];
}

/** One request as it goes through its route: what the steps share, made once per request. */
export class RequestState {
  body: Body | undefined;
  tx: UnitOfWork | undefined;
  /** Who the request acts for (identity/): set before anything is read. */
  principal!: Principal;
  /** The rules it is checked against (what an extension's `authorize` asks). */
  policy!: Policy;
  /** Response headers extensions set (`RAX-CBS-Volumes-Attached`). */
  readonly headers: Record<string, string> = {};
  #uses: OldUse[] | undefined;

  constructor(
    /** The negotiated response codec. */
    readonly codec: Codec,
  ) {}

  /** Old names of promoted extensions the request used (http/deprecation.ts), made on first use. */
  get uses(): OldUse[] {
    if (this.#uses === undefined) this.#uses = [];
    return this.#uses;
  }

  get usedOld(): readonly OldUse[] | undefined {
    return this.#uses;
  }
}

/** What a route found before changing anything. */
export interface Prepared {
  /** The decoded request body. */
  readonly input?: Value;
  /** The resource the path names, loaded and completed, and its stored version. */
  readonly doc?: Value;
  readonly version?: number;
  /** The project that owns it ('' for a public one). */
  readonly project?: string;
  /** For `servers.action`: the action the body names. */
  readonly action?: ActionDef;
  /** For a list: `all_tenants` asked for every project's resources. */
  readonly everyProject?: boolean;
}

/** What a route did. */
export interface Outcome {
  readonly result: Result;
  /** The resource as changed (staged: changes made to it until the commit are committed too). */
  readonly doc?: Value;
  /** A document it created besides (createImage's image), staged likewise. */
  readonly created?: Value;
}

/** A route's own two steps. */
export interface RouteSteps {
  prepare(c: Context, req: RequestState): Prepared | Promise<Prepared>;
  perform(c: Context, req: RequestState, prepared: Prepared): Outcome | Promise<Outcome>;
}

export type PreHandler = (c: Context, req: RequestState, prepared: Prepared) => void | Promise<void>;
export type PreSerialization = (c: Context, req: RequestState, prepared: Prepared, outcome: Outcome) => void | Promise<void>;

/** The edges every route shares: negotiation and encoding (http/pipeline.ts). */
export interface Responder {
  begin(c: Context): RequestState;
  end(c: Context, req: RequestState, result: Result): Response;
}

export interface FlowParts {
  readonly responder: Responder;
  /** Who a request acts for (a validated token's user, or noauth's). */
  readonly identify: (c: Context) => Principal;
  readonly policy: Policy;
  /** The aliases of the extensions whose hooks or route this route runs, for the request log. */
  readonly extensions?: readonly string[];
  /** The route's policy check, once it has prepared (identity/guards.ts). */
  readonly authorize?: (req: RequestState, prepared: Prepared) => void;
  /** For routes that take a body. */
  readonly read?: (c: Context) => Promise<Body>;
  /** For routes that change data: one unit of work, committed once after every hook. */
  readonly store?: Store;
  readonly commit?: (tx: UnitOfWork) => Promise<void>;
  readonly preHandler?: readonly PreHandler[];
  readonly preSerialization?: readonly PreSerialization[];
}

export const flow = (steps: RouteSteps, parts: FlowParts): Handler => {
  const pre = parts.preHandler ?? [];
  const post = parts.preSerialization ?? [];
  return async (c) => {
    const req = parts.responder.begin(c);
    req.principal = parts.identify(c);
    req.policy = parts.policy;
    noteRequest(c, req.principal.project, req.principal.user, parts.extensions);
    if (parts.read !== undefined) req.body = await parts.read(c);
    if (parts.store !== undefined) req.tx = parts.store.begin();
    const prepared = await steps.prepare(c, req);
    parts.authorize?.(req, prepared);
    for (let i = 0; i < pre.length; i++) await pre[i]!(c, req, prepared);
    const outcome = await steps.perform(c, req, prepared);
    for (let i = 0; i < post.length; i++) await post[i]!(c, req, prepared, outcome);
    if (req.tx !== undefined) await parts.commit!(req.tx);
    return parts.responder.end(c, req, outcome.result);
  };
};
