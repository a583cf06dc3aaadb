import { conflictingRequest, defineExtension, type PreHandlerContext } from 'extgate';

/** A locked server refuses every change but unlocking: checked before the change is made. */
const refuseIfLocked = ({ doc, names, action }: PreHandlerContext) => {
  if (doc === undefined || names.get(doc, 'locked') !== true) return;
  if (action === names.key('lock') || action === names.key('unlock')) return;
  throw conflictingRequest(`Server ${doc.id} is locked; unlock it first.`);
};

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
  attributes: [{ resource: 'server', name: 'locked', type: 'boolean', default: false }],
  actions: [
    { resource: 'server', name: 'lock', from: 'any', run: ({ doc, names }) => names.set(doc, 'locked', true) },
    { resource: 'server', name: 'unlock', from: 'any', run: ({ doc, names }) => names.set(doc, 'locked', false) },
  ],
  hooks: [
    { on: 'servers.update', preHandler: refuseIfLocked },
    { on: 'servers.delete', preHandler: refuseIfLocked },
    { on: 'servers.action', preHandler: refuseIfLocked },
  ],
});
