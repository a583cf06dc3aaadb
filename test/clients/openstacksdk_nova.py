"""openstacksdk against extgate's nova profile, no auth: the fields nova's extensions add
(vm_state, task_state, power_state, availability_zone, launched_at), stop_server and
start_server, lock_server, the flavor's swap.

usage: /usr/bin/python3 openstacksdk_nova.py http://127.0.0.1:PORT/v2/PROJECT
Prints one line per step and OK at the end; exits non-zero at the first failure.
"""
import sys

import openstack

endpoint = sys.argv[1]
conn = openstack.connection.Connection(
    auth_type='none', compute_endpoint_override=endpoint, compute_api_version='2')
compute = conn.compute

flavors = list(compute.flavors())
images = list(compute.images())
medium = [f for f in flavors if f.name == 'm1.medium'][0]
print(f'flavor {medium.name}: swap {medium.swap}, ephemeral {medium.ephemeral}, is_public {medium.is_public}')
if medium.swap != 512 or medium.is_public is not True:
    sys.exit('FAIL: flavor fields')

server = compute.create_server(name='sdk-nova', image_id=images[0].id, flavor_id=flavors[0].id)
server = compute.wait_for_server(server, status='ACTIVE', interval=0.1, wait=30)
print(f'active: vm_state {server.vm_state}, task_state {server.task_state}, power_state {server.power_state}, '
      f'availability_zone {server.availability_zone}, launched_at set: {bool(server.launched_at)}')
if (server.vm_state, server.power_state, server.availability_zone) != ('active', 1, 'nova'):
    sys.exit('FAIL: extended status')

compute.stop_server(server)
server = compute.wait_for_server(server, status='SHUTOFF', interval=0.1, wait=30)
print(f'stop_server: status {server.status}, vm_state {server.vm_state}, power_state {server.power_state}')

compute.lock_server(server)
try:
    compute.start_server(server)
    sys.exit('FAIL: a locked server started')
except openstack.exceptions.ConflictException:
    print('start_server of the locked server: ConflictException')
compute.unlock_server(server)

compute.start_server(server)
server = compute.wait_for_server(server, status='ACTIVE', interval=0.1, wait=30)
print(f'start_server: status {server.status}, vm_state {server.vm_state}')

listed = [s.name for s in compute.servers(status='ACTIVE', name='^sdk-n')]
print(f'servers(status=ACTIVE, name=^sdk-n): {listed}')
if listed != ['sdk-nova']:
    sys.exit('FAIL: filters')
compute.delete_server(server)
print('OK')
