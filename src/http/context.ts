import type { Codec } from '../media/codecs.ts';
import type { Incoming, OldUse } from '../media/read.ts';
import type { Collection, Link, Shape, Value } from '../model/shape.ts';
import type { UnitOfWork } from '../store/store.ts';

/** What a handler leaves for the encoder: a document, a page of a collection, or no body. */
export interface Result {
  readonly status: number;
  readonly document?: { readonly shape: Shape; readonly value: Value };
  readonly collection?: { readonly coll: Collection; readonly values: readonly Value[]; readonly links: readonly Link[] };
  readonly headers?: Readonly<Record<string, string>>;
}

/** The gateway's typed request context (Hono Variables). */
export interface GatewayEnv {
  Variables: {
    /** The negotiated response codec. */
    codec: Codec;
    /** The request codec and the body's root documents, for routes that take a body. */
    incoming: Incoming[];
    requestCodec: Codec;
    /** The request's unit of work: committed once, after every hook, before encoding. */
    tx: UnitOfWork;
    result: Result;
    /** Response headers added by extension hooks. */
    extraHeaders: Record<string, string>;
    /** The stored document the operation worked on, for after-hooks. */
    doc: Value;
    /** A document the operation created besides its own (createImage's image). */
    created: Value;
    /** For `servers.action`: the model key of the action (`reboot`, `RAX-CBS:mount_volume`). */
    action: string;
    /** Old names of promoted extensions this request used (http/deprecation.ts); unset when none. */
    oldNames: OldUse[];
  };
}
