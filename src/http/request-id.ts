import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';

/**
 * Every answer names its request, as every OpenStack service does (`x-openstack-request-id:
 * req-<uuid4>`, and nova's `X-Compute-Request-Id` with the same value), so that a complaint can be
 * followed from a client's log into ours. tempest reads it from every compute answer. Set on the
 * response before anything answers, so that every route, a document answered ahead of Hono and
 * a fault alike carry it.
 */
export const REQUEST_ID = 'x-openstack-request-id';
export const COMPUTE_REQUEST_ID = 'x-compute-request-id';

export const newRequestId = (): string => `req-${randomUUID()}`;

export const nameResponse = (res: ServerResponse): void => {
  const id = newRequestId();
  res.setHeader(REQUEST_ID, id);
  res.setHeader(COMPUTE_REQUEST_ID, id);
};
