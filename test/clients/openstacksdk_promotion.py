"""openstacksdk's compute proxy against the promoted names of extgate's two API versions, no auth.

At /v1 (SUPPORTED) RAX-DCF is promoted to OS-DCF, the old name still accepted and rendered: the
SDK's disk_config (OS-DCF:diskConfig) works, and a server created with RAX-DCF:diskConfig by a
plain HTTP POST (as curl would) reads back through the SDK. At /v2 (CURRENT) OS-LOCK and MLTI-TAGS
are core: the SDK's lock_server/unlock_server, is_locked, tags on create and the tags filter work.

usage: /usr/bin/python3 openstacksdk_promotion.py http://127.0.0.1:PORT
Prints one line per step and OK at the end; exits non-zero at the first failure.
"""
import json
import sys
import urllib.request

import openstack

root = sys.argv[1].rstrip('/')


def compute_at(version):
    return openstack.connection.Connection(
        auth_type='none', compute_endpoint_override=f'{root}/{version}', compute_api_version='2').compute


def expect(ok, what):
    if not ok:
        sys.exit(f'FAIL: {what}')


v1 = compute_at('v1')
image_id = next(iter(v1.images())).id
flavor_id = next(iter(v1.flavors())).id

# /v1: OS-DCF, the promoted name, through the SDK.
server = v1.create_server(name='sdk-dcf', image_id=image_id, flavor_id=flavor_id, disk_config='MANUAL')
got = v1.get_server(server.id).disk_config
print(f'v1 create_server(disk_config=MANUAL), get_server: disk_config {got}')
expect(got == 'MANUAL', f'get_server({server.id}).disk_config is {got!r}, not MANUAL')

# /v1: RAX-DCF, the old name, in a plain HTTP request; the answer says it is deprecated.
body = {'server': {'name': 'curl-rax-dcf', 'imageRef': image_id, 'flavorRef': flavor_id,
                   'RAX-DCF:diskConfig': 'MANUAL'}}
request = urllib.request.Request(f'{root}/v1/servers', data=json.dumps(body).encode(), method='POST',
                                 headers={'Content-Type': 'application/json', 'Accept': 'application/json'})
with urllib.request.urlopen(request, timeout=10) as response:
    status, headers, created = response.status, response.headers, json.load(response)['server']
deprecation, link = headers.get('Deprecation'), headers.get('Link') or ''
successor = 'rel="successor-version"' in link
print(f'v1 POST with RAX-DCF:diskConfig: {status}, Deprecation {deprecation}, successor-version link: {successor}')
expect(status == 202, f'POST /v1/servers answered {status}, not 202')
expect(deprecation is not None and deprecation.startswith('@'), f'Deprecation header is {deprecation!r}')
expect(successor, f'Link header is {link!r}')
both = (created.get('OS-DCF:diskConfig'), created.get('RAX-DCF:diskConfig'))
print(f'v1 POST answer carries OS-DCF:diskConfig {both[0]} and RAX-DCF:diskConfig {both[1]}')
expect(both == ('MANUAL', 'MANUAL'), f'the created server carries {both}')
got = v1.get_server(created['id']).disk_config
print(f'v1 get_server of the RAX-DCF server: disk_config {got}')
expect(got == 'MANUAL', f'get_server({created["id"]}).disk_config is {got!r}, not MANUAL')

# /v2: MLTI-TAGS in the core, as "tags".
v2 = compute_at('v2')
tagged = v2.create_server(name='sdk-tagged', image_id=image_id, flavor_id=flavor_id, tags=['web'])
untagged = v2.create_server(name='sdk-untagged', image_id=image_id, flavor_id=flavor_id)
got = v2.get_server(tagged.id).tags
print(f'v2 create_server(tags=[web]), get_server: tags {got}')
expect(got == ['web'], f'get_server({tagged.id}).tags is {got!r}')
listed = list(v2.servers(tags='web'))
ids = [s.id for s in listed]
print(f'v2 servers(tags=web): {len(listed)} listed, the tagged one: {tagged.id in ids}, '
      f'the untagged one: {untagged.id in ids}, all tagged web: {all("web" in s.tags for s in listed)}')
expect(tagged.id in ids and untagged.id not in ids, f'servers(tags=web) listed {ids}')
expect(all('web' in s.tags for s in listed), f'servers(tags=web) listed {[(s.id, s.tags) for s in listed]}')

# /v2: OS-LOCK in the core: lock, unlock, "locked".
tagged = v2.wait_for_server(tagged, status='ACTIVE', interval=0.1, wait=30)
got = v2.get_server(tagged.id).is_locked
print(f'v2 new server: is_locked {got}')
expect(got is False, f'is_locked of a new server is {got!r}')
v2.lock_server(tagged)
got = v2.get_server(tagged.id).is_locked
print(f'v2 lock_server, get_server: is_locked {got}')
expect(got is True, f'is_locked after lock_server is {got!r}')
try:
    v2.update_server(tagged, name='renamed-while-locked')
    sys.exit('FAIL: a locked server was renamed')
except openstack.exceptions.ConflictException:
    print('v2 update_server of the locked server: ConflictException')
v2.unlock_server(tagged)
got = v2.get_server(tagged.id).is_locked
print(f'v2 unlock_server, get_server: is_locked {got}')
expect(got is False, f'is_locked after unlock_server is {got!r}')

for s in (server.id, created['id'], tagged.id, untagged.id):
    v2.delete_server(s)
print('deleted the four servers')
print('OK')
