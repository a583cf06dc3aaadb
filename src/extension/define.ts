import type { Contributions } from './contract.ts';

/**
 * What an extension author writes: `export default defineExtension({...})` in
 * `extensions/<ALIAS>/index.ts`. The facts are data, as in a Neutron API definition; they are
 * checked when the registry is built (extension/rules.ts), all problems at once, never here.
 */

export interface ExtensionLink {
  /** `describedby` for specifications; at least one must be `application/pdf`. */
  readonly rel: string;
  readonly href: string;
  readonly type?: string;
}

export interface ExtensionDefinition extends Contributions {
  /** Human readable name: "Disk Configuration Extension". */
  readonly name: string;
  /** Absolute URI that identifies the extension; its XML names live in this namespace. */
  readonly namespace: string;
  /** Registered vendor prefix, `-`, a short name: `RAX-DCF`. */
  readonly alias: string;
  /** When the extension was last updated, an xsd:dateTime: `2011-09-27T00:00:00Z`. */
  readonly updated: string;
  readonly description: string;
  readonly links: readonly ExtensionLink[];
  /** Aliases of the extensions this one builds on; they load first. */
  readonly requires?: readonly string[];
  /** The first API version the extension applies to (default: the oldest). */
  readonly minVersion?: string;
}

const DEFINED = Symbol.for('extgate.extension');

export type Extension = ExtensionDefinition & { readonly [DEFINED]: true };

export const defineExtension = <const T extends ExtensionDefinition>(definition: T): T & Extension =>
  Object.freeze({ ...definition, [DEFINED]: true as const });

export const isExtension = (x: unknown): x is Extension =>
  typeof x === 'object' && x !== null && (x as Record<symbol, unknown>)[DEFINED] === true;
