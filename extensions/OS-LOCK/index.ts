import { conflictingRequest, defineExtension, type PreHandlerContext } from 'extgate';
import { lock, unlockWith } from './locked-by.ts';

/** A locked server refuses every change but unlocking: checked before the change is made. */
const refuseIfLocked = ({ doc, names, action }: PreHandlerContext) => {
  if (doc === undefined || names.get(doc, 'locked') !== true) return;
  if (action === names.key('lock') || action === names.key('unlock')) return;
  throw conflictingRequest(`Server ${doc.id} is locked; unlock it first.`);
};

const OVERRIDE = 'OS-LOCK:unlock:override';

/** Server Lock, an OpenStack extension: lock and unlock actions; a locked server refuses changes. See README.md. */
export default defineExtension({
  name: 'Server Lock',
  namespace: 'http://docs.openstack.org/compute/ext/lock/api/v1.1',
  alias: 'OS-LOCK',
  updated: '2026-11-29T00:00:00Z',
  description: 'Lets a client lock a server so that no action or update changes it until it is unlocked.',
  links: [
    { rel: 'describedby', type: 'application/pdf', href: 'https://extgate.dev/ext/os-lock/os-lock.pdf' },
    { rel: 'describedby', type: 'text/markdown', href: 'https://extgate.dev/ext/os-lock/README.md' },
  ],
  attributes: [
    { resource: 'server', name: 'locked', type: 'boolean', default: false },
    { resource: 'server', name: 'locked_by', output: false },
  ],
  policies: [{ name: OVERRIDE, check: 'rule:admin_api', description: 'Unlock a server locked by the other side: an admin, a lock its owner made; the owner, a lock an admin made' }],
  actions: [
    { resource: 'server', name: 'lock', from: 'any', run: lock },
    { resource: 'server', name: 'unlock', from: 'any', run: unlockWith(OVERRIDE) },
  ],
  hooks: [
    { on: 'servers.update', preHandler: refuseIfLocked },
    { on: 'servers.delete', preHandler: refuseIfLocked },
    { on: 'servers.action', preHandler: refuseIfLocked },
  ],
});
