import type { IncomingMessage } from 'node:http';
import type { Context, Hono } from 'hono';
import { tenantIn } from '../core/links.ts';
import { Fault } from '../media/fault.ts';
import { renderFault } from '../http/errors.ts';
import { formatSuffix } from '../http/path.ts';
import { rawPath } from '../http/request.ts';
import type { Log } from '../http/errors.ts';
import { IdentityUnavailable, type KeystoneTokens } from './keystone.ts';
import { decodedSegment } from './noauth.ts';
import type { Policy } from './policy.ts';
import type { Principal } from './principal.ts';
import type { TokenCache } from './token-cache.ts';

/**
 * Keystone authentication in front of the whole app, as keystonemiddleware sits in front of nova:
 * every request but the version documents carries `X-Auth-Token`, validated (and cached) before
 * routing, so that nothing (not even a 404 or 405) is answered to a caller without a valid token.
 * What a token says becomes the request's principal, handed to the routes in the Hono env.
 *
 *   no token, a malformed, unknown, expired or revoked one -> 401, WWW-Authenticate: Keystone uri=...
 *   Keystone unreachable, slow or failing                 -> 503, Retry-After (never let through)
 *   /v1/{tenant_id}/... with a tenant not the token's     -> 403
 */
export interface GateOptions {
  readonly tokens: KeystoneTokens;
  /** Principals by token; null for a token Keystone called invalid. */
  readonly cache: TokenCache<Principal | null>;
  readonly policy: Policy;
  /** Where clients get tokens, for WWW-Authenticate. */
  readonly authUrl: string;
  /** The routing path of a request (http/path.ts), to find its tenant segment. */
  readonly routingPath: (request: Request) => string;
  /** Routing paths answered to anyone: the version documents. */
  readonly public: ReadonlySet<string>;
  readonly log: Log;
  readonly now?: () => number;
}

export interface Bindings {
  incoming?: IncomingMessage;
  principal?: Principal;
}

/** The principal the gate found for this request. */
export const gatedPrincipal = (c: Context): Principal => (c.env as Bindings).principal!;

/** What a token can be: printable ASCII, at most 8 KiB (a fernet token is about 200 characters). */
const TOKEN = /^[\x21-\x7e]{1,8192}$/;
const RETRY_AFTER_SECONDS = '5';

export class KeystoneGate {
  get tokens(): KeystoneTokens {
    return this.#o.tokens;
  }

  get cacheStats(): { hits: number; misses: number } {
    return { hits: this.#o.cache.hits, misses: this.#o.cache.misses };
  }

  readonly #o: GateOptions;
  readonly #now: () => number;
  #lastLogged = 0;

  constructor(opts: GateOptions) {
    this.#o = opts;
    this.#now = opts.now ?? Date.now;
  }

  /** Whether a token is cached as valid: documents answered ahead of Hono (http/direct.ts) may serve it. */
  readonly admits = (token: string | string[] | undefined): boolean => {
    const p = typeof token === 'string' ? this.#o.cache.peek(token, this.#now()) : undefined;
    return p != null && p.project !== '';
  };

  /** Puts the gate in front of the app's fetch. */
  install(app: Hono): void {
    const fetch = app.fetch;
    app.fetch = (request, env, ctx) => {
      const routed = this.#o.routingPath(request);
      if (this.#o.public.has(routed)) return fetch(request, env, ctx);
      const bindings: Bindings = (env as Bindings | undefined) ?? {};
      const incoming = bindings.incoming;
      const header = incoming === undefined ? (request.headers.get('x-auth-token') ?? undefined) : incoming.headers['x-auth-token'];
      const token = typeof header === 'string' ? header : undefined;
      // A cached token (nearly every request) goes on without a promise in between.
      const cached = token === undefined ? undefined : this.#o.cache.peek(token, this.#now());
      if (cached != null) {
        this.#o.cache.hits++;
        return this.#pass(request, routed, cached, bindings, fetch, ctx);
      }
      return this.#principal(token).then(
        (principal) => this.#pass(request, routed, principal, bindings, fetch, ctx),
        (err: unknown) => {
          if (err instanceof Fault) return this.#fault(request, err);
          throw err;
        },
      );
    };
  }

  #pass(request: Request, routed: string, principal: Principal, bindings: Bindings, fetch: Hono['fetch'], ctx: Parameters<Hono['fetch']>[2]): Response | Promise<Response> {
    // Checked on every request, cached or not: a domain- or system-scoped token owns no servers.
    if (principal.project === '') return this.#fault(request, new Fault('forbidden', 'The token is not scoped to a project; the compute API needs a project-scoped token.'));
    const tenant = tenantIn(rawPath(request.url), routed);
    if (tenant !== undefined && decodedSegment(tenant) !== principal.project) {
      return this.#fault(request, new Fault('forbidden', `The token is scoped to project ${principal.project}, not to ${decodedSegment(tenant)} that the URL names.`));
    }
    bindings.principal = principal;
    return fetch(request, bindings, ctx);
  }

  async #principal(token: string | undefined): Promise<Principal> {
    if (token === undefined || token === '') throw this.#unauthorized('Authentication required: send a Keystone token in X-Auth-Token.');
    if (!TOKEN.test(token)) throw this.#unauthorized('The token in X-Auth-Token is malformed.');
    let found: Principal | null;
    try {
      found = await this.#o.cache.get(token, this.#now, () => this.#validate(token));
    } catch (err) {
      // Whatever went wrong asking Keystone, the request is not let through, and it is not a 500.
      this.#logOutage(err instanceof IdentityUnavailable ? err.message : `validating a token failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      throw new Fault('serviceUnavailable', 'The identity service is unavailable; the token could not be validated. Try again later.', { headers: { 'Retry-After': RETRY_AFTER_SECONDS } });
    }
    if (found === null) throw this.#unauthorized('The token is not valid: unknown, expired or revoked.');
    return found;
  }

  async #validate(token: string): Promise<{ value: Principal | null; expiresAt: number }> {
    const t = await this.#o.tokens.validate(token);
    // An invalid token stays invalid: kept for the cache's ttl.
    if (t === undefined) return { value: null, expiresAt: Number.POSITIVE_INFINITY };
    const roles = new Set(t.roles);
    const who = { project: t.project ?? '', user: t.user, roles };
    const isAdmin = this.#o.policy.isAdmin(who);
    return { value: { ...who, isAdmin, everyProject: false }, expiresAt: t.expiresAt };
  }

  #unauthorized(message: string): Fault {
    return new Fault('unauthorized', message, { headers: { 'WWW-Authenticate': `Keystone uri="${this.#o.authUrl}"` } });
  }

  #fault(request: Request, fault: Fault): Response {
    const { body, headers } = renderFault(request.headers.get('accept') ?? undefined, formatSuffix(request.url), fault);
    return new Response(body, { status: fault.code, headers });
  }

  /** An outage is logged once every ten seconds, not once per request. */
  #logOutage(message: string): void {
    const now = this.#now();
    if (now - this.#lastLogged < 10_000) return;
    this.#lastLogged = now;
    this.#o.log(`identity: ${message}; answering 503 to requests with tokens not cached`);
  }
}

