import type { ActionContext } from 'extgate';

/**
 * Who locked a server, as nova records it (`locked_by`): `owner` when its own project did, `admin`
 * when an admin from elsewhere did. Shared by OS-LOCK and nova's os-admin-actions, which differ
 * only in their names and rules.
 */
const lockerOf = ({ caller, doc }: ActionContext): 'owner' | 'admin' => (caller.project === doc.tenant_id ? 'owner' : 'admin');

/** nova's lock: an owner locking a server already locked (by an admin, say) leaves the lock as it is. */
export const lock = (ctx: ActionContext): void => {
  const { doc, names } = ctx;
  if (names.get(doc, 'locked') === true && lockerOf(ctx) === 'owner') return;
  names.set(doc, 'locked', true);
  names.set(doc, 'locked_by', lockerOf(ctx));
};

/** nova's unlock: lifting the other side's lock takes the override rule (an admin, by default). */
export const unlockWith = (overrideRule: string) => (ctx: ActionContext): void => {
  const { doc, names, authorize } = ctx;
  const by = names.get<string>(doc, 'locked_by');
  if (names.get(doc, 'locked') === true && by !== undefined && by !== lockerOf(ctx)) authorize(overrideRule);
  names.set(doc, 'locked', false);
  names.set(doc, 'locked_by', undefined);
};
