import type { Context } from 'hono';
import { tenantOf } from '../core/links.ts';
import { badRequest } from '../media/fault.ts';

/**
 * Who a request acts for, without an identity service (nova's noauth2, for development and
 * tests, never production): the project is the URL's `{tenant_id}`, else `X-Auth-Project-Id`,
 * else `openstack`; the user is `extgate`.
 */
export interface Principal {
  readonly project: string;
  readonly user: string;
}

const DEFAULT_PROJECT = 'openstack';

const decoded = (segment: string): string => {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
};

/** What a project id may be: what every media type can carry (no control characters), at most 255 characters, as keystone's. */
const PROJECT = /^[^\p{Cc}]{1,255}$/u;

export const principalOf = (c: Context): Principal => {
  const tenant = tenantOf(c);
  const project = tenant !== undefined ? decoded(tenant) : (c.req.header('x-auth-project-id') || DEFAULT_PROJECT);
  if (!PROJECT.test(project)) throw badRequest('The project (the tenant of the URL, or X-Auth-Project-Id) must be 1 to 255 characters, none of them a control character.');
  return { project, user: 'extgate' };
};
