/** XML namespaces the core renders in. Extension namespaces come from their descriptors. */
export const COMMON_NS = 'http://docs.openstack.org/common/api/v1.0';
export const COMPUTE_NS = 'http://docs.openstack.org/compute/api/v1.1';
export const ATOM_NS = 'http://www.w3.org/2005/Atom';
