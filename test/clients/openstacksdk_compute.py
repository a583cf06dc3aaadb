"""openstacksdk's compute proxy against extgate with no auth, as a client developer runs it.

usage: /usr/bin/python3 openstacksdk_compute.py http://127.0.0.1:PORT/v1
Prints one line per step and OK at the end; exits non-zero at the first failure.
"""
import sys

import openstack
from openstack.compute.v2.extension import Extension

endpoint = sys.argv[1]
conn = openstack.connection.Connection(
    auth_type='none', compute_endpoint_override=endpoint, compute_api_version='2')
compute = conn.compute

exts = list(compute.extensions())
print(f'extensions: {len(exts)}, first {exts[0].alias}')
dcf = compute._get(Extension, 'RAX-DCF')
print(f'extension: {dcf.alias} {dcf.namespace}')
try:
    compute._get(Extension, 'RAX-NOPE')
    sys.exit('FAIL: a missing extension was found')
except openstack.exceptions.ResourceNotFound:
    print('missing extension: ResourceNotFound')

flavors = list(compute.flavors())
images = list(compute.images())
print(f'flavors: {len(flavors)}, first {flavors[0].name} ({flavors[0].ram} MB)')
print(f'images: {len(images)}, first {images[0].name} {images[0].status}')

server = compute.create_server(name='sdk', image_id=images[0].id, flavor_id=flavors[0].id,
                               metadata={'by': 'openstacksdk'})
print(f'created {server.id} adminPass set: {bool(server.admin_password)}')
server = compute.wait_for_server(server, status='ACTIVE', interval=0.1, wait=30)
compute.reboot_server(server, 'SOFT')
print(f'after reboot: {compute.get_server(server).status}')
server = compute.wait_for_server(server, status='ACTIVE', interval=0.1, wait=30)
server = compute.update_server(server, name='sdk-renamed')
print(f'renamed: {server.name}, metadata {compute.get_server(server).metadata}')

for name in ('page-a', 'page-b'):
    compute.create_server(name=name, image_id=images[0].id, flavor_id=flavors[0].id)
listed = list(compute.servers(details=True, limit=2))
print(f'listed {len(listed)} servers in pages of 2')
if len(listed) < 3:
    sys.exit('FAIL: pagination')

compute.delete_server(server)
compute.wait_for_delete(server, interval=0.1, wait=30)
print('deleted; wait_for_delete saw it gone')
print('OK')
