import { defineExtension } from 'extgate';

/** Disk Configuration (spec 3.1.1): the `diskConfig` flag on servers and images. See README.md. */
export default defineExtension({
  name: 'Disk Configuration Extension',
  namespace: 'http://docs.rackspacecloud.com/servers/api/ext/diskConfig/v1.0',
  alias: 'RAX-DCF',
  updated: '2011-09-27T00:00:00',
  description: 'Adds support for disk management flag on servers and images.',
  links: [
    { rel: 'describedby', type: 'application/pdf', href: 'http://docs.rackspacecloud.com/servers/api/ext/rax-dcf.pdf' },
    { rel: 'describedby', type: 'application/xml', href: 'http://docs.rackspacecloud.com/servers/api/ext/rax-dcf/api.xsd' },
  ],
});
