import { attribute, defineExtension } from 'extgate';

/**
 * Extended Volumes (nova's os-extended-volumes): the volumes attached to a server, `[{"id": ...}]`.
 * extgate has no block storage service, so the list is empty. See ../README.md.
 */
export default defineExtension({
  name: 'ExtendedVolumes',
  namespace: 'http://docs.openstack.org/compute/ext/extended_volumes/api/v1.1',
  alias: 'os-extended-volumes',
  updated: '2013-06-07T00:00:00+00:00',
  description: 'Extended Volumes support.',
  links: [{ rel: 'describedby', type: 'application/pdf', href: 'https://extgate.dev/ext/nova/os-extended-volumes.pdf' }],
  attributes: [{ resource: 'server', name: 'volumes_attached', form: 'list', item: 'volume_attached', fields: [attribute('id')], inUpdateAnswer: false, derive: () => [] }],
});
