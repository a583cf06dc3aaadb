import type { Credentials } from './policy-language.ts';
import { itemNotFound } from '../media/fault.ts';
import type { Store, StoredDocument } from '../store/store.ts';

/**
 * Who a request acts for: a user in a project, with roles (from a Keystone token, or from the
 * configuration in noauth). Made once per token (or per request in noauth), never changed.
 */
export interface Principal extends Credentials {
  /** Lists cover every project without `all_tenants`: noauth's trusted caller. */
  readonly everyProject: boolean;
}

/**
 * Whether a stored resource exists for this caller: public ones (project ''), its project's, and
 * every one for an admin (nova shows an admin any server). Anything else is a 404, so that another
 * project's resources are not even disclosed.
 */
export const canSee = (who: Principal, project: string): boolean => project === '' || project === who.project || who.isAdmin || who.everyProject;

/** A stored document by id, if it exists for this caller; otherwise the 404 fault that does not tell whether it exists. */
export const getVisible = async (store: Store, kind: 'servers' | 'images' | 'flavors', id: string, who: Principal): Promise<StoredDocument> => {
  const found = await store.get(kind, id);
  if (found === undefined || !canSee(who, found.project)) throw itemNotFound(`No ${kind.slice(0, -1)} with id ${id}.`);
  return found;
};
