import { conflictingRequest, defineExtension, type ActionContext, type PreHandlerContext } from 'extgate';

/** A locked server refuses every change but unlocking: checked before the change is made. */
const refuseIfLocked = ({ doc, names, action }: PreHandlerContext) => {
  if (doc === undefined || names.get(doc, 'locked') !== true) return;
  if (action === names.key('lock') || action === names.key('unlock')) return;
  throw conflictingRequest(`Server ${doc.id} is locked; unlock it first.`);
};

const OVERRIDE = 'OS-LOCK:unlock:override';

/** Who locks a server: its project's own (`owner`), or an admin from elsewhere (`admin`), as nova records it. */
const lockerOf = ({ caller, doc }: ActionContext): 'owner' | 'admin' => (caller.project === doc.tenant_id ? 'owner' : 'admin');

/** Unlocking a server the other side locked (an owner's lock by an admin, an admin's by the owner) takes the override rule. */
const unlock = (ctx: ActionContext) => {
  const { doc, names, authorize } = ctx;
  const by = names.get<string>(doc, 'locked_by');
  if (names.get(doc, 'locked') === true && by !== undefined && by !== lockerOf(ctx)) authorize(OVERRIDE);
  names.set(doc, 'locked', false);
  names.set(doc, 'locked_by', undefined);
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
  attributes: [
    { resource: 'server', name: 'locked', type: 'boolean', default: false },
    { resource: 'server', name: 'locked_by', output: false },
  ],
  policies: [{ name: OVERRIDE, check: 'rule:admin_api', description: 'Unlock a server locked by the other side: an admin, a lock its owner made; the owner, a lock an admin made' }],
  actions: [
    {
      resource: 'server', name: 'lock', from: 'any',
      run: (ctx) => {
        ctx.names.set(ctx.doc, 'locked', true);
        ctx.names.set(ctx.doc, 'locked_by', lockerOf(ctx));
      },
    },
    { resource: 'server', name: 'unlock', from: 'any', run: unlock },
  ],
  hooks: [
    { on: 'servers.update', preHandler: refuseIfLocked },
    { on: 'servers.delete', preHandler: refuseIfLocked },
    { on: 'servers.action', preHandler: refuseIfLocked },
  ],
});
