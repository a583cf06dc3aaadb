import { defineExtension } from 'extgate';

/** Server Lock, an OpenStack extension: lock and unlock actions; a locked server refuses actions. See README.md. */
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
});
