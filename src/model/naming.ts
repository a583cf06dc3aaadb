import type { Field, Owner } from './shape.ts';

/**
 * How one API version spells the names an extension owns. Handler code never writes an alias:
 * it names fields by owner, and the codecs ask the version's Naming at the edge. Promotion
 * (RAX-PIE -> OS-PIE -> core) is a different Naming, not different code.
 */
export interface Naming {
  /** The alias that qualifies the owner's names in this version; undefined once they are core. */
  alias(owner: string): string | undefined;
  /** The XML namespace of the owner's elements and attributes; undefined once they are core. */
  namespace(owner: string): string | undefined;
  /** The owner a client means by an alias prefix (`RAX-PIE` in `RAX-PIE:shared`), if loaded. */
  ownerOfAlias(alias: string): string | undefined;
  /** The owner of an XML namespace, if loaded. */
  ownerOfNamespace(namespace: string): string | undefined;
}

/** Every name is spelled with the alias and namespace its extension was defined with. */
export const definedNaming = (extensions: Iterable<{ alias: string; namespace: string }>): Naming => {
  const namespaces = new Map<string, string>();
  const owners = new Map<string, string>();
  for (const e of extensions) {
    namespaces.set(e.alias, e.namespace);
    owners.set(e.namespace, e.alias);
  }
  return {
    alias: (owner) => (namespaces.has(owner) ? owner : undefined),
    namespace: (owner) => namespaces.get(owner),
    ownerOfAlias: (alias) => (namespaces.has(alias) ? alias : undefined),
    ownerOfNamespace: (namespace) => owners.get(namespace),
  };
};

/** Splits an internal qualified key (`RAX-CBS:ATTACHING`) into owner and local name. */
export const splitKey = (key: string): { owner: string | undefined; name: string } => {
  const i = key.indexOf(':');
  return i === -1 ? { owner: undefined, name: key } : { owner: key.slice(0, i), name: key.slice(i + 1) };
};

/** JSON property, query parameter and state spelling: `alias:name`, or `name` for core. */
export const qualifiedName = (naming: Naming, name: string, owner: Owner): string => {
  const alias = owner === undefined ? undefined : naming.alias(owner);
  return alias === undefined ? name : `${alias}:${name}`;
};

export const jsonName = (naming: Naming, field: Field): string => qualifiedName(naming, field.name, field.owner);

/** XML spelling: a prefix (the alias) bound to the owner's namespace, or no prefix for core. */
export interface XmlName {
  readonly prefix?: string;
  readonly namespace?: string;
  readonly local: string;
}

export const xmlName = (naming: Naming, name: string, owner: Owner): XmlName => {
  if (owner === undefined) return { local: name };
  const prefix = naming.alias(owner);
  const namespace = naming.namespace(owner);
  return prefix === undefined || namespace === undefined ? { local: name } : { prefix, namespace, local: name };
};

/** Renders a qualified value (a state such as `RAX-CBS:ATTACHING`) for one version; memoised. */
export const valueRenderer = (naming: Naming): ((value: string) => string) => {
  const cache = new Map<string, string>();
  return (value) => {
    let r = cache.get(value);
    if (r === undefined) {
      const { owner, name } = splitKey(value);
      r = qualifiedName(naming, name, owner);
      cache.set(value, r);
    }
    return r;
  };
};
