import { isIPv6 } from 'node:net';
import { attribute, groups, input, links, map, object, shape, type Check, type Shape } from '../model/shape.ts';
import { COMPUTE_NS } from '../media/namespaces.ts';

/**
 * The core resources as OpenStack Compute v2 has them (compare the reference server.xsd and
 * nova's samples). Extensions add fields to these shapes when the registry is built.
 */
/** Server, image and flavor ids, as the compute schema requires them. */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const ref = (element: string) => shape(element, COMPUTE_NS, [attribute('id'), links()]);

export const flavorShape = shape('flavor', COMPUTE_NS, [
  attribute('id'), attribute('name'), attribute('ram', 'integer'), attribute('disk', 'integer'), attribute('vcpus', 'integer'), links(),
]);

export const imageShape = shape('image', COMPUTE_NS, [
  attribute('id'), attribute('name'), attribute('status', 'state'), attribute('progress', 'integer'),
  attribute('minDisk', 'integer'), attribute('minRam', 'integer'), attribute('created', 'datetime'), attribute('updated', 'datetime'),
  object('server', ref('server')), map('metadata', 'meta'), links(),
]);

const ip = shape('ip', COMPUTE_NS, [attribute('version', 'integer'), attribute('addr')]);

export const serverShape = shape('server', COMPUTE_NS, [
  attribute('id'), attribute('name'), attribute('status', 'state'), attribute('progress', 'integer'),
  attribute('hostId'), attribute('tenant_id'), attribute('user_id'), attribute('created', 'datetime'), attribute('updated', 'datetime'),
  attribute('accessIPv4'), attribute('accessIPv6'), attribute('adminPass'),
  object('image', ref('image')), object('flavor', ref('flavor')), map('metadata', 'meta'),
  groups('addresses', 'network', 'id', ip), links(),
]);

/** What nova answers a create with: the id, links and password, and the fields extensions add there. */
export const createAnswerOf = (s: Shape): Shape =>
  shape(s.element, s.namespace, s.fields.filter((f) => ['id', 'links', 'adminPass'].includes(f.key) || f.inCreateAnswer === true));

/** What an update answers: the server, but for what extensions show only when asked (nova's show-only extensions). */
export const updateAnswerOf = (s: Shape): Shape => shape(s.element, s.namespace, s.fields.filter((f) => f.inUpdateAnswer !== false));

/** What the plain list (not /detail) shows of each item. */
export const summaryOf = (s: Shape): Shape => shape(s.element, s.namespace, s.fields.filter((f) => ['id', 'name', 'links'].includes(f.key)));

const maxLength = (n: number): Check => (v) => (typeof v === 'string' && v.length > n ? `must be at most ${n} characters` : undefined);
const nonEmpty: Check = (v) => (typeof v === 'string' && v.trim() === '' ? 'must not be empty' : undefined);
const name: Check = (v) => nonEmpty(v) ?? maxLength(255)(v);
/** Metadata as the core accepts it: at most 128 pairs, keys 1 to 255 characters, values at most 255. */
export const metadataCheck: Check = (v) => {
  const m = v as Record<string, string>;
  if (Object.keys(m).length > 128) return 'may have at most 128 items';
  for (const [k, x] of Object.entries(m)) if (k === '' || k.length > 255 || x.length > 255) return 'keys must be 1 to 255 characters and values at most 255';
  return undefined;
};
const ipv4: Check = (v) => (typeof v === 'string' && v !== '' && !/^(\d{1,3})(\.\d{1,3}){3}$/.test(v) ? 'must be an IPv4 address' : undefined);
// A zone id (`fe80::1%eth0`) names an interface of the client's own host: not an access address.
const ipv6: Check = (v) => (typeof v === 'string' && v !== '' && (!isIPv6(v) || v.includes('%')) ? 'must be an IPv6 address' : undefined);

/**
 * An IPv6 address as nova stores it: RFC 5952's compact form (`::babe:dc0c:1602`), which the URL
 * parser writes. A value it cannot read (stored before addresses were checked) is kept as it is.
 */
export const compactIPv6 = (v: string): string => {
  if (v === '') return v;
  try {
    return new URL(`http://[${v}]/`).hostname.slice(1, -1);
  } catch {
    return v;
  }
};

/** Request bodies. */
export const serverCreateShape = shape('server', COMPUTE_NS, [
  input(attribute('name'), { required: true, check: name }),
  input(attribute('imageRef'), { required: true, check: nonEmpty }),
  input(attribute('flavorRef'), { required: true, check: nonEmpty }),
  input(attribute('accessIPv4'), { check: ipv4 }),
  input(attribute('accessIPv6'), { check: ipv6 }),
  input(attribute('adminPass'), { check: maxLength(255) }),
  input(map('metadata', 'meta'), { check: metadataCheck }),
]);

export const serverUpdateShape = shape('server', COMPUTE_NS, [
  input(attribute('name'), { check: name }),
  input(attribute('accessIPv4'), { check: ipv4 }),
  input(attribute('accessIPv6'), { check: ipv6 }),
]);

const rebootType: Check = (v) => (v === 'SOFT' || v === 'HARD' ? undefined : 'must be SOFT or HARD');

/** Core actions: the root name of the body picks the action (nova's @wsgi.action). */
export const rebootShape = shape('reboot', COMPUTE_NS, [input(attribute('type'), { required: true, check: rebootType })]);
export const createImageShape = shape('createImage', COMPUTE_NS, [
  input(attribute('name'), { required: true, check: name }),
  input(map('metadata', 'meta'), { check: metadataCheck }),
]);

/** `imageRef` and `flavorRef` may be an id or a link to it (nova accepts both). */
export const idOfRef = (ref: string): string => {
  const trimmed = ref.replace(/\/+$/, '');
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
};
