import type { Context } from 'hono';
import { tenantOf } from '../core/links.ts';
import { badRequest } from '../media/fault.ts';
import type { Principal } from './principal.ts';

/**
 * Who a request acts for without an identity service (nova's noauth2, for development and tests,
 * never production): the project is the URL's `{tenant_id}`, else `X-Auth-Project-Id`, else the
 * configured one; the user and roles are configured. By default the roles make an admin, who sees
 * every project's resources: the project only says whose a new resource is. Without `admin`,
 * projects are kept apart as behind Keystone.
 */
export interface NoauthSettings {
  readonly project: string;
  readonly user: string;
  readonly roles: readonly string[];
}

/** A path segment as the client meant it (`%20` a space); as it is when it does not decode. */
export const decodedSegment = (segment: string): string => {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
};

/** What a project id may be: what every media type can carry (no control characters), at most 255 characters, as keystone's. */
const PROJECT = /^[^\p{Cc}]{1,255}$/u;

/** Keystone's bootstrap roles imply each other (admin, then member, then reader); its tokens list the implied ones too. */
const IMPLIED: Readonly<Record<string, readonly string[]>> = { admin: ['member', 'reader'], member: ['reader'] };

export const noauthIdentity = (settings: NoauthSettings, isAdmin: (who: Omit<Principal, 'isAdmin' | 'everyProject'>) => boolean): ((c: Context) => Principal) => {
  const given = settings.roles.map((r) => r.toLowerCase());
  const roles = new Set([...given, ...given.flatMap((r) => IMPLIED[r] ?? [])]);
  const admin = isAdmin({ project: settings.project, user: settings.user, roles });
  return (c) => {
    const tenant = tenantOf(c);
    const project = tenant !== undefined ? decodedSegment(tenant) : (c.req.header('x-auth-project-id') || settings.project);
    if (!PROJECT.test(project)) throw badRequest('The project (the tenant of the URL, or X-Auth-Project-Id) must be 1 to 255 characters, none of them a control character.');
    return { project, user: settings.user, roles, isAdmin: admin, everyProject: admin };
  };
};
