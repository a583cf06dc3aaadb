"""openstacksdk behind a real Keystone: password authentication, the compute endpoint from the
catalog, a project's server invisible to another project.

usage: /usr/bin/python3 openstacksdk_keystone.py AUTH_URL OWNER:PASSWORD@PROJECT OTHER:PASSWORD@PROJECT
Prints one line per step and OK at the end; exits non-zero at the first failure.
"""
import sys

import openstack
from openstack import exceptions

auth_url = sys.argv[1]


def connect(who):
    user, rest = who.split(':', 1)
    password, project = rest.rsplit('@', 1)
    return openstack.connection.Connection(
        auth_url=auth_url, username=user, password=password, project_name=project,
        user_domain_name='Default', project_domain_name='Default', region_name='RegionOne',
        compute_api_version='2')


owner = connect(sys.argv[2])
other = connect(sys.argv[3])
compute = owner.compute
print(f'catalog compute endpoint: {compute.get_endpoint()}')

images = list(compute.images())
flavors = list(compute.flavors())
server = compute.create_server(name='sdk-keystone', image_id=images[0].id, flavor_id=flavors[0].id)
server = compute.wait_for_server(server, status='ACTIVE', interval=0.1, wait=30)
print(f'created: {server.status}, project is the token\'s: {server.project_id == owner.current_project_id}, '
      f'user is the token\'s: {server.user_id == owner.current_user_id}')

compute.reboot_server(server, 'SOFT')
compute.wait_for_server(server, status='ACTIVE', interval=0.1, wait=30)
print('rebooted')

print(f'owner lists it: {server.id in [s.id for s in compute.servers()]}')
print(f'other project lists it: {server.id in [s.id for s in other.compute.servers()]}')
try:
    other.compute.get_server(server.id)
    print('other project get_server: found')
except exceptions.NotFoundException:
    print('other project get_server: NotFoundException')
try:
    other.compute.delete_server(server.id, ignore_missing=False)
    print('other project delete_server: deleted')
except exceptions.NotFoundException:
    print('other project delete_server: NotFoundException')

compute.delete_server(server)
compute.wait_for_delete(server, interval=0.1, wait=30)
print('deleted')
print('OK')
