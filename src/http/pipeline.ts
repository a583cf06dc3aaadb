import type { Context } from 'hono';
import type { Codec } from '../media/codecs.ts';
import { badRequest, Fault } from '../media/fault.ts';
import type { Negotiate } from '../media/negotiate.ts';
import type { Naming } from '../model/naming.ts';
import type { Collection, Shape } from '../model/shape.ts';
import { ConflictError, type UnitOfWork } from '../store/store.ts';
import { RequestState, type Body, type Responder } from './flow.ts';
import { hasQuery, requestHeader, requestHeaderNames, responseCodec } from './request.ts';
import { deprecationHeaders, type OldNameUses } from './deprecation.ts';
import { usedOld, type Reader } from '../media/read.ts';
import { ClientAborted } from './errors.ts';
import type { OldHeader } from '../extension/wiring.ts';
import type { Origin } from './origin.ts';
import { getOrMake } from '../memo.ts';
import { noteOldNames } from './route-label.ts';

/**
 * The edges of every route's flow (http/flow.ts), built once per registry: negotiation and
 * encoding, reading a body, committing a unit of work; and the compiled encoders and readers.
 */
type Encoders = {
  document(codec: Codec, shape: Shape): (value: Record<string, unknown>) => string;
  collection(codec: Codec, coll: Collection): (values: readonly Record<string, unknown>[], links?: readonly { rel: string; href: string }[]) => string;
};

/** Compiled encoders per (codec, shape), made on first use and kept for the registry's life. */
export const encoderCache = (naming: Naming): Encoders => {
  const docs = new WeakMap<Shape, Map<Codec, (v: Record<string, unknown>) => string>>();
  const colls = new WeakMap<Collection, Map<Codec, ReturnType<Codec['collection']>>>();
  return {
    document: (codec, shape) => getOrMake(getOrMake(docs, shape, () => new Map()), codec, () => codec.document(shape, naming)),
    collection: (codec, coll) => getOrMake(getOrMake(colls, coll, () => new Map()), codec, () => codec.collection(coll, naming)),
  };
};

/** What the respond stage knows of its API version: its names, and where it tells and counts old ones. */
export interface VersionEdge {
  readonly version: string;
  readonly naming: Naming;
  readonly uses: OldNameUses;
  /** Old spellings of the version's extension headers, by lower-case name: checked on every route. */
  readonly headers: ReadonlyMap<string, OldHeader>;
  readonly origin: Origin;
}

/** Compiled request readers per (codec, shape), made on first use: a request only reads. */
export type Readers = (codec: Codec, shape: Shape) => Reader;

export const readerCache = (naming: Naming): Readers => {
  const readers = new WeakMap<Shape, Map<Codec, Reader>>();
  return (codec, shape) => getOrMake(getOrMake(readers, shape, () => new Map()), codec, () => codec.reader!(shape, naming));
};

/**
 * Negotiation first, encoding last. Begin: the response codec (406 otherwise), and what a request
 * can get wrong before it is read: a query parameter of an extension not loaded, an old name in
 * Accept's `ext=` or in a header. End: the result encoded, with the headers extensions set, and
 * Deprecation and Link when the request used old names (counted).
 */
export const responder = (codecs: readonly Codec[], negotiate: Negotiate, encoders: Encoders, edge: VersionEdge): Responder => ({
  begin(c) {
    const req = new RequestState(responseCodec(c, negotiate, codecs));
    if (hasQuery(c.req.url)) refuseUnknownAliases(c, edge.naming);
    const old = req.codec.old;
    if (old !== undefined) usedOld(old.spelling, old.name, `"${old.instead}"`, req.uses);
    if (edge.headers.size > 0) {
      for (const name of requestHeaderNames(c)) {
        const h = edge.headers.get(name);
        if (h !== undefined) usedOld(h.spelling, h.spelled, `"${h.instead}"`, req.uses);
      }
    }
    return req;
  },
  end(c, req, r) {
    const headers: Record<string, string> = { ...r.headers, ...req.headers };
    const used = req.usedOld;
    if (used !== undefined && used.length > 0) {
      Object.assign(headers, deprecationHeaders(c, edge.version, used, edge.origin));
      edge.uses.record(used);
      noteOldNames(c, used.map((u) => u.name));
    }
    let body: string | null = null;
    if (r.document !== undefined) body = encoders.document(req.codec, r.document.shape)(r.document.value);
    else if (r.collection !== undefined) body = encoders.collection(req.codec, r.collection.coll)(r.collection.values, r.collection.links);
    if (body !== null) {
      headers['Content-Type'] = req.codec.mediaType;
      headers.Vary = 'Accept';
    }
    return new Response(body, { status: r.status, headers });
  },
});

/** A query parameter qualified by an alias this version does not know is a 400, on every route. */
const refuseUnknownAliases = (c: Context, naming: Naming): void => {
  for (const name of Object.keys(c.req.queries())) {
    const colon = name.indexOf(':');
    if (colon !== -1 && naming.byAlias(name.slice(0, colon)) === undefined) {
      throw badRequest(`The query parameter "${name}" names the extension ${name.slice(0, colon)}, which is not loaded here.`);
    }
  }
};

export interface ReadOptions {
  readonly codecs: readonly Codec[];
  readonly naming: Naming;
  readonly maxBytes: number;
  /** More media types a route reads with a given codec. */
  readonly extra?: ReadonlyMap<string, Codec>;
}

/** Content-Type picks the reader (415 otherwise); the body is bounded (413) and parsed (400). */
export const bodyReader = (opts: ReadOptions): ((c: Context) => Promise<Body>) => {
  const byType = new Map<string, Codec>();
  for (const codec of opts.codecs) for (const t of codec.reads ?? []) byType.set(t, codec);
  for (const [t, codec] of opts.extra ?? []) byType.set(t, codec);
  const accepted = [...byType.keys()].join(', ');
  return async (c) => {
    const type = (requestHeader(c, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    const codec = byType.get(type);
    if (codec === undefined) {
      throw new Fault('badMediaType', type === '' ? `A request body needs a Content-Type: ${accepted}.` : `The Content-Type ${type} is not supported here; use ${accepted}.`);
    }
    const declared = Number(requestHeader(c, 'content-length') ?? '0');
    if (declared > opts.maxBytes) throw tooLarge(opts.maxBytes);
    const raw = await readBounded(c.req.raw.body, opts.maxBytes);
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
    } catch {
      throw new Fault('badRequest', 'The request body is not UTF-8.');
    }
    if (text.trim() === '') throw new Fault('badRequest', 'The request body is empty.');
    return { codec, incoming: codec.parse!(text, opts.naming) };
  };
};

const tooLarge = (max: number) => new Fault('overLimit', `The request body is larger than ${max} bytes.`);

/** Reads a body chunk by chunk and stops at the limit: a chunked upload without Content-Length is not buffered whole. */
const readBounded = async (body: ReadableStream<Uint8Array> | null, max: number): Promise<Uint8Array> => {
  if (body === null) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = body.getReader();
  for (;;) {
    let chunk: ReadableStreamReadResult<Uint8Array>;
    try {
      chunk = await reader.read();
    } catch (err) {
      throw new ClientAborted((err as Error).message);
    }
    const { done, value } = chunk;
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      throw tooLarge(max);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, size);
};

/** A request's unit of work, committed once after the handler and every hook succeeded. */
export const commit = async (tx: UnitOfWork): Promise<void> => {
  try {
    await tx.commit();
  } catch (err) {
    if (err instanceof ConflictError) throw new Fault('conflictingRequest', 'The resource was changed by another request meanwhile; nothing was changed. Retry with its current state.');
    throw err;
  }
};
