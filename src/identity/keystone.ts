/**
 * The gateway as a Keystone v3 client, as keystonemiddleware's auth_token is: it validates users'
 * tokens (`GET /v3/auth/tokens` with `X-Subject-Token`) with a service token of its own, which it
 * obtains with its service user's password, keeps, and renews a minute before it expires (or at
 * once, if Keystone stops taking it).
 */
export interface KeystoneSettings {
  /** `http://keystone:5000/v3` */
  readonly url: string;
  readonly username: string;
  readonly password: string;
  readonly project: string;
  readonly userDomain: string;
  readonly projectDomain: string;
  /** How long one call to Keystone may take before the request it serves gets a 503. */
  readonly timeoutMs: number;
}

/** What a valid token says. */
export interface ValidToken {
  readonly user: string;
  /** Undefined for a token not scoped to a project (domain or system scope). */
  readonly project: string | undefined;
  /** Lower case, with the roles they imply (Keystone lists both). */
  readonly roles: readonly string[];
  readonly expiresAt: number;
}

/** Keystone cannot answer (unreachable, slow, 5xx, or refusing the gateway's own credentials): a 503, never a request let through. */
export class IdentityUnavailable extends Error {}

interface TokenBody {
  token?: { expires_at?: string; user?: { id?: string }; project?: { id?: string }; roles?: { name?: string }[] };
}

const RENEW_BEFORE_MS = 60_000;

export class KeystoneTokens {
  readonly #s: KeystoneSettings;
  #service: { id: string; expiresAt: number } | undefined;
  #obtaining: Promise<string> | undefined;
  /** Calls made to validate a token (what the cache saves). */
  validations = 0;

  constructor(settings: KeystoneSettings) {
    this.#s = { ...settings, url: settings.url.replace(/\/+$/, '') };
  }

  get url(): string {
    return this.#s.url;
  }

  #probed: { at: number; error?: string } | undefined;

  /** Whether Keystone answers now (its version document), for the health check; asked at most every 5 s. */
  async check(): Promise<void> {
    const now = Date.now();
    if (this.#probed === undefined || now - this.#probed.at >= 5000) {
      let error: string | undefined;
      try {
        const res = await this.#call('GET', '/', {}, AbortSignal.timeout(Math.min(this.#s.timeoutMs, 2000)));
        await res.body?.cancel().catch(() => undefined);
        if (res.status >= 500) error = `Keystone at ${this.#s.url} answered ${res.status}`;
      } catch (err) {
        error = (err as Error).message;
      }
      this.#probed = { at: now, error };
    }
    if (this.#probed.error !== undefined) throw new Error(this.#probed.error);
  }

  /**
   * What Keystone says of a user's token: valid (with what it carries) or not (undefined). One
   * deadline covers the whole validation, a new service token and a retry included.
   */
  async validate(token: string): Promise<ValidToken | undefined> {
    const deadline = AbortSignal.timeout(this.#s.timeoutMs);
    for (let attempt = 0; ; attempt++) {
      const service = await this.#serviceToken(deadline);
      this.validations++;
      const res = await this.#call('GET', '/auth/tokens?nocatalog', { 'X-Auth-Token': service, 'X-Subject-Token': token }, deadline);
      if (res.status === 200) return parseToken(await this.#text(res));
      await res.body?.cancel().catch(() => undefined);
      // The subject token is unknown, expired or revoked.
      if (res.status === 404) return undefined;
      // Our own token was refused (revoked, keys rotated): a new one, once; unless another request got one meanwhile.
      if (res.status === 401 && attempt === 0) {
        if (this.#service?.id === service) this.#service = undefined;
        continue;
      }
      if (res.status === 403) throw new IdentityUnavailable(`Keystone refused to let extgate's service user validate tokens (403): give ${this.#s.username} the service or admin role on ${this.#s.project}`);
      throw new IdentityUnavailable(`Keystone answered ${res.status} to a token validation`);
    }
  }

  async #serviceToken(deadline: AbortSignal): Promise<string> {
    const s = this.#service;
    if (s !== undefined && s.expiresAt - RENEW_BEFORE_MS > Date.now()) return s.id;
    this.#obtaining ??= this.#obtain(deadline).finally(() => {
      this.#obtaining = undefined;
    });
    return this.#obtaining;
  }

  async #obtain(deadline: AbortSignal): Promise<string> {
    const s = this.#s;
    const body = JSON.stringify({
      auth: {
        identity: { methods: ['password'], password: { user: { name: s.username, domain: { name: s.userDomain }, password: s.password } } },
        scope: { project: { name: s.project, domain: { name: s.projectDomain } } },
      },
    });
    const res = await this.#call('POST', '/auth/tokens?nocatalog', { 'Content-Type': 'application/json' }, deadline, body);
    const text = await this.#text(res);
    if (res.status !== 201) {
      // The password never goes into a message; Keystone's answer does not hold it either.
      throw new IdentityUnavailable(`Keystone refused extgate's service credentials (user ${s.username}, project ${s.project}): ${res.status}`);
    }
    const id = res.headers.get('x-subject-token');
    const expiresAt = Date.parse(parseBody(text)?.expires_at ?? '');
    if (id === null || Number.isNaN(expiresAt)) throw new IdentityUnavailable('Keystone issued a service token without an id or an expiry');
    this.#service = { id, expiresAt };
    return id;
  }

  async #call(method: string, path: string, headers: Record<string, string>, signal: AbortSignal, body?: string): Promise<Response> {
    try {
      return await fetch(`${this.#s.url}${path}`, { method, headers, body, signal });
    } catch (err) {
      throw this.#unreachable(err);
    }
  }

  /** A body that stalls or breaks off is Keystone failing, as a connection that does. */
  async #text(res: Response): Promise<string> {
    try {
      return await res.text();
    } catch (err) {
      throw this.#unreachable(err);
    }
  }

  #unreachable(err: unknown): IdentityUnavailable {
    const e = err as Error & { cause?: Error };
    const why = e.name === 'TimeoutError' ? `no answer within ${this.#s.timeoutMs} ms` : (e.cause?.message ?? e.message);
    return new IdentityUnavailable(`Keystone at ${this.#s.url} is unreachable: ${why}`);
  }
}

/** The `token` of a Keystone answer, or an IdentityUnavailable if the answer is not what Keystone sends. */
const parseBody = (text: string): NonNullable<TokenBody['token']> | undefined => {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new IdentityUnavailable('Keystone answered with something that is not JSON');
  }
  const token = (body as TokenBody | null)?.token;
  if (token !== undefined && (typeof token !== 'object' || token === null)) throw new IdentityUnavailable('Keystone answered without a token object');
  return token;
};

const parseToken = (text: string): ValidToken => {
  const t = parseBody(text);
  const expiresAt = Date.parse(typeof t?.expires_at === 'string' ? t.expires_at : '');
  const user = t?.user?.id;
  const project = t?.project?.id;
  if (typeof user !== 'string' || Number.isNaN(expiresAt) || (project !== undefined && typeof project !== 'string') || (t?.roles !== undefined && !Array.isArray(t.roles))) {
    throw new IdentityUnavailable('Keystone answered a token validation without a user, an expiry or roles as Keystone sends them');
  }
  return { user, project, roles: (t?.roles ?? []).flatMap((r) => (typeof r?.name === 'string' ? [r.name.toLowerCase()] : [])), expiresAt };
};
