import type { Shape, Value } from '../model/shape.ts';
import type { LinkBase } from './links.ts';
import { resourceLinks } from './links.ts';
import { getOrMake } from '../memo.ts';
import type { Task } from './states.ts';
import { flavorShape, imageShape, serverShape } from './shapes.ts';

const CORE_KEYS = new Map([serverShape, imageShape, flavorShape].map((s) => [s.element, new Set(s.fields.map((f) => f.key))]));

/**
 * Stored documents -> representations (model values for the shapes). Extension fields are copied
 * only if this version's shape has them: a disabled extension's stored data leaves no trace.
 */
export interface ServerDoc extends Value {
  id: string;
  name: string;
  status: string;
  pending?: { status: string; at: number };
  imageId: string;
  flavorId: string;
  accessIPv4: string;
  accessIPv6: string;
  metadata: Record<string, string>;
  addresses: Record<string, { version: number; addr: string }[]>;
  /** ISO 8601 to the second, rendered once when written. */
  created: string;
  updated: string;
  hostId: string;
  tenant_id: string;
  user_id: string;
  /** Work in progress that leaves the state as it is (core/states.ts). */
  task?: Task;
}

export interface ImageDoc extends Value {
  id: string;
  name: string;
  status: string;
  pending?: { status: string; at: number };
  serverId?: string;
  minDisk: number;
  minRam: number;
  metadata: Record<string, string>;
  created: string;
  updated: string;
}

export interface FlavorDoc extends Value {
  id: string;
  name: string;
  ram: number;
  disk: number;
  vcpus: number;
  /** Swap in MB; 0 or absent when the flavor has none (shown by nova's os-flavor-swap). */
  swap?: number;
}

const extensionFields = new WeakMap<Shape, { stored: string[]; derived: [string, (doc: Value) => unknown][] }>();
const extensionFieldsOf = (shape: Shape) =>
  getOrMake(extensionFields, shape, () => {
    // An extension's fields: qualified ones, and bare ones (nova's legacy names) the core does not have.
    const core = CORE_KEYS.get(shape.element);
    const own = shape.fields.filter((f) => f.owner !== undefined || !core?.has(f.key));
    return {
      stored: own.filter((f) => f.derive === undefined).map((f) => f.key),
      derived: own.flatMap((f): [string, (doc: Value) => unknown][] => (f.derive === undefined ? [] : [[f.key, f.derive]])),
    };
  });

const copyExtensions = (doc: Value, shape: Shape, out: Value): Value => {
  const { stored, derived } = extensionFieldsOf(shape);
  for (const k of stored) if (doc[k] !== undefined) out[k] = doc[k];
  for (const [k, derive] of derived) out[k] = derive(doc);
  return out;
};

const ref = (base: LinkBase, collection: string, id: string) => ({ id, links: [{ rel: 'bookmark', href: `${base.bookmark}/${collection}/${id}` }] });

export const serverView = (doc: ServerDoc, shape: Shape, base: LinkBase): Value =>
  copyExtensions(doc, shape, {
    id: doc.id,
    name: doc.name,
    status: doc.status,
    // Only while something progresses or has completed, as nova shows it (not in REBOOT, SHUTOFF, an extension's state).
    progress: doc.status === 'BUILD' ? 0 : doc.status === 'ACTIVE' ? 100 : undefined,
    hostId: doc.hostId,
    tenant_id: doc.tenant_id,
    user_id: doc.user_id,
    created: doc.created,
    updated: doc.updated,
    accessIPv4: doc.accessIPv4,
    accessIPv6: doc.accessIPv6,
    image: ref(base, 'images', doc.imageId),
    flavor: ref(base, 'flavors', doc.flavorId),
    metadata: doc.metadata,
    addresses: doc.addresses,
    links: resourceLinks(base, 'servers', doc.id),
  });

export const imageView = (doc: ImageDoc, shape: Shape, base: LinkBase): Value =>
  copyExtensions(doc, shape, {
    id: doc.id,
    name: doc.name,
    status: doc.status,
    progress: doc.status === 'SAVING' ? 0 : 100,
    minDisk: doc.minDisk,
    minRam: doc.minRam,
    created: doc.created,
    updated: doc.updated,
    server: doc.serverId === undefined ? undefined : ref(base, 'servers', doc.serverId),
    metadata: doc.metadata,
    links: resourceLinks(base, 'images', doc.id),
  });

export const flavorView = (doc: FlavorDoc, shape: Shape, base: LinkBase): Value =>
  copyExtensions(doc, shape, { id: doc.id, name: doc.name, ram: doc.ram, disk: doc.disk, vcpus: doc.vcpus, links: resourceLinks(base, 'flavors', doc.id) });

export const summaryView = (doc: { id: string; name: string }, collection: string, base: LinkBase): Value => ({
  id: doc.id,
  name: doc.name,
  links: resourceLinks(base, collection, doc.id),
});
