import { randomUUID } from 'node:crypto';
import { type IncomingMessage, type OutgoingHttpHeader, type OutgoingHttpHeaders, ServerResponse } from 'node:http';

/**
 * Every answer names its request, as every OpenStack service does (`x-openstack-request-id:
 * req-<uuid4>`, and nova's `X-Compute-Request-Id` with the same value), so that a complaint can be
 * followed from a client's log into ours; tempest reads it from every compute answer.
 */
export const REQUEST_ID = 'x-openstack-request-id';
export const COMPUTE_REQUEST_ID = 'x-compute-request-id';

export const newRequestId = (): string => `req-${randomUUID()}`;

type Headers = OutgoingHttpHeaders | OutgoingHttpHeader[];

/**
 * The server's responses (`createServer({ ServerResponse: NamedResponse })`): the id joins the
 * headers where they are written, so every route, a document answered ahead of Hono and a fault
 * alike carry it. Setting it with setHeader beforehand would cost each answer Node's slow path
 * for its other headers (measured: about a tenth of the requests a small answer can serve).
 */
export class NamedResponse<Request extends IncomingMessage = IncomingMessage> extends ServerResponse<Request> {
  override writeHead(statusCode: number, reasonOrHeaders?: string | Headers, headers?: Headers): this {
    const id = newRequestId();
    const reason = typeof reasonOrHeaders === 'string' ? reasonOrHeaders : undefined;
    const given = typeof reasonOrHeaders === 'string' ? headers : reasonOrHeaders;
    if (given === undefined) {
      this.setHeader(REQUEST_ID, id);
      this.setHeader(COMPUTE_REQUEST_ID, id);
      return super.writeHead(statusCode, reason);
    }
    // Node takes [k, v, k, v], [[k, v], ...] or an object; the caller's may be shared: a copy.
    const named: Headers = Array.isArray(given)
      ? Array.isArray(given[0]) ? [...given, [REQUEST_ID, id], [COMPUTE_REQUEST_ID, id]] as OutgoingHttpHeader[] : [...given, REQUEST_ID, id, COMPUTE_REQUEST_ID, id]
      : { ...given, [REQUEST_ID]: id, [COMPUTE_REQUEST_ID]: id };
    return reason === undefined ? super.writeHead(statusCode, named) : super.writeHead(statusCode, reason, named);
  }
}
