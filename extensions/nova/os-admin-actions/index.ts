import { conflictingRequest, defineExtension, type PreHandlerContext } from 'extgate';
import { lock, unlockWith } from '../../OS-LOCK/locked-by.ts';

/** What a lock leaves alone: reading, and locking or unlocking again. */
const UNLOCKED_ACTIONS = new Set(['lock', 'unlock']);

/**
 * nova's check_instance_lock: a locked server refuses actions and deletion, 409, before anything
 * changes. Unlike nova, an admin does not pass: noauth's caller is an admin by default, and a lock
 * that nobody in development meets would be no lock.
 */
const refuseIfLocked = ({ doc, names, action }: PreHandlerContext) => {
  if (doc === undefined || names.get(doc, 'locked') !== true) return;
  if (action !== undefined && UNLOCKED_ACTIONS.has(action)) return;
  throw conflictingRequest(`Instance ${doc.id} is locked`);
};

const LOCK = 'os_compute_api:os-lock-server:lock';
const UNLOCK = 'os_compute_api:os-lock-server:unlock';
const OVERRIDE = 'os_compute_api:os-lock-server:unlock:unlock_override';

/**
 * Admin Actions (nova's os-admin-actions), the part clients call most: `{"lock": null}` and
 * `{"unlock": null}`, nova's legacy bare action names. Whether a server is locked is stored but
 * not shown, as nova's v2 API does not show it. See ../README.md.
 */
export default defineExtension({
  name: 'AdminActions',
  namespace: 'http://docs.openstack.org/compute/ext/admin-actions/api/v1.1',
  alias: 'os-admin-actions',
  updated: '2011-09-20T00:00:00+00:00',
  description: 'Enable admin-only server actions\n\n    Actions include: pause, unpause, suspend, resume, migrate,\n    resetNetwork, injectNetworkInfo, lock, unlock, createBackup\n    ',
  links: [{ rel: 'describedby', type: 'application/pdf', href: 'https://extgate.dev/ext/nova/os-admin-actions.pdf' }],
  attributes: [
    { resource: 'server', name: 'locked', type: 'boolean', output: false },
    { resource: 'server', name: 'locked_by', output: false },
  ],
  // nova's rule names and defaults, so that a nova policy file applies as it is.
  policies: [
    { name: LOCK, check: 'rule:project_member_or_admin', description: 'POST /servers/{id}/action lock' },
    { name: UNLOCK, check: 'rule:project_member_or_admin', description: 'POST /servers/{id}/action unlock' },
    { name: OVERRIDE, check: 'rule:admin_api', description: 'Unlock a server locked by the other side (an admin, a lock its owner made)' },
  ],
  actions: [
    { resource: 'server', name: 'lock', bare: true, from: 'any', policy: LOCK, run: lock },
    { resource: 'server', name: 'unlock', bare: true, from: 'any', policy: UNLOCK, run: unlockWith(OVERRIDE) },
  ],
  hooks: [
    { on: 'servers.delete', preHandler: refuseIfLocked },
    { on: 'servers.action', preHandler: refuseIfLocked },
  ],
});
