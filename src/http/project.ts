import type { Context } from 'hono';
import { tenantOf } from '../core/links.ts';

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

export const principalOf = (c: Context): Principal => {
  const tenant = tenantOf(c);
  const project = tenant !== undefined ? decoded(tenant) : (c.req.header('x-auth-project-id') || DEFAULT_PROJECT);
  return { project, user: 'extgate' };
};
