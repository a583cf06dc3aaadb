import { defineExtension, type Value } from 'extgate';

/** nova's timestamps here: microseconds, no zone (`2013-09-23T13:53:12.000000`). */
const novaTime = (iso: string) => iso.replace(/Z$/, '.000000');

/**
 * Server Usage (nova's OS-SRV-USG): when a server was launched (null while it builds) and
 * terminated (null: a deleted server is gone here). The launch is taken as its creation, the
 * one time extgate keeps. See ../README.md.
 */
export default defineExtension({
  name: 'ServerUsage',
  namespace: 'http://docs.openstack.org/compute/ext/server_usage/api/v1.1',
  alias: 'OS-SRV-USG',
  updated: '2013-04-29T00:00:00+00:00',
  description: 'Adds launched_at and terminated_at on Servers.',
  links: [{ rel: 'describedby', type: 'application/pdf', href: 'https://extgate.dev/ext/nova/OS-SRV-USG.pdf' }],
  attributes: [
    { resource: 'server', name: 'launched_at', inUpdateAnswer: false, derive: (doc: Value) => (doc.status === 'BUILD' ? null : novaTime(doc.created as string)) },
    { resource: 'server', name: 'terminated_at', inUpdateAnswer: false, derive: () => null },
  ],
});
