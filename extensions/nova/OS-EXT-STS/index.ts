import { defineExtension, type Value } from 'extgate';

/**
 * Nova's Extended Status: the server's state as nova's three fields say it, computed from the
 * state machine each time a server is shown (nothing is stored). States nova does not know
 * (an extension's own) read as the state they settle into would: active, no power change.
 */
const VM_STATE: Readonly<Record<string, string>> = {
  BUILD: 'building', ACTIVE: 'active', REBOOT: 'active', HARD_REBOOT: 'active', SHUTOFF: 'stopped', ERROR: 'error', DELETED: 'deleted',
};
const TASK_STATE: Readonly<Record<string, string>> = { BUILD: 'spawning', REBOOT: 'rebooting', HARD_REBOOT: 'rebooting_hard' };
/** nova.compute.power_state: NOSTATE 0, RUNNING 1, SHUTDOWN 4. */
const POWER_STATE: Readonly<Record<string, number>> = { BUILD: 0, SHUTOFF: 4, ERROR: 0, DELETED: 0 };

const status = (doc: Value) => doc.status as string;
const task = (doc: Value) => (doc.task as { name: string } | undefined)?.name;

/** Extended Status (nova's OS-EXT-STS): vm_state, task_state, power_state on servers. See ../README.md. */
export default defineExtension({
  name: 'ExtendedStatus',
  namespace: 'http://docs.openstack.org/compute/ext/extended_status/api/v1.1',
  alias: 'OS-EXT-STS',
  updated: '2011-11-03T00:00:00+00:00',
  description: 'Extended Status support.',
  links: [{ rel: 'describedby', type: 'application/pdf', href: 'https://extgate.dev/ext/nova/OS-EXT-STS.pdf' }],
  attributes: [
    { resource: 'server', name: 'vm_state', inUpdateAnswer: false, derive: (doc) => VM_STATE[status(doc)] ?? 'active' },
    { resource: 'server', name: 'task_state', inUpdateAnswer: false, derive: (doc) => TASK_STATE[status(doc)] ?? task(doc) ?? null },
    { resource: 'server', name: 'power_state', type: 'integer', inUpdateAnswer: false, derive: (doc) => POWER_STATE[status(doc)] ?? 1 },
  ],
});
