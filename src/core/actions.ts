import { randomUUID } from 'node:crypto';
import type { ActionContext } from '../extension/contract.ts';
import type { Shape, Value } from '../model/shape.ts';
import type { Store } from '../store/store.ts';
import { isoSeconds } from './clock.ts';
import { CORE_RULES } from '../identity/rules.ts';
import { createImageShape, rebootShape } from './shapes.ts';
import type { FlavorDoc, ImageDoc, ServerDoc } from './views.ts';
import type { Stateful, Task } from './states.ts';

/**
 * Server actions (`POST /servers/{id}/action`), as nova's `@wsgi.action` has them: one table per
 * API version, keyed by the body's root name, where the core's actions and the extensions' are
 * entries of the same kind, dispatched the same way (core/compute.ts): check the state, begin the
 * transition, run, commit. A promoted extension's action is reached by each name its lineage
 * gives it (`OS-LOCK:lock` in v1, `lock` once core).
 */
export interface ActionTransition {
  /** The states the action may start from. */
  readonly from: readonly string[];
  /** The transient state it passes through, and the state that settles into (default ACTIVE). */
  readonly via?: string;
  readonly to?: string;
}

/** What only the core's own actions may use: the store, and creating a resource beside the server. */
export interface CoreActionTools {
  readonly store: Store;
  /** Stages a new document as the core creates one (extension fields, defaults, initial state), owned by the caller's project; returns it as staged, in its first state. */
  create(kind: 'images', doc: Value, input: Value, via: string, to: string): Value & Stateful;
}

export interface ActionDef {
  /** The extension that adds it; undefined for the core's. */
  readonly owner?: string;
  /** The model key: `reboot`, `OS-LOCK:lock` (what hooks see as `action`). */
  readonly key: string;
  /** The local name, before the version spells it. */
  readonly name: string;
  /** The body under the root name. */
  readonly shape: Shape;
  /** The policy rule that guards it (identity/rules.ts). */
  readonly rule: string;
  readonly transition: (input: Value) => ActionTransition;
  /** `core` is given to the core's own actions only. */
  readonly run?: (ctx: ActionContext, core?: CoreActionTools) => void | Promise<void>;
}

const reboot: ActionDef = {
  key: 'reboot',
  name: 'reboot',
  rule: CORE_RULES.serversReboot,
  shape: rebootShape,
  // A hard reboot may interrupt a soft one; a soft one only starts from ACTIVE.
  transition: (input) => (input.type === 'HARD' ? { from: ['ACTIVE', 'REBOOT'], via: 'HARD_REBOOT' } : { from: ['ACTIVE'], via: 'REBOOT' }),
};

const createImage: ActionDef = {
  key: 'createImage',
  name: 'createImage',
  rule: CORE_RULES.serversCreateImage,
  shape: createImageShape,
  transition: () => ({ from: ['ACTIVE'] }),
  run: async ({ input, doc, now }, core) => {
    const server = doc as ServerDoc;
    const flavor = await core!.store.get<FlavorDoc>('flavors', server.flavorId);
    const source = await core!.store.get<ImageDoc>('images', server.imageId);
    // The snapshot needs what its source image needed, and holds the whole root disk.
    const image: ImageDoc = {
      id: randomUUID(),
      name: input.name as string,
      status: 'SAVING',
      serverId: server.id,
      minDisk: Math.max(source?.doc.minDisk ?? 0, flavor?.doc.disk ?? 0),
      minRam: source?.doc.minRam ?? 0,
      metadata: (input.metadata as Record<string, string> | undefined) ?? {},
      created: isoSeconds(now),
      updated: isoSeconds(now),
    };
    const staged = core!.create('images', image, input, 'SAVING', 'ACTIVE');
    // The server is busy until the snapshot is saved: another snapshot meanwhile is refused.
    (doc as { task?: Task }).task = { name: 'image_snapshot', until: staged.pending!.at };
  },
};

/** The core's actions; each version's table adds the extensions' (extension/wiring.ts). */
export const CORE_ACTIONS: readonly ActionDef[] = [reboot, createImage];
