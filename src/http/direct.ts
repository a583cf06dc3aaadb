import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Hono } from 'hono';
import type { Codec } from '../media/codecs.ts';
import type { Negotiate } from '../media/negotiate.ts';
import type { Rendered } from '../media/respond.ts';
import type { Health } from '../ops/health.ts';
import type { Metrics } from '../ops/metrics.ts';
import type { RequestLine } from '../ops/logger.ts';
import { markRequest } from './route-label.ts';

interface Entry {
  readonly negotiate: Negotiate;
  /** The route template it answers for, in metrics. */
  readonly template: string;
  readonly byCodec: ReadonlyMap<Codec, { readonly headers: Readonly<Record<string, string | number>>; readonly body: Uint8Array }>;
}

/**
 * Documents rendered when the registry is built (the extension list, each extension), answered
 * from Node's request before Hono sees it: no Request, Context or Response object, the way a raw
 * `node:http` server answers. Only the plain case is answered here: a GET of exactly the path,
 * no query, no If-None-Match, an Accept the same negotiation accepts. Anything else (a tenant,
 * a suffix, a page, a conditional request, a 406) goes to Hono, which answers it as always.
 */
export class DirectResponses {
  readonly #byPath = new Map<string, Entry>();
  /** Behind Keystone: whether a request's token is known valid (else Hono answers, after the gate). */
  admit: ((token: string | string[] | undefined) => boolean) | undefined;

  add(path: string, negotiate: Negotiate, rendered: ReadonlyMap<Codec, Rendered>, template = path): void {
    const byCodec = new Map([...rendered].map(([codec, r]) => [codec, { headers: { ...r.headers, 'Content-Length': r.body.byteLength }, body: r.body }]));
    this.#byPath.set(path, { negotiate, byCodec, template });
  }

  /** Answers and returns true, or returns false for Hono to answer. */
  readonly serve = (req: IncomingMessage, res: ServerResponse): boolean => {
    if (req.method !== 'GET') return false;
    const entry = this.#byPath.get(req.url!);
    if (entry === undefined) return false;
    const headers = req.headers;
    if (headers['if-none-match'] !== undefined) return false;
    if (this.admit !== undefined && !this.admit(headers['x-auth-token'])) return false;
    const codec = entry.negotiate(headers.accept, undefined);
    const r = codec === undefined ? undefined : entry.byCodec.get(codec);
    if (r === undefined) return false;
    markRequest(req, entry.template);
    res.writeHead(200, r.headers);
    res.end(r.body);
    return true;
  };
}

/** What `listen` needs to know of an app beyond its fetch: documents it answers ahead, its body limit. */
export interface Serving {
  readonly direct?: DirectResponses;
  readonly maxBodyBytes: number;
  /** Behind Keystone: whether a token is known valid, for the documents answered ahead of Hono. */
  readonly admit?: (token: string | string[] | undefined) => boolean;
  /** The health check, which draining on shutdown turns unhealthy. */
  readonly health?: Health;
  /** Where the listener counts requests, when metrics are on. */
  readonly metrics?: Metrics;
  /** Where the listener logs each request. */
  readonly requestLog?: (line: RequestLine) => void;
}

const byApp = new WeakMap<Hono, Serving>();

export const setServing = (app: Hono, serving: Serving): void => {
  if (serving.direct !== undefined) serving.direct.admit = serving.admit;
  byApp.set(app, serving);
};

export const servingOf = (app: Hono): Serving => byApp.get(app) ?? { maxBodyBytes: 1_048_576 };
