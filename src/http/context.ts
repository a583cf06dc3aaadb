import type { Collection, Link, Shape, Value } from '../model/shape.ts';

/** What a handler leaves for the encoder: a document, a page of a collection, or no body. */
export interface Result {
  readonly status: number;
  readonly document?: { readonly shape: Shape; readonly value: Value };
  readonly collection?: { readonly coll: Collection; readonly values: readonly Value[]; readonly links: readonly Link[] };
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * The gateway's Hono environment: nothing is passed through the context's variables; a route's
 * steps hand each other what they made (http/flow.ts).
 */
export type GatewayEnv = object;
