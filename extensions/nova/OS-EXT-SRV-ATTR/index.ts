import { defineExtension, type Value } from 'extgate';

/** The libvirt name nova gives an instance: `instance-` and 8 hex digits (here from the id, as extgate has no sequence). */
const instanceName = (doc: Value) => `instance-${(doc.id as string).slice(0, 8)}`;

/**
 * Extended Server Attributes (nova's OS-EXT-SRV-ATTR): the host, the hypervisor's host name and the
 * instance name. extgate is its own one host. Nova published this extension under OS-EXT-STS's
 * namespace (a copy-paste slip in nova 2014.1); names here need a namespace of their own, so it
 * has the one its name says. See ../README.md.
 */
export default defineExtension({
  name: 'ExtendedServerAttributes',
  namespace: 'http://docs.openstack.org/compute/ext/extended_server_attributes/api/v1.1',
  alias: 'OS-EXT-SRV-ATTR',
  updated: '2011-11-03T00:00:00+00:00',
  description: 'Extended Server Attributes support.',
  links: [{ rel: 'describedby', type: 'application/pdf', href: 'https://extgate.dev/ext/nova/OS-EXT-SRV-ATTR.pdf' }],
  attributes: [
    { resource: 'server', name: 'host', inUpdateAnswer: false, derive: () => 'extgate' },
    { resource: 'server', name: 'hypervisor_hostname', inUpdateAnswer: false, derive: () => 'extgate' },
    { resource: 'server', name: 'instance_name', inUpdateAnswer: false, derive: instanceName },
  ],
});
